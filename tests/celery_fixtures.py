"""Real Celery workers for tests, against the Redis of REDIS_URL (registered in tests/conftest.py).

Two kinds, both skipped when REDIS_URL is unset (and CI=true fails on any skip):

``live_celery_worker`` — a worker in a thread of the test process (``start_worker``,
``pool="solo"``). It starts once per session, outside any test (the worker's Django fixup
closes the calling thread's connection, which would break a ``django_db`` test), and each
test that asks for it gets ``CELERY_TASK_ALWAYS_EAGER`` off for its duration, so
``.delay()`` / ``.delay_on_commit()`` really go through Redis to the worker::

    pytestmark = pytest.mark.django_db(transaction=True)

    def test_reforecast_runs_on_a_worker(live_celery_worker):
        result = reforecast_task.delay(company.pk)
        result.get(timeout=60)          # or poll the database for what the task writes

The test must use ``django_db(transaction=True)``: the worker has its own database
connection and sees only committed rows (PostgreSQL), or finds the table locked (SQLite).
The fixture fails the test with that advice otherwise. Tests using it get the
``celery_worker`` marker automatically.

``celery_worker_process`` — a factory starting ``celery -A kgiapp worker --pool=solo`` as a
separate process on the test database, for tests that must kill a worker::

    pytestmark = pytest.mark.django_db(transaction=True)

    def test_reforecast_survives_a_killed_worker(celery_worker_process):
        worker = celery_worker_process()          # waits until it answers a ping
        reforecast_task.delay(company.pk)
        ...wait until the task is half-way (a row, a Redis key)...
        worker.kill()                             # SIGKILL: no clean shutdown, no ack
        requeue_unacked()                         # the dead worker's message, back in the queue
        celery_worker_process().wait_idle()       # a new worker finishes it
        ...assert the end state, then run the task again: nothing changes...

A process worker needs PostgreSQL (it cannot see SQLite's in-memory test database): the
factory skips without it, and its tests get the ``postgres`` and ``celery_worker`` markers.
``include=["tests.celery_tasks"]`` loads test-only tasks (``tests.hold``) into the process;
``redis_url=`` gives it another broker (``tests/redis_server.py``: one the test stops and
starts), ``env=`` more environment (e.g. ``SOURCES_ALLOWED_HOSTS``).
Every process still running at the end of the test is stopped (SIGTERM, then SIGKILL).

For the reapers (``*_reap`` take the tasks they send as arguments): ``SentTask`` stands in
for a task and records what would be sent; ``live_worker_holding(lock)`` holds, in another
thread and connection, the lock a running worker holds (``row_locked(Model, pk)``, or
``core.recovery.holding``) for the ``with`` block, so a test sees what the reaper leaves alone.

The Redis database of REDIS_URL belongs to the test run: it is flushed when the session's
first worker starts, so messages left by an earlier run (a killed worker's unacked task)
never reach this run's database, and the task queue is purged before each test that uses
a worker (tests without one may have sent tasks nobody ran). CI uses
``redis://127.0.0.1:6379/9``.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WORKER_FIXTURES = {"live_celery_worker", "celery_worker_process"}


class SentTask:
    """Stands in for a task a reaper sends: records the arguments instead of queueing."""

    name = "test.sent"

    def __init__(self):
        self.args = []

    def apply_async(self, args, **options):
        self.args.append(tuple(args))


@contextmanager
def row_locked(model, pk):
    """The row lock a running worker holds on its work (``SELECT … FOR UPDATE``)."""
    from django.db import transaction

    with transaction.atomic():
        model.objects.select_for_update().get(pk=pk)
        yield True


@contextmanager
def live_worker_holding(lock):
    """Hold ``lock()`` (a context manager yielding whether it got the lock) in another thread
    with its own database connection until the ``with`` block ends."""
    from django.db import connections

    holds, release, problems = threading.Event(), threading.Event(), []

    def worker():
        try:
            with lock() as taken:
                if taken is False:
                    raise AssertionError("the live worker did not get its lock")
                holds.set()
                release.wait(30)
        except Exception as exc:  # noqa: BLE001 — reported by the waiting test
            problems.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert holds.wait(30), problems
        yield
    finally:
        release.set()
        thread.join()


def pytest_collection_modifyitems(items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & WORKER_FIXTURES:
            item.add_marker(pytest.mark.celery_worker)
        if "celery_worker_process" in names:
            item.add_marker(pytest.mark.postgres)


def _celery_app():
    from kgiapp.celery import app

    return app


def _require_redis():
    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.skip("needs Redis for a real Celery worker: set REDIS_URL=redis://…/<index>")
    return settings.REDIS_URL


def _require_transactional_db(request):
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and not marker.kwargs.get("transaction", False):
        pytest.fail("a test with a real Celery worker needs "
                    "@pytest.mark.django_db(transaction=True): the worker's own connection "
                    "cannot see rows inside the test's transaction", pytrace=False)


def _flush_test_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


_flushed = []


def _flush_once(url):
    if not _flushed:
        _flush_test_redis(url)
        _flushed.append(url)


@pytest.fixture
def celery_not_eager():
    """Tasks go through the broker for this test (Celery eager is restored afterwards)."""
    app = _celery_app()
    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = before


@pytest.fixture(scope="session")
def _celery_worker_thread(django_db_setup):
    """One embedded solo worker for the session, started outside any test's transaction.

    It consumes the task queue only while a test holds ``live_celery_worker``; otherwise it
    would steal tasks meant for a worker process, or run other tests' tasks in the
    background.
    """
    from django.conf import settings

    if not settings.REDIS_URL:
        yield None
        return
    from celery.contrib.testing.worker import start_worker

    app = _celery_app()
    _flush_once(settings.REDIS_URL)
    # start_worker's ping check sends celery.ping, which lives in this module.
    app.loader.import_module("celery.contrib.testing.tasks")
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=True,
                      ping_task_timeout=20, shutdown_timeout=30) as worker:
        _consume(app, worker.hostname, on=False)
        yield worker


def _consume(app, hostname, *, on):
    """Start or stop the worker's consumption of the default queue; wait for its reply."""
    queue = app.conf.task_default_queue
    command = app.control.add_consumer if on else app.control.cancel_consumer
    replies = command(queue, destination=[hostname], reply=True, timeout=10)
    if not replies:
        raise RuntimeError(f"worker {hostname} did not answer {command.__name__}({queue!r})")


@pytest.fixture
def live_celery_worker(request, _celery_worker_thread, celery_not_eager):
    """A real worker (thread, solo pool) consuming this test's tasks from Redis."""
    _require_redis()
    _require_transactional_db(request)
    # Tasks other tests sent while no worker listened belong to rows that are gone.
    celery_not_eager.control.purge()
    _consume(celery_not_eager, _celery_worker_thread.hostname, on=True)
    yield _celery_worker_thread
    _consume(celery_not_eager, _celery_worker_thread.hostname, on=False)


def wait_for(read, done, timeout=120.0, interval=0.02):
    """Poll ``read()`` until ``done(value)``; the last value is in the failure message."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = read()
        if done(value):
            return value
        time.sleep(interval)
    raise AssertionError(f"still {value!r} after {timeout}s")


# --- a worker in its own process, which a test may SIGKILL ---------------------------


def _test_database_url():
    """DATABASE_URL of the test database pytest-django created (PostgreSQL only)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs PostgreSQL (set DATABASE_URL): it cannot see "
                    "SQLite's in-memory test database")
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s["HOST"] or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(s['NAME'], safe='')}"


class WorkerProcess:
    """``celery -A kgiapp worker --pool=solo`` in a subprocess; ``kill()`` is a real SIGKILL."""

    def __init__(self, *, app, hostname, popen, log_path, broker_url=None):
        self.app, self.hostname, self.popen, self.log_path = app, hostname, popen, log_path
        self.broker_url = broker_url

    @property
    def pid(self):
        return self.popen.pid

    def log(self) -> str:
        return Path(self.log_path).read_text(errors="replace")

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    def wait_ready(self, timeout=60.0) -> WorkerProcess:
        """Block until the worker answers a control ping (it is consuming)."""
        # Ping through an app of its own on the worker's broker: the shared app may hold
        # pooled connections to another broker (a test that moved it, the session worker).
        from celery import Celery

        pinger = Celery("kgiapp-ping", broker=self.broker_url or self.app.conf.broker_url,
                        set_as_current=False)
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if not self.is_alive():
                    raise RuntimeError(f"worker exited with {self.popen.returncode}:\n{self.log()}")
                if pinger.control.ping(destination=[self.hostname], timeout=2.0):
                    return self
        finally:
            pinger.close()
        raise TimeoutError(f"worker {self.hostname} not ready after {timeout}s:\n{self.log()}")

    def wait_idle(self, timeout=60.0) -> WorkerProcess:
        """Block until the worker holds no task and its queue is empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            inspect = self.app.control.inspect(destination=[self.hostname], timeout=1.0)
            active = (inspect.active() or {}).get(self.hostname)
            reserved = (inspect.reserved() or {}).get(self.hostname)
            if active == [] and reserved == [] and _queue_length(self.app) == 0:
                return self
            if not self.is_alive():
                raise RuntimeError(f"worker exited with {self.popen.returncode}:\n{self.log()}")
            time.sleep(0.2)
        raise TimeoutError(f"worker {self.hostname} still busy after {timeout}s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: the task in progress is neither finished nor acknowledged."""
        if self.is_alive():
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout=20.0) -> None:
        """Warm shutdown (SIGTERM), SIGKILL if it does not exit in time."""
        if self.is_alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()


def _queue_length(app, queue="celery") -> int:
    with app.connection_for_read() as conn:
        return conn.default_channel.client.llen(queue)


def requeue_unacked(app=None) -> int:
    """Put every message a dead worker held back in its queue; returns how many.

    With acks_late the Redis transport keeps a message "unacked" while a worker runs it and
    redelivers it only after the visibility timeout (an hour). After ``WorkerProcess.kill()``
    this redelivers at once. Call it only when no live worker holds a message.
    """
    app = app or _celery_app()
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        tags = channel.client.hkeys(channel.unacked_key)
        for tag in tags:
            channel.qos.restore_by_tag(tag)
    return len(tags)


@pytest.fixture
def celery_worker_process(request, django_db_setup, celery_not_eager):
    """Factory: ``celery_worker_process(include=[...])`` starts a worker process and waits."""
    redis_url = _require_redis()
    _require_transactional_db(request)
    database_url = _test_database_url()
    _flush_once(redis_url)
    celery_not_eager.control.purge()
    started: list[WorkerProcess] = []
    logs = tempfile.mkdtemp(prefix="celery-worker-")

    def start(*, include=(), wait=True, extra_args=(), redis_url=redis_url,
              env=None) -> WorkerProcess:
        hostname = f"test-{uuid.uuid4().hex[:8]}@kgiapp-tests"
        log_path = os.path.join(logs, f"worker-{len(started)}.log")
        env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
               "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE",
                                                        "kgiapp.settings"),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT),
                                                           os.environ.get("PYTHONPATH")])),
               "CELERY_SKIP_CHECKS": "1", **(env or {})}
        command = [sys.executable, "-m", "celery", "-A", "kgiapp", "worker", "--pool=solo",
                   "--concurrency=1", "--hostname", hostname, "--without-gossip",
                   "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
                   *(["--include", ",".join(include)] if include else []), *extra_args]
        with open(log_path, "wb") as log:
            popen = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log,
                                     stderr=subprocess.STDOUT)
        worker = WorkerProcess(app=celery_not_eager, popen=popen, log_path=log_path,
                               hostname=hostname, broker_url=redis_url)
        started.append(worker)
        return worker.wait_ready() if wait else worker

    yield start
    for worker in started:
        worker.stop()
