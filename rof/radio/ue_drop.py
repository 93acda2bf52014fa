"""UT drops of a deployment: uniform or hotspot positions, indoor share and heights.

UTs are dropped uniformly over the region (the union of the sites' hexagons for
``hex``, the square for ``ppp``, the padded bounding box for ``file``) or in
hotspot clusters (a Thomas process: ``hotspot_fraction`` of the UTs scattered with a
Gaussian of std ``hotspot_sigma_m`` around uniformly placed centres, after TR 36.814
Annex A.2.1.1.2 configuration 4b, where 2/3 of the UTs are clustered). A fraction of
UTs is indoors; indoor UT heights follow TR 38.901 Table 7.2-1 notes:
``h_UT = 3 (n_fl - 1) + 1.5`` with ``n_fl ~ U{1..N_fl}``, ``N_fl ~ U{4..8}``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

from rof._validate import check_range
from rof.radio.layouts import _E, SiteLayout

__all__ = ["drop_positions", "indoor_heights_m"]


def indoor_heights_m(n: int, rng: np.random.Generator, ground_m: float = 1.5) -> np.ndarray:
    """Indoor UT heights of TR 38.901 Table 7.2-1 notes: 3 (n_fl - 1) + 1.5 m.

    ``N_fl ~ U{4, ..., 8}`` floors per building and ``n_fl ~ U{1, ..., N_fl}``.
    """
    n_floors = rng.integers(4, 9, n)
    n_fl = np.floor(rng.random(n) * n_floors).astype(int) + 1
    return 3.0 * (n_fl - 1) + ground_m


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


def drop_positions(
    n_ue: int,
    lay: SiteLayout,
    layout: str,
    rng: np.random.Generator,
    *,
    distribution: str = "uniform",
    hotspot_fraction: float = 2.0 / 3.0,
    hotspot_sigma_m: float | None = None,
) -> np.ndarray:
    """Positions of ``n_ue`` UTs over the layout's region, (n_ue, 2) m.

    ``layout`` "hex" drops over the union of the sites' hexagons, "ppp" and "file"
    over ``lay.bounds``. Hotspot UTs outside the region are folded back through the
    wrap-around copies (or redrawn, up to 100 times).
    """
    sites, shifts, bounds, isd = lay.sites, lay.shifts, lay.bounds, lay.isd
    n_s = len(sites)
    hex_region = layout == "hex"
    xy = _uniform_hex(n_ue, sites, isd, rng) if hex_region else _uniform_box(n_ue, bounds, rng)
    if distribution != "hotspot" or not n_ue:
        return xy
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
            if hex_region
            else np.all((xy >= bounds[:2]) & (xy <= bounds[2:]), axis=1)
        )
        clustered &= ~inside
        if not clustered.any():
            break
    return xy


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
