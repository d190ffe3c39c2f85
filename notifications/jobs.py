"""Scheduled work ``manage.py notify`` catches up on, so cron alone can run the rhythm."""
from datetime import time

from reviews.models import Reforecast
from reviews.reforecast import services as reforecast
from teams.models import Company

# Beat's "reforecast-monthly" runs at 04:00 on the 1st; notify does the same when it runs.
REFORECAST_AT = time(4, 0)


def scheduled_jobs_run(now) -> list[str]:
    """Compute this month's reforecast of every company whose time has come; what was done."""
    done = []
    for company in Company.objects.filter(pk__in=reforecast.companies_due_for_reforecast()):
        local = now.astimezone(company.tzinfo)
        if local.day == 1 and local.time() < REFORECAST_AT:
            continue
        # Only a month without a row: a failed one waits for an admin, not every cron run.
        if Reforecast.objects.filter(company=company, month=local.date().replace(day=1)).exists():
            continue
        row, needs_run = reforecast.reforecast_request(company=company, month=local.date())
        if needs_run:
            row = reforecast.reforecast_compute(reforecast_id=row.pk)
            done.append(f"reforecast {company.slug} {row.month_key}: {row.status}")
    return done
