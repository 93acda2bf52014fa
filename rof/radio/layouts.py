"""Site layouts of a deployment: hexagonal grid (with 3GPP wrap-around), PPP, CSV file.

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

Each ``*_layout`` function returns a :class:`SiteLayout`: the sites, their copies
for wrap-around distances and the region that holds the UTs.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import NamedTuple

import numpy as np

from rof._validate import check_int_range, check_range
from rof.errors import DataError, ParameterError

__all__ = [
    "SECTOR_AZIMUTHS_DEG",
    "SiteLayout",
    "file_layout",
    "hex_layout",
    "hex_sites",
    "hex_wrap_shifts",
    "ppp_layout",
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


class SiteLayout(NamedTuple):
    """Sites of one layout.

    Attributes
    ----------
    sites : ndarray, (n_sites, 2)
        Positions, m.
    heights : ndarray (n_sites,) or None
        Heights from a file's ``height_m`` column, m (None: the scenario's height).
    shifts : ndarray, (n_img, 2)
        Wrap-around copies of the network, m (the zero shift first; one row without).
    bounds : tuple of 4 floats
        (x_min, y_min, x_max, y_max) of the region that holds the UTs, m.
    isd : float
        Hex inter-site distance, m (NaN for other layouts).
    """

    sites: np.ndarray
    heights: np.ndarray | None
    shifts: np.ndarray
    bounds: tuple
    isd: float


def hex_layout(n_sites: int, inter_site_distance_m: float, wraparound: bool) -> SiteLayout:
    """Hex grid of ``n_sites``; the region is the sites' bounding box padded by one
    hexagon circumradius."""
    isd = check_range("inter_site_distance_m", inter_site_distance_m, 0.0, lo_open=True)
    sites = hex_sites(n_sites, isd)
    shifts = hex_wrap_shifts(n_sites, isd) if wraparound else np.zeros((1, 2))
    ext = np.abs(sites).max(axis=0) + isd / math.sqrt(3)
    return SiteLayout(sites, None, shifts, (-ext[0], -ext[1], ext[0], ext[1]), isd)


def ppp_layout(
    n_sites: int,
    density_per_km2: float | None,
    area_km2: float | None,
    wraparound: bool,
    rng: np.random.Generator,
) -> SiteLayout:
    """PPP in a square; either of density and area may be derived from ``n_sites``."""
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
    g = np.array([-1, 0, 1]) * 2 * half
    shifts = np.array([[a, b] for a in g for b in g]) if wraparound else np.zeros((1, 2))
    shifts = shifts[np.argsort(np.hypot(*shifts.T), kind="stable")]
    return SiteLayout(sites, None, shifts, (-half, -half, half, half), float("nan"))


def file_layout(sites_file) -> SiteLayout:
    """Sites of a CSV file; the region is their bounding box padded by half the mean
    site spacing. No wrap-around."""
    if sites_file is None:
        raise ParameterError("layout = 'file' needs sites_file; allowed: a CSV path")
    sites, heights = sites_from_csv(sites_file)
    spacing = math.sqrt(np.prod(np.ptp(sites, axis=0) + 1.0) / len(sites))
    lo, hi = sites.min(axis=0) - spacing / 2, sites.max(axis=0) + spacing / 2
    return SiteLayout(sites, heights, np.zeros((1, 2)), (lo[0], lo[1], hi[0], hi[1]), float("nan"))
