"""``rof run`` and the scenario flags it shares with ``rof sweep``.

Flags: ``--set KEY=VALUE`` (repeatable; VALUE is a TOML value, a bare word is taken
as a string), ``--seed N``, ``--ttis N`` (all through
:meth:`rof.scenario.Scenario.with_overrides`, so they are validated like the file),
and ``--quiet`` (no status lines on stderr). The human summary groups the KPIs
(throughput, radio, fronthaul, fairness and scheduling) in fixed units under a header
naming the scenario, scheduler, CSI mode, seed and length, and names every file
written.
"""

from __future__ import annotations

import json
import sys
import time
import tomllib
import warnings
from pathlib import Path

from rof._status import kernels_cold, say, set_quiet

__all__ = [
    "add_scenario_flags",
    "load_scenario_args",
    "max_hours",
    "register_run",
    "summary_text",
]


def add_scenario_flags(p) -> None:
    """Add ``--set``, ``--seed``, ``--ttis`` and ``--quiet`` to a subcommand's parser."""
    p.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="override one scenario key, e.g. --set radio.carrier_ghz=28.0 "
        "--set edge.scheduler=wmmse (repeatable; see `rof scenario keys`)",
    )
    p.add_argument("--seed", type=int, metavar="N", help="override the scenario's seed")
    p.add_argument("--ttis", type=int, metavar="N", help="override run.ttis")
    p.add_argument(
        "--max-hours",
        type=float,
        metavar="H",
        help="refuse points estimated to run longer than H hours (default 8)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no status lines on stderr")


def _value(text: str):
    """A ``--set`` value as TOML reads it (``28.0``, ``true``, ``[1, 2]``, ``"x"``).

    A bare word that is not TOML (``wmmse``) is taken as the string itself.
    """
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def overrides_from_args(args) -> dict:
    """The ``{dotted key: value}`` overrides that ``--set/--seed/--ttis`` ask for."""
    from rof.errors import ConfigError

    out: dict = {}
    for item in args.set:
        key, eq, text = item.partition("=")
        if not eq or not key.strip():
            raise ConfigError(f"--set {item!r} has no '='; allowed: --set KEY=VALUE")
        out[key.strip()] = _value(text.strip())
    if args.seed is not None:
        out["seed"] = args.seed
    if args.ttis is not None:
        out["run.ttis"] = args.ttis
    return out


def load_scenario_args(args):
    """The scenario file of ``args`` with its overrides applied (validated again)."""
    from rof.scenario.schema import Scenario

    if getattr(args, "quiet", False):
        set_quiet(True)
    scn = Scenario.from_toml(args.scenario)
    overrides = overrides_from_args(args)
    if "run.ttis" in overrides and "run.warmup_ttis" not in overrides:
        warm = scn.run.warmup_ttis
        ttis = overrides["run.ttis"]
        if isinstance(ttis, int) and 1 <= ttis <= warm:
            overrides["run.warmup_ttis"] = ttis // 10
            say(f"note: run.warmup_ttis {warm} -> {ttis // 10} to fit --ttis {ttis}")
    if overrides:
        scn = scn.with_overrides(overrides, source=f"{args.scenario} with --set/--seed/--ttis")
    return scn


def max_hours(args) -> dict:
    """``{"max_hours": H}`` when ``--max-hours`` was given (for :func:`rof.scenario.cost.check`)."""
    return {} if args.max_hours is None else {"max_hours": args.max_hours}


def register_run(sub) -> None:
    """Add the ``run`` subcommand."""
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
    add_scenario_flags(p)
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.set_defaults(handler=run_command)


def run_command(args) -> int:
    """``rof run``: validate, estimate, simulate the base point, store, summarise."""
    from rof.errors import ConfigError
    from rof.scenario.cost import check
    from rof.store import read_info, read_points
    from rof.sweep.executors import InlineExecutor
    from rof.sweep.run import run_sweep

    scn = load_scenario_args(args)
    out = Path(args.output) if args.output else Path(Path(args.scenario).stem + ".h5")
    if scn.sweep is not None:
        n_axes = len(scn.sweep.axes)
        say(f"note: running the base point only; `rof sweep` runs the {n_axes}-axis [sweep]")
    base = scn.without_sweep()
    cost = check(base, source=str(args.scenario), **max_hours(args))
    if out.exists() and read_info(out)["mode"] != "single":  # never replace a sweep
        raise ConfigError(f"{out}: holds a sweep; allowed: another -o OUT.h5 for a single run")
    say(
        f"rof run: {scn.name}: {cost.n_sites:,} sites, {cost.n_ue:,} users, {scn.run.ttis:,} "
        f"TTIs (about {_duration(cost.seconds)} after start-up)"
    )
    if kernels_cold("edge", "radio"):
        say("compiling kernels (first run only, about a minute)...")
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:  # one line each, no source line
        warnings.simplefilter("always", RuntimeWarning)
        run_sweep(base, out, InlineExecutor(), overwrite=True, progress=False)
    for w in caught if not getattr(args, "quiet", False) else ():
        print(f"warning: {w.message}", file=sys.stderr)
    seconds = time.perf_counter() - t0
    (rec,) = read_points(out)
    if args.json:
        doc = {
            "output": str(out),
            "files": [str(out)],
            "seconds": round(seconds, 3),
            **_config(base),
            "kpis": rec.kpis,
        }
        print(json.dumps(doc, indent=2))
        return 0
    print(summary_text(base, rec.kpis))
    print(f"wrote {out} (HDF5 result file) in {seconds:.1f} s")
    return 0


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(seconds, 1.0):.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _scheduler_label(scn) -> str:
    """``edge.scheduler``, or the multi-antenna scheme that replaces it ([mimo], issue 19)."""
    m = scn.mimo
    if m is not None and m.scheme != "off":
        return f"mimo {m.scheme} ({m.n_ant} antennas, {m.precoder})"
    return scn.edge.scheduler + (" (fronthaul-aware)" if scn.edge.fronthaul_aware else "")


def _config(scn) -> dict:
    return {
        "scenario": scn.name,
        "scheduler": _scheduler_label(scn),
        "csi": scn.edge.csi,
        "seed": scn.seed,
        "ttis": scn.run.ttis,
        "warmup_ttis": scn.run.warmup_ttis,
        "drops": scn.run.drops,
    }


#: KPI groups of the human summary: (title, [(kpi, label, scale, unit, format)]).
KPI_GROUPS = (
    (
        "throughput",
        [
            ("ue_throughput_mean_bps", "user mean", 1e-6, "Mbit/s", ".2f"),
            ("ue_throughput_p5_bps", "user 5th percentile", 1e-6, "Mbit/s", ".2f"),
            ("ue_throughput_p50_bps", "user median", 1e-6, "Mbit/s", ".2f"),
            ("ue_throughput_p95_bps", "user 95th percentile", 1e-6, "Mbit/s", ".2f"),
            ("cell_throughput_bps", "per cell", 1e-6, "Mbit/s", ".2f"),
            ("area_throughput_bps_per_km2", "per area", 1e-9, "Gbit/s/km2", ".3f"),
            ("spectral_efficiency_bps_per_hz_per_cell", "spectral efficiency", 1.0,
             "bit/s/Hz/cell", ".3f"),
        ],
    ),
    (
        "radio",
        [
            ("sinr_median_db", "median SINR", 1.0, "dB", ".1f"),
            ("bler", "block error rate", 100.0, "%", ".1f"),
            ("n_ue", "users", 1.0, "", ".0f"),
            ("n_cells", "cells", 1.0, "", ".0f"),
            ("n_rb", "resource blocks", 1.0, "", ".0f"),
            ("tti_s", "TTI", 1e3, "ms", ".3g"),
            ("site_density_per_km2", "site density", 1.0, "sites/km2", ".3g"),
        ],
    ),
    (
        "fronthaul",
        [
            ("fiber_km_mean", "fiber length, mean", 1.0, "km", ".3g"),
            ("fiber_km_max", "fiber length, max", 1.0, "km", ".3g"),
            ("snr_fh_db_min", "fronthaul SNDR, worst site", 1.0, "dB", ".1f"),
            ("csi_delay_ttis_mean", "CSI delay, mean", 1.0, "TTIs", ".2f"),
        ],
    ),
    (
        "fairness and scheduling",
        [
            ("jain_fairness", "Jain's fairness index", 1.0, "", ".3f"),
            ("muted_rb_share", "muted resource blocks", 100.0, "%", ".1f"),
        ],
    ),
)  # fmt: skip


def summary_text(scn, kpis: dict) -> str:
    """The human summary: a header with the run's configuration, then grouped KPIs."""
    c = _config(scn)
    lines = [
        f"scenario {c['scenario']}: scheduler {c['scheduler']}, CSI {c['csi']}, "
        f"seed {c['seed']}, {c['drops']} drops x {c['ttis']} TTIs ({c['warmup_ttis']} warm-up); "
        "[95 % interval]"
    ]
    shown = {"drops"}  # in the header
    for title, rows in KPI_GROUPS:
        present = [r for r in rows if r[0] in kpis]
        if not present:
            continue
        lines.append(f"  {title}")
        for key, label, scale, unit, fmt in present:
            value = format(kpis[key] * scale, fmt)
            band = [kpis.get(f"{key}_ci_{b}") for b in ("low", "high")]
            ci = ""
            if None not in band:
                ci = "[" + ", ".join(format(b * scale, fmt) for b in band) + "]"
                shown.update(f"{key}_ci_{b}" for b in ("low", "high"))
            lines.append(f"    {label:30s} {value:>12s} {unit:13s} {ci}".rstrip())
            shown.add(key)
    rest = sorted(k for k in kpis if k not in shown)
    if rest:
        lines.append("  other")
        lines += [f"    {k:30s} {kpis[k]:>12.6g}" for k in rest]
    return "\n".join(lines)
