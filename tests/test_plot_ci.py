"""Confidence bands in the sweep figures (issue 15 item 1): drawn where the KPIs carry
``<kpi>_ci_low``/``_high``, and spanning exactly those bounds."""

import matplotlib

matplotlib.use("Agg")
import numpy as np
from matplotlib.collections import PolyCollection

from rof.plot.figures import area_throughput_vs_density, capacity_vs_fiber


def _bands(fig):
    return [c for ax in fig.axes for c in ax.collections if isinstance(c, PolyCollection)]


def test_capacity_vs_fiber_shades_each_interval_between_its_bounds():
    x = np.array([0.0, 10.0, 20.0])
    mean, p5 = np.array([20e6, 19e6, 18e6]), np.array([3e6, 2.8e6, 2.5e6])
    fig = capacity_vs_fiber(
        x, mean, p5, mean_ci=(mean - 1e6, mean + 2e6), p5_ci=(p5 - 0.5e6, p5 + 0.5e6)
    )
    bands = _bands(fig)
    assert len(bands) == 2
    ys = bands[0].get_paths()[0].vertices[:, 1]
    np.testing.assert_allclose([ys.min(), ys.max()], [17.0, 22.0])
    assert _bands(capacity_vs_fiber(x, mean, p5)) == []


def test_density_figure_bands_skip_lines_without_intervals():
    dens = np.array([[5.0, 10.0], [5.0, 10.0]])
    area = np.array([[1e9, 2e9], [1.1e9, 2.1e9]])
    lo = np.array([[0.9e9, 1.8e9], [np.nan, np.nan]])
    fig = area_throughput_vs_density(dens, area, labels=["a", "b"], area_ci=(lo, lo + 0.3e9))
    assert len(_bands(fig)) == 1
