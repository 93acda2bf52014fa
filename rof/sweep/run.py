"""Run a scenario's sweep into one HDF5 result file.

Order of work in :func:`run_sweep`: validate the scenario and every point, check the
output path (a regular file or a link to one; and, on resume, that the file holds the
same sweep computed by the same point function), start the executor, and only then
create the file. A user error therefore never leaves a file behind.

Interruptions: Ctrl-C (``SIGINT``) and ``SIGTERM`` are handled alike. The points
finished so far are committed to the file, the executor's workers are stopped, the
file's lock is released, and :class:`KeyboardInterrupt` propagates (``rof sweep``
then says how many points are saved and exits with status 130); ``--resume`` runs the
rest.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading
import tomllib
from collections.abc import Callable
from pathlib import Path

from rof.errors import ConfigError, DataError
from rof.scenario.axes import SweepPoint, axis_table, sweep_points
from rof.scenario.schema import Scenario
from rof.sweep.payload import normalise_result

__all__ = ["load_scenario", "point_function_name", "run_point", "run_sweep", "simulate_edge"]


def simulate_edge(scenario: Scenario):
    """Default point function: :func:`rof.edge.simulate` (imported when first used), or
    :func:`rof.edge.uplink.simulate_uplink` for a scenario with an ``[uplink]`` table."""
    if scenario.uplink is not None:
        from rof.edge.uplink import simulate_uplink

        return simulate_uplink(scenario)
    from rof.edge import simulate

    return simulate(scenario)


def load_scenario(scenario) -> Scenario:
    """A :class:`Scenario` from a Scenario, a TOML path or a dict."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return Scenario.from_dict(scenario)
    if isinstance(scenario, str | Path):
        return Scenario.from_toml(scenario)
    raise ConfigError(f"scenario = {scenario!r}; allowed: a Scenario, a TOML path or a dict")


def _point_task(point_fn: Callable, index: int, scenario_dict: dict) -> tuple[int, dict]:
    """Worker side: rebuild the point's scenario, run it, return plain numbers."""
    scn = Scenario.from_dict(scenario_dict, source=f"sweep point {index}")
    return index, normalise_result(point_fn(scn), scn)


def run_point(scenario, point_fn: Callable | None = None) -> dict:
    """Run one scenario in this process; return ``{"kpis": ..., "arrays": ...}``."""
    scn = load_scenario(scenario).without_sweep()
    return normalise_result((point_fn or simulate_edge)(scn), scn)


def _progress(progress, total: int, initial: int):
    if callable(progress) and not isinstance(progress, bool):
        return progress, None
    show = sys.stderr.isatty() if progress is None else bool(progress)
    if not show:
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=total, initial=initial, unit="point", file=sys.stderr, dynamic_ncols=True)
    return None, bar


def point_function_name(fn: Callable) -> str:
    """Dotted name of a point function (through ``functools.partial``), as stored."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', type(fn).__name__)}"


def _resume_check(out: Path, scn: Scenario, n_points: int, fn_name: str) -> set[int]:
    from rof.store import PROBE_FUNCTION, read_info

    info = read_info(out)
    stored = tomllib.loads(info["scenario_toml"])
    if stored != tomllib.loads(scn.to_toml_text()) or info["n_points"] != n_points:
        raise ConfigError(
            f"{out}: holds a different sweep ({info['scenario_name']!r}); allowed: resume "
            "with the same scenario, or write to a new file"
        )
    if info["point_function"] and info["probe"] != (fn_name == PROBE_FUNCTION):
        has, runs = ("probe", "simulated") if info["probe"] else ("simulated", "probe")
        raise ConfigError(
            f"{out}: holds {has} points and this run would add {runs} ones; allowed: resume "
            f"{'with' if info['probe'] else 'without'} --probe, or write to a new file"
        )
    if info["point_function"] and info["point_function"] != fn_name:
        raise ConfigError(
            f"{out}: its points come from {info['point_function']}, this run uses {fn_name}; "
            "allowed: resume with the same point function, or write to a new file"
        )
    return set(info["completed"])


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """Within the block, SIGTERM raises KeyboardInterrupt (as Ctrl-C does); main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_sweep(
    scenario,
    out_path,
    executor=None,
    *,
    resume: bool = False,
    overwrite: bool = False,
    point_fn: Callable | None = None,
    progress=None,
    checkpoint_s: float = 1.0,
) -> Path:
    """Run every point of a scenario's ``[sweep]`` and store the results in ``out_path``.

    Parameters
    ----------
    scenario : Scenario, path or dict
        The scenario; without ``[sweep]`` it is a single point with its own seed.
    out_path : path-like
        The HDF5 result file (see :mod:`rof.store`). Its directory is created.
    executor : executor, optional
        From :mod:`rof.sweep.executors`; default: local worker processes (in-process for
        a single point). An executor passed in is left open.
    resume : bool
        Keep the points already in ``out_path`` (same scenario and point function
        required; probe points never mix with simulated ones) and run only the missing
        ones.
    overwrite : bool
        Replace an existing ``out_path``; without it (or ``resume``) an existing file is
        a :class:`rof.errors.ConfigError`, and so is asking for both. Only a regular
        file is replaced; a symbolic link is written through to its target.
    point_fn : callable, optional
        ``point_fn(scenario) -> Result or dict``; default :func:`simulate_edge`. Must be
        picklable (a module-level function or a ``functools.partial`` of one) for
        process and Dask executors.
    progress : None, bool or callable
        ``None``: a tqdm bar when stderr is a terminal; ``True``/``False``: force;
        a callable is called as ``progress(done, total)`` after each point.
    checkpoint_s : float
        Minimum seconds between commits to the file (see :class:`rof.store.SweepWriter`).

    Returns
    -------
    pathlib.Path
        ``out_path``.
    """
    from rof.store import SweepWriter, output_target
    from rof.store.provenance import collect
    from rof.sweep.executors import make_executor

    if resume and overwrite:
        raise ConfigError(
            "--resume and --overwrite exclude each other; allowed: --resume to keep the "
            "points in the file, or --overwrite to replace it"
        )
    scn = load_scenario(scenario)
    points: list[SweepPoint] = sweep_points(scn)
    out = Path(out_path)
    target = output_target(out)  # refuses directories, devices, FIFOs before any work
    fn = point_fn or simulate_edge
    fn_name = point_function_name(fn)
    done: set[int] = set()
    if target.exists():
        if resume:
            try:
                done = _resume_check(out, scn, len(points), fn_name)
            except DataError as exc:
                raise ConfigError(f"--resume: {exc}") from None
        elif not overwrite:
            raise ConfigError(f"{out}: exists; allowed: --resume, --overwrite or a new file")
    todo = [p for p in points if p.index not in done]
    own = executor is None
    if own:
        executor = make_executor(n_points=len(todo))
    callback, bar = _progress(progress, len(points), len(done))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        writer = SweepWriter(
            target,
            scn.to_toml_text(),
            axis_table(points),
            scn.sweep.axes if scn.sweep else {},
            [p.seed for p in points],
            scn.sweep.mode if scn.sweep else "single",
            name=scn.name,
            resume=bool(done) or (resume and target.exists()),
            checkpoint_s=checkpoint_s,
            point_function=fn_name,
            provenance=collect(dock=scn.edge.dock),
        )
        with _sigterm_as_interrupt(), writer:
            tasks = [(fn, p.index, p.scenario.to_dict()) for p in todo]
            n_done = len(done)
            try:
                for index, payload in executor.run(_point_task, tasks):
                    writer.add(index, payload)
                    n_done += 1
                    if bar is not None:
                        bar.update(1)
                    if callback is not None:
                        callback(n_done, len(points))
            except KeyboardInterrupt:
                abort = getattr(executor, "abort", None)  # optional for executors passed in
                if abort is not None:
                    abort()  # stop the workers; the writer saves what finished
                raise
    finally:
        if bar is not None:
            bar.close()
        if own:
            executor.close()
    return out
