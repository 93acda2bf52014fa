"""The result of one simulated scenario."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Result"]


@dataclass(frozen=True)
class Result:
    """Outcome of :func:`rof.edge.simulate`.

    Attributes
    ----------
    ue_throughput_bps : ndarray (n_ue,)
        Mean delivered throughput of each UE over the measured TTIs, bit/s.
    sinr_db : ndarray (samples,)
        SINR of every scheduled (cell, RB) on the true channel, dB (for CDFs).
    kpis : dict[str, float]
        Scalar KPIs (see :func:`rof.edge.kpis.throughput_kpis` plus
        ``muted_rb_share``, ``bler``, ...): the same bit for bit on every run of the
        same scenario.
    arrays : dict[str, ndarray]
        Per-site and per-UE arrays: ``site_xy_m``, ``ue_xy_m``, ``fiber_km``,
        ``snr_fh_db``, ``evm_percent``, ``latency_s``, ``csi_delay_ttis``, ...
    timings : dict[str, float or ndarray]
        Wall-clock measurements, s (``scheduler_time_per_tti_s``,
        ``scheduler_time_per_tti_p95_s``, ``scheduler_time_s`` per measured TTI); kept
        apart from ``kpis`` because they differ from run to run.
    scenario_name : str
    """

    ue_throughput_bps: np.ndarray
    sinr_db: np.ndarray
    kpis: dict[str, float]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    scenario_name: str = ""
    timings: dict = field(default_factory=dict)

    def summary(self) -> str:
        """A few lines with the main KPIs."""
        k = self.kpis
        return (
            f"{self.scenario_name}: mean {k['ue_throughput_mean_bps'] / 1e6:.2f} Mbit/s, "
            f"p5 {k['ue_throughput_p5_bps'] / 1e6:.3f} Mbit/s, "
            f"SE {k['spectral_efficiency_bps_per_hz_per_cell']:.2f} bit/s/Hz/cell, "
            f"Jain {k['jain_fairness']:.3f}, muted {100 * k['muted_rb_share']:.1f} %"
        )
