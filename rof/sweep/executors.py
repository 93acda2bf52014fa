"""Where sweep points run: in-process, local worker processes, or a Dask cluster.

Every executor has one method, :meth:`run`, which calls ``fn(*task)`` for each task and
yields the return values as they complete (in any order). Results travel back to the
parent process, which alone writes the result file. Because each point carries its
own seed (:mod:`rof.scenario.axes`), every executor gives the same results bit for bit.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from rof.errors import ConfigError

__all__ = ["DaskExecutor", "InlineExecutor", "LocalExecutor", "make_executor"]

#: Seconds to wait for an existing Dask scheduler to answer.
CONNECT_TIMEOUT_S = 10.0


class InlineExecutor:
    """Run tasks one after another in this process (single runs, notebooks, debugging)."""

    def run(self, fn: Callable, tasks: list[tuple]) -> Iterator:
        for task in tasks:
            yield fn(*task)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class LocalExecutor(InlineExecutor):
    """Local worker processes (``concurrent.futures.ProcessPoolExecutor``).

    Parameters
    ----------
    max_workers : int, optional
        Number of worker processes; default: the CPUs this process may use.
    start_method : str
        ``"forkserver"`` (default where available: safe with threads in the parent,
        e.g. a progress bar) or ``"spawn"``.
    """

    def __init__(self, max_workers: int | None = None, *, start_method: str | None = None):
        if max_workers is None:
            max_workers = (
                len(os.sched_getaffinity(0))
                if hasattr(os, "sched_getaffinity")
                else (os.cpu_count() or 1)
            )
        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            raise ConfigError(f"workers = {max_workers!r} is not allowed; allowed: an integer >= 1")
        methods = multiprocessing.get_all_start_methods()
        method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
        self.max_workers = max_workers
        self._pool = ProcessPoolExecutor(
            max_workers=max_workers, mp_context=multiprocessing.get_context(method)
        )

    def run(self, fn: Callable, tasks: list[tuple]) -> Iterator:
        pending = {self._pool.submit(fn, *task) for task in tasks}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        """Shut the worker processes down."""
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(InlineExecutor):
    """Run points on a ``dask.distributed`` cluster.

    Parameters
    ----------
    address : str, optional
        Scheduler of an existing cluster, e.g. ``"tcp://10.0.0.5:8786"``.
    n_workers : int, optional
        Without ``address``: start a local cluster of this many single-threaded worker
        processes (closed again by :meth:`close`).
    client : distributed.Client, optional
        An existing client to use (not closed by :meth:`close`).

    Connection problems are reported as :class:`rof.errors.ConfigError` here, before
    a sweep creates any file.
    """

    def __init__(self, address: str | None = None, *, n_workers: int | None = None, client=None):
        try:
            import distributed
        except ImportError:
            raise ConfigError(
                "Dask executors need dask.distributed; allowed: pip install 'rof[dask]'"
            ) from None
        self._own = client is None
        self._cluster = None
        if client is not None:
            self.client = client
        elif address is not None:
            try:
                self.client = distributed.Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise ConfigError(
                    f"--scheduler {address!r}: cannot connect ({exc}); allowed: the address "
                    "of a running dask scheduler, e.g. tcp://HOST:8786"
                ) from None
        else:
            n = n_workers or 1
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise ConfigError(f"--workers = {n!r} is not allowed; allowed: an integer >= 1")
            self._cluster = distributed.LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = distributed.Client(self._cluster)

    def run(self, fn: Callable, tasks: list[tuple]) -> Iterator:
        from distributed import as_completed

        futures = [self.client.submit(fn, *task, pure=False) for task in tasks]
        try:
            for fut in as_completed(futures):
                yield fut.result()
        finally:
            for fut in futures:
                if not fut.done():
                    fut.cancel()

    def close(self) -> None:
        """Close the client and any cluster this executor started."""
        if self._own:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()


def make_executor(
    scheduler: str | None = None, workers: int | None = None, *, n_points: int | None = None
):
    """The executor the CLI flags ask for.

    ``scheduler`` -> :class:`DaskExecutor` on that cluster; ``workers`` -> a local Dask
    cluster of that many processes; neither -> :class:`LocalExecutor` (or
    :class:`InlineExecutor` for a single point, where a pool only adds start-up time).
    """
    if scheduler is not None and workers is not None:
        raise ConfigError("--scheduler and --workers exclude each other; allowed: one of them")
    if scheduler is not None:
        return DaskExecutor(scheduler)
    if workers is not None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ConfigError(f"--workers = {workers!r} is out of range; allowed: an integer >= 1")
        return DaskExecutor(n_workers=workers)
    if n_points is not None and n_points <= 1:
        return InlineExecutor()
    return LocalExecutor()
