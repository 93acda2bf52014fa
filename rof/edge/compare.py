"""Paired comparison of two schedulers on the same drops.

Both runs share the scenario and its seed, so every drop has the same users,
shadowing, fading and traffic arrivals (:mod:`rof.edge.simulate`); only the
scheduler differs. The gain ``KPI_a / KPI_b - 1`` then comes with a paired bootstrap
interval (:func:`rof.edge.stats.paired_gain`): the same resampled users enter both
runs, so the variance the runs share cancels.
"""

from __future__ import annotations

from dataclasses import dataclass

from rof.edge import stats
from rof.edge.result import Result

__all__ = ["Comparison", "compare"]

#: KPIs compared by default.
DEFAULT_KPIS = (
    "ue_throughput_p5_bps",
    "ue_throughput_mean_bps",
    "cell_throughput_bps",
    "jain_fairness",
)


@dataclass(frozen=True)
class Comparison:
    """Gains of scheduler ``a`` over ``b`` on the same drops.

    Attributes
    ----------
    a, b : str
        Scheduler names.
    gain : dict[str, float]
        ``KPI_a / KPI_b - 1`` per KPI.
    ci : dict[str, tuple[float, float]]
        Its paired bootstrap interval at ``level``.
    level : float
    unit : str
        Resampling unit ("user" or "drop").
    drops, ttis, warmup_ttis : int
        Run length behind the numbers.
    result_a, result_b : Result
    """

    a: str
    b: str
    gain: dict
    ci: dict
    level: float
    unit: str
    drops: int
    ttis: int
    warmup_ttis: int
    result_a: Result
    result_b: Result

    def summary(self) -> str:
        """One line per KPI: gain and interval in percent."""
        lines = [
            f"{self.a} vs {self.b}: {self.drops} drops x {self.ttis} TTIs "
            f"({self.warmup_ttis} warm-up), paired {100 * self.level:g} % intervals "
            f"(unit: {self.unit})"
        ]
        for k, g in self.gain.items():
            lo, hi = self.ci[k]
            lines.append(f"  {k:<28} {100 * g:+7.1f} %  [{100 * lo:+.1f}, {100 * hi:+.1f}] %")
        return "\n".join(lines)


def compare(
    scenario,
    a: str = "coordinated_pf",
    b: str = "proportional_fair",
    *,
    kpis=DEFAULT_KPIS,
    level: float = stats.CI_LEVEL,
    unit: str = "user",
) -> Comparison:
    """Run scheduler ``a`` and ``b`` on the same drops and give ``a``'s gains over ``b``.

    Parameters
    ----------
    scenario : Scenario, TOML path or dict
    a, b : str
        Scheduler names (``edge.scheduler`` values).
    kpis : sequence of str
        KPIs of :data:`rof.edge.stats.KPIS`.
    level : float
        Confidence level in (0, 1).
    unit : {"user", "drop"}
        Resampling unit (:mod:`rof.edge.stats`).

    Returns
    -------
    Comparison

    Examples
    --------
    >>> from rof.edge.compare import compare
    >>> c = compare("scenarios/coordination.toml")  # doctest: +SKIP
    >>> c.gain["ue_throughput_p5_bps"], c.ci["ue_throughput_p5_bps"]  # doctest: +SKIP
    """
    from rof.edge.simulate import simulate
    from rof.scenario import as_scenario

    scn = as_scenario(scenario)
    res_a = simulate(scn.with_overrides({"edge.scheduler": a}))
    res_b = simulate(scn.with_overrides({"edge.scheduler": b}))
    gain, ci = {}, {}
    for k in kpis:
        gain[k], ci[k] = stats.paired_gain(
            res_a.samples, res_b.samples, k, level, unit=unit, seed=res_a.ci_seed
        )
    run = scn.run
    return Comparison(
        a, b, gain, ci, level, unit, run.drops, run.ttis, run.warmup_ttis, res_a, res_b
    )
