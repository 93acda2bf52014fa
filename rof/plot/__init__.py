"""The figures users ask for: from plain arrays (:mod:`rof.plot.figures`) or from a
sweep's result file (:mod:`rof.plot.sweep`).

Throughputs are plotted in Mbit/s, area throughput in Gbit/s/km^2, SINR in dB,
positions in metres, fiber lengths in km.
"""

from __future__ import annotations

from rof.plot.figures import (
    LINESTYLES,
    area_throughput_vs_density,
    capacity_vs_fiber,
    cdf_figure,
    curve_styles,
    geometry_sinr_db,
    site_map,
)
from rof.plot.sweep import MAX_CURVES, pick_points, plot_sweep, sweep_figures

__all__ = [
    "LINESTYLES",
    "MAX_CURVES",
    "area_throughput_vs_density",
    "capacity_vs_fiber",
    "cdf_figure",
    "curve_styles",
    "geometry_sinr_db",
    "pick_points",
    "plot_sweep",
    "site_map",
    "sweep_figures",
]
