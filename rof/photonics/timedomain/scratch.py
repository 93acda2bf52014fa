"""Record-long work arrays kept between waveform runs, so that a run in a loop takes no
fresh memory.

A 100 MHz NR slot at 3.5 GHz moves about 1 GB through arrays as long as its optical
record (drive, current, field, fiber output, detector rows). Fresh memory is paid for
when first written: the kernel zeroes each page, and on a virtual machine whose freed
memory goes back to the host (free page reporting) it must be backed again, about
1.5 ms per MB measured on this project's machines against 0.04 ms for memory the
process reuses: system time was 0.4-0.9 s of that slot's 3.3 CPU-seconds. With these
arrays reused the slot's median over six repetitions went from 2.06 to 1.79 s
(``benches/test_bench_waveform.py``; 1.63 s with the C library told to keep every
freed block, the bound for reusing everything).

:func:`take` hands out an array of a given shape and type, a kept one if one is free;
:func:`give` takes back an array that :func:`take` made, once nothing else refers to it
(its reference count, checked), so that a caller that kept the array (a transmitter that
caches its field, a view of it) never has it overwritten. Free arrays are kept up to
:data:`limit_bytes` in all, the least recently given dropped first; :func:`release`
frees them all. An array handed out is the caller's alone until given back: concurrent
runs on several threads each take their own.
"""

from __future__ import annotations

import os
import sys
import threading
import weakref

import numpy as np

__all__ = ["give", "kept_bytes", "limit_bytes", "release", "take"]


def _default_limit() -> int:
    """2 GiB (the arrays of two 3.5 GHz NR slots of 100 MHz), at most an eighth of the
    machine's memory."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 2 << 30
    return int(min(2 << 30, physical // 8))


#: Bytes of free arrays kept at most (default: 2 GiB, at most an eighth of the machine's
#: memory; set to 0 to keep none).
limit_bytes = _default_limit()

_LOCK = threading.Lock()
_FREE: list[np.ndarray] = []  # least recently given first
_ISSUED: dict[int, weakref.ref] = {}  # id -> weak reference of each array take() made


def _issued(a) -> bool:
    r = _ISSUED.get(id(a))
    return r is not None and r() is a


def _forget(key: int):
    def callback(_ref):
        _ISSUED.pop(key, None)

    return callback


def _count(a) -> int:
    return sys.getrefcount(a)


def _as_give_sees(a) -> int:
    return _count(a)


def _unshared_count() -> int:
    """The reference count :func:`give` sees for an array held by the caller's one name
    (measured through the same call pattern, so that it holds on any CPython)."""
    held = np.empty(1)
    return _as_give_sees(held)


_UNSHARED = _unshared_count()


def take(shape, dtype) -> np.ndarray:
    """An uninitialised C-contiguous array of ``shape`` and ``dtype``: a free kept one of
    that shape and type if there is one, else a new one."""
    shape = tuple(int(s) for s in np.atleast_1d(shape))
    dtype = np.dtype(dtype)
    with _LOCK:
        for i in range(len(_FREE) - 1, -1, -1):
            a = _FREE[i]
            if a.shape == shape and a.dtype == dtype:
                del _FREE[i]
                return a
    a = np.empty(shape, dtype=dtype)
    with _LOCK:
        _ISSUED[id(a)] = weakref.ref(a, _forget(id(a)))
    return a


def give(a) -> bool:
    """Keep ``a`` for a later :func:`take` if :func:`take` made it and nothing but the
    caller's one name refers to it; True if kept. The caller must not use ``a`` after."""
    if not isinstance(a, np.ndarray) or not _issued(a):
        return False
    if _count(a) > _UNSHARED or limit_bytes <= 0:
        return False
    with _LOCK:
        if any(b is a for b in _FREE):
            return False
        _FREE.append(a)
        total = sum(b.nbytes for b in _FREE)
        while _FREE and total > limit_bytes:
            total -= _FREE.pop(0).nbytes
    return True


def kept_bytes() -> int:
    """Bytes of free arrays kept now."""
    with _LOCK:
        return sum(b.nbytes for b in _FREE)


def release() -> None:
    """Free every kept array (its memory goes back to the system)."""
    with _LOCK:
        _FREE.clear()
