"""The broker's visibility timeout fits the longest task, and every kind of run has a reaper
on the beat (so a dead worker's run comes back within about two minutes, not at the
visibility timeout)."""
from django.conf import settings

from kgiapp.celery import app


def _tasks():
    app.loader.import_default_modules()  # autodiscovery + CELERY_IMPORTS
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_the_visibility_timeout_is_above_every_tasks_hard_limit():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    limits = {name: task.time_limit or settings.CELERY_TASK_TIME_LIMIT
              for name, task in _tasks().items()}
    assert limits and max(limits.values()) < visibility, limits
    # ...and not far above it, or a killed worker's message waits longer than needed.
    assert visibility <= max(limits.values()) + 600


def test_every_kind_of_run_is_reaped_every_minute():
    beat = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    tasks = _tasks()
    for reaper in ("metrics.tasks.imports_reap_task", "customers.tasks.roster_reap_task",
                   "reviews.reforecast.tasks.reforecast_reap",
                   "metrics.sources.tasks.sources_reap",
                   "notifications.tasks.notifications_reap"):
        assert reaper in tasks, reaper
        assert beat.get(reaper) == 60.0, reaper
