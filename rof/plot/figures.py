"""The figures users ask for, from plain arrays.

Every function takes plain arrays and returns a :class:`matplotlib.figure.Figure`
built without pyplot (no global state, no display needed; ``fig.savefig`` renders
with Agg). :mod:`rof.plot.sweep` reads a result file and draws the figures its axes
allow.

Throughputs are plotted in Mbit/s, area throughput in Gbit/s/km^2, SINR in dB,
positions in metres, fiber lengths in km.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "LINESTYLES",
    "area_throughput_vs_density",
    "capacity_vs_fiber",
    "cdf_figure",
    "curve_styles",
    "geometry_sinr_db",
    "site_map",
]


def _figure(ncols: int = 1, extra_width: float = 0.0):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4 * ncols + extra_width, 4.6), layout="constrained")
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def _legend_width(labels) -> float:
    """Figure inches to add for a legend of these labels beside the axes."""
    longest = max((len(str(lab)) for lab in labels if lab), default=0)
    return min(0.075 * longest + 0.8, 6.0) if longest else 0.0


def _lines(y, labels):
    y = np.atleast_2d(np.asarray(y, dtype=float))
    labels = list(labels) if labels is not None else [None] * y.shape[0]
    if len(labels) != y.shape[0]:
        raise ValueError(f"labels has {len(labels)} entries for {y.shape[0]} lines")
    return y, labels


def _band(ax, x, ci, i, scale, color) -> None:
    """Shade the confidence interval ``ci = (low, high)`` of line ``i`` (NaN: nothing)."""
    if ci is None:
        return
    lo, hi = (np.atleast_2d(np.asarray(c, dtype=float)) for c in ci)
    if np.all(np.isnan(lo[i])):
        return
    ax.fill_between(x, lo[i] / scale, hi[i] / scale, color=color, alpha=0.2, linewidth=0)


def capacity_vs_fiber(
    fiber_km,
    mean_bps,
    p5_bps,
    labels=None,
    *,
    xlabel="Fiber length (km)",
    mean_ci=None,
    p5_ci=None,
):
    """Mean and 5th-percentile user throughput vs fiber length, one colour per line,
    each with its confidence band when given.

    Parameters
    ----------
    fiber_km : array_like, shape (n,) or (n_lines, n)
        Fiber lengths (km), or another fronthaul knob named by ``xlabel``.
    mean_bps, p5_bps : array_like, shape (n,) or (n_lines, n)
        Mean and 5th-percentile user throughput (bit/s) per line (e.g. per scheduler).
    labels : sequence of str, optional
        One label per line.
    mean_ci, p5_ci : (low, high), optional
        Confidence interval bounds (bit/s), each shaped like ``mean_bps``; drawn as
        shaded bands.
    """
    mean, labels = _lines(mean_bps, labels)
    p5, _ = _lines(p5_bps, labels)
    x = np.broadcast_to(np.atleast_2d(np.asarray(fiber_km, dtype=float)), mean.shape)
    fig, (ax,) = _figure(extra_width=_legend_width([f"{lab}: 5th percentile" for lab in labels]))
    for i, lab in enumerate(labels):
        (ln,) = ax.plot(x[i], mean[i] / 1e6, "o-", label=f"{lab}: mean" if lab else "mean")
        _band(ax, x[i], mean_ci, i, 1e6, ln.get_color())
        _band(ax, x[i], p5_ci, i, 1e6, ln.get_color())
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
    fig.legend(loc="outside right upper", fontsize="small")
    return fig


def area_throughput_vs_density(
    density_per_km2, area_bps_per_km2, p5_bps=None, labels=None, *, area_ci=None, p5_ci=None
):
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
    area_ci, p5_ci : (low, high), optional
        Confidence interval bounds, each shaped like its KPI; drawn as shaded bands.
    """
    area, labels = _lines(area_bps_per_km2, labels)
    dens = np.broadcast_to(np.atleast_2d(np.asarray(density_per_km2, float)), area.shape)
    fig, axes = _figure(2 if p5_bps is not None else 1, extra_width=_legend_width(labels))
    for i, lab in enumerate(labels):
        (ln,) = axes[0].plot(dens[i], area[i] / 1e9, "o-", label=lab)
        _band(axes[0], dens[i], area_ci, i, 1e9, ln.get_color())
    axes[0].set_ylabel("Area throughput (Gbit/s/km²)")
    axes[0].set_title("Area throughput vs site density")
    if p5_bps is not None:
        p5, _ = _lines(p5_bps, labels)
        for i, lab in enumerate(labels):
            (ln,) = axes[1].plot(dens[i], p5[i] / 1e6, "s--", label=lab)
            _band(axes[1], dens[i], p5_ci, i, 1e6, ln.get_color())
        axes[1].set_ylabel("5th-percentile user throughput (Mbit/s)")
        axes[1].set_title("Cell-edge user rate vs site density")
    for ax in axes:
        ax.set_xlabel("Site density (sites/km²)")
        ax.set_xscale("log")
        ax.grid(True, which="both", alpha=0.3)
    if any(labels):  # one legend for both panels, outside the data
        handles, texts = axes[0].get_legend_handles_labels()
        fig.legend(handles, texts, loc="outside right upper", fontsize="small")
    return fig


#: Line styles that, with the ten tab10 colours, give every curve its own look.
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))


def curve_styles(n: int, n_colours: int | None = None) -> list[dict]:
    """``n`` distinct (colour, line style) pairs for curves ordered colour-fastest.

    Curve ``i`` takes colour ``i % k`` and line style ``i // k``, with ``k`` =
    ``n_colours`` (the number of values of the axis that varies fastest) when it is at
    most 10, else 10 (tab10). Past the six line styles a marker tells groups apart.
    """
    per = n_colours if n_colours and n_colours <= 10 else 10
    styles = []
    for i in range(n):
        group = i // per
        style = {"color": f"C{i % per}", "linestyle": LINESTYLES[group % len(LINESTYLES)]}
        if group >= len(LINESTYLES):
            style.update(marker="os^vD"[(group // len(LINESTYLES) - 1) % 5], markevery=0.1)
        styles.append(style)
    return styles


def cdf_figure(
    samples: dict,
    *,
    xlabel: str,
    scale: float = 1.0,
    title: str | None = None,
    styles: list[dict] | None = None,
    legend_title: str | None = None,
):
    """Empirical CDFs, one curve per entry of ``samples`` (label -> 1-D array).

    ``scale`` divides the samples (e.g. 1e6 to plot bit/s in Mbit/s); NaNs are dropped.
    The CDF at the k-th smallest of n samples is k/n. Every curve has its own
    (colour, line style) pair (``styles``, default :func:`curve_styles`), and the
    legend sits outside the axes, to the right, so it never hides a curve.
    """
    fig, (ax,) = _figure(extra_width=_legend_width(samples) if len(samples) > 1 else 0.0)
    styles = styles or curve_styles(len(samples))
    for (lab, s), style in zip(samples.items(), styles, strict=False):
        v = np.sort(np.asarray(s, dtype=float).ravel())
        v = v[np.isfinite(v)] / scale
        if v.size:
            ax.step(v, np.arange(1, v.size + 1) / v.size, where="post", label=lab, **style)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("CDF")
    ax.set_ylim(0.0, 1.0)
    ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title)
    if len(samples) > 1 or any(samples):
        fig.legend(
            loc="outside right upper", fontsize="small", title=legend_title, title_fontsize="small"
        )
    return fig


def geometry_sinr_db(link_gain_db, link_cell, serving_cell, background_gain, noise_w, p_rb_w):
    """Downlink geometry SINR of each user with every cell transmitting (full load).

    SINR_u = g_us P / (sum_{c != s} g_uc P + b_u P + N_u) per resource block, with
    large-scale gains only (no fading, no fronthaul noise): the "geometry" or
    wideband SINR of 3GPP system-level calibration (TR 38.802 Annex A.2, TR 36.814
    Annex A.2.1). NaN where the serving cell is not among the user's top-K links.
    Computed by :func:`rof.radio.sinr.sinr_per_link` with every cell at ``p_rb_w`` on
    one resource block and an ideal fronthaul (float32 precision).

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
    from rof.radio.sinr import sinr_per_link

    cell = np.asarray(link_cell)
    serving = np.asarray(serving_cell)
    p = float(np.asarray(p_rb_w, dtype=float).ravel()[0])
    n_cells = int(max(cell.max(initial=-1), serving.max(initial=-1))) + 1
    gain = 10.0 ** (np.asarray(link_gain_db, dtype=np.float64) / 10.0)
    sinr = sinr_per_link(
        cell,
        np.where(cell >= 0, gain, 0.0)[:, :, None],
        np.asarray(background_gain, dtype=np.float64),
        np.full((n_cells, 1), p),
        np.inf,  # geometry SINR: no fronthaul noise
        noise_w,
        p,
    )[:, :, 0]
    own = cell == serving[:, None]
    serving_sinr = np.where(own, sinr, 0.0).sum(axis=1)
    with np.errstate(divide="ignore"):
        return np.where(own.any(axis=1), 10.0 * np.log10(serving_sinr), np.nan)


def site_map(
    site_xy_m,
    *,
    edge_xy_m=None,
    fiber_km=None,
    ue_xy_m=None,
    ue_sinr_db=None,
    bins: int = 40,
    sinr_label: str = "Mean user SINR (dB)",
    title: str = "Sites, fiber routes and SINR",
):
    """Sites, fiber routes to the edge node, and a SINR heat map of the users.

    The heat map is the mean SINR (dB) of the users falling in each of ``bins`` x
    ``bins`` squares (empty squares blank); with fewer than ``bins**2 / 4`` users, each
    user is drawn as a dot coloured by its SINR instead. Fiber routes are drawn as
    straight lines from the edge node, annotated with each site's fiber length (three
    significant digits) when given.

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
                    f"{np.asarray(fiber_km)[i]:.3g} km",
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
    ax.set_title(title)
    fig.legend(loc="outside lower center", ncols=4, fontsize="small")
    return fig
