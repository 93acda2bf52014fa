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

from rof._status import kernels_cold, say
from rof.sweep.cli_run import add_scenario_flags, load_scenario_args, max_hours, register_run

__all__ = ["register"]


def register(sub) -> None:
    """Add the ``run``, ``sweep`` and ``plot`` subcommands to ``rof``'s subparsers."""
    register_run(sub)

    p = sub.add_parser(
        "sweep",
        help="run a scenario's [sweep] into one resumable HDF5 file",
        description="Run every point of a scenario's [sweep] table.",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file with a [sweep] table")
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT.h5",
        required=True,
        help="result file (a regular file; a symbolic link is written through to its target)",
    )
    p.add_argument("--resume", action="store_true", help="run only the points missing from OUT.h5")
    p.add_argument(
        "--overwrite", action="store_true", help="replace an existing OUT.h5 (not with --resume)"
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="run on an existing dask.distributed cluster, e.g. tcp://HOST:8786",
    )
    where.add_argument(
        "--workers",
        metavar="N",
        type=int,
        help="start a local Dask cluster of N worker processes (1 to 4 per CPU)",
    )
    p.add_argument(
        "--probe",
        action="store_true",
        help="run the synthetic probe point function instead of the simulator, "
        "to check an executor or cluster end to end (not a network model)",
    )
    add_scenario_flags(p)
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

    p = sub.add_parser(
        "export",
        help="write a result file as NetCDF with named dimensions and units",
        description="Export a result file to NetCDF-4 (.nc) through xarray and h5netcdf: "
        "sweep axes as coordinates, KPIs and arrays with named dimensions, units and "
        "the file's provenance as attributes.",
    )
    p.add_argument("result", metavar="OUT.h5", help="result file from rof run / rof sweep")
    p.add_argument(
        "-o", "--output", metavar="OUT.nc", help="NetCDF file (default: OUT.nc beside OUT.h5)"
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT.nc")
    p.add_argument("--kpis-only", action="store_true", help="leave the per-point arrays out")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.set_defaults(handler=_export)


def _sweep(args) -> int:
    import functools

    from rof.errors import ConfigError
    from rof.scenario.axes import sweep_points
    from rof.store import output_target, read_info, read_points
    from rof.sweep.executors import make_executor
    from rof.sweep.probe import probe_point
    from rof.sweep.run import run_sweep

    if args.resume and args.overwrite:
        raise ConfigError(
            "--resume and --overwrite exclude each other; allowed: --resume to keep the "
            "points in the file, or --overwrite to replace it"
        )
    scn = load_scenario_args(args)
    points = sweep_points(scn)
    n = len(points)
    if not args.probe:  # every point must fit this machine (memory) and the time limit
        from rof.scenario.cost import check

        for pt in points:
            check(pt.scenario, source=f"{args.scenario}: sweep point {pt.index}", **max_hours(args))
    target = output_target(args.output)  # a regular file, or a link written through
    if target.exists() and not (args.resume or args.overwrite):
        raise ConfigError(f"{args.output}: exists; allowed: --resume, --overwrite or a new file")
    executor = make_executor(args.scheduler, args.workers, n_points=n)
    if not args.probe and kernels_cold("edge", "radio"):
        say("compiling kernels in each worker (first run only, about a minute)...")
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
            progress=False if args.quiet else None,  # the bar shows on a terminal only
        )
    except KeyboardInterrupt:
        saved = len(read_info(target)["completed"]) if target.exists() else 0
        print(
            f"rof sweep: interrupted; {saved} of {n} points are saved in {args.output}; "
            "run again with --resume to finish",
            file=sys.stderr,
        )
        return 130
    finally:
        executor.close()
    recs = read_points(out)
    seconds = time.perf_counter() - t0
    via = f" (through the symbolic link {out})" if Path(out).is_symlink() else ""
    if args.json:
        doc = {
            "output": str(target),
            "seconds": round(seconds, 3),
            "scenario": scn.name,
            "probe": bool(args.probe),
            "points": len(recs),
            "of": n,
            "point_kpis": [{"index": r.index, **r.values, **r.kpis} for r in recs],
        }
        print(json.dumps(doc, indent=2))
        return 0
    print(f"scenario: {scn.name}  ({len(recs)} of {n} points)")
    if args.probe:
        print("probe: synthetic points (not a network model); the file is marked as a probe")
    print(_point_table(recs))
    print(f"wrote {target if via else out}{via} in {seconds:.1f} s")
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
    from rof.errors import ConfigError, DataError
    from rof.plot import plot_sweep
    from rof.store import read_info

    res = Path(args.result)
    if not res.is_file():
        raise DataError(f"{res}: no such result file")
    if read_info(res)["probe"]:  # validates the file before any directory is created
        raise DataError(
            f"{res}: holds synthetic probe points from `rof sweep --probe`, not simulated "
            "results; allowed: a result file from rof run / rof sweep without --probe"
        )
    out = Path(args.output) if args.output else res.with_name(res.stem + "_plots")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"-o {out}: is not a directory; allowed: a directory for the PNGs")
    files = plot_sweep(res, out)
    if args.json:
        print(json.dumps({"result": str(res), "files": [str(f) for f in files]}, indent=2))
    else:
        for f in files:
            print(f"wrote {f}")
        if not files:
            print(f"{res}: no points to plot yet")
    return 0


def _export(args) -> int:
    from rof.errors import DataError
    from rof.store import export, read_info

    res = Path(args.result)
    if not res.is_file():
        raise DataError(f"{res}: no such result file")
    info = read_info(res)
    out = Path(args.output) if args.output else res.with_suffix(".nc")
    target = export(res, out, overwrite=args.overwrite, arrays=not args.kpis_only)
    shape = " x ".join(str(len(v)) for v in info["levels"].values())
    layout = f"{info['mode']} sweep {shape}" if info["mode"] == "product" else info["mode"]
    if args.json:
        doc = {
            "result": str(res),
            "output": str(target),
            "points": len(info["completed"]),
            "of": info["n_points"],
            "layout": layout,
            "probe": info["probe"],
        }
        print(json.dumps(doc, indent=2))
        return 0
    probe = " (synthetic probe points)" if info["probe"] else ""
    print(
        f"wrote {target}: NetCDF-4, {len(info['completed'])} of {info['n_points']} points "
        f"({layout}){probe}; open with xarray.open_dataset"
    )
    return 0
