"""A synthetic point function for checking executors, clusters and result files.

:func:`probe_point` stands in for :func:`rof.edge.simulate` when what is being checked
is the sweep machinery itself, not the radio physics: that a cluster is reachable and
its workers import ``rof``, that every executor returns the same numbers bit for bit,
that a killed sweep resumes, or how much time the machinery adds per point. It is
deterministic in the point's seed and values, costs a chosen amount of CPU time, and
returns a result of the same shape as the edge layer's (per-user throughputs, SINR
samples, KPIs). Its numbers are not a network model and must not be read as one.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["probe_point"]


def probe_point(scenario, *, cpu_s: float = 0.0) -> dict:
    """Deterministic synthetic result for a scenario (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        The point's scenario; only ``seed``, the user count and a few fronthaul and
        radio values are read.
    cpu_s : float
        CPU time to burn (s of this process's CPU clock) before returning, to emulate
        a point's work without sleeping.

    Returns
    -------
    dict
        ``{"kpis": {...}, "arrays": {"ue_throughput_bps": (n_ue,), "sinr_db": (n_ue*4,)}}``.
    """
    t_end = time.process_time() + cpu_s
    acc = 0.0
    while time.process_time() < t_end:
        acc += float(np.sum(np.sqrt(np.arange(2000.0))))
    rng = np.random.default_rng(scenario.seed)
    dep, fh, radio = scenario.deployment, scenario.fronthaul, scenario.radio
    n_sites = dep.n_sites or 7
    n_ue = n_sites * dep.ue_per_site
    length_km = fh.fiber_length_km if fh.fiber_length_km is not None else fh.fiber_route_factor
    sinr_db = rng.normal(10.0 - 0.3 * length_km, 6.0, size=4 * n_ue)
    se = np.log2(1.0 + 10.0 ** (sinr_db.reshape(n_ue, 4).mean(axis=1) / 10.0))
    thr = se * radio.bandwidth_mhz * 1e6 / dep.ue_per_site
    return {
        "kpis": {"n_ue": float(n_ue)},
        "arrays": {"ue_throughput_bps": thr, "sinr_db": sinr_db},
    }
