"""The uplink study (issue 20 item 4): throughput vs fiber length and vs the uplink laser's
RIN, with and without joint reception, with bootstrap confidence intervals.

Every point is :func:`~rof.edge.uplink.simulate_uplink` of the same scenario and seed
(same drops, users and fading), differing only in the swept key, so the joint-reception
gain is a paired comparison (:func:`rof.edge.stats.paired_gain`: the same resampled users
for both runs; BCa intervals from :func:`scipy.stats.bootstrap`). The ideal-fronthaul
run (the site's LNA is the receiver) tells whether the air interface or the fronthaul
limits the cell edge.

Example
-------
>>> rows = uplink_study("scenarios/uplink.toml")  # doctest: +SKIP
>>> print(format_rows(rows))  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from rof.edge import stats
from rof.edge.uplink.simulate import simulate_uplink
from rof.scenario import as_scenario

__all__ = ["StudyRow", "format_rows", "uplink_study"]

#: The swept keys of the study.
AXES: dict[str, str] = {
    "fiber_km": "fronthaul.fiber_length_km",
    "rin_db_per_hz": "fronthaul.transmitter.rin_db_per_hz",
}
KPIS: tuple[str, ...] = ("ue_throughput_mean_bps", "ue_throughput_p5_bps")


@dataclass(frozen=True)
class StudyRow:
    """One point: ``axis`` (a key of :data:`AXES`, or ``"ideal"``), its value, the
    combining, each KPI with its 95 % interval, and for joint reception its paired gain
    over single-site reception (``gain``: KPI name -> (gain, (low, high)))."""

    axis: str
    value: float
    combining: str
    kpis: dict
    ci: dict
    gain: dict
    noise_figure_db: float


def _run(scn, ideal=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return simulate_uplink(scn, ideal_fronthaul=ideal)


def _rows(axis, value, scn, combining, ideal=False) -> list[StudyRow]:
    runs = {c: _run(scn.with_overrides({"uplink.combining": c}), ideal) for c in combining}
    base = runs.get("none")
    out = []
    for c, res in runs.items():
        gain = {}
        if base is not None and c != "none":
            for k in KPIS:
                gain[k] = stats.paired_gain(res.samples, base.samples, k, seed=res.ci_seed)
        out.append(
            StudyRow(
                axis,
                float(value),
                c,
                {k: res.kpis[k] for k in KPIS},
                {k: res.ci(k) for k in KPIS},
                gain,
                res.kpis["ul_noise_figure_db_mean"],
            )
        )
    return out


def uplink_study(
    scenario,
    *,
    fiber_km=(0.0, 10.0, 20.0, 40.0),
    rin_db_per_hz=(-160.0, -150.0, -140.0, -130.0),
    combining=("none", "mmse"),
) -> list[StudyRow]:
    """Rows of the study (module docstring): the fiber sweep at the scenario's RIN, the
    RIN sweep at its fiber length, and the ideal fronthaul."""
    scn = as_scenario(scenario)
    rows = []
    for axis, values in (("fiber_km", fiber_km), ("rin_db_per_hz", rin_db_per_hz)):
        for v in values:
            rows += _rows(axis, v, scn.with_overrides({AXES[axis]: float(v)}), combining)
    rows += _rows("ideal", 0.0, scn, combining, ideal=True)
    return rows


def format_rows(rows: list[StudyRow]) -> str:
    """A plain table, Mbit/s, intervals in brackets, joint-reception gain in percent."""
    lines = [
        f"{'axis':>14} {'value':>7} {'comb':>5} {'NF dB':>6} "
        f"{'mean Mbit/s [95% CI]':>24} {'p5 Mbit/s [95% CI]':>24} {'JR gain mean / p5 (%)':>34}"
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
        lines.append(
            f"{r.axis:>14} {r.value:>7.1f} {r.combining:>5} {r.noise_figure_db:>6.1f} "
            f"{m:>7.2f} [{ml:.2f}, {mh:.2f}]".ljust(24)
            + f"  {p5:>6.3f} [{pl:.3f}, {ph:.3f}]   {g}"
        )
    return "\n".join(lines)
