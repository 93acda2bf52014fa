"""Dense plain-NumPy reference of the link table (small networks only).

:func:`link_table_reference` forms the full (n_ue, n_sites, n_copies) geometry and
the (n_ue, n_cells) gain matrix from the vectorised public functions
(:func:`~rof.radio.pathloss.pathloss_38901`,
:func:`~rof.radio.los.los_probability_38901`,
:func:`~rof.radio.antenna.antenna_gain_db`,
:func:`~rof.radio.shadowing.sample_shadowing`) with the same random draws as the
numba kernel of :func:`rof.radio.linktable.build_link_table`; the tests compare
the two.
"""

from __future__ import annotations

import math

import numpy as np

from rof.radio._linktable_inputs import link_table_options, prepare_inputs
from rof.radio.antenna import antenna_gain_db, zenith_angle_deg
from rof.radio.arrays import PanelArray
from rof.radio.deployment import Deployment
from rof.radio.kernels_channel import link_uniform_np
from rof.radio.linktable import LinkTable
from rof.radio.los import los_probability_38901
from rof.radio.pathloss import (
    C_TR_M_PER_S,
    pathloss_38901,
    pathloss_power_law,
    uma_effective_height_from_uniform_m,
)
from rof.radio.shadowing import sample_shadowing
from rof.radio.tr38901.model import PL_RMA

__all__ = ["link_table_reference"]


def link_table_reference(
    deployment: Deployment,
    *,
    scenario: str,
    fc_ghz: float,
    k: int,
    rng: np.random.Generator,
    **options,
) -> LinkTable:
    """Dense plain-NumPy reference of :func:`build_link_table` (small networks only).

    Forms the full (n_ue, n_sites, n_copies) geometry and the (n_ue, n_cells) gain
    matrix from the vectorised public functions (:func:`pathloss_38901`,
    :func:`los_probability_38901`, :func:`antenna_gain_db`, :func:`sample_shadowing`)
    with the same random draws as the kernel for the same ``rng`` state.
    """
    opts = link_table_options(options)
    inp = prepare_inputs(deployment, scenario, fc_ghz, k, rng, opts)
    dep = deployment
    n_ue, n_s = dep.n_ue, dep.n_sites
    rel = (
        dep.ue_xy_m[:, None, None, :]
        - dep.site_xy_m[None, :, None, :]
        - dep.wrap_shifts_m[None, None]
    )
    d2 = np.einsum("usic,usic->usi", rel, rel)
    img = np.argmin(d2, axis=2)
    rel = np.take_along_axis(rel, img[:, :, None, None], axis=2)[:, :, 0, :]
    d2d = np.sqrt(np.take_along_axis(d2, img[:, :, None], axis=2)[:, :, 0])
    h_bs = np.broadcast_to(dep.site_height_m[None, :], d2d.shape)
    h_ut = np.broadcast_to(dep.ue_height_m[:, None], d2d.shape)
    dz = h_bs - h_ut
    d3d = np.sqrt(d2d**2 + dz**2)
    ue_idx = np.arange(n_ue)[:, None]
    site_idx = np.arange(n_s)[None, :]
    prop = inp.prop
    if prop.power_law:
        los = np.zeros(d2d.shape, bool)
        pl = pathloss_power_law(
            np.maximum(d3d, 0.01), prop.pl_exponent, prop.pl_ref_db, prop.pl_d0_m
        )
        after = np.zeros(d2d.shape, bool)
    else:
        d_out = np.maximum(d2d - inp.d_in[:, None], 0.0)
        p = los_probability_38901(scenario, d_out, h_ut, inh_office=opts["inh_office"])
        los = link_uniform_np(inp.seed, ue_idx, site_idx) < p
        h_e = None
        if prop.h_e_random:
            u_he = link_uniform_np(np.uint64(prop.h_e_seed), ue_idx, site_idx)
            h_e = uma_effective_height_from_uniform_m(np.maximum(d2d, prop.d_min_m), h_ut, u_he)
        pl = pathloss_38901(
            scenario, d2d, d3d, prop.fc_ghz, h_bs, h_ut, los, on_range="ignore",
            street_width_m=opts["street_width_m"], building_height_m=opts["building_height_m"],
            h_e_m=h_e,
        )  # fmt: skip
        # sigma_SF after the breakpoint differs from before only for RMa's LOS
        # (Table 7.4.1-1); the kernel flags every scenario's second slope
        dbp = 2.0 * math.pi * h_bs * h_ut * prop.fc_ghz * 1e9 / C_TR_M_PER_S
        rma = inp.formulas.pathloss_form == PL_RMA
        after = rma & (np.maximum(d2d, prop.d_min_m) > dbp)
    site_gain = -pl - inp.o2i_db[:, None]
    if inp.maps is not None:
        sig = np.where(los, np.where(after, inp.sigma[1], inp.sigma[0]), inp.sigma[2])
        ux = np.broadcast_to(dep.ue_xy_m[:, 0:1], d2d.shape)
        uy = np.broadcast_to(dep.ue_xy_m[:, 1:2], d2d.shape)
        sites = np.broadcast_to(site_idx, d2d.shape)
        z = np.zeros(d2d.shape)
        state = np.where(inp.o2i_state[:, None], 2, np.where(los, 0, 1))
        for st in range(3):
            sel = state == st
            if sel.any():
                z[sel] = sample_shadowing(inp.maps, st, sites[sel], ux[sel], uy[sel])
        site_gain = site_gain - sig * z
    cs = dep.cell_site
    gain = site_gain[:, cs]
    az = dep.cell_azimuth_deg
    sect = ~np.isnan(az)
    if sect.any():
        phi = np.degrees(np.arctan2(rel[..., 1], rel[..., 0]))[:, cs[sect]] - az[sect][None, :]
        theta = zenith_angle_deg(d2d, h_bs, h_ut)[:, cs[sect]]
        if isinstance(inp.antenna, PanelArray):
            gain[:, sect] += inp.antenna.gain_dbi(phi, theta)
        else:
            gain[:, sect] += antenna_gain_db(phi, theta, inp.antenna)
    order = np.argsort(-gain, axis=1, kind="stable")
    top = order[:, : inp.k]
    lin = 10.0 ** (gain / 10.0)
    rest = np.ones_like(lin, bool)
    rest[ue_idx, top] = False
    return LinkTable(
        cell=top.astype(np.int32),
        gain_db=np.take_along_axis(gain, top, axis=1).astype(np.float32),
        los=np.take_along_axis(los[:, cs], top, axis=1),
        d3d_m=np.take_along_axis(d3d[:, cs], top, axis=1).astype(np.float32),
        background_gain=np.where(rest, lin, 0.0).sum(axis=1),
    )
