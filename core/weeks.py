"""ISO weeks: labels like 2026-W53, their Mondays, and "this week" in a team's time zone."""
import re
import zoneinfo
from datetime import date, timedelta

from django.utils import timezone

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def week_of(day: date) -> tuple[int, int, date]:
    """(iso_year, iso_week, monday) of the ISO week containing ``day``."""
    iso = day.isocalendar()
    return iso.year, iso.week, day - timedelta(days=day.weekday())


def parse_week(label: str) -> tuple[int, int, date] | None:
    """'2026-W53' → (2026, 53, Monday); None for anything that is not a real ISO week."""
    match = WEEK_RE.match(label or "")
    if not match:
        return None
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return year, week, monday


def label(iso_year: int, iso_week: int) -> str:
    return f"{iso_year}-W{iso_week:02d}"


def team_today(team, now=None) -> date:
    """Today's date where the team works (its time zone decides which week it is)."""
    now = now or timezone.now()
    return now.astimezone(zoneinfo.ZoneInfo(team.timezone)).date()


def parse_quarter(text: str) -> tuple[date, date] | None:
    """'2026Q4' → (2026-10-01, 2027-01-01); None when malformed."""
    match = re.match(r"^(\d{4})Q([1-4])$", text or "")
    if not match:
        return None
    year, q = int(match.group(1)), int(match.group(2))
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, end
