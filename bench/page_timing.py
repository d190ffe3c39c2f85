"""What the page benches share: one timed GET through Django's test client."""
import time


def timed_get(client, url, before=None) -> float:
    """Milliseconds of one GET of ``url`` (which must answer 200); ``before()`` runs first,
    untimed (a write the load should follow)."""
    if before:
        before()
    t0 = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, url
    return elapsed
