"""One shared thread pool for the time-domain chain's parallel passes.

The waveform simulator splits each stage of a record (the DML's lane groups, the
fiber's blocks, the detector's memory-bound passes) over the CPU's cores; its kernels
release the GIL (Numba ``nogil``, SciPy's FFTs). A pool per call started and joined its
threads each time (about 4 ms a pool, 20 ms an NR slot at 0.75 GHz); the shared pool is
made once per worker count. A call from inside one of the pool's own threads runs
serially, so a stage that calls another cannot wait on a busy pool.
"""

from __future__ import annotations

import functools
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["map_threads"]

_PREFIX = "rof-timedomain"


@functools.lru_cache(maxsize=8)
def _pool(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix=_PREFIX)


def map_threads(fn, items, workers: int) -> list:
    """``[fn(x) for x in items]``, on ``workers`` threads of the shared pool (serially
    for one worker, one item, or from inside the pool)."""
    items = list(items)
    if workers <= 1 or len(items) <= 1 or threading.current_thread().name.startswith(_PREFIX):
        return [fn(x) for x in items]
    return list(_pool(int(workers)).map(fn, items))
