"""Two-tier networks: a macro layer plus small cells under it (HetNet densification).

Small cells are dropped uniformly over the macro region, ``per_site`` per macro site
on average, at least ``min_macro_distance_m`` from every macro site and
``min_small_distance_m`` from each other (TR 36.872 Table A.1-1 / TR 36.814 Table
A.2.1.1.2-1 scenario 2a: 75 m and 40 m), through the macro layer's wrap-around. They
are omni cells at their own height.

Each tier has its own propagation scenario (e.g. UMa macros over UMi small cells),
BS antenna and transmit power. :func:`build_two_tier_link_table` builds one link table
per tier over the same UTs (the UT's O2I loss drawn once and shared: one building
per UT) and merges them exactly: per UT the K strongest of the 2K candidates stay and
every other candidate joins the summed background. Each tier's gains carry
``gain_offset_db`` = its power above the reference power (the macro power) plus
antenna gain not in its antenna model, so the table's gains are received powers
relative to the reference; an SINR at the reference power per RB is then exact for
both tiers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.spatial import cKDTree

from rof._validate import check_int_range, check_range
from rof.errors import ParameterError
from rof.radio.deployment import Deployment, nearest_site
from rof.radio.linktable import LinkTable, build_link_table
from rof.radio.o2i import draw_o2i_loss

__all__ = ["Tier", "add_small_cells", "build_two_tier_link_table"]


@dataclass(frozen=True)
class Tier:
    """One tier's propagation and radio: scenario, antenna (link-table ``antenna``
    option, ignored for omni cells), gain offset in dB (power over the reference
    plus extra antenna gain) and link-table options."""

    scenario: str
    antenna: object = None
    gain_offset_db: float = 0.0
    options: dict | None = None


def add_small_cells(
    macro: Deployment,
    per_site: float,
    rng: np.random.Generator,
    *,
    height_m: float = 10.0,
    min_macro_distance_m: float = 75.0,
    min_small_distance_m: float = 40.0,
) -> tuple[Deployment, int]:
    """The macro deployment with ``round(per_site * n_sites)`` omni small cells added.

    Returns the combined :class:`Deployment` (macro sites first, then small ones;
    UTs unchanged) and the number of macro sites.
    """
    check_range("small_cells_per_site", per_site, 0.0, 50.0)
    check_range("small_cell_height_m", height_m, 1.0, 150.0)
    check_range("small_cell_min_macro_distance_m", min_macro_distance_m, 0.0)
    check_range("small_cell_min_distance_m", min_small_distance_m, 0.0)
    n_small = round(float(per_site) * macro.n_sites)
    x0, y0, x1, y1 = macro.region_bounds_m
    imgs = (macro.site_xy_m[None] + macro.wrap_shifts_m[:, None]).reshape(-1, 2)
    macro_tree = cKDTree(imgs)
    inside = _region_test(macro)
    small = np.empty((0, 2))
    for _ in range(1000 + 50 * n_small):
        if len(small) >= n_small:
            break
        p = np.array([x0, y0]) + rng.random(2) * np.array([x1 - x0, y1 - y0])
        if not inside(p[None])[0] or macro_tree.query(p)[0] < min_macro_distance_m:
            continue
        if len(small):
            d = np.linalg.norm(
                (small[:, None] + macro.wrap_shifts_m[None]) - p[None, None], axis=2
            ).min()
            if d < min_small_distance_m:
                continue
        small = np.vstack([small, p])
    if len(small) < n_small:
        raise ParameterError(
            f"small_cells_per_site = {per_site:g} does not fit the spacing rules; allowed: "
            "fewer small cells or smaller minimum distances"
        )
    n_m = macro.n_sites
    sites = np.vstack([macro.site_xy_m, small])
    dep = Deployment(
        site_xy_m=sites,
        site_height_m=np.concatenate([macro.site_height_m, np.full(n_small, float(height_m))]),
        cell_site=np.concatenate([macro.cell_site, np.arange(n_m, n_m + n_small, dtype=np.int64)]),
        cell_azimuth_deg=np.concatenate([macro.cell_azimuth_deg, np.full(n_small, np.nan)]),
        ue_xy_m=macro.ue_xy_m,
        ue_height_m=macro.ue_height_m,
        ue_indoor=macro.ue_indoor,
        ue_serving_site_hint=nearest_site(sites, macro.wrap_shifts_m, macro.ue_xy_m),
        layout=macro.layout,
        region_bounds_m=macro.region_bounds_m,
        wrap_shifts_m=macro.wrap_shifts_m,
        inter_site_distance_m=macro.inter_site_distance_m,
    )
    return dep, n_m


def _region_test(dep: Deployment):
    if dep.layout == "hex" and np.isfinite(dep.inter_site_distance_m):
        from rof.radio.ue_drop import _in_hex_union

        return lambda xy: _in_hex_union(xy, dep.site_xy_m, dep.inter_site_distance_m)
    x0, y0, x1, y1 = dep.region_bounds_m
    return lambda xy: (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)


def _tier_deployment(dep: Deployment, sites: np.ndarray) -> tuple[Deployment, np.ndarray]:
    """The sub-deployment of ``sites`` (sorted indices) and its cells' global indices."""
    cells = np.flatnonzero(np.isin(dep.cell_site, sites))
    remap = np.full(dep.n_sites, -1, np.int64)
    remap[sites] = np.arange(len(sites))
    sub = replace(
        dep,
        site_xy_m=dep.site_xy_m[sites],
        site_height_m=dep.site_height_m[sites],
        cell_site=remap[dep.cell_site[cells]],
        cell_azimuth_deg=dep.cell_azimuth_deg[cells],
        ue_serving_site_hint=np.zeros(dep.n_ue, np.int64),
    )
    return sub, cells


def build_two_tier_link_table(
    dep: Deployment,
    n_macro_sites: int,
    tiers: tuple[Tier, Tier],
    *,
    fc_ghz: float,
    k: int,
    rng: np.random.Generator,
    high_loss_fraction: float = 0.5,
    o2i_sigma_low_db: float | None = None,
    o2i_sigma_high_db: float | None = None,
) -> LinkTable:
    """Link table of a two-tier deployment (module docstring): exact top-K merge.

    ``dep`` holds the macro sites first (``n_macro_sites`` of them) and then the small
    ones (:func:`add_small_cells`); ``tiers`` = (macro, small). Cell indices are
    ``dep``'s.
    """
    n_m = check_int_range("n_macro_sites", n_macro_sites, 1, dep.n_sites - 1)
    k = check_int_range("k", k, 1, dep.n_cells)
    o2i = draw_o2i_loss(
        tiers[0].scenario,
        dep.ue_indoor,
        fc_ghz,
        rng,
        high_loss_fraction=high_loss_fraction,
        sigma_low_db=o2i_sigma_low_db,
        sigma_high_db=o2i_sigma_high_db,
    )
    parts = []
    for tier, sites in zip(tiers, (np.arange(n_m), np.arange(n_m, dep.n_sites)), strict=True):
        sub, cells = _tier_deployment(dep, sites)
        opts = dict(tier.options or {})
        opts.update(o2i_loss=o2i)
        if tier.antenna is not None:
            opts["antenna"] = tier.antenna
        lt = build_link_table(
            sub, scenario=tier.scenario, fc_ghz=fc_ghz, k=min(k, sub.n_cells), rng=rng, **opts
        )
        off = float(tier.gain_offset_db)
        parts.append(
            (
                cells[lt.cell],
                lt.gain_db.astype(float) + off,
                lt.los,
                lt.d3d_m,
                lt.background_gain * 10.0 ** (off / 10.0),
            )
        )
    cell = np.concatenate([p[0] for p in parts], axis=1)
    gain = np.concatenate([p[1] for p in parts], axis=1)
    los = np.concatenate([p[2] for p in parts], axis=1)
    d3d = np.concatenate([p[3] for p in parts], axis=1)
    order = np.argsort(-gain, axis=1, kind="stable")
    top, rest = order[:, :k], order[:, k:]
    bg = parts[0][4] + parts[1][4]
    bg = bg + (10.0 ** (np.take_along_axis(gain, rest, axis=1) / 10.0)).sum(axis=1)
    return LinkTable(
        cell=np.take_along_axis(cell, top, axis=1).astype(np.int32),
        gain_db=np.take_along_axis(gain, top, axis=1).astype(np.float32),
        los=np.take_along_axis(los, top, axis=1),
        d3d_m=np.take_along_axis(d3d, top, axis=1).astype(np.float32),
        background_gain=bg,
    )
