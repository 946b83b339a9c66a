"""The cycle-collector pause and the owner-counted freeze leave the host's GC as they found it."""
from __future__ import annotations

import gc

import pytest

from prompt_tracking.gcpause import cycle_collector_paused, hold_frozen, release_frozen


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_release_returns_the_freeze_count_to_its_previous_value(unfrozen):
    kept = [[i] for i in range(1000)]
    owner = object()
    with cycle_collector_paused():
        hold_frozen(owner)
    assert gc.get_freeze_count() >= len(kept)
    release_frozen(owner)
    assert gc.get_freeze_count() == 0


def test_the_last_of_several_owners_unfreezes(unfrozen):
    first, second = object(), object()
    hold_frozen(first)
    hold_frozen(second)
    hold_frozen(first)  # holding again only freezes newer objects too
    release_frozen(first)
    assert gc.get_freeze_count() > 0
    release_frozen(first)  # a second release of the same owner changes nothing
    assert gc.get_freeze_count() > 0
    release_frozen(second)
    assert gc.get_freeze_count() == 0


def test_releasing_without_a_hold_is_a_no_op(unfrozen):
    release_frozen(object())
    assert gc.get_freeze_count() == 0


def test_a_host_that_froze_objects_itself_keeps_them_frozen(unfrozen):
    gc.freeze()
    before = gc.get_freeze_count()
    owner = object()
    hold_frozen(owner)
    release_frozen(owner)
    assert gc.get_freeze_count() >= before > 0


def test_the_pause_restores_the_collector_state():
    was = gc.isenabled()
    try:
        gc.enable()
        with cycle_collector_paused(), cycle_collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with cycle_collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
