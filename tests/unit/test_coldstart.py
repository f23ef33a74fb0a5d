"""domain/coldstart.py: an entry module's init phase runs without the collector and leaves it as it found it."""

from __future__ import annotations

import gc

import pytest

from domain.coldstart import init_phase


@pytest.fixture(autouse=True)
def _collector_restored():
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_init_phase_runs_without_the_collector_then_enables_it_and_freezes_what_was_built():
    # GIVEN the collector on, as in a fresh interpreter
    gc.enable()
    gc.unfreeze()

    # WHEN a block runs in the init phase
    with init_phase():
        during = gc.isenabled()
        built = [[index] for index in range(1000)]

    # THEN it ran without the collector, which is on again, and what it built is frozen
    assert during is False
    assert gc.isenabled() is True
    assert gc.get_freeze_count() >= len(built)


def test_init_phase_leaves_a_disabled_collector_disabled_even_when_the_block_fails():
    # GIVEN a process that turned the collector off itself
    gc.disable()

    # WHEN the init phase fails
    with pytest.raises(ImportError), init_phase():
        raise ImportError("a missing module")

    # THEN the collector is still off: init_phase does not turn on what it did not turn off
    assert gc.isenabled() is False
