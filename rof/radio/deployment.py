"""Network deployments: sites, sectors and UTs of one drop (:class:`Deployment`).

:func:`make_deployment` builds one from the scenario's ``[deployment]`` keys: the
site layout (:mod:`rof.radio.layouts`: hex with 3GPP wrap-around, PPP, CSV file),
3 sectors or omni cells per site, and the UT drop (:mod:`rof.radio.ue_drop`:
uniform or hotspot positions, the indoor share, indoor UTs on the floors of
TR 38.901 Table 7.2-1 where the scenario has them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from rof._validate import check_choice, check_int_range, check_range
from rof.errors import ParameterError
from rof.radio.layouts import (
    SECTOR_AZIMUTHS_DEG,
    file_layout,
    hex_layout,
    hex_sites,
    hex_wrap_shifts,
    ppp_layout,
    ppp_sites,
    sites_from_csv,
)
from rof.radio.tr38901 import SCENARIOS
from rof.radio.ue_drop import drop_positions, indoor_heights_m

__all__ = [
    "SECTOR_AZIMUTHS_DEG",
    "Deployment",
    "hex_sites",
    "hex_wrap_shifts",
    "indoor_heights_m",
    "make_deployment",
    "nearest_site",
    "ppp_sites",
    "sites_from_csv",
]


@dataclass(frozen=True)
class Deployment:
    """Sites, cells and UTs of one network drop.

    Attributes
    ----------
    site_xy_m : ndarray, (n_sites, 2)
    site_height_m : ndarray, (n_sites,)
    cell_site : ndarray of int64, (n_cells,)
        Site of each cell; cells of a site are contiguous and in site order.
    cell_azimuth_deg : ndarray, (n_cells,)
        Boresight azimuth, deg (NaN for an omni cell).
    ue_xy_m : ndarray, (n_ue, 2)
    ue_height_m : ndarray, (n_ue,)
    ue_indoor : ndarray of bool, (n_ue,)
    ue_serving_site_hint : ndarray of int64, (n_ue,)
        Geometrically nearest site (wrap-around included).
    layout : str
        "hex", "ppp" or "file".
    region_bounds_m : tuple of 4 floats
        (x_min, y_min, x_max, y_max) of the region that holds the UTs.
    wrap_shifts_m : ndarray, (n_img, 2)
        Copies of the network used for distances (a single zero row without wrap).
    inter_site_distance_m : float
        Hex ISD, NaN for other layouts.
    """

    site_xy_m: np.ndarray
    site_height_m: np.ndarray
    cell_site: np.ndarray
    cell_azimuth_deg: np.ndarray
    ue_xy_m: np.ndarray
    ue_height_m: np.ndarray
    ue_indoor: np.ndarray
    ue_serving_site_hint: np.ndarray
    layout: str = "hex"
    region_bounds_m: tuple = (0.0, 0.0, 0.0, 0.0)
    wrap_shifts_m: np.ndarray = field(default_factory=lambda: np.zeros((1, 2)))
    inter_site_distance_m: float = float("nan")

    def __post_init__(self):
        n_s, n_c, n_u = len(self.site_xy_m), len(self.cell_site), len(self.ue_xy_m)
        check_int_range("Deployment.n_sites", n_s, 1)
        for name, arr, shape in (
            ("site_xy_m", self.site_xy_m, (n_s, 2)),
            ("site_height_m", self.site_height_m, (n_s,)),
            ("cell_azimuth_deg", self.cell_azimuth_deg, (n_c,)),
            ("ue_xy_m", self.ue_xy_m, (n_u, 2)),
            ("ue_height_m", self.ue_height_m, (n_u,)),
            ("ue_indoor", self.ue_indoor, (n_u,)),
            ("ue_serving_site_hint", self.ue_serving_site_hint, (n_u,)),
        ):
            if np.shape(arr) != shape:
                raise ParameterError(
                    f"Deployment.{name} has shape {np.shape(arr)}; allowed: {shape}"
                )
        cs = np.asarray(self.cell_site)
        if n_c < 1 or np.any(np.diff(cs) < 0) or cs.min() < 0 or cs.max() >= n_s:
            raise ParameterError("Deployment.cell_site must be sorted site indices in [0, n_sites)")
        check_range("Deployment.site_height_m", self.site_height_m, 0.0, lo_open=True)
        check_range("Deployment.ue_height_m", self.ue_height_m, 0.0, lo_open=True)

    @property
    def n_sites(self) -> int:
        return int(self.site_xy_m.shape[0])

    @property
    def n_cells(self) -> int:
        return int(self.cell_site.shape[0])

    @property
    def n_ue(self) -> int:
        return int(self.ue_xy_m.shape[0])

    @property
    def wraparound(self) -> bool:
        return self.wrap_shifts_m.shape[0] > 1

    @property
    def site_cell_ptr(self) -> np.ndarray:
        """CSR pointer: cells of site s are ``site_cell_ptr[s]:site_cell_ptr[s+1]``."""
        return np.searchsorted(self.cell_site, np.arange(self.n_sites + 1)).astype(np.int64)

    def nearest_site(self, xy_m) -> np.ndarray:
        """Index of the nearest site (over wrap-around copies) of each point."""
        return nearest_site(self.site_xy_m, self.wrap_shifts_m, xy_m)


def nearest_site(site_xy_m, wrap_shifts_m, xy_m) -> np.ndarray:
    """Index of the site nearest to each point, over the wrap-around copies."""
    sites = np.asarray(site_xy_m, float)
    imgs = (sites[None, :, :] + np.asarray(wrap_shifts_m, float)[:, None, :]).reshape(-1, 2)
    pts = np.asarray(xy_m, float).reshape(-1, 2)
    if len(pts) == 0:
        return np.zeros(0, np.int64)
    _, idx = cKDTree(imgs).query(pts)
    return (np.asarray(idx) % len(sites)).astype(np.int64)


def make_deployment(
    layout: str = "hex",
    *,
    rng: np.random.Generator,
    wraparound: bool,
    indoor_fraction: float,
    n_sites: int = 19,
    density_per_km2: float | None = None,
    area_km2: float | None = None,
    inter_site_distance_m: float = 200.0,
    sectors: int = 3,
    ue_per_site: int = 10,
    ue_height_m: float = 1.5,
    sites_file=None,
    ue_distribution: str = "uniform",
    site_height_m: float = 10.0,
    scenario: str | None = None,
    hotspot_fraction: float = 2.0 / 3.0,
    hotspot_sigma_m: float | None = None,
    min_ue_distance_m: float = 0.0,
) -> Deployment:
    """Build a :class:`Deployment` from the scenario's ``[deployment]`` keys.

    Parameters
    ----------
    layout : {"hex", "ppp", "file"}
    rng : numpy.random.Generator
        Draws, in order: PPP sites, UT positions (and hotspots), indoor flags,
        indoor floor heights.
    wraparound : bool
        Wrap-around (hex: 7 copies; ppp: torus, 9 copies; ignored for files).
        Required: its default is the scenario schema's ``[deployment] wraparound``.
    indoor_fraction : float
        Share of indoor UTs, [0, 1]. Required: its default is the scenario schema's
        ``[deployment] indoor_fraction``.
    n_sites : int
        hex: 1, 7, 19, 37, ...; ppp: expected count when only one of
        ``density_per_km2``/``area_km2`` is given.
    density_per_km2, area_km2 : float, optional
        PPP intensity and square area (either may be derived from ``n_sites``).
    inter_site_distance_m : float
        Hex ISD, m.
    sectors : {1, 3}
    ue_per_site : int
        UTs dropped per site (total ``ue_per_site * n_sites``).
    ue_height_m : float
        Height of outdoor UTs (and of indoor ones where the scenario has no
        floors), m.
    sites_file : path, optional
        CSV for ``layout="file"``.
    ue_distribution : {"uniform", "hotspot"}
    site_height_m : float
        Site antenna height, m (a file's height_m column takes precedence).
    scenario : str, optional
        Propagation scenario. Indoor UTs get the floor heights of TR 38.901 Table
        7.2-1 unless it is a TR 38.901 scenario without them
        (:attr:`~rof.radio.tr38901.model.Tr38901Scenario.indoor_floor_heights`:
        RMa's single-storey buildings, InH), where they stay at ``ue_height_m``.
    hotspot_fraction, hotspot_sigma_m : float
        Share of clustered UTs and their Gaussian scatter, m (default: 0.1 x the
        mean site spacing); one hotspot centre per site on average.
    min_ue_distance_m : float
        Minimum 2-D distance between a UT and every site (wrap-around copies
        included), m, in [0, ISD) for hex layouts (TR 38.901 Table 7.8-1: 35 m UMa,
        10 m UMi). UTs nearer are redrawn uniformly over the region (drawn after the
        positions, only when > 0).
    """
    check_choice("layout", layout, ("hex", "ppp", "file"))
    sectors = check_int_range("sectors", sectors, 1, 3)
    if sectors == 2:
        raise ParameterError("sectors = 2 is out of range; allowed: 1 or 3")
    ue_per_site = check_int_range("ue_per_site", ue_per_site, 0)
    check_range("ue_height_m", ue_height_m, 0.0, lo_open=True)
    check_range("indoor_fraction", indoor_fraction, 0.0, 1.0)
    check_range("site_height_m", site_height_m, 0.0, lo_open=True)
    check_choice("ue_distribution", ue_distribution, ("uniform", "hotspot"))
    if layout == "hex":
        lay = hex_layout(n_sites, inter_site_distance_m, wraparound)
    elif layout == "ppp":
        lay = ppp_layout(n_sites, density_per_km2, area_km2, wraparound, rng)
    else:
        lay = file_layout(sites_file)
    sites, shifts = lay.sites, lay.shifts
    n_s = len(sites)
    n_ue = ue_per_site * n_s
    xy = drop_positions(
        n_ue,
        lay,
        layout,
        rng,
        distribution=ue_distribution,
        hotspot_fraction=hotspot_fraction,
        hotspot_sigma_m=hotspot_sigma_m,
    )
    if min_ue_distance_m:
        xy = _keep_away(xy, lay, layout, rng, min_ue_distance_m)
    indoor = rng.random(n_ue) < indoor_fraction
    h_ut = np.full(n_ue, float(ue_height_m))
    if scenario not in SCENARIOS or SCENARIOS[scenario].indoor_floor_heights:
        h_ut = np.where(indoor, indoor_heights_m(n_ue, rng), h_ut)
    site_h = np.full(n_s, float(site_height_m)) if lay.heights is None else lay.heights
    az = np.tile(SECTOR_AZIMUTHS_DEG if sectors == 3 else (np.nan,), n_s)
    return Deployment(
        site_xy_m=sites,
        site_height_m=site_h,
        cell_site=np.repeat(np.arange(n_s, dtype=np.int64), sectors),
        cell_azimuth_deg=np.asarray(az, float),
        ue_xy_m=xy,
        ue_height_m=h_ut,
        ue_indoor=indoor,
        ue_serving_site_hint=nearest_site(sites, shifts, xy),
        layout=layout,
        region_bounds_m=tuple(float(b) for b in lay.bounds),
        wrap_shifts_m=shifts,
        inter_site_distance_m=lay.isd,
    )


def _keep_away(xy, lay, layout, rng, d_min):
    """Redraw (uniformly) the UTs nearer than ``d_min`` to a site or its copies."""
    hi = lay.isd if layout == "hex" else None
    if hi is not None and math.isfinite(hi):
        if not 0.0 <= d_min < hi:
            raise ParameterError(
                f"min_ue_distance_m = {d_min:g} is out of range; allowed: [0, {hi:g}) "
                "(below the inter-site distance)"
            )
    check_range("min_ue_distance_m", d_min, 0.0)
    imgs = (lay.sites[None, :, :] + lay.shifts[:, None, :]).reshape(-1, 2)
    tree = cKDTree(imgs)
    xy = np.array(xy, float)
    for _ in range(1000):
        bad = tree.query(xy)[0] < d_min
        if not bad.any():
            return xy
        xy[bad] = drop_positions(int(bad.sum()), lay, layout, rng)
    raise ParameterError(
        f"min_ue_distance_m = {d_min:g} leaves no room for UTs; allowed: a smaller distance"
    )
