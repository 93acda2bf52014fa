"""Key performance indicators of a run."""

from __future__ import annotations

import numpy as np

__all__ = ["jain_fairness", "throughput_kpis"]


def jain_fairness(x) -> float:
    """Jain's fairness index ``(sum x)^2 / (n sum x^2)`` in [1/n, 1].

    Jain, Chiu, Hawe, "A quantitative measure of fairness and discrimination for
    resource allocation in shared computer systems", DEC-TR-301, 1984, eq. (1).
    Returns 1 for an all-zero vector (every user treated equally).
    """
    x = np.asarray(x, dtype=np.float64)
    s2 = float(np.sum(x * x))
    if s2 == 0.0:
        return 1.0
    return float(np.sum(x) ** 2 / (x.size * s2))


def throughput_kpis(
    ue_throughput_bps, n_cells: int, area_km2: float, bandwidth_hz: float
) -> dict[str, float]:
    """Throughput KPIs from per-UE mean throughputs.

    Parameters
    ----------
    ue_throughput_bps : ndarray (n_ue,)
        Mean delivered throughput of each UE over the measured TTIs, bit/s.
    n_cells : int
    area_km2 : float
        Area served, km^2.
    bandwidth_hz : float
        Carrier bandwidth, Hz.

    Returns
    -------
    dict
        ``ue_throughput_mean_bps``, ``ue_throughput_p5_bps``, ``_p50_bps``,
        ``_p95_bps``, ``cell_throughput_bps`` (sum / n_cells),
        ``area_throughput_bps_per_km2``, ``spectral_efficiency_bps_per_hz_per_cell``
        and ``jain_fairness``.
    """
    t = np.asarray(ue_throughput_bps, dtype=np.float64)
    total = float(np.sum(t))
    p5, p50, p95 = np.percentile(t, [5.0, 50.0, 95.0])
    return {
        "ue_throughput_mean_bps": float(np.mean(t)),
        "ue_throughput_p5_bps": float(p5),
        "ue_throughput_p50_bps": float(p50),
        "ue_throughput_p95_bps": float(p95),
        "cell_throughput_bps": total / n_cells,
        "area_throughput_bps_per_km2": total / area_km2,
        "spectral_efficiency_bps_per_hz_per_cell": total / (bandwidth_hz * n_cells),
        "jain_fairness": jain_fairness(t),
    }
