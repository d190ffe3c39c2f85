"""Run everything due at an instant: the scheduled jobs, the notifications, their sending.

    manage.py notify --now 2026-12-07T09:00+09:00

A cron install needs only this command (every few minutes, without --now). It is safe to
run twice: nothing already queued is queued again, nothing sent is sent again.
"""
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications import delivery, due
from notifications.jobs import scheduled_jobs_run


class Command(BaseCommand):
    help = "Queue and send every notification due at --now (default: the current time)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO 8601 instant with its offset, "
                                          "e.g. 2026-12-07T09:00+09:00")
        parser.add_argument("--no-send", action="store_true",
                            help="queue only; the Celery worker or a later run sends")

    def handle(self, *args, now=None, no_send=False, **options):
        instant = timezone.now()
        if now:
            try:
                instant = datetime.fromisoformat(now)
            except ValueError as exc:
                raise CommandError(f"--now: not an ISO 8601 instant: {now}") from exc
            if timezone.is_naive(instant):
                raise CommandError("--now needs an offset, e.g. +09:00")
        for line in scheduled_jobs_run(instant):
            self.stdout.write(line)
        rows = due.notifications_due(instant)
        for row in rows:
            self.stdout.write(f"queued {row.kind} {row.object_key} {row.period_key} → "
                              f"{row.recipient.get_username()} ({row.channel})")
        self.stdout.write(f"{len(rows)} queued")
        if not no_send:
            counts = delivery.send_due(now=instant)
            self.stdout.write("sent {sent}, to retry {retry}, failed {failed}".format(**counts))
