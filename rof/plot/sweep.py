"""The figures a sweep's result file allows, chosen by its axes.

:func:`sweep_figures` reads a result file and draws:

* a fiber axis (``fronthaul.fiber_length_km`` or ``fiber_route_factor``) ->
  ``capacity_vs_fiber.png``, one line per combination of the other axes, with the
  95 % confidence bands the KPIs carry (``<kpi>_ci_low``/``_high``);
* a density axis (``deployment.inter_site_distance_m``, ``density_per_km2``, ...) ->
  ``area_throughput_vs_density.png``;
* ``sinr_db`` / ``ue_throughput_bps`` arrays -> ``sinr_cdf.png`` / ``throughput_cdf.png``:
  one curve per point of :func:`pick_points` (at most 12, chosen by axis value), each
  with its own colour and line style, the legend outside the axes;
* ``site_xy_m`` (with ``edge_xy_m``, ``fiber_km``, ``ue_xy_m``, ``ue_sinr_db`` when
  present) -> one site map per picked point, ``site_map_<index>.png`` (``site_map.png``
  for a single run), titled with the point's axis values and labelled with that point's
  own fiber lengths.

Files of ``rof sweep --probe`` hold synthetic numbers; they are refused unless
``allow_probe=True``, and then every figure says so. :func:`plot_sweep` writes the
figures as PNG files, each only to a regular file and by an atomic replace.
"""

from __future__ import annotations

import io
import itertools
from collections import defaultdict
from math import prod
from pathlib import Path

import numpy as np

from rof.plot.figures import (
    area_throughput_vs_density,
    capacity_vs_fiber,
    cdf_figure,
    curve_styles,
    geometry_sinr_db,
    site_map,
)

__all__ = ["MAX_CURVES", "pick_points", "plot_sweep", "sweep_figures"]

#: Most curves (and site maps) drawn from one sweep.
MAX_CURVES = 12
_FIBER_AXES = {
    "fronthaul.fiber_length_km": "Fiber length (km)",
    "fronthaul.fiber_route_factor": "Fiber route factor (fiber / straight-line length)",
}
_DENSITY_AXES = (
    "deployment.inter_site_distance_m",
    "deployment.density_per_km2",
    "deployment.n_sites",
    "deployment.area_km2",
)
_PROBE_NOTE = "SYNTHETIC PROBE DATA (rof sweep --probe): not a network model"


def _short(key: str) -> str:
    return key.rsplit(".", 1)[-1]


def _label(values: dict) -> str:
    return ", ".join(f"{_short(k)} = {v}" for k, v in values.items())


def _legend(picked_values: list[dict]) -> tuple[list[str], str | None]:
    """Legend entries (the values only) and the legend title (the axis names)."""
    keys = list(picked_values[0]) if picked_values else []
    if not keys:
        return ["run"] * len(picked_values), None
    return [", ".join(str(v[k]) for k in keys) for v in picked_values], ", ".join(
        _short(k) for k in keys
    )


def _spread(values: list, n: int) -> list:
    """``n`` of ``values``, evenly spaced by position, first and last included."""
    if n >= len(values):
        return list(values)
    idx = np.round(np.linspace(0, len(values) - 1, n)).astype(int) if n > 1 else [0]
    return [values[i] for i in idx]


def pick_points(recs, info: dict, limit: int = MAX_CURVES):
    """The points a CDF draws as curves, chosen by axis value.

    A ``product`` sweep keeps, per axis, evenly spaced values (first and last
    included), dropping values from the axis with the most until at most ``limit``
    combinations remain, so the curves form a full grid of axis values. A ``zip``
    sweep keeps evenly spaced points along its axes.

    Returns
    -------
    picked : list of (PointRecord, dict)
        The points with the values of the axes that vary among them (legend labels),
        ordered with the colour axis fastest.
    n_colours : int or None
        Values of the colour axis (the varying axis with the most picked values).
    note : str
        The axis values shared by all picked points and how many of the points are
        drawn, for the title.
    """
    by_values = {tuple(r.values.values()): r for r in recs}
    levels = info["levels"]
    if info["mode"] != "product" or not levels:
        chosen = _spread(recs, limit)
        keys = list(recs[0].values) if recs else []
        varying = [k for k in keys if len({r.values[k] for r in chosen}) > 1]
        picked = [(r, {k: r.values[k] for k in varying}) for r in chosen]
        return picked, None, _count_note(len(chosen), info)
    keys = list(levels)
    counts = {k: len(levels[k]) for k in keys}
    while prod(counts.values()) > limit:
        counts[max(keys, key=lambda k: (counts[k], keys.index(k)))] -= 1
    chosen = {k: _spread(levels[k], counts[k]) for k in keys}
    varying = [k for k in keys if len(chosen[k]) > 1]
    colour = max(varying, key=lambda k: (len(chosen[k]), keys.index(k))) if varying else None
    outer = [k for k in varying if k != colour]
    picked = []
    for combo in itertools.product(*(chosen[k] for k in outer)):
        for c in chosen[colour] if colour else [None]:
            want = dict(zip(outer, combo, strict=True)) | ({colour: c} if colour else {})
            values = tuple(want.get(k, chosen[k][0]) for k in keys)
            rec = by_values.get(values)
            if rec is not None:
                picked.append((rec, {k: want[k] for k in varying}))
    fixed = _label({k: chosen[k][0] for k in keys if k not in varying})
    note = ", ".join(x for x in (fixed, _count_note(len(picked), info)) if x)
    return picked, (len(chosen[colour]) if colour else None), note


def _count_note(n: int, info: dict) -> str:
    if n == info["n_points"]:
        return ""
    return f"{n} of {info['n_points']} points, chosen by axis value"


def _curves(recs, x_key, x_of, y_names):
    """Group points by every axis except ``x_key``; sort each group along x."""
    groups = defaultdict(list)
    for r in recs:
        rest = {k: v for k, v in r.values.items() if k != x_key}
        groups[tuple(rest.items())].append(r)
    labels, xs, ys = [], [], {n: [] for n in y_names}
    for key, rs in groups.items():
        rs = sorted(rs, key=x_of)
        labels.append(_label(dict(key)) or None)
        xs.append([x_of(r) for r in rs])
        for n in y_names:
            ys[n].append([r.kpis.get(n, np.nan) for r in rs])
    n = max(len(x) for x in xs)
    pad = [np.pad(np.asarray(x, float), (0, n - len(x)), constant_values=np.nan) for x in xs]
    out = {
        k: np.array(
            [np.pad(np.asarray(v, float), (0, n - len(v)), constant_values=np.nan) for v in vals]
        )
        for k, vals in ys.items()
    }
    return np.array(pad), out, labels


def _with_ci(names: list[str]) -> list[str]:
    """The KPIs and their stored 95 % interval bounds (``<kpi>_ci_low``/``_high``)."""
    return names + [f"{n}_ci_{b}" for n in names for b in ("low", "high")]


def _ci(y: dict, name: str):
    """``(low, high)`` of a KPI's interval, or None where the file has none."""
    lo, hi = y[f"{name}_ci_low"], y[f"{name}_ci_high"]
    return None if np.all(np.isnan(lo)) else (lo, hi)


def sweep_figures(h5_path, *, allow_probe: bool = False) -> dict:
    """File name -> :class:`matplotlib.figure.Figure` for every plot the file allows.

    Raises :class:`rof.errors.DataError` for a probe file unless ``allow_probe``.
    """
    from rof.errors import DataError
    from rof.store import read_info, read_points

    info = read_info(h5_path)
    if info["probe"] and not allow_probe:
        raise DataError(
            f"{h5_path}: holds synthetic probe points from `rof sweep --probe`, not simulated "
            "results; allowed: a result file from rof run / rof sweep without --probe"
        )
    recs = read_points(h5_path)
    figs: dict = {}
    if not recs:
        return figs
    axes = list(recs[0].values)
    fiber = next((k for k in _FIBER_AXES if k in axes), None)
    if fiber and "ue_throughput_mean_bps" in recs[0].kpis:
        names = ["ue_throughput_mean_bps", "ue_throughput_p5_bps"]
        x, y, labels = _curves(recs, fiber, lambda r: r.values[fiber], _with_ci(names))
        figs["capacity_vs_fiber.png"] = capacity_vs_fiber(
            x,
            y[names[0]],
            y[names[1]],
            labels,
            xlabel=_FIBER_AXES[fiber],
            mean_ci=_ci(y, names[0]),
            p5_ci=_ci(y, names[1]),
        )
    dens = next((k for k in _DENSITY_AXES if k in axes), None)
    if dens and {"site_density_per_km2", "area_throughput_bps_per_km2"} <= set(recs[0].kpis):
        names = ["area_throughput_bps_per_km2", "ue_throughput_p5_bps"]
        x, y, labels = _curves(
            recs, dens, lambda r: r.kpis["site_density_per_km2"], _with_ci(names)
        )
        figs["area_throughput_vs_density.png"] = area_throughput_vs_density(
            x, y[names[0]], y[names[1]], labels, area_ci=_ci(y, names[0]), p5_ci=_ci(y, names[1])
        )
    picked, n_colours, note = pick_points(recs, info)
    for arr, fname, xlabel, scale in (
        ("sinr_db", "sinr_cdf.png", "SINR (dB)", 1.0),
        ("ue_throughput_bps", "throughput_cdf.png", "User throughput (Mbit/s)", 1e6),
    ):
        have = [(r, v) for r, v in picked if arr in r.arrays]
        if have:
            labels, legend_title = _legend([v for _, v in have])
            samples = {lab: r.arrays[arr] for lab, (r, _) in zip(labels, have, strict=True)}
            figs[fname] = cdf_figure(
                samples,
                xlabel=xlabel,
                scale=scale,
                title=note or None,
                styles=curve_styles(len(samples), n_colours),
                legend_title=legend_title,
            )
    single = len(recs) == 1 and info["n_points"] == 1
    for r, _ in sorted(picked, key=lambda item: item[0].index):
        a = r.arrays
        if "site_xy_m" not in a:
            continue
        name = "site_map.png" if single else f"site_map_{r.index:03d}.png"
        title = "Sites, fiber routes and SINR" + (f"\n{_label(r.values)}" if r.values else "")
        figs[name] = site_map(
            a["site_xy_m"],
            edge_xy_m=_edge_xy(h5_path, a),
            fiber_km=a.get("fiber_km"),
            ue_xy_m=a.get("ue_xy_m"),
            title=title,
            **_ue_sinr(a),
        )
    if info["probe"]:
        for fig in figs.values():
            fig.suptitle(_PROBE_NOTE, color="tab:red")
    return figs


def plot_sweep(h5_path, out_dir, *, allow_probe: bool = False) -> list[Path]:
    """Write :func:`sweep_figures` as PNG files in ``out_dir``; return their paths.

    Each PNG is written only to a regular file (or through a symbolic link to one) by
    an atomic replace (:func:`rof.store.paths.write_atomic`).
    """
    from rof.store import output_target, write_atomic

    figs = sweep_figures(h5_path, allow_probe=allow_probe)
    out = Path(out_dir)
    targets = {name: output_target(out / name, "plot") for name in figs}
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fig in figs.items():
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=120)
        write_atomic(targets[name], buf.getbuffer())
        written.append(out / name)
    return written


def _edge_xy(h5_path, a):
    """The edge node's position: stored, or from the scenario (rof.edge.fronthaul)."""
    if "edge_xy_m" in a:
        return a["edge_xy_m"]
    from rof.edge.fronthaul import edge_position_m
    from rof.store import read_scenario

    return edge_position_m(a["site_xy_m"], read_scenario(h5_path).fronthaul.edge_location)


_GEOMETRY_KEYS = (
    "link_gain_db",
    "link_cell",
    "ue_serving_cell",
    "background_gain",
    "noise_w",
    "p_rb_w",
)


def _ue_sinr(a) -> dict:
    if "ue_sinr_db" in a:
        return {"ue_sinr_db": a["ue_sinr_db"]}
    if all(k in a for k in _GEOMETRY_KEYS):
        return {
            "ue_sinr_db": geometry_sinr_db(*(a[k] for k in _GEOMETRY_KEYS)),
            "sinr_label": "Geometry SINR, all cells on (dB)",
        }
    return {}
