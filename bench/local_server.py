"""What the gunicorn benches (load, soak) share: the server on 127.0.0.1 and a timed run of
client threads that start together."""
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def start_gunicorn(port: int, options: list[str], *, env: dict, log) -> subprocess.Popen:
    """gunicorn serving kgiapp.wsgi on 127.0.0.1:``port`` with ``options``; returns once it
    listens (or after 30 s). The caller terminates it."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "kgiapp.wsgi", "--bind", f"127.0.0.1:{port}", *options],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        if not port_free(port):
            break
        time.sleep(0.1)
    return server


def deadline_barrier(parties: int, seconds: float):
    """(barrier for ``parties`` threads and the caller, [deadline]): the clock starts when
    all are ready (logged in), and runs ``seconds``."""
    deadline = [0.0]
    ready = threading.Barrier(parties + 1,
                              action=lambda: deadline.__setitem__(0, time.monotonic() + seconds))
    return ready, deadline


def run_together(threads, ready) -> float:
    """Start the threads, wait until all are ready, and return the seconds until all end."""
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started
