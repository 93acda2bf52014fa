"""Where sweep points run: in-process, local worker processes, or a Dask cluster.

Every executor has :meth:`run`, which calls ``fn(*task)`` for each task and yields the
return values as they complete (in any order), :meth:`abort`, which stops work in
progress after an interruption, and :meth:`close`. Results travel back to the parent
process, which alone writes the result file. Because each point carries its own seed
(:mod:`rof.scenario.axes`), every executor gives the same results bit for bit.

Worker counts are bounded by :func:`max_workers` (4 per CPU this process may use):
more single-threaded workers than that only add memory (each imports numba and
SciPy), and a mistyped ``--workers 100000`` would otherwise start processes until the
machine stalls.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from rof.errors import ConfigError, DataError

__all__ = [
    "DaskExecutor",
    "InlineExecutor",
    "LocalExecutor",
    "make_executor",
    "max_workers",
]

#: Seconds to wait for an existing Dask scheduler to answer.
CONNECT_TIMEOUT_S = 10.0
#: Seconds a Dask sweep waits while its cluster has no worker before it gives up.
NO_WORKER_TIMEOUT_S = 60.0
#: Worker processes allowed per CPU.
WORKERS_PER_CPU = 4


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - macOS, Windows


def max_workers() -> int:
    """Most worker processes allowed: :data:`WORKERS_PER_CPU` per CPU this process may use."""
    return WORKERS_PER_CPU * _cpus()


def _check_workers(n, flag: str) -> int:
    hi = max_workers()
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= hi:
        raise ConfigError(
            f"{flag} = {n!r} is out of range; allowed: an integer from 1 to {hi} "
            f"({WORKERS_PER_CPU} per CPU of the {_cpus()} this process may use)"
        )
    return n


class InlineExecutor:
    """Run tasks one after another in this process (single runs, notebooks, debugging)."""

    def run(self, fn: Callable, tasks: list[tuple]) -> Iterator:
        for task in tasks:
            yield fn(*task)

    def abort(self) -> None:
        """Nothing runs in the background."""

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
            max_workers = _cpus()
        _check_workers(max_workers, "workers")
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

    def abort(self) -> None:
        """Stop the worker processes now (their running points are lost)."""
        terminate = getattr(self._pool, "terminate_workers", None)  # Python >= 3.14
        if terminate is not None:  # pragma: no cover - newer Python
            terminate()
            return
        procs = list((self._pool._processes or {}).values())  # no public API before 3.14
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        self._pool.shutdown(wait=False, cancel_futures=True)

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
    no_worker_timeout_s : float
        How long :meth:`run` waits while the cluster has no worker at all before it
        raises :class:`rof.errors.DataError` (the points finished so far are kept).

    Connection problems are reported as :class:`rof.errors.ConfigError` here, before
    a sweep creates any file. A point that kills its workers repeatedly (the
    scheduler's ``allowed-failures``) is a :class:`rof.errors.DataError` naming it.
    """

    def __init__(
        self,
        address: str | None = None,
        *,
        n_workers: int | None = None,
        client=None,
        no_worker_timeout_s: float = NO_WORKER_TIMEOUT_S,
        poll_s: float = 1.0,
    ):
        try:
            import distributed
        except ImportError:
            raise ConfigError(
                "Dask executors need dask.distributed; allowed: pip install 'rof[dask]'"
            ) from None
        self._own = client is None
        self._cluster = None
        self._futures = []
        self.no_worker_timeout_s = float(no_worker_timeout_s)
        self.poll_s = float(poll_s)
        self.address = address
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
            n = _check_workers(1 if n_workers is None else n_workers, "--workers")
            self._cluster = distributed.LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = distributed.Client(self._cluster)

    def _n_workers(self) -> int:
        try:
            return len(self.client.nthreads())
        except (OSError, TimeoutError) as exc:
            raise DataError(f"dask scheduler {self._where()}: lost ({exc})") from None

    def _where(self) -> str:
        scheduler = getattr(self.client, "scheduler", None)
        return self.address or (scheduler.address if scheduler is not None else "(client)")

    def run(self, fn: Callable, tasks: list[tuple]) -> Iterator:
        from distributed import KilledWorker
        from distributed import wait as dask_wait

        futures = [self.client.submit(fn, *task, pure=False) for task in tasks]
        self._futures = futures
        pending = set(futures)
        idle_since = None
        try:
            while pending:
                try:
                    done, pending = dask_wait(
                        pending, timeout=self.poll_s, return_when="FIRST_COMPLETED"
                    )
                except TimeoutError:
                    done = set()
                for fut in done:
                    try:
                        yield fut.result()
                    except KilledWorker as exc:
                        raise DataError(
                            f"a sweep point killed every dask worker that ran it ({exc}); "
                            "allowed: points that fit the workers' memory"
                        ) from None
                if done or self._n_workers():
                    idle_since = None
                    continue
                idle_since = idle_since if idle_since is not None else time.monotonic()
                if time.monotonic() - idle_since >= self.no_worker_timeout_s:
                    raise DataError(
                        f"dask cluster {self._where()}: no workers for "
                        f"{self.no_worker_timeout_s:g} s with {len(pending)} points left; the "
                        "finished points are saved; allowed: start workers "
                        "(dask worker SCHEDULER) and run again with --resume"
                    )
        finally:
            self.abort()

    def abort(self) -> None:
        """Cancel the points not yet finished."""
        for fut in self._futures:
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
        return DaskExecutor(n_workers=_check_workers(workers, "--workers"))
    if n_points is not None and n_points <= 1:
        return InlineExecutor()
    return LocalExecutor()
