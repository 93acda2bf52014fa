"""What one scenario point costs, estimated before any work starts.

The smart-edge loop keeps, per user, its ``K = min(top_k_links, n_cells)`` strongest
links on every resource block, so memory and time scale with the link-RB count
``E = n_ue K n_rb``:

* memory: a fixed part (the imported libraries and compiled kernels) plus, per
  link-RB, the fading state, the true and reported gains of one TTI and the CSI
  history, a ring buffer of ``floor(delay / TTI) + 2`` float32 states
  (:class:`rof.edge.csi.CsiHistory`);
* time: building the link table visits every user-cell pair once, then every TTI
  costs a fixed time plus a scheduler-dependent time per link-RB.

The per-element constants were measured on the development machine (2 cores, the
``rof.edge.simulate`` loop of the shared example at 7 to 61 sites, 10 to 30 users
per site, 20 and 100 MHz); they are estimates within a factor of about two, good
enough to refuse a run that needs terabytes or months before it starts.
:func:`check` compares them with this machine's memory and a time limit
(:data:`MAX_POINT_HOURS` unless the caller, e.g. ``rof run --max-hours``, says otherwise).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from rof.errors import ConfigError

__all__ = ["MAX_POINT_HOURS", "Cost", "check", "estimate", "machine_memory_bytes"]

#: Longest estimated run of one point accepted by default, hours (a working day).
MAX_POINT_HOURS = 8.0
#: Memory of the imported libraries and kernels, bytes (measured: 115-130 MB).
FIXED_BYTES = 150e6
#: Bytes per link-RB besides the CSI history (measured: 30-36 B).
BYTES_PER_ELEMENT = 40.0
#: Seconds per link-RB and TTI by scheduler (measured: 18-25 ns PF, 60-75 ns coordinated
#: PF, 165 ns WMMSE at 20 iterations x 3 starts, which scales with their product).
SECONDS_PER_ELEMENT = {
    "round_robin": 30e-9,
    "proportional_fair": 30e-9,
    "coordinated_pf": 80e-9,
    "fronthaul_aware": 80e-9,
    "wmmse": 170e-9 / 60.0,  # times wmmse_iterations * wmmse_starts
}
#: Seconds of fixed work per TTI (measured: about 4 ms at 7 sites).
SECONDS_PER_TTI = 4e-3
#: Seconds per user-cell pair when the link table is built.
SECONDS_PER_PAIR = 20e-9
#: Fiber group delay, s/km (group index 1.468 / c).
FIBER_S_PER_KM = 1.468 / 299_792.458


@dataclass(frozen=True)
class Cost:
    """Estimated size and cost of one scenario point.

    Attributes
    ----------
    n_sites, n_cells, n_ue, n_rb, links_per_ue : int
        Sizes (``n_sites`` is the expected count for a PPP layout).
    history_depth : int
        CSI history states kept per link-RB.
    memory_bytes : float
        Peak memory, bytes.
    seconds : float
        Run time of the point on one core, s.
    """

    n_sites: int
    n_cells: int
    n_ue: int
    n_rb: int
    links_per_ue: int
    history_depth: int
    memory_bytes: float
    seconds: float


def machine_memory_bytes() -> float:
    """Physical memory of this machine, bytes (``inf`` where the OS does not say)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return math.inf


def _n_sites(dep) -> int:
    if dep.layout == "hex":
        return dep.n_sites
    if dep.layout == "ppp":
        return max(1, round(dep.density_per_km2 * dep.area_km2))
    from rof.scenario.checks import sites_xy

    return len(sites_xy(dep.sites_file))


def estimate(scn) -> Cost:
    """Estimate the memory and time of one point of ``scn`` (module docstring)."""
    dep, radio, edge, run, fh = scn.deployment, scn.radio, scn.edge, scn.run, scn.fronthaul
    n_sites = _n_sites(dep)
    n_cells = n_sites * dep.sectors
    n_ue = n_sites * dep.ue_per_site
    k = min(radio.top_k_links, n_cells)
    n_rb = radio.resource_blocks
    elements = float(n_ue) * k * n_rb
    tti_s = 1e-3 * 15.0 / radio.subcarrier_spacing_khz
    if edge.csi == "perfect":
        delay_s = 0.0
    else:
        from rof.scenario.checks import max_site_distance_m

        if fh.fiber_length_km is not None:
            length_km = fh.fiber_length_km
        else:
            dist_m, _ = max_site_distance_m(dep, fh.edge_location)
            length_km = fh.fiber_route_factor * dist_m / 1e3
        rtt = 2.0 * FIBER_S_PER_KM * length_km if edge.csi_ageing else 0.0
        delay_s = rtt + edge.processing_delay_ms * 1e-3
    depth = math.floor(delay_s / tti_s) + 2
    memory = FIXED_BYTES + elements * (BYTES_PER_ELEMENT + 4.0 * depth)
    per_element = SECONDS_PER_ELEMENT[edge.scheduler]
    if edge.scheduler == "wmmse":
        per_element *= edge.wmmse_iterations * edge.wmmse_starts
    seconds = run.drops * (  # every drop builds its world and runs its TTIs
        float(n_ue) * n_cells * SECONDS_PER_PAIR
        + run.ttis * (SECONDS_PER_TTI + elements * per_element)
    )
    return Cost(n_sites, n_cells, n_ue, n_rb, k, depth, memory, seconds)


def _human_bytes(b: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if b >= size:
            return f"{b / size:.3g} {unit}"
    return f"{b / 1e3:.3g} kB"


def _human_seconds(s: float) -> str:
    for unit, size in (("days", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if s >= size:
            return f"{s / size:.3g} {unit}"
    return f"{s:.3g} s"


def check(
    scn,
    *,
    source: str = "scenario",
    memory_bytes: float | None = None,
    max_hours: float = MAX_POINT_HOURS,
) -> Cost:
    """Refuse ``scn`` when one point would not fit this machine's memory or take too long.

    Returns the :class:`Cost` when it fits; raises :class:`rof.errors.ConfigError` that
    states the estimate and how to proceed otherwise.
    """
    cost = estimate(scn)
    limit = machine_memory_bytes() if memory_bytes is None else memory_bytes
    size = (
        f"{cost.n_ue:,} users x {cost.links_per_ue} links x {cost.n_rb} resource blocks "
        f"({cost.n_sites:,} sites)"
    )
    if cost.memory_bytes > limit:
        raise ConfigError(
            f"{source}: one point needs about {_human_bytes(cost.memory_bytes)} of memory for "
            f"{size}, more than this machine's {_human_bytes(limit)}; allowed: fewer sites "
            "(deployment.n_sites, density_per_km2 or area_km2), fewer users "
            "(deployment.ue_per_site), radio.top_k_links or radio.bandwidth_mhz"
        )
    if cost.seconds > max_hours * 3600.0:
        raise ConfigError(
            f"{source}: one point would run about {_human_seconds(cost.seconds)} "
            f"({scn.run.ttis:,} TTIs of {size}, scheduler {scn.edge.scheduler!r}); allowed: "
            f"at most {max_hours:g} h per point (--max-hours): fewer run.ttis (statistics "
            "converge within a few thousand), fewer users or sites, or a cheaper "
            "edge.scheduler"
        )
    return cost
