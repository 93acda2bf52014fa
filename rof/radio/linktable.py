"""Link table: each UT's K strongest cells by large-scale gain plus a background sum.

For UT u and cell c (at site s) the large-scale gain is

.. math:: G_{u,c} = G_{ant}(c; \\phi, \\theta) - PL(s, u) - \\sigma_{SF} X_s(u) - L_{O2I}(u)

(dB; antenna pattern TR 38.901 Table 7.3-1, path loss Table 7.4.1-1, shadowing
Tables 7.4.1-1/7.5-6, O2I Tables 7.4.3-1/-2). Distances use the nearest wrap-around
copy of each site. The table keeps the K cells of largest G per UT (sorted) and
``background_gain = sum of 10^(G/10) over every other cell``, so an interference sum
at full power needs no n_ue x n_cells matrix.

LOS state
---------
Each (UT, site) link's LOS state is drawn independently: ``LOS = U < P_LOS(d_2D-out)``
with ``U`` a counter-based uniform (:func:`~rof.radio.kernels_linktable.link_uniform`)
of the link's indices and a seed drawn from ``rng``. Every link, kept or not, thus
has a realised state, reproducible from the rng alone, and the background uses the
realised (not the probability-weighted) gain. Co-sited sectors share the state,
path loss and shadowing of their site (TR 38.901 section 7.5 step 4).

Indoor UTs of UMa/UMi/RMa use PL_b on the full 3-D distance (outdoor plus indoor
part), the LOS probability of d_2D-out = d_2D - d_2D-in, the O2I decorrelation
distance for their shadowing and add their O2I loss to every link. InH and the
power law apply no O2I loss. The power-law model has no LOS state (all NLOS) and
uses ``shadowing_std_db`` / ``shadowing_decorrelation_m``.

:func:`build_link_table` runs the streaming numba kernel
(:mod:`rof.radio.kernels_linktable`); :func:`link_table_reference` is its dense
plain-NumPy reference for small networks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rof._validate import check_choice, check_int_range, check_range
from rof.errors import ParameterError
from rof.radio.antenna import AntennaPattern, antenna_gain_db, zenith_angle_deg
from rof.radio.deployment import Deployment
from rof.radio.kernels_linktable import SCENARIO_CODES, link_table_kernel, link_uniform_np
from rof.radio.los import INH_VARIANTS, los_probability_38901
from rof.radio.o2i import draw_o2i_loss
from rof.radio.pathloss import SCENARIOS, pathloss_38901, pathloss_power_law, scenario_limits
from rof.radio.shadowing import (
    make_shadowing_maps,
    sample_shadowing,
    sf_decorrelation_m,
    shadow_fading_std_db,
)

__all__ = ["LinkTable", "build_link_table", "link_table_reference"]

_MODELS = (*SCENARIOS, "power_law")


@dataclass(frozen=True)
class LinkTable:
    """The K strongest cells of every UT and the rest as a background sum.

    Attributes
    ----------
    cell : ndarray of int32, (n_ue, K)
        Cell indices, by descending large-scale gain.
    gain_db : ndarray of float32, (n_ue, K)
        Large-scale gain (antenna gain - path loss - shadowing - O2I loss), dB.
    los : ndarray of bool, (n_ue, K)
        LOS state of each kept link.
    d3d_m : ndarray of float32, (n_ue, K)
        3-D distance to the (nearest copy of the) cell's site, m.
    background_gain : ndarray of float64, (n_ue,)
        Sum of the linear large-scale gains of all cells not kept.
    """

    cell: np.ndarray
    gain_db: np.ndarray
    los: np.ndarray
    d3d_m: np.ndarray
    background_gain: np.ndarray

    def __post_init__(self):
        shape = np.shape(self.cell)
        for name in ("gain_db", "los", "d3d_m"):
            if np.shape(getattr(self, name)) != shape:
                raise ParameterError(f"LinkTable.{name} shape differs from cell's {shape}")
        if np.shape(self.background_gain) != shape[:1]:
            raise ParameterError("LinkTable.background_gain must have shape (n_ue,)")

    @property
    def n_ue(self) -> int:
        return int(self.cell.shape[0])

    @property
    def k(self) -> int:
        return int(self.cell.shape[1])


@dataclass(frozen=True)
class _Inputs:
    """Validated model inputs and random draws shared by the kernel and the reference."""

    code: int
    scenario: str
    fc: float
    d_min: float
    sigma: np.ndarray
    o2i_db: np.ndarray
    d_in: np.ndarray
    o2i_state: np.ndarray
    maps: object
    seed: np.uint64
    k: int
    ant: np.ndarray
    power_law: tuple


def _prepare(
    dep, scenario, fc_ghz, k, rng, shadowing, antenna, high_loss_fraction, inh_office,
    pathloss_exponent, reference_loss_db, reference_distance_m, shadowing_std_db,
    shadowing_decorrelation_m, shadowing_maps, street_width_m, building_height_m,
):  # fmt: skip
    if not isinstance(dep, Deployment):
        raise TypeError("deployment must be a rof.radio.deployment.Deployment")
    check_choice("scenario", scenario, _MODELS)
    check_choice("inh_office", inh_office, INH_VARIANTS)
    k = check_int_range("k", k, 1, dep.n_cells)
    fc = check_range("fc_ghz", fc_ghz, 0.5, 100.0)
    ant = antenna if antenna is not None else AntennaPattern()
    if not isinstance(ant, AntennaPattern):
        raise TypeError("antenna must be an AntennaPattern")
    check_range("street_width_m", street_width_m, 5.0, 50.0)
    check_range("building_height_m", building_height_m, 5.0, 50.0)
    n = dep.n_ue
    if scenario == "power_law":
        pl = (
            check_range("pathloss_exponent", pathloss_exponent, 0.0, lo_open=True),
            check_range("reference_loss_db", reference_loss_db),
            check_range("reference_distance_m", reference_distance_m, 0.0, lo_open=True),
        )
        std = 8.0 if shadowing_std_db is None else shadowing_std_db
        std = check_range("shadowing_std_db", std, 0.0)
        sigma = np.array([std, std, std])
        dcorr = [
            np.nan,
            check_range("shadowing_decorrelation_m", shadowing_decorrelation_m, 0.0, lo_open=True),
            np.nan,
        ]
        d_min = 0.0
        o2i_db = np.zeros(n)
        d_in = np.zeros(n)
        o2i_state = np.zeros(n, bool)
    else:
        pl = (1.0, 0.0, 1.0)
        lim = scenario_limits(scenario, True)
        check_range("fc_ghz", fc, lim["fc_min_ghz"], lim["fc_max_ghz"])
        check_range(
            f"site_height_m ({scenario})", dep.site_height_m, lim["h_bs_min_m"], lim["h_bs_max_m"]
        )
        check_range(
            f"ue_height_m ({scenario})", dep.ue_height_m, lim["h_ut_min_m"], lim["h_ut_max_m"]
        )
        sigma = np.array(
            [
                shadow_fading_std_db(scenario, True),
                shadow_fading_std_db(scenario, True, after_breakpoint=True),
                shadow_fading_std_db(scenario, False),
            ]
        )
        states = ("LOS", "NLOS") if scenario == "InH" else ("LOS", "NLOS", "O2I")
        dcorr = [sf_decorrelation_m(scenario, s) for s in states] + [np.nan] * (3 - len(states))
        d_min = float(lim["d_min_m"])
        o2i = draw_o2i_loss(scenario, dep.ue_indoor, fc, rng, high_loss_fraction=high_loss_fraction)
        o2i_db, d_in = o2i.loss_db, o2i.d2d_in_m
        o2i_state = dep.ue_indoor & (scenario != "InH")
    if shadowing:
        b = dep.region_bounds_m
        pts = np.vstack([dep.ue_xy_m, dep.site_xy_m])
        extent = max(b[2] - b[0], b[3] - b[1], *(np.ptp(pts, axis=0) if len(pts) else (1.0,)), 1.0)
        maps = make_shadowing_maps(dcorr, dep.n_sites, extent, rng, mode=shadowing_maps)
    else:
        maps = None
    seed = np.uint64(rng.integers(0, 2**63))
    antv = np.array(
        [
            ant.phi_3db_deg,
            ant.theta_3db_deg,
            ant.a_max_db,
            ant.sla_v_db,
            ant.g_max_dbi,
            ant.downtilt_deg,
        ]
    )
    return _Inputs(SCENARIO_CODES[scenario], scenario, fc, d_min, sigma, o2i_db, d_in, o2i_state,
                   maps, seed, k, antv, pl)  # fmt: skip


_DEFAULTS = dict(
    shadowing=True,
    antenna=None,
    high_loss_fraction=0.5,
    inh_office="mixed",
    pathloss_exponent=3.76,
    reference_loss_db=128.1,
    reference_distance_m=1000.0,
    shadowing_std_db=None,
    shadowing_decorrelation_m=50.0,
    shadowing_maps="auto",
    street_width_m=20.0,
    building_height_m=5.0,
)


def build_link_table(
    deployment: Deployment,
    *,
    scenario: str,
    fc_ghz: float,
    k: int,
    rng: np.random.Generator,
    **options,
) -> LinkTable:
    """Build the link table of a deployment with the streaming numba kernel.

    Parameters
    ----------
    deployment : Deployment
    scenario : {"UMa", "UMi", "InH", "RMa", "power_law"}
    fc_ghz : float
        Carrier frequency, GHz (0.5..100; RMa 0.5..30).
    k : int
        Cells kept per UT, 1..n_cells.
    rng : numpy.random.Generator
        Draws, in order: O2I losses (per UT), shadowing maps, the LOS seed.
    **options
        ``shadowing`` (True), ``antenna`` (:class:`AntennaPattern`, TR defaults with
        12 deg tilt; ignored for omni cells, which have 0 dBi), ``high_loss_fraction``
        (0.5), ``inh_office`` ("mixed"|"open"), power law ``pathloss_exponent``
        (3.76), ``reference_loss_db`` (128.1) at ``reference_distance_m`` (1000:
        TR 36.942's 128.1 + 37.6 log10(R/km)), ``shadowing_std_db`` (8 dB) and
        ``shadowing_decorrelation_m`` (50 m) for the power law, ``shadowing_maps``
        ("auto"|"independent"|"shared", see :mod:`rof.radio.shadowing`), RMa
        ``street_width_m`` (20) and ``building_height_m`` (5).

    Returns
    -------
    LinkTable

    Notes
    -----
    Memory is O(n_ue K + shadowing maps); no n_ue x n_cells array is formed. Path
    loss beyond the TR's maximum distance is extrapolated silently (such cells only
    feed the background); distances below the minimum are clamped to it.
    """
    inp = _prepare(deployment, scenario, fc_ghz, k, rng, **_options(options))
    dep = deployment
    n, kk = dep.n_ue, inp.k
    out_cell = np.empty((n, kk), np.int32)
    out_gain = np.empty((n, kk), np.float32)
    out_los = np.empty((n, kk), np.bool_)
    out_d3d = np.empty((n, kk), np.float32)
    out_bg = np.empty(n, np.float64)
    maps = inp.maps
    empty = np.zeros((0, 1, 1), np.int16)
    opts = _options(options)
    shifts = np.ascontiguousarray(dep.wrap_shifts_m, float)
    if np.any(shifts[0] != 0.0):
        raise ParameterError("Deployment.wrap_shifts_m[0] must be the zero shift (0, 0)")
    r_safe2 = (np.hypot(*shifts[1:].T).min() / 2) ** 2 if len(shifts) > 1 else np.inf
    torus_side = _square_torus_side(shifts)
    if torus_side > 0.0:
        r_safe2 = np.inf
    link_table_kernel(
        _spatial_order(dep.ue_xy_m),
        np.ascontiguousarray(dep.ue_xy_m, float), np.ascontiguousarray(dep.ue_height_m, float),
        inp.o2i_db, inp.d_in, inp.o2i_state,
        np.ascontiguousarray(dep.site_xy_m, float), np.ascontiguousarray(dep.site_height_m, float),
        dep.site_cell_ptr, np.ascontiguousarray(dep.cell_azimuth_deg, float),
        shifts,
        r_safe2,
        torus_side,
        inp.code, inp.fc, inp.d_min,
        float(opts["building_height_m"]), float(opts["street_width_m"]),
        opts["inh_office"] == "open", inp.power_law[1], inp.power_law[0], inp.power_law[2],
        inp.sigma, maps is not None,
        *(maps.fields if maps is not None else (empty, empty, empty)),
        maps.spacing_m if maps is not None else np.ones(3),
        maps.map_index if maps is not None else np.zeros(dep.n_sites, np.int64),
        maps.offset_cells if maps is not None else np.zeros((dep.n_sites, 2)),
        inp.ant, inp.seed, kk,
        out_cell, out_gain, out_los, out_d3d, out_bg,
    )  # fmt: skip
    return LinkTable(out_cell, out_gain, out_los, out_d3d, out_bg)


def _square_torus_side(shifts: np.ndarray) -> float:
    """Side L if the shifts are exactly the 9 copies {-L, 0, L}^2 of a square torus."""
    if len(shifts) != 9:
        return 0.0
    side = float(np.abs(shifts).max())
    want = {(a, b) for a in (-side, 0.0, side) for b in (-side, 0.0, side)}
    have = {(float(a), float(b)) for a, b in shifts}
    return side if side > 0 and have == want else 0.0


def _spatial_order(xy: np.ndarray, cell_m: float = 32.0) -> np.ndarray:
    """UT visiting order along a Morton (Z-order) curve of ``cell_m`` cells."""
    if len(xy) == 0:
        return np.zeros(0, np.int64)
    q = np.floor((xy - xy.min(axis=0)) / cell_m).astype(np.uint64) & np.uint64(0xFFFF)
    key = np.zeros(len(xy), np.uint64)
    for b in range(16):
        bit = np.uint64(b)
        key |= ((q[:, 0] >> bit) & np.uint64(1)) << np.uint64(2 * b)
        key |= ((q[:, 1] >> bit) & np.uint64(1)) << np.uint64(2 * b + 1)
    return np.argsort(key, kind="stable").astype(np.int64)


def _options(options: dict) -> dict:
    unknown = sorted(set(options) - set(_DEFAULTS))
    if unknown:
        raise TypeError(f"unknown link-table option(s) {unknown}; allowed: {sorted(_DEFAULTS)}")
    return {**_DEFAULTS, **options}


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
    opts = _options(options)
    inp = _prepare(deployment, scenario, fc_ghz, k, rng, **opts)
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
    if scenario == "power_law":
        los = np.zeros(d2d.shape, bool)
        pl = pathloss_power_law(
            np.maximum(d3d, 0.01), inp.power_law[0], inp.power_law[1], inp.power_law[2]
        )
        after = np.zeros(d2d.shape, bool)
    else:
        d_out = np.maximum(d2d - inp.d_in[:, None], 0.0)
        p = los_probability_38901(scenario, d_out, h_ut, inh_office=opts["inh_office"])
        los = link_uniform_np(inp.seed, ue_idx, site_idx) < p
        pl = pathloss_38901(
            scenario, d2d, d3d, inp.fc, h_bs, h_ut, los, on_range="ignore",
            street_width_m=opts["street_width_m"], building_height_m=opts["building_height_m"],
        )  # fmt: skip
        dbp = 2.0 * math.pi * h_bs * h_ut * inp.fc * 1e9 / 3.0e8
        after = (scenario == "RMa") & (np.maximum(d2d, inp.d_min) > dbp)
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
        pattern = AntennaPattern(*inp.ant)
        gain[:, sect] += antenna_gain_db(phi, theta, pattern)
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
