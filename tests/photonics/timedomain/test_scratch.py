"""The scratch pool: arrays reused only when nothing else refers to them."""

from __future__ import annotations

import numpy as np
import pytest

from rof.photonics.timedomain import scratch


@pytest.fixture(autouse=True)
def _empty_pool():
    scratch.release()
    yield
    scratch.release()


def test_given_back_array_is_reused():
    a = scratch.take((4, 5), np.float32)
    assert a.shape == (4, 5) and a.dtype == np.float32 and a.flags.c_contiguous
    ident = id(a)
    assert scratch.give(a)
    del a
    assert scratch.kept_bytes() == 80
    b = scratch.take((4, 5), np.float32)
    assert id(b) == ident and scratch.kept_bytes() == 0
    c = scratch.take((4, 5), np.float64)  # another type: a new array
    assert id(c) != ident


def test_shared_or_foreign_arrays_are_not_kept():
    a = scratch.take(10, np.float64)
    holder = [a]
    assert not scratch.give(a)  # the list refers to it
    view = holder.pop()[2:]
    assert not scratch.give(a)  # the view's base is it
    del view
    assert scratch.give(a)
    assert not scratch.give(a)  # already kept: not twice
    assert not scratch.give(np.empty(10))  # not made by take()
    assert not scratch.give([1.0])
    assert scratch.kept_bytes() == 80


def test_a_kept_array_is_handed_out_once():
    a = scratch.take(8, np.complex64)
    scratch.give(a)
    del a
    b = scratch.take(8, np.complex64)
    c = scratch.take(8, np.complex64)
    assert b is not c
    b[:] = 1.0
    c[:] = 2.0
    assert np.all(b == 1.0)


def test_limit_drops_the_least_recently_given(monkeypatch):
    monkeypatch.setattr(scratch, "limit_bytes", 200)
    arrays = [scratch.take(10, np.float64) for _ in range(3)]
    first = id(arrays[0])
    while arrays:
        x = arrays.pop(0)
        assert scratch.give(x)
        del x
    assert scratch.kept_bytes() == 160  # the first given dropped
    got = {id(scratch.take(10, np.float64)) for _ in range(2)}
    assert first not in got
    monkeypatch.setattr(scratch, "limit_bytes", 0)
    d = scratch.take(3, np.float64)
    assert not scratch.give(d)


def test_simulate_link_reuses_its_arrays_and_results_stay():
    """Two runs of the waveform simulator give the same numbers; the second takes its
    record-long arrays from the pool (nothing of the first run's output is reused)."""
    from rof.link import RoFLink
    from rof.link.waveform import simulate_link
    from rof.photonics import DirectLaser, Fiber, Photodiode
    from rof.signals import nr_ofdm

    w = nr_ofdm(20, 30, "64QAM", 2, np.random.default_rng(0), carrier_hz=1.0e9)
    link = RoFLink(DirectLaser(), Fiber(5.0), Photodiode())
    first = simulate_link(link, w, np.random.default_rng(1))
    kept = scratch.kept_bytes()
    assert kept > 0
    second = simulate_link(link, w, np.random.default_rng(1))
    np.testing.assert_array_equal(first.samples, second.samples)
    assert scratch.kept_bytes() == kept
    assert not np.shares_memory(first.samples, second.samples)
