"""The shared thread pool of the time-domain chain."""

from __future__ import annotations

import threading

from rof.photonics.timedomain._threads import map_threads


def test_map_threads_keeps_order_and_uses_the_pool():
    names = map_threads(lambda x: (x, threading.current_thread().name), range(20), 2)
    assert [x for x, _ in names] == list(range(20))
    assert all(n.startswith("rof-timedomain") for _, n in names)


def test_nested_call_runs_serially_instead_of_waiting_on_a_busy_pool():
    """Two outer tasks fill both workers; each calls map_threads again: the inner calls
    run in their own thread (no deadlock), giving the right results."""
    barrier = threading.Barrier(2, timeout=10)

    def outer(i):
        barrier.wait()  # both workers busy
        inner = map_threads(lambda x: (x, threading.current_thread().name), range(5), 2)
        return i, inner

    out = map_threads(outer, range(2), 2)
    for _, inner in out:
        assert [x for x, _ in inner] == list(range(5))
        assert len({n for _, n in inner}) == 1  # one thread: serial


def test_one_worker_or_one_item_runs_in_the_caller():
    me = threading.current_thread().name
    assert map_threads(lambda x: threading.current_thread().name, range(3), 1) == [me] * 3
    assert map_threads(lambda x: threading.current_thread().name, [0], 4) == [me]
