"""Emails of the review: the digest when a review closes, and @mention notices.

Each recipient reads them in their language (the user's ``language`` if the user model
ever gains one, else the company's default), plain text and HTML.
"""
from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from reviews.models import Note, ReviewStatus, WeeklyReview
from teams.models import TeamMembership


def _language(user, company):
    return getattr(user, "language", None) or company.language or settings.LANGUAGE_CODE


def _send(user, company, subject_template, body_template, context):
    with translation.override(_language(user, company)):
        ctx = {**context, "recipient": user, "company": company}
        subject = " ".join(render_to_string(subject_template, ctx).split())
        text = render_to_string(f"{body_template}.txt", ctx)
        html = render_to_string(f"{body_template}.html", ctx)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def review_digest_send(*, review_id: int) -> int:
    """Email the team the closed review's numbers, decisions and tasks; once per close."""
    from reviews.selectors import decorate_numbers

    with transaction.atomic():
        review = (WeeklyReview.objects.select_for_update(of=("self",))
                  .select_related("team", "company").filter(pk=review_id).first())
        if review is None or review.status != ReviewStatus.CLOSED or review.digest_sent_at:
            return 0
        review.digest_sent_at = timezone.now()
        review.save(update_fields=["digest_sent_at"])
    decisions = list(review.decisions.select_related("kpi").prefetch_related("tasks__owner"))
    members = [tm.user for tm in TeamMembership.objects.filter(team=review.team)
               .select_related("user") if tm.user.email]
    sent = 0
    for user in members:
        with translation.override(_language(user, review.company)):
            numbers = decorate_numbers(review.frozen_numbers)
        _send(user, review.company, "reviews/email/digest_subject.txt", "reviews/email/digest",
              {"review": review, "numbers": numbers, "decisions": decisions,
               "base_url": settings.SITE_URL if hasattr(settings, "SITE_URL") else ""})
        sent += 1
    return sent


def mention_emails_send(*, note_id: int) -> int:
    """Tell each @mentioned person about the note; once per note."""
    with transaction.atomic():
        note = (Note.objects.select_for_update(of=("self",)).select_related("review__team",
                                                                "review__company", "author")
                .filter(pk=note_id).first())
        if note is None or note.mentions_notified_at:
            return 0
        note.mentions_notified_at = timezone.now()
        note.save(update_fields=["mentions_notified_at"])
    sent = 0
    for user in note.mentions.all():
        if not user.email:
            continue
        _send(user, note.review.company, "reviews/email/mention_subject.txt",
              "reviews/email/mention", {"note": note, "review": note.review})
        sent += 1
    return sent


@shared_task
def send_review_digest(review_id):
    """Celery: the digest of one closed review (safe to run twice)."""
    return review_digest_send(review_id=review_id)


@shared_task
def send_mention_emails(note_id):
    """Celery: the @mention notices of one note (safe to run twice)."""
    return mention_emails_send(note_id=note_id)
