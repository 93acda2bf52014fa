"""Network deployments: site layouts (hex, PPP, file), sectors, UT drops.

Layouts
-------
* ``hex``: centre site plus complete rings of a hexagonal grid (ring r holds 6r
  sites, so n_sites is 1, 7, 19, 37, 61, ...), neighbours at 0, 60, ..., 300 deg, as
  in TR 38.901 section 7.8 / TR 36.814 Figure A.2.1.1-1. With 3 sectors the
  boresights are 30, 150 and 270 deg. 3GPP wrap-around (TR 36.814 A.2.1.1; R1-
  simulations' "wrap-around" model) replicates the whole cluster at the 6 lattice
  shifts ``ISD ((r+1) e0 + r e60)`` rotated by multiples of 60 deg, and every
  distance is measured to the nearest of the 7 copies of a site.
* ``ppp``: homogeneous Poisson point process in a square of ``area_km2`` centred on
  the origin: ``N ~ Poisson(density * area)``, positions i.i.d. uniform (Haenggi,
  *Stochastic Geometry for Wireless Networks*, 2012, section 2.4). Wrap-around makes
  the square a torus (9 copies).
* ``file``: sites from a CSV file with columns ``x_m,y_m[,height_m]``.

UTs are dropped uniformly over the region (the union of the sites' hexagons for
``hex``, the square for ``ppp``, the padded bounding box for ``file``) or in
hotspot clusters (a Thomas process: ``hotspot_fraction`` of the UTs scattered with a
Gaussian of std ``hotspot_sigma_m`` around uniformly placed centres, after TR 36.814
Annex A.2.1.1.2 configuration 4b, where 2/3 of the UTs are clustered). A fraction of UTs is
indoors; indoor UT heights follow TR 38.901 Table 7.4.3 / 7.2-1 notes:
``h_UT = 3 (n_fl - 1) + 1.5`` with ``n_fl ~ U{1..N_fl}``, ``N_fl ~ U{4..8}``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from rof._validate import check_choice, check_int_range, check_range
from rof.errors import DataError, ParameterError

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

#: Boresight azimuths of the 3 sectors of a site, deg (TR 36.814 / TR 38.901 7.8).
SECTOR_AZIMUTHS_DEG: tuple[float, ...] = (30.0, 150.0, 270.0)
_E = np.array([[math.cos(math.radians(60 * k)), math.sin(math.radians(60 * k))] for k in range(6)])


def _rings_of(n_sites: int) -> int:
    r = round((-3 + math.sqrt(9 + 12 * (n_sites - 1))) / 6) if n_sites >= 1 else -1
    if r < 0 or 3 * r * (r + 1) + 1 != n_sites:
        valid = ", ".join(str(3 * k * (k + 1) + 1) for k in range(7))
        raise ParameterError(
            f"n_sites = {n_sites} is not a complete hexagonal layout; allowed: {valid}, ..."
        )
    return r


def hex_sites(n_sites: int, inter_site_distance_m: float) -> np.ndarray:
    """Site positions of a hexagonal grid: centre then rings, (n_sites, 2) m.

    Ring r starts at ``r ISD e0`` and walks counter-clockwise; neighbours of the
    centre lie at 0, 60, ..., 300 deg (TR 36.814 Figure A.2.1.1-1 geometry).
    """
    n_sites = check_int_range("n_sites", n_sites, 1)
    isd = check_range("inter_site_distance_m", inter_site_distance_m, 0.0, lo_open=True)
    rings = _rings_of(n_sites)
    pts = [np.zeros(2)]
    for r in range(1, rings + 1):
        for k in range(6):
            for j in range(r):
                pts.append(r * _E[k] + j * _E[(k + 2) % 6])
    return np.array(pts) * isd


def hex_wrap_shifts(n_sites: int, inter_site_distance_m: float) -> np.ndarray:
    """The 7 wrap-around shifts (zero first) of a complete hex cluster, (7, 2) m.

    A cluster of r rings (N = 3r(r+1)+1 sites) tiles the plane by the lattice
    spanned by ``ISD ((r+1) e0 + r e60)`` and its 60-deg rotations, |shift| =
    sqrt(N) ISD.
    """
    r = _rings_of(check_int_range("n_sites", n_sites, 1))
    v = ((r + 1) * _E[0] + r * _E[1]) * float(inter_site_distance_m)
    rot = [
        np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        for a in np.radians(np.arange(0, 360, 60))
    ]
    return np.vstack([np.zeros(2)] + [m @ v for m in rot])


def ppp_sites(density_per_km2: float, area_km2: float, rng: np.random.Generator) -> np.ndarray:
    """Homogeneous PPP in the square of ``area_km2`` centred on the origin, (n, 2) m.

    ``n ~ Poisson(density_per_km2 * area_km2)``, positions uniform (Haenggi 2012, 2.4).
    """
    lam = check_range("density_per_km2", density_per_km2, 0.0, lo_open=True)
    area = check_range("area_km2", area_km2, 0.0, lo_open=True)
    side = math.sqrt(area) * 1e3
    n = rng.poisson(lam * area)
    return (rng.random((n, 2)) - 0.5) * side


def sites_from_csv(path) -> tuple[np.ndarray, np.ndarray | None]:
    """Read sites from a CSV file with columns ``x_m,y_m[,height_m]`` (header optional).

    Returns ``(xy (n, 2) m, height_m (n,) or None)``; a bad line raises
    :class:`~rof.errors.DataError` naming the file and line number.
    """
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as exc:
        raise DataError(f"sites_file = {str(p)!r} cannot be read: {exc.strerror}") from None
    rows = [
        (i, r)
        for i, r in enumerate(csv.reader(text.splitlines()), 1)
        if r and any(c.strip() for c in r)
    ]
    if rows and not _is_number(rows[0][1][0]):
        header = [c.strip() for c in rows[0][1]]
        if header[:2] != ["x_m", "y_m"] or header[2:] not in ([], ["height_m"]):
            raise DataError(f"{p}:{rows[0][0]}: header {header} must be x_m,y_m[,height_m]")
        rows = rows[1:]
    ncol = len(rows[0][1]) if rows else 0
    if not rows:
        raise DataError(f"{p}: no site rows")
    out = []
    for line, r in rows:
        if len(r) != ncol or ncol not in (2, 3) or not all(_is_number(c) for c in r):
            raise DataError(
                f"{p}:{line}: expected {max(ncol, 2)} numbers x_m,y_m[,height_m], got {r}"
            )
        out.append([float(c) for c in r])
    arr = np.array(out)
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{p}: non-finite coordinate")
    if ncol == 3 and np.any(arr[:, 2] <= 0):
        line = rows[int(np.argmax(arr[:, 2] <= 0))][0]
        raise DataError(f"{p}:{line}: height_m must be > 0")
    return arr[:, :2], (arr[:, 2] if ncol == 3 else None)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def indoor_heights_m(n: int, rng: np.random.Generator, ground_m: float = 1.5) -> np.ndarray:
    """Indoor UT heights of TR 38.901 Table 7.2-1 notes: 3 (n_fl - 1) + 1.5 m.

    ``N_fl ~ U{4, ..., 8}`` floors per building and ``n_fl ~ U{1, ..., N_fl}``.
    """
    n_floors = rng.integers(4, 9, n)
    n_fl = np.floor(rng.random(n) * n_floors).astype(int) + 1
    return 3.0 * (n_fl - 1) + ground_m


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


def _in_hex_union(xy, sites, isd):
    _, idx = cKDTree(sites).query(xy)
    rel = xy - sites[idx]
    return np.all(np.abs(rel @ _E[:3].T) <= isd / 2 + 1e-9, axis=1)


def _uniform_hex(n, sites, isd, rng):
    out = np.empty((0, 2))
    while len(out) < n:
        m = int(1.4 * (n - len(out))) + 8
        p = (rng.random((m, 2)) - 0.5) * np.array([isd, 2 * isd / math.sqrt(3)])
        p = p[np.all(np.abs(p @ _E[:3].T) <= isd / 2, axis=1)]
        out = np.vstack([out, p + sites[rng.integers(0, len(sites), len(p))]])
    return out[:n]


def _uniform_box(n, bounds, rng):
    lo, hi = np.array(bounds[:2]), np.array(bounds[2:])
    return lo + rng.random((n, 2)) * (hi - lo)


def make_deployment(
    layout: str = "hex",
    *,
    rng: np.random.Generator,
    n_sites: int = 19,
    density_per_km2: float | None = None,
    area_km2: float | None = None,
    inter_site_distance_m: float = 200.0,
    sectors: int = 3,
    wraparound: bool = True,
    ue_per_site: int = 10,
    ue_height_m: float = 1.5,
    indoor_fraction: float = 0.8,
    sites_file=None,
    ue_distribution: str = "uniform",
    site_height_m: float = 10.0,
    scenario: str | None = None,
    hotspot_fraction: float = 2.0 / 3.0,
    hotspot_sigma_m: float | None = None,
) -> Deployment:
    """Build a :class:`Deployment` from the scenario's ``[deployment]`` keys.

    Parameters
    ----------
    layout : {"hex", "ppp", "file"}
    rng : numpy.random.Generator
    n_sites : int
        hex: 1, 7, 19, 37, ...; ppp: expected count when only one of
        ``density_per_km2``/``area_km2`` is given.
    density_per_km2, area_km2 : float, optional
        PPP intensity and square area (either may be derived from ``n_sites``).
    inter_site_distance_m : float
        Hex ISD, m.
    sectors : {1, 3}
    wraparound : bool
        Wrap-around (hex: 7 copies; ppp: torus, 9 copies; ignored for files).
    ue_per_site : int
        UTs dropped per site (total ``ue_per_site * n_sites``).
    ue_height_m : float
        Height of outdoor UTs (and of indoor ones for RMa and InH), m.
    indoor_fraction : float
        Share of indoor UTs, [0, 1].
    sites_file : path, optional
        CSV for ``layout="file"``.
    ue_distribution : {"uniform", "hotspot"}
    site_height_m : float
        Site antenna height, m (a file's height_m column takes precedence).
    scenario : str, optional
        Propagation scenario; for "RMa" and "InH" indoor UTs stay at
        ``ue_height_m`` (single-storey buildings), otherwise they get TR floor heights.
    hotspot_fraction, hotspot_sigma_m : float
        Share of clustered UTs and their Gaussian scatter, m (default: 0.1 x the
        mean site spacing); one hotspot centre per site on average.
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
    isd = float("nan")
    heights = None
    if layout == "hex":
        isd = check_range("inter_site_distance_m", inter_site_distance_m, 0.0, lo_open=True)
        sites = hex_sites(n_sites, isd)
        shifts = hex_wrap_shifts(n_sites, isd) if wraparound else np.zeros((1, 2))
        ext = np.abs(sites).max(axis=0) + isd / math.sqrt(3)
        bounds = (-ext[0], -ext[1], ext[0], ext[1])
    elif layout == "ppp":
        if density_per_km2 is None and area_km2 is None:
            raise ParameterError("layout = 'ppp' needs density_per_km2 or area_km2; allowed: > 0")
        if density_per_km2 is None:
            density_per_km2 = n_sites / check_range("area_km2", area_km2, 0.0, lo_open=True)
        if area_km2 is None:
            area_km2 = n_sites / check_range("density_per_km2", density_per_km2, 0.0, lo_open=True)
        sites = ppp_sites(density_per_km2, area_km2, rng)
        if len(sites) == 0:
            raise ParameterError(
                f"density_per_km2 * area_km2 = {density_per_km2 * area_km2:g} drew no site; "
                "allowed: a larger density or area"
            )
        half = math.sqrt(area_km2) * 500.0
        bounds = (-half, -half, half, half)
        g = np.array([-1, 0, 1]) * 2 * half
        shifts = np.array([[a, b] for a in g for b in g]) if wraparound else np.zeros((1, 2))
        shifts = shifts[np.argsort(np.hypot(*shifts.T), kind="stable")]
    else:
        if sites_file is None:
            raise ParameterError("layout = 'file' needs sites_file; allowed: a CSV path")
        sites, heights = sites_from_csv(sites_file)
        shifts = np.zeros((1, 2))
        spacing = math.sqrt(np.prod(np.ptp(sites, axis=0) + 1.0) / len(sites))
        lo, hi = sites.min(axis=0) - spacing / 2, sites.max(axis=0) + spacing / 2
        bounds = (lo[0], lo[1], hi[0], hi[1])
    n_s = len(sites)
    n_ue = ue_per_site * n_s
    xy = _uniform_hex(n_ue, sites, isd, rng) if layout == "hex" else _uniform_box(n_ue, bounds, rng)
    if ue_distribution == "hotspot" and n_ue:
        frac = check_range("hotspot_fraction", hotspot_fraction, 0.0, 1.0)
        spacing = math.sqrt((bounds[2] - bounds[0]) * (bounds[3] - bounds[1]) / n_s)
        sigma = 0.1 * spacing if hotspot_sigma_m is None else hotspot_sigma_m
        sigma = check_range("hotspot_sigma_m", sigma, 0.0, lo_open=True)
        centres = xy[rng.integers(0, n_ue, n_s)]
        clustered = rng.random(n_ue) < frac
        for _ in range(100):
            pts = centres[rng.integers(0, n_s, n_ue)] + sigma * rng.standard_normal((n_ue, 2))
            xy = np.where(clustered[:, None], pts, xy)
            if len(shifts) > 1:  # fold through the wrap-around copies
                xy = _fold(xy, sites, shifts, layout, isd, bounds)
            inside = (
                _in_hex_union(xy, sites, isd)
                if layout == "hex"
                else np.all((xy >= bounds[:2]) & (xy <= bounds[2:]), axis=1)
            )
            clustered &= ~inside
            if not clustered.any():
                break
    indoor = rng.random(n_ue) < indoor_fraction
    h_ut = np.full(n_ue, float(ue_height_m))
    if scenario not in ("RMa", "InH"):
        h_ut = np.where(indoor, indoor_heights_m(n_ue, rng), h_ut)
    site_h = np.full(n_s, float(site_height_m)) if heights is None else heights
    cell_site = np.repeat(np.arange(n_s, dtype=np.int64), sectors)
    az = np.tile(SECTOR_AZIMUTHS_DEG if sectors == 3 else (np.nan,), n_s)
    return Deployment(
        site_xy_m=sites,
        site_height_m=site_h,
        cell_site=cell_site,
        cell_azimuth_deg=np.asarray(az, float),
        ue_xy_m=xy,
        ue_height_m=h_ut,
        ue_indoor=indoor,
        ue_serving_site_hint=nearest_site(sites, shifts, xy),
        layout=layout,
        region_bounds_m=tuple(float(b) for b in bounds),
        wrap_shifts_m=shifts,
        inter_site_distance_m=isd,
    )


def _fold(xy, sites, shifts, layout, isd, bounds):
    """Map points outside the region back through the wrap-around copies."""
    if layout == "ppp":
        lo, side = np.array(bounds[:2]), bounds[2] - bounds[0]
        return lo + np.mod(xy - lo, side)
    out = xy.copy()
    for _ in range(3):
        bad = ~_in_hex_union(out, sites, isd)
        if not bad.any():
            break
        cand = out[bad][:, None, :] - shifts[None, 1:, :]
        d = np.linalg.norm(cand, axis=2)
        out[bad] = cand[np.arange(bad.sum()), np.argmin(d, axis=1)]
    return out
