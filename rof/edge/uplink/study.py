"""The uplink study (issue 20 item 4): throughput vs fiber length, vs the uplink laser's
RIN and vs receive antennas per site, with and without joint reception, with bootstrap
confidence intervals.

Every point is :func:`~rof.edge.uplink.simulate_uplink` of the same scenario and seed
(same drops, users and fading), differing only in the swept key, so the joint-reception
gain is a paired comparison (:func:`rof.edge.stats.paired_gain`: the same resampled users
for both runs; BCa intervals from :func:`scipy.stats.bootstrap`). The ideal-fronthaul
runs (the site's LNA is the receiver) tell whether the air interface or the fronthaul
limits the cell edge: each point's 5th-percentile throughput against the ideal
fronthaul's with the same combining, paired (``vs_ideal``).

The cascade noise figure, and with it the throughput, is not monotonic in fiber length
for a DML: it dips from 12.7 dB at 0 km to 6.5 dB near 6.5 km (3.5 GHz, alpha = 3). The
laser's intensity and frequency noise are correlated through its linewidth enhancement
factor, and dispersion turns the frequency noise into intensity noise of the opposite
sign, cancelling up to about :math:`1/(1 + \\alpha^2)` of the detected RIN before it grows
(amplitude-phase decorrelation, Newkirk & Vahala, IEEE J. Quantum Electron. 27(1), 1991);
physics of the budget's linearised Langevin model, checked in
``tests/link/test_uplink_rin.py``.

Command (writes the JSON the notebook ``notebooks/uplink.ipynb`` reads)::

    python -m rof.edge.uplink.study scenarios/uplink.toml docs/data/uplink/study.json

Example
-------
>>> rows = uplink_study("scenarios/uplink.toml")  # doctest: +SKIP
>>> print(format_rows(rows))  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field

from rof.edge import stats
from rof.edge.uplink.simulate import simulate_uplink
from rof.scenario import as_scenario

__all__ = ["StudyRow", "format_rows", "uplink_study"]

#: The swept keys of the study.
AXES: dict[str, str] = {
    "fiber_km": "fronthaul.fiber_length_km",
    "rin_db_per_hz": "fronthaul.transmitter.rin_db_per_hz",
    "n_ant": "uplink.n_ant",
}
KPIS: tuple[str, ...] = ("ue_throughput_mean_bps", "ue_throughput_p5_bps")


@dataclass(frozen=True)
class StudyRow:
    """One point: ``axis`` (a key of :data:`AXES`, or ``"ideal"``), its value, the
    combining, each KPI with its 95 % interval, for joint reception its paired gain
    over single-site reception (``gain``: KPI name -> (gain, (low, high))), and its
    paired change against the ideal fronthaul with the same combining (``vs_ideal``,
    same form; empty for the ideal rows and the antenna rows)."""

    axis: str
    value: float
    combining: str
    kpis: dict
    ci: dict
    gain: dict
    noise_figure_db: float
    vs_ideal: dict = field(default_factory=dict)


def _run(scn, ideal=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return simulate_uplink(scn, ideal_fronthaul=ideal)


def _rows(axis, value, scn, combining, ideal=False, ref=None) -> tuple[list[StudyRow], dict]:
    runs = {c: _run(scn.with_overrides({"uplink.combining": c}), ideal) for c in combining}
    base = runs.get("none")
    out = []
    for c, res in runs.items():
        gain, vs = {}, {}
        if base is not None and c != "none":
            for k in KPIS:
                gain[k] = stats.paired_gain(res.samples, base.samples, k, seed=res.ci_seed)
        if ref is not None and c in ref:
            for k in KPIS:
                vs[k] = stats.paired_gain(res.samples, ref[c].samples, k, seed=res.ci_seed)
        out.append(
            StudyRow(
                axis,
                float(value),
                c,
                {k: res.kpis[k] for k in KPIS},
                {k: res.ci(k) for k in KPIS},
                gain,
                res.kpis["ul_noise_figure_db_mean"],
                vs,
            )
        )
    return out, runs


def uplink_study(
    scenario,
    *,
    fiber_km=(0.0, 5.0, 10.0, 20.0, 40.0),
    rin_db_per_hz=(-160.0, -150.0, -140.0, -130.0),
    n_ant=(),
    combining=("none", "mmse"),
) -> list[StudyRow]:
    """Rows of the study (module docstring): the ideal fronthaul, the fiber sweep at the
    scenario's RIN, the RIN sweep at its fiber length, and receive antennas per cell
    (``n_ant``, at the scenario's fiber and RIN)."""
    scn = as_scenario(scenario)
    ideal_rows, ideal = _rows("ideal", 0.0, scn, combining, ideal=True)
    rows = []
    for axis, values in (("fiber_km", fiber_km), ("rin_db_per_hz", rin_db_per_hz)):
        for v in values:
            rows += _rows(
                axis, v, scn.with_overrides({AXES[axis]: float(v)}), combining, ref=ideal
            )[0]
    for v in n_ant:
        rows += _rows("n_ant", v, scn.with_overrides({AXES["n_ant"]: int(v)}), combining)[0]
    return rows + ideal_rows


def format_rows(rows: list[StudyRow]) -> str:
    """A plain table, Mbit/s, intervals in brackets, joint-reception gain and the 5th
    percentile's change against the ideal fronthaul in percent."""
    lines = [
        f"{'axis':>14} {'value':>7} {'comb':>5} {'NF dB':>6} "
        f"{'mean Mbit/s [95% CI]':>24} {'p5 Mbit/s [95% CI]':>24} {'JR gain mean / p5 (%)':>34}"
        f" {'p5 vs ideal (%)':>18}"
    ]
    for r in rows:
        m, p5 = (r.kpis[k] / 1e6 for k in KPIS)
        (ml, mh), (pl, ph) = ((lo / 1e6, hi / 1e6) for lo, hi in (r.ci[k] for k in KPIS))
        g = ""
        if r.gain:
            parts = []
            for k in KPIS:
                v, (lo, hi) = r.gain[k]
                parts.append(f"{100 * v:.0f} [{100 * lo:.0f}, {100 * hi:.0f}]")
            g = " / ".join(parts)
        vi = ""
        if r.vs_ideal:
            v, (lo, hi) = r.vs_ideal[KPIS[1]]
            vi = f"{100 * v:+.0f} [{100 * lo:+.0f}, {100 * hi:+.0f}]"
        lines.append(
            f"{r.axis:>14} {r.value:>7.1f} {r.combining:>5} {r.noise_figure_db:>6.1f} "
            f"{m:>7.2f} [{ml:.2f}, {mh:.2f}]".ljust(24)
            + f"  {p5:>6.3f} [{pl:.3f}, {ph:.3f}]   {g:<34} {vi}"
        )
    return "\n".join(lines)


def rows_to_json(rows: list[StudyRow], scenario) -> dict:
    """The rows as plain data (JSON), with the scenario's TOML and run length."""
    scn = as_scenario(scenario)
    return {
        "scenario": scn.name,
        "scenario_toml": scn.to_toml_text(),
        "drops": int(scn.run.drops),
        "ttis": int(scn.run.ttis),
        "warmup_ttis": int(scn.run.warmup_ttis),
        "kpis": list(KPIS),
        "rows": [asdict(r) for r in rows],
    }


def main(argv=None) -> int:
    """``python -m rof.edge.uplink.study SCENARIO OUT.json [--drops N] [--n-ant 2 4]
    [--fiber-km 0 5 ...] [--rin -160 ...]`` (defaults: :func:`uplink_study`'s axes)."""
    import argparse
    import json
    import os
    import tempfile
    from pathlib import Path

    ap = argparse.ArgumentParser(prog="python -m rof.edge.uplink.study", description=__doc__)
    ap.add_argument("scenario")
    ap.add_argument("out", help="JSON file to write")
    ap.add_argument("--drops", type=int, default=None, help="override run.drops")
    ap.add_argument("--n-ant", type=int, nargs="*", default=[2, 4])
    ap.add_argument("--fiber-km", type=float, nargs="*", default=[0.0, 5.0, 10.0, 20.0, 40.0])
    ap.add_argument("--rin", type=float, nargs="*", default=[-160.0, -150.0, -140.0, -130.0])
    args = ap.parse_args(argv)
    scn = as_scenario(args.scenario)
    if args.drops is not None:
        scn = scn.with_overrides({"run.drops": args.drops})
    rows = uplink_study(
        scn, fiber_km=tuple(args.fiber_km), rin_db_per_hz=tuple(args.rin), n_ant=tuple(args.n_ant)
    )
    print(format_rows(rows))
    out = Path(args.out)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(rows_to_json(rows, scn), f, indent=1)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would hide the result from others
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
