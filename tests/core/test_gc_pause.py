"""The cyclic collector is held off for a block and resumes after (core.gc_pause)."""
import gc

import pytest

from core.gc_pause import cyclic_gc_paused


@pytest.fixture(autouse=True)
def _collector_back_on():
    yield
    gc.enable()


def test_the_collector_is_off_in_the_block_and_on_after_even_on_an_error():
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_decorated_function_runs_with_it_off_and_a_nested_block_leaves_it_off():
    @cyclic_gc_paused()
    def work():
        with cyclic_gc_paused():
            pass
        return gc.isenabled()

    assert work() is False
    assert work() is False  # usable again
    assert gc.isenabled()
    gc.disable()
    with cyclic_gc_paused():
        pass
    assert not gc.isenabled()  # it was off before: left off
