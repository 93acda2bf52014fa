"""``rof run``, ``rof sweep`` and ``rof plot``.

Handlers validate everything (scenario, every sweep point, output path, executor)
before creating any file; user errors raise :class:`rof.errors.RofError`, which
``rof.cli`` prints as one line with exit status 2. Heavy imports happen inside the
handlers so ``rof --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

__all__ = ["register"]


def register(sub) -> None:
    """Add the ``run``, ``sweep`` and ``plot`` subcommands to ``rof``'s subparsers."""
    p = sub.add_parser(
        "run",
        help="run one scenario (its base point) and store the result",
        description="Run one scenario and write an HDF5 result file.",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT.h5",
        help="result file (default: SCENARIO's name with .h5, in the current directory)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.set_defaults(handler=_run)

    p = sub.add_parser(
        "sweep",
        help="run a scenario's [sweep] into one resumable HDF5 file",
        description="Run every point of a scenario's [sweep] table.",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file with a [sweep] table")
    p.add_argument("-o", "--output", metavar="OUT.h5", required=True, help="result file")
    p.add_argument("--resume", action="store_true", help="run only the points missing from OUT.h5")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT.h5")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="run on an existing dask.distributed cluster, e.g. tcp://HOST:8786",
    )
    where.add_argument(
        "--workers", metavar="N", type=int, help="start a local Dask cluster of N worker processes"
    )
    p.add_argument(
        "--probe",
        action="store_true",
        help="run the synthetic probe point function instead of the simulator, "
        "to check an executor or cluster end to end (not a network model)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.set_defaults(handler=_sweep)

    p = sub.add_parser(
        "plot",
        help="write the PNG plots a result file allows",
        description="Write capacity, densification, CDF and map plots.",
    )
    p.add_argument("result", metavar="OUT.h5", help="result file from rof run / rof sweep")
    p.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        help="directory for the PNGs (default: OUT_plots beside OUT.h5)",
    )
    p.add_argument("--json", action="store_true", help="print the written files as JSON")
    p.set_defaults(handler=_plot)


def _fmt(name: str, v: float) -> str:
    if name.endswith("_bps"):
        return f"{v / 1e6:.3f} Mbit/s"
    if name.endswith("_bps_per_km2"):
        return f"{v / 1e9:.3f} Gbit/s/km2"
    return f"{v:.6g}"


def _summary(out: Path, kpis: dict, seconds: float, as_json: bool, extra: dict) -> None:
    if as_json:
        doc = {"output": str(out), "seconds": round(seconds, 3), **extra, "kpis": kpis}
        print(json.dumps(doc, indent=2, sort_keys=False))
        return
    for k, v in extra.items():
        print(f"{k}: {v}")
    for k, v in sorted(kpis.items()):
        print(f"  {k:40s} {_fmt(k, v)}")
    print(f"wrote {out} in {seconds:.1f} s")


def _run(args) -> int:
    from rof.scenario.schema import Scenario
    from rof.store import read_points
    from rof.sweep.executors import InlineExecutor
    from rof.sweep.run import run_sweep

    scn = Scenario.from_toml(args.scenario)
    out = Path(args.output) if args.output else Path(Path(args.scenario).stem + ".h5")
    if scn.sweep is not None and not args.json:
        print(
            f"note: running the base point only; `rof sweep` runs the {len(scn.sweep.axes)}"
            "-axis [sweep]",
            file=sys.stderr,
        )
    if out.exists():  # replace an earlier single run, never a sweep or a foreign file
        from rof.errors import ConfigError
        from rof.store import read_info

        if read_info(out)["mode"] != "single":
            raise ConfigError(f"{out}: holds a sweep; allowed: another -o OUT.h5 for a single run")
    t0 = time.perf_counter()
    run_sweep(scn.without_sweep(), out, InlineExecutor(), overwrite=True, progress=False)
    (rec,) = read_points(out)
    _summary(
        out, rec.kpis, time.perf_counter() - t0, args.json, {"scenario": scn.name, "seed": scn.seed}
    )
    return 0


def _sweep(args) -> int:
    import functools

    from rof.errors import ConfigError
    from rof.scenario.axes import sweep_points
    from rof.scenario.schema import Scenario
    from rof.store import read_points
    from rof.sweep.executors import make_executor
    from rof.sweep.probe import probe_point
    from rof.sweep.run import run_sweep

    scn = Scenario.from_toml(args.scenario)
    n = len(sweep_points(scn))
    if Path(args.output).exists() and not (args.resume or args.overwrite):
        raise ConfigError(f"{args.output}: exists; allowed: --resume, --overwrite or a new file")
    executor = make_executor(args.scheduler, args.workers, n_points=n)
    t0 = time.perf_counter()
    try:
        point_fn = functools.partial(probe_point, cpu_s=0.0) if args.probe else None
        out = run_sweep(
            scn,
            args.output,
            executor,
            resume=args.resume,
            overwrite=args.overwrite,
            point_fn=point_fn,
        )
    finally:
        executor.close()
    recs = read_points(out)
    seconds = time.perf_counter() - t0
    if args.json:
        doc = {
            "output": str(out),
            "seconds": round(seconds, 3),
            "scenario": scn.name,
            "points": len(recs),
            "of": n,
            "point_kpis": [{"index": r.index, **r.values, **r.kpis} for r in recs],
        }
        print(json.dumps(doc, indent=2))
        return 0
    print(f"scenario: {scn.name}  ({len(recs)} of {n} points)")
    print(_point_table(recs))
    print(f"wrote {out} in {seconds:.1f} s")
    return 0


#: KPIs shown per point in the sweep table (all of them are in the file and in --json).
_TABLE_KPIS = (
    ("ue_throughput_mean_bps", "mean Mbit/s", 1e-6),
    ("ue_throughput_p5_bps", "p5 Mbit/s", 1e-6),
    ("area_throughput_bps_per_km2", "area Gbit/s/km2", 1e-9),
    ("jain_fairness", "Jain", 1.0),
)


def _point_table(recs) -> str:
    """One row per point: its axis values, then the headline KPIs."""
    axes = list(recs[0].values) if recs else []
    heads = [a.split(".")[-1] for a in axes] + [h for k, h, _ in _TABLE_KPIS]
    rows = []
    for r in recs:
        cells = [str(r.values[a]) for a in axes]
        for key, _, scale in _TABLE_KPIS:
            v = r.kpis.get(key)
            cells.append("-" if v is None else f"{v * scale:.3g}")
        rows.append(cells)
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(heads)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def _plot(args) -> int:
    from rof.errors import DataError
    from rof.plot import plot_sweep
    from rof.store import read_info

    res = Path(args.result)
    if not res.is_file():
        raise DataError(f"{res}: no such result file")
    read_info(res)  # validates the file before any directory is created
    out = Path(args.output) if args.output else res.with_name(res.stem + "_plots")
    files = plot_sweep(res, out)
    if args.json:
        print(json.dumps({"result": str(res), "files": [str(f) for f in files]}, indent=2))
    else:
        for f in files:
            print(f"wrote {f}")
        if not files:
            print(f"{res}: no points to plot yet")
    return 0
