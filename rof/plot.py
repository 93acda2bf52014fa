"""The figures users ask for, from arrays or a sweep's result file.

Every function takes plain arrays and returns a :class:`matplotlib.figure.Figure`
built without pyplot (no global state, no display needed; ``fig.savefig`` renders
with Agg). :func:`plot_sweep` reads a result file and writes the plots its axes allow.

Throughputs are plotted in Mbit/s, area throughput in Gbit/s/km^2, SINR in dB,
positions in metres, fiber lengths in km.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

__all__ = [
    "area_throughput_vs_density",
    "capacity_vs_fiber",
    "cdf_figure",
    "geometry_sinr_db",
    "plot_sweep",
    "site_map",
]

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


def _figure(ncols: int = 1):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4 * ncols, 4.6), layout="constrained")
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def _lines(y, labels):
    y = np.atleast_2d(np.asarray(y, dtype=float))
    labels = list(labels) if labels is not None else [None] * y.shape[0]
    if len(labels) != y.shape[0]:
        raise ValueError(f"labels has {len(labels)} entries for {y.shape[0]} lines")
    return y, labels


def capacity_vs_fiber(fiber_km, mean_bps, p5_bps, labels=None, *, xlabel="Fiber length (km)"):
    """Mean and 5th-percentile user throughput vs fiber length, one colour per line.

    Parameters
    ----------
    fiber_km : array_like, shape (n,) or (n_lines, n)
        Fiber lengths (km), or another fronthaul knob named by ``xlabel``.
    mean_bps, p5_bps : array_like, shape (n,) or (n_lines, n)
        Mean and 5th-percentile user throughput (bit/s) per line (e.g. per scheduler).
    labels : sequence of str, optional
        One label per line.
    """
    mean, labels = _lines(mean_bps, labels)
    p5, _ = _lines(p5_bps, labels)
    x = np.broadcast_to(np.atleast_2d(np.asarray(fiber_km, dtype=float)), mean.shape)
    fig, (ax,) = _figure()
    for i, lab in enumerate(labels):
        (ln,) = ax.plot(x[i], mean[i] / 1e6, "o-", label=f"{lab}: mean" if lab else "mean")
        ax.plot(
            x[i],
            p5[i] / 1e6,
            "s--",
            color=ln.get_color(),
            label=f"{lab}: 5th percentile" if lab else "5th percentile",
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("User throughput (Mbit/s)")
    ax.set_title("Capacity vs fronthaul fiber")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def area_throughput_vs_density(density_per_km2, area_bps_per_km2, p5_bps=None, labels=None):
    """Area throughput (and 5th-percentile user rate) vs site density, one line each.

    Parameters
    ----------
    density_per_km2 : array_like, shape (n,) or (n_lines, n)
        Site density (sites per km^2).
    area_bps_per_km2 : array_like, shape (n,) or (n_lines, n)
        Area throughput (bit/s per km^2).
    p5_bps : array_like, optional
        5th-percentile user throughput (bit/s); adds a second panel.
    labels : sequence of str, optional
    """
    area, labels = _lines(area_bps_per_km2, labels)
    dens = np.broadcast_to(np.atleast_2d(np.asarray(density_per_km2, float)), area.shape)
    fig, axes = _figure(2 if p5_bps is not None else 1)
    for i, lab in enumerate(labels):
        axes[0].plot(dens[i], area[i] / 1e9, "o-", label=lab)
    axes[0].set_ylabel("Area throughput (Gbit/s/km²)")
    axes[0].set_title("Area throughput vs site density")
    if p5_bps is not None:
        p5, _ = _lines(p5_bps, labels)
        for i, lab in enumerate(labels):
            axes[1].plot(dens[i], p5[i] / 1e6, "s--", label=lab)
        axes[1].set_ylabel("5th-percentile user throughput (Mbit/s)")
        axes[1].set_title("Cell-edge user rate vs site density")
    for ax in axes:
        ax.set_xlabel("Site density (sites/km²)")
        ax.set_xscale("log")
        ax.grid(True, which="both", alpha=0.3)
        if any(labels):
            ax.legend(fontsize="small")
    return fig


def cdf_figure(samples: dict, *, xlabel: str, scale: float = 1.0, title: str | None = None):
    """Empirical CDFs, one curve per entry of ``samples`` (label -> 1-D array).

    ``scale`` divides the samples (e.g. 1e6 to plot bit/s in Mbit/s); NaNs are dropped.
    The CDF at the k-th smallest of n samples is k/n.
    """
    fig, (ax,) = _figure()
    for lab, s in samples.items():
        v = np.sort(np.asarray(s, dtype=float).ravel())
        v = v[np.isfinite(v)] / scale
        if v.size:
            ax.step(v, np.arange(1, v.size + 1) / v.size, where="post", label=lab)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("CDF")
    ax.set_ylim(0.0, 1.0)
    ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title)
    if len(samples) > 1 or any(samples):
        ax.legend(fontsize="small")
    return fig


def geometry_sinr_db(link_gain_db, link_cell, serving_cell, background_gain, noise_w, p_rb_w):
    """Downlink geometry SINR of each user with every cell transmitting (full load).

    SINR_u = g_us P / (sum_{c != s} g_uc P + b_u P + N_u) per resource block, with
    large-scale gains only (no fading, no fronthaul noise): the "geometry" or
    wideband SINR of 3GPP system-level calibration (TR 38.802 Annex A.2, TR 36.814
    Annex A.2.1). NaN where the serving cell is not among the user's top-K links.

    Parameters
    ----------
    link_gain_db : ndarray (n_ue, K)
        Large-scale gain to each kept cell, dB.
    link_cell : ndarray (n_ue, K) int
        Cell index of each kept link.
    serving_cell : ndarray (n_ue,) int
    background_gain : ndarray (n_ue,)
        Summed linear gain of the cells outside the top K.
    noise_w : float or ndarray (n_ue,)
        Noise power per resource block, W.
    p_rb_w : float
        Transmit power per resource block, W.
    """
    g = 10.0 ** (np.asarray(link_gain_db, dtype=float) / 10.0)
    p = float(np.asarray(p_rb_w, dtype=float).ravel()[0])
    own = np.asarray(link_cell) == np.asarray(serving_cell)[:, None]
    gs = np.where(own, g, 0.0).sum(axis=1)
    interf = (g.sum(axis=1) - gs + np.asarray(background_gain, dtype=float)) * p
    sinr = gs * p / (interf + np.asarray(noise_w, dtype=float))
    with np.errstate(divide="ignore"):
        return np.where(own.any(axis=1), 10.0 * np.log10(sinr), np.nan)


def site_map(
    site_xy_m,
    *,
    edge_xy_m=None,
    fiber_km=None,
    ue_xy_m=None,
    ue_sinr_db=None,
    bins: int = 40,
    sinr_label: str = "Mean user SINR (dB)",
):
    """Sites, fiber routes to the edge node, and a SINR heat map of the users.

    The heat map is the mean SINR (dB) of the users falling in each of ``bins`` x
    ``bins`` squares (empty squares blank); with fewer than ``bins**2 / 4`` users, each
    user is drawn as a dot coloured by its SINR instead. Fiber routes are drawn as straight lines
    from the edge node, annotated with each site's fiber length when given.

    Parameters
    ----------
    site_xy_m : array_like, shape (n_sites, 2)
    edge_xy_m : array_like, shape (2,), optional
    fiber_km : array_like, shape (n_sites,), optional
    ue_xy_m : array_like, shape (n_ue, 2), optional
    ue_sinr_db : array_like, shape (n_ue,), optional
    """
    from scipy.stats import binned_statistic_2d

    sites = np.asarray(site_xy_m, dtype=float).reshape(-1, 2)
    fig, (ax,) = _figure()
    if ue_xy_m is not None and ue_sinr_db is not None:
        ue = np.asarray(ue_xy_m, dtype=float).reshape(-1, 2)
        val = np.asarray(ue_sinr_db, dtype=float)
        if ue.shape[0] >= bins * bins // 4:  # enough users for a binned heat map
            stat, xe, ye, _ = binned_statistic_2d(ue[:, 0], ue[:, 1], val, "mean", bins=bins)
            mesh = ax.pcolormesh(xe, ye, stat.T, cmap="viridis", shading="flat")
        else:  # too few users to fill the squares: colour each user instead
            mesh = ax.scatter(ue[:, 0], ue[:, 1], c=val, s=22, cmap="viridis", label="users")
        fig.colorbar(mesh, ax=ax, label=sinr_label)
    elif ue_xy_m is not None:
        ue = np.asarray(ue_xy_m, dtype=float).reshape(-1, 2)
        ax.plot(ue[:, 0], ue[:, 1], ".", ms=2, color="0.6", label="users")
    if edge_xy_m is not None:
        ex, ey = np.asarray(edge_xy_m, dtype=float)
        for i, (sx, sy) in enumerate(sites):
            ax.plot(
                [ex, sx],
                [ey, sy],
                "-",
                color="tab:orange",
                lw=0.8,
                label="fiber route" if i == 0 else None,
            )
            if fiber_km is not None:
                ax.annotate(
                    f"{np.asarray(fiber_km)[i]:.1f} km",
                    (sx, sy),
                    fontsize=6,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
        ax.plot([ex], [ey], "*", ms=14, color="tab:red", label="edge node")
    ax.plot(sites[:, 0], sites[:, 1], "^", ms=7, color="k", label="sites")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title("Sites, fiber routes and SINR")
    ax.legend(fontsize="small", loc="upper right")
    return fig


def _label(values: dict) -> str:
    return ", ".join(f"{k.rsplit('.', 1)[-1]} = {v}" for k, v in values.items())


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


def plot_sweep(h5_path, out_dir) -> list[Path]:
    """Write every plot the result file's axes and contents allow; return the PNG paths.

    * a fiber axis (``fronthaul.fiber_length_km`` or ``fiber_route_factor``) ->
      ``capacity_vs_fiber.png``;
    * a density axis (``deployment.inter_site_distance_m``, ``density_per_km2``, ...)
      -> ``area_throughput_vs_density.png``;
    * ``sinr_db`` / ``ue_throughput_bps`` arrays -> ``sinr_cdf.png`` / ``throughput_cdf.png``
      (one curve per point, at most 12, evenly picked);
    * ``site_xy_m`` (with ``edge_xy_m``, ``fiber_km``, ``ue_xy_m``, ``ue_sinr_db`` when
      present) in the first point -> ``site_map.png``.
    """
    from rof.store import read_points

    recs = read_points(h5_path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(fig, name):
        path = out / name
        fig.savefig(path, dpi=120)
        written.append(path)

    if not recs:
        return written
    axes = list(recs[0].values)
    fiber = next((k for k in _FIBER_AXES if k in axes), None)
    if fiber and "ue_throughput_mean_bps" in recs[0].kpis:
        names = ["ue_throughput_mean_bps", "ue_throughput_p5_bps"]
        x, y, labels = _curves(recs, fiber, lambda r: r.values[fiber], names)
        save(
            capacity_vs_fiber(x, y[names[0]], y[names[1]], labels, xlabel=_FIBER_AXES[fiber]),
            "capacity_vs_fiber.png",
        )
    dens = next((k for k in _DENSITY_AXES if k in axes), None)
    if dens and {"site_density_per_km2", "area_throughput_bps_per_km2"} <= set(recs[0].kpis):
        names = ["area_throughput_bps_per_km2", "ue_throughput_p5_bps"]
        x, y, labels = _curves(recs, dens, lambda r: r.kpis["site_density_per_km2"], names)
        save(
            area_throughput_vs_density(x, y[names[0]], y[names[1]], labels),
            "area_throughput_vs_density.png",
        )
    pick = [
        recs[i] for i in np.unique(np.linspace(0, len(recs) - 1, min(12, len(recs))).astype(int))
    ]
    for arr, fname, xlabel, scale in (
        ("sinr_db", "sinr_cdf.png", "SINR (dB)", 1.0),
        ("ue_throughput_bps", "throughput_cdf.png", "User throughput (Mbit/s)", 1e6),
    ):
        samples = {(_label(r.values) or "run"): r.arrays[arr] for r in pick if arr in r.arrays}
        if samples:
            save(cdf_figure(samples, xlabel=xlabel, scale=scale), fname)
    a = recs[0].arrays
    if "site_xy_m" in a:
        save(
            site_map(
                a["site_xy_m"],
                edge_xy_m=_edge_xy(h5_path, a),
                fiber_km=a.get("fiber_km"),
                ue_xy_m=a.get("ue_xy_m"),
                **_ue_sinr(a),
            ),
            "site_map.png",
        )
    return written


def _edge_xy(h5_path, a):
    """The edge node's position: stored, or from the scenario ('centroid' of the sites)."""
    if "edge_xy_m" in a:
        return a["edge_xy_m"]
    from rof.store import read_scenario

    loc = read_scenario(h5_path).fronthaul.edge_location
    return np.mean(a["site_xy_m"], axis=0) if loc == "centroid" else np.asarray(loc, float)


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
