"""``rof calibrate``: the TR 38.901 large-scale calibration of a scenario against the
published curves (:mod:`rof.radio.calibration`, figure in :mod:`rof.plot.calibration`).

``rof calibrate scenarios/calibration_uma.toml`` takes the scenario's ``[deployment]``
and ``[radio]`` keys (layout, antenna, h_E, O2I, minimum distance, carrier), pools
``--drops`` drops, prints the 5/50/95 % points of the coupling loss and the geometry
beside R1-165974's (UMa and UMi at 6, 30 or 70 GHz) and, with ``--plot``, writes the
CDFs with the published points. A module of the CLI level (beside :mod:`rof.cli`),
light to import: the layers load when the command runs.
"""

from __future__ import annotations

import json
from pathlib import Path

from rof.errors import ConfigError

__all__ = ["register"]


def _run(args) -> int:
    from rof.plot.calibration import calibrate_scenario, calibration_figure
    from rof.radio.calibration import compare_with_published
    from rof.scenario import Scenario

    scn = Scenario.from_toml(args.scenario)
    if args.plot is not None and Path(args.plot).suffix.lower() not in (".png", ".pdf", ".svg"):
        raise ConfigError(
            f"--plot {args.plot!r} has an unknown extension; allowed: .png, .pdf, .svg"
        )
    res = calibrate_scenario(scn, drops=args.drops, seed=args.seed)
    try:
        rows = compare_with_published(res)
    except KeyError:
        pct = res.percentiles((5, 50, 95))
        rows = [
            dict(scenario=res.scenario, metric=m, percentile=p, ours_db=float(v))
            for m in pct
            for p, v in zip((5, 50, 95), pct[m], strict=True)
        ]
    if args.plot is not None:
        calibration_figure(res).savefig(args.plot)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    n_drops = 1 if res.drop is None else len(set(res.drop.tolist()))
    print(f"{res.scenario} {res.fc_ghz:g} GHz, {res.coupling_loss_db.size} UTs, {n_drops} drops")
    print(
        f"{'metric':18s} {'pct':>4s} {'rof':>8s} {'95 % CI (drops)':>16s} "
        f"{'R1-165974':>10s} {'diff':>6s}"
    )
    for r in rows:
        pub = r.get("published_db")
        tail = f"{pub:10.1f} {r['difference_db']:+6.2f}" if pub is not None else f"{'-':>10s}"
        lo, hi = r.get("ci_low_db"), r.get("ci_high_db")
        ci = f"[{lo:.2f}, {hi:.2f}]" if lo is not None and lo == lo else "-"
        print(f"{r['metric']:18s} {r['percentile']:4d} {r['ours_db']:8.2f} {ci:>16s} {tail}")
    return 0


def register(sub) -> None:
    """Add ``rof calibrate`` to the ``rof`` command."""
    p = sub.add_parser(
        "calibrate",
        help="TR 38.901 large-scale calibration (coupling loss, geometry) vs R1-165974",
        description=__doc__.split("\n\n")[1].replace("\n", " "),
    )
    p.add_argument("scenario", help="scenario TOML (e.g. scenarios/calibration_uma.toml)")
    p.add_argument("--drops", type=int, default=40, help="drops pooled (default 40)")
    p.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's)")
    p.add_argument("--json", action="store_true", help="machine-readable table")
    p.add_argument("--plot", default=None, help="write the CDF figure here (.png/.pdf/.svg)")
    p.set_defaults(handler=_run)
