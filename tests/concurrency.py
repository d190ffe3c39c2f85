"""Run callables at the same instant in threads, as concurrent requests or workers would."""
import threading

from django.db import connections


def at_once(calls) -> list:
    """Run each zero-argument callable in its own thread, all released by one barrier.

    Returns the outcomes in the order the threads finished: what a call returned, or the
    exception it raised. Each thread closes its database connections when done.
    """
    calls = list(calls)
    barrier = threading.Barrier(len(calls))
    outcomes, lock = [], threading.Lock()

    def run(call):
        try:
            barrier.wait()
            outcome = call()
        except Exception as exc:  # noqa: BLE001 — each thread reports what happened
            outcome = exc
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def errors_in(outcomes) -> list:
    return [o for o in outcomes if isinstance(o, BaseException)]


def post_at_once(cookies, url, data, count, **extra) -> list:
    """POST the same form ``count`` times at once with these cookies; the status codes."""
    from django.test import Client

    def post():
        client = Client()
        client.cookies = cookies
        return client.post(url, data, **extra).status_code

    return at_once([post] * count)
