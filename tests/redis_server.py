"""A Redis server a test owns: started on its own free port, stopped and started again.

For broker outages: ``own_broker`` points the Celery app of the test process at it (and
``celery_worker_process(redis_url=own_broker.url)`` a worker process), so the test can take
the broker away and bring it back without touching the Redis everything else shares::

    def test_work_stored_while_the_broker_is_down(own_broker, celery_worker_process):
        own_broker.stop()          # the broker is gone: sending gives up after ~1 s
        ...the request answers, the row waits...
        own_broker.start()         # back on the same port, empty
        celery_worker_process(redis_url=own_broker.url)
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, app=None):
        self.app = app  # a Celery app to point at this server again on each start
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="redis-test-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.popen = None

    def start(self, timeout=10.0) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.popen = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        if self.app is not None:
                            # Connections pooled while it was down may be broken: new ones.
                            point_celery_at(self.app, self.url)
                        return self
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            self.popen.wait(timeout=10)
        self.popen = None


def point_celery_at(app, url) -> None:
    """Send (and control) through ``url`` from now on; pooled connections are dropped."""
    app.conf.broker_url = url
    app.conf.broker_read_url = app.conf.broker_write_url = None
    app.conf.result_backend = url
    app._pool = None  # kombu keeps one pool per broker URL; the old one stays usable
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def own_broker(celery_not_eager, settings):
    """A Redis started for this test, the Celery app of the test process pointed at it."""
    app = celery_not_eager
    before = (app.conf.broker_url, app.conf.result_backend)
    server = RedisServer(app).start()
    settings.CELERY_BROKER_URL = server.url
    try:
        yield server
    finally:
        server.stop()
        app.conf.broker_url, app.conf.result_backend = before
        point_celery_at(app, before[0])
        app.conf.result_backend = before[1]
        shutil.rmtree(server.dir, ignore_errors=True)
