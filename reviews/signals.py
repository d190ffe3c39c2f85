"""What the review tells the layers above it, without importing them.

``review_mail_waiting`` is sent inside the transaction that closed a review or saved a note
with @mentions: a digest or mention notices now wait (``digest_sent_at`` /
``mentions_notified_at`` empty). notifications listens and enqueues the send on commit, so
the mail leaves at once; the every-minute reaper is the fallback when the broker is down.
"""
from django.dispatch import Signal

review_mail_waiting = Signal()
