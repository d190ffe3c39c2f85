"""Python's cyclic garbage collector held off during one big computation.

The collector's full passes walk every tracked object of the process, and a computation
that keeps many containers alive for a while triggers them again and again: the monthly
reforecast at 8,100 KPIs ran 4–5 of them, 0.5–0.8 s of CPU (10–20 % of the run), and none
at 810 KPIs — the one cost of the run that grew faster than its size. Reference counting
still frees everything that forms no cycle (the reforecast leaves a dozen cyclic objects
a run); the collector resumes when the block ends and finds them at its next pass.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused():
    """Hold off the cyclic collector for the block (or the decorated function); it
    resumes after, unless it was off already (another block holds it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
