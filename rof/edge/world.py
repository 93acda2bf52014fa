"""The simulated world of one scenario: deployment, links, fronthaul and fading.

Built once per run by :func:`build_world` from the scenario's tables, drawing all
randomness from one generator in a fixed order (deployment, link table, fading),
so a seed fixes the world.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rof.edge.fronthaul import fiber_lengths_km, site_budgets
from rof.units import db_to_lin, dbm_to_w

__all__ = ["World", "build_world", "numerology"]

_DEPLOYMENT_KEYS = (
    "layout",
    "n_sites",
    "density_per_km2",
    "area_km2",
    "inter_site_distance_m",
    "sectors",
    "wraparound",
    "ue_per_site",
    "ue_height_m",
    "indoor_fraction",
    "sites_file",
    "ue_distribution",
    "min_ue_distance_m",
)


def numerology(subcarrier_spacing_khz: float) -> tuple[int, float, float]:
    """``(mu, slot_s, rb_bandwidth_hz)`` of TS 38.211 Section 4.2-4.3.

    ``mu = log2(SCS / 15 kHz)``, slot (TTI) = 1 ms / 2^mu, RB = 12 subcarriers.
    """
    mu = round(math.log2(subcarrier_spacing_khz / 15.0))
    return mu, 1e-3 / 2**mu, 12.0 * subcarrier_spacing_khz * 1e3


@dataclass
class World:
    """Everything fixed during a run (see :func:`build_world`)."""

    deployment: object
    link_cell: np.ndarray  # (n_ue, K) int32
    large_scale: np.ndarray  # (n_ue, K) float32, linear
    d3d_m: np.ndarray  # (n_ue, K)
    los: np.ndarray  # (n_ue, K) bool
    background_gain: np.ndarray  # (n_ue,)
    serving: np.ndarray  # (n_ue,)
    fiber_km: np.ndarray  # (n_sites,)
    snr_fh_db: np.ndarray  # (n_sites,) SNDR at full drive
    sdr_fh_db: np.ndarray  # (n_sites,) its intermodulation part
    evm_percent: np.ndarray  # (n_sites,)
    latency_s: np.ndarray  # (n_sites,)
    tti_s: float
    n_rb: int
    rb_bandwidth_hz: float
    p_rb_w: float
    noise_w: np.ndarray  # (n_ue,)
    doppler_hz: np.ndarray  # (n_ue,)
    area_km2: float
    fading: object

    @property
    def n_cells(self) -> int:
        return int(self.deployment.n_cells)


def _area_km2(scn, dep) -> float:
    area_m2 = getattr(scn.deployment, "area_m2", None)
    if area_m2 is None:
        x0, y0, x1, y1 = dep.region_bounds_m
        area_m2 = (x1 - x0) * (y1 - y0)
    return float(area_m2) / 1e6


def _two_tier(scn, macro, opts, rng):
    """Small cells under the macro layer and the merged two-tier link table."""
    from rof.radio.two_tier import Tier, add_small_cells, build_two_tier_link_table

    d, radio = scn.deployment, scn.radio
    dep, n_m = add_small_cells(
        macro,
        d.small_cells_per_site,
        rng,
        height_m=d.small_cell_height_m,
        min_macro_distance_m=d.small_cell_min_macro_distance_m,
        min_small_distance_m=d.small_cell_min_distance_m,
    )
    k = min(int(radio.top_k_links), dep.n_cells)
    common = {"shadowing": opts["shadowing"], "effective_height": opts["effective_height"]}
    offset = radio.small_cell_power_dbm - radio.site_power_dbm + radio.small_cell_antenna_gain_dbi
    drawn_once = ("antenna", "high_loss_fraction", "o2i_sigma_low_db", "o2i_sigma_high_db")
    macro_opts = {key: v for key, v in opts.items() if key not in drawn_once}
    tiers = (
        Tier(radio.scenario, opts["antenna"], 0.0, macro_opts),
        Tier(radio.small_cell_scenario, None, offset, common),
    )
    lt = build_two_tier_link_table(
        dep,
        n_m,
        tiers,
        fc_ghz=radio.carrier_ghz,
        k=k,
        rng=rng,
        high_loss_fraction=opts["high_loss_fraction"],
        o2i_sigma_low_db=opts["o2i_sigma_low_db"],
        o2i_sigma_high_db=opts["o2i_sigma_high_db"],
    )
    return lt, dep, k


def build_world(scn, rng: np.random.Generator) -> World:
    """Build deployment, link table, per-site fronthaul budgets and the fading process.

    Parameters
    ----------
    scn : Scenario
    rng : numpy.random.Generator
        The run's generator (drawn from in a fixed order).
    """
    from rof.radio.deployment import make_deployment
    from rof.radio.fading import FadingProcess, doppler_hz
    from rof.radio.linktable import build_link_table
    from rof.radio.sinr import noise_power_w

    radio, fh = scn.radio, scn.fronthaul
    kw = {k: getattr(scn.deployment, k) for k in _DEPLOYMENT_KEYS}
    kw = {k: v for k, v in kw.items() if v is not None}
    dep = make_deployment(rng=rng, site_height_m=radio.site_height_m, scenario=radio.scenario, **kw)
    k = min(int(radio.top_k_links), dep.n_cells)
    opts = {
        "shadowing": radio.shadowing,
        "antenna": radio.bs_antenna_model(),
        "effective_height": radio.effective_height,
        "high_loss_fraction": radio.o2i_high_loss_fraction,
        "o2i_sigma_low_db": radio.o2i_sigma_low_db,
        "o2i_sigma_high_db": radio.o2i_sigma_high_db,
    }
    if radio.scenario == "power_law":
        opts.update(
            pathloss_exponent=radio.pathloss_exponent,
            reference_loss_db=radio.reference_loss_db,
            reference_distance_m=radio.reference_distance_m,
        )
    if scn.deployment.small_cells_per_site > 0:
        lt, dep, k = _two_tier(scn, dep, opts, rng)
    else:
        lt = build_link_table(
            dep, scenario=radio.scenario, fc_ghz=radio.carrier_ghz, k=k, rng=rng, **opts
        )
    _, tti_s, rb_bw = numerology(radio.subcarrier_spacing_khz)
    n_rb = int(radio.resource_blocks)
    fiber_km = fiber_lengths_km(
        dep.site_xy_m, fh.edge_location, fh.fiber_route_factor, fh.fiber_length_km
    )
    bud = site_budgets(fh, radio.carrier_ghz * 1e9, radio.bandwidth_mhz * 1e6, fiber_km)
    fd = doppler_hz(radio.ue_speed_kmh / 3.6, radio.carrier_ghz * 1e9)
    given_ns = radio.delay_spread_ns
    ds_nlos = ds_los = (100.0 if given_ns is None else given_ns) * 1e-9
    ds_mode = radio.delay_spread
    if ds_mode is None:  # a value, not "was the key set": the same after to_dict()
        ds_mode = "scenario" if given_ns is None else "fixed"
    if ds_mode == "scenario" and radio.scenario != "power_law":
        from rof.radio.tdl import median_delay_spread_s

        ds_nlos = median_delay_spread_s(radio.scenario, False, radio.carrier_ghz)
        ds_los = median_delay_spread_s(radio.scenario, True, radio.carrier_ghz)
    fading = FadingProcess(
        dep.n_ue,
        k,
        n_rb,
        model=radio.fading,
        doppler_hz=float(fd),
        tti_s=tti_s,
        rb_bandwidth_hz=rb_bw,
        delay_profile=radio.delay_profile,
        delay_spread_s=ds_nlos,
        rician_k_db=radio.rician_k_db,
        rng=rng,
        los=np.asarray(lt.los, bool) if radio.fading_los == "per_link" else None,
        delay_profile_los=radio.delay_profile_los,
        delay_spread_los_s=ds_los,
    )
    link_cell = np.ascontiguousarray(lt.cell, dtype=np.int32)
    return World(
        deployment=dep,
        link_cell=link_cell,
        large_scale=db_to_lin(lt.gain_db).astype(np.float32),
        d3d_m=np.asarray(lt.d3d_m, dtype=np.float64),
        los=np.asarray(lt.los, dtype=bool),
        background_gain=np.asarray(lt.background_gain, dtype=np.float64),
        serving=link_cell[:, 0].copy(),
        fiber_km=fiber_km,
        snr_fh_db=bud["snr_fh_db"],
        sdr_fh_db=bud["sdr_fh_db"],
        evm_percent=bud["evm_percent"],
        latency_s=bud["latency_s"],
        tti_s=tti_s,
        n_rb=n_rb,
        rb_bandwidth_hz=rb_bw,
        p_rb_w=float(dbm_to_w(radio.site_power_dbm)) / n_rb,
        noise_w=np.full(dep.n_ue, noise_power_w(rb_bw, radio.ue_noise_figure_db)),
        doppler_hz=np.full(dep.n_ue, float(fd)),
        area_km2=_area_km2(scn, dep),
        fading=fading,
    )
