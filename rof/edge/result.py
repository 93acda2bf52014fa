"""The result of one simulated scenario."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

__all__ = ["DropColumns", "Result", "kpi_intervals", "run_arrays", "run_kpis", "run_samples"]


@dataclass(frozen=True)
class Result:
    """Outcome of :func:`rof.edge.simulate`.

    Attributes
    ----------
    ue_throughput_bps : ndarray (n_users,)
        Mean delivered throughput of each UE over the measured TTIs, bit/s, for the
        users of all drops in drop order (``arrays["ue_drop"]`` names each one's drop).
    sinr_db : ndarray (samples,)
        SINR of every scheduled (cell, RB) on the true channel, dB (for CDFs).
    kpis : dict[str, float]
        Scalar KPIs on the pooled users of all drops (:data:`rof.edge.stats.KPIS`
        plus ``fiber_km_mean``, ``drops``, ...), and for each KPI of
        :data:`~rof.edge.stats.KPIS` its 95 % bootstrap interval as
        ``<kpi>_ci_low`` and ``<kpi>_ci_high``: the same bit for bit on every run of
        the same scenario.
    arrays : dict[str, ndarray]
        Per-UE arrays of all drops (``ue_xy_m``, ``ue_sinr_db``, ``ue_drop``, ...);
        per-site and per-cell arrays of the first drop (``site_xy_m``, ``fiber_km``,
        ``snr_fh_db``, ``evm_percent``, ``latency_s``, ``csi_delay_ttis``, ...): with
        ``layout = "ppp"`` each drop has its own sites, so select ``ue_drop == 0``
        to map users onto them.
    timings : dict[str, float or ndarray]
        Wall-clock measurements, s (``scheduler_time_per_tti_s``,
        ``scheduler_time_per_tti_p95_s``, ``scheduler_time_s`` per measured TTI); kept
        apart from ``kpis`` because they differ from run to run.
    scenario_name : str
    samples : rof.edge.stats.Samples or None
        Per-user and per-cell columns for :meth:`ci` (not stored in result files).
    ci_seed : int or numpy.random.SeedSequence
        Seeds the bootstrap, so intervals are reproducible.
    """

    ue_throughput_bps: np.ndarray
    sinr_db: np.ndarray
    kpis: dict[str, float]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    scenario_name: str = ""
    timings: dict = field(default_factory=dict)
    samples: object = field(default=None, repr=False)
    ci_seed: object = field(default=0, repr=False)

    def ci(self, kpi_name: str, level: float = 0.95, *, unit: str = "user") -> tuple[float, float]:
        """Bootstrap (BCa) confidence interval ``(low, high)`` of a KPI.

        Parameters
        ----------
        kpi_name : str
            A KPI of :data:`rof.edge.stats.KPIS` (e.g. ``"ue_throughput_p5_bps"``).
        level : float
            Confidence level in (0, 1).
        unit : {"user", "drop"}
            Resampling unit (:mod:`rof.edge.stats`): users pooled over the drops, or
            whole drops (needs ~10 or more drops).

        Examples
        --------
        >>> res = simulate("scenarios/coordination.toml")  # doctest: +SKIP
        >>> res.ci("ue_throughput_p5_bps")  # doctest: +SKIP
        (5.1e6, 6.3e6)
        """
        from rof.edge import stats

        if self.samples is None:
            lo, hi = (self.kpis.get(f"{kpi_name}_ci_{b}") for b in ("low", "high"))
            if level == stats.CI_LEVEL and unit == "user" and lo is not None:
                return (lo, hi)
            from rof.errors import ConfigError

            raise ConfigError(
                f"Result.ci({kpi_name!r}, level={level}): this result has no per-user "
                "samples; allowed: the stored 95 % user interval, or a Result from simulate()"
            )
        return stats.interval(self.samples, kpi_name, level, unit=unit, seed=self.ci_seed)

    def summary(self) -> str:
        """A few lines with the main KPIs."""
        k = self.kpis
        return (
            f"{self.scenario_name}: mean {k['ue_throughput_mean_bps'] / 1e6:.2f} Mbit/s "
            f"{_ci(k, 'ue_throughput_mean_bps', 1e6, '.2f')}, "
            f"p5 {k['ue_throughput_p5_bps'] / 1e6:.3f} Mbit/s "
            f"{_ci(k, 'ue_throughput_p5_bps', 1e6, '.3f')}, "
            f"SE {k['spectral_efficiency_bps_per_hz_per_cell']:.2f} bit/s/Hz/cell, "
            f"Jain {k['jain_fairness']:.3f}, muted {100 * k['muted_rb_share']:.1f} %"
        )


def _ci(kpis: dict, name: str, scale: float, fmt: str) -> str:
    lo, hi = kpis.get(f"{name}_ci_low"), kpis.get(f"{name}_ci_high")
    if lo is None or hi is None:
        return ""
    return f"[{lo / scale:{fmt}}, {hi / scale:{fmt}}]"


def run_arrays(scn, worlds, ue_sinr_db, ue_drop, csi_delay_ttis) -> dict:
    """The arrays every run's :class:`Result` carries: the layout (sites, edge, cells),
    each user's position, serving cell and link table over the drops ``worlds`` (one
    :class:`rof.edge.world.World` each, in drop order), the first drop's fronthaul
    figures, and the given per-user SINR, drop index and CSI delay."""
    from rof.edge.fronthaul import edge_position_m

    def per_ue(f):
        return np.concatenate([f(w) for w in worlds])

    w0 = worlds[0]
    dep0 = w0.deployment
    return {
        "site_xy_m": np.asarray(dep0.site_xy_m),
        "edge_xy_m": edge_position_m(dep0.site_xy_m, scn.fronthaul.edge_location),
        "ue_sinr_db": ue_sinr_db,
        "ue_xy_m": per_ue(lambda w: np.asarray(w.deployment.ue_xy_m)),
        "ue_drop": ue_drop,
        "cell_site": np.asarray(dep0.cell_site),
        "ue_serving_cell": per_ue(lambda w: w.serving.astype(np.int64)),
        "link_cell": per_ue(lambda w: w.link_cell),
        "link_gain_db": per_ue(lambda w: 10.0 * np.log10(w.large_scale.astype(np.float64))),
        "background_gain": per_ue(lambda w: w.background_gain),
        "noise_w": per_ue(lambda w: w.noise_w),
        "p_rb_w": np.array([w0.p_rb_w]),
        "fiber_km": w0.fiber_km,
        "snr_fh_db": w0.snr_fh_db,
        "evm_percent": w0.evm_percent,
        "latency_s": w0.latency_s,
        "csi_delay_ttis": np.asarray(csi_delay_ttis, dtype=np.float64),
    }


class DropColumns(NamedTuple):
    """One drop's per-user and per-cell columns (what :func:`run_samples` pools).

    ``thr_bps`` mean delivered throughput per user, ``blocks``/``errors`` transport
    blocks sent and failed per user, ``muted``/``eligible`` muted RBs and RBs with data
    per cell, counted over the measured TTIs.
    """

    world: object
    thr_bps: np.ndarray
    blocks: np.ndarray
    errors: np.ndarray
    muted: np.ndarray
    eligible: np.ndarray


def run_samples(drops: list[DropColumns]):
    """The :class:`rof.edge.stats.Samples` of a run: every drop's columns pooled, with
    each user's share of its drop's cells, area and bandwidth x cells."""
    from rof.edge import stats

    ue, cell = [], []
    for d, c in enumerate(drops):
        w = c.world
        n_ue, n_cells = c.thr_bps.size, w.n_cells
        bw = w.n_rb * w.rb_bandwidth_hz
        ue.append(
            {
                "thr": c.thr_bps,
                "cell_w": np.full(n_ue, n_cells / n_ue),
                "area_w": np.full(n_ue, w.area_km2 / n_ue),
                "se_w": np.full(n_ue, bw * n_cells / n_ue),
                "blocks": c.blocks,
                "errors": c.errors,
                "drop": np.full(n_ue, d, dtype=np.int64),
            }
        )
        cell.append(
            {"muted": c.muted, "eligible": c.eligible, "drop": np.full(n_cells, d, dtype=np.int64)}
        )

    def cat(rows):
        return {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}

    return stats.Samples(cat(ue), cat(cell), len(drops))


def kpi_intervals(samples, ci_seed) -> dict:
    """Each KPI of :data:`rof.edge.stats.KPIS` with its interval (``_ci_low``/``_high``)."""
    from rof.edge import stats

    kpis = {}
    for name in stats.KPIS:
        kpis[name] = stats.point(samples, name)
        lo, hi = stats.interval(samples, name, stats.CI_LEVEL, seed=ci_seed)
        kpis[f"{name}_ci_low"], kpis[f"{name}_ci_high"] = lo, hi
    return kpis


def run_kpis(samples, worlds, csi_delay_ttis, ci_seed) -> dict:
    """The KPIs every run's :class:`Result` carries: each of :data:`rof.edge.stats.KPIS`
    with its interval (``<kpi>_ci_low``/``_high``), then the drops' fiber, fronthaul,
    CSI-delay and size figures (``csi_delay_ttis``: every drop's per-cell delays)."""
    kpis = kpi_intervals(samples, ci_seed)
    w0 = worlds[0]
    fiber = np.concatenate([w.fiber_km for w in worlds])
    kpis.update(
        fiber_km_mean=float(fiber.mean()),
        fiber_km_max=float(fiber.max()),
        snr_fh_db_min=float(min(w.snr_fh_db.min() for w in worlds)),
        csi_delay_ttis_mean=float(np.mean(np.concatenate(csi_delay_ttis))),
        n_ue=float(np.mean([w.deployment.n_ue for w in worlds])),
        n_cells=float(w0.n_cells),
        n_rb=float(w0.n_rb),
        tti_s=float(w0.tti_s),
        drops=float(len(worlds)),
    )
    return kpis
