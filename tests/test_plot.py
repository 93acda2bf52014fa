"""Plots: each figure has labelled axes with units and legends; plot_sweep picks by axes."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from rof.plot import area_throughput_vs_density, capacity_vs_fiber, cdf_figure, plot_sweep, site_map
from rof.sweep import InlineExecutor, probe_point, run_sweep


def _labels(fig):
    return [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes if ax.get_label() != "<colorbar>"]


def test_capacity_vs_fiber_lines_and_units(tmp_path):
    km = np.array([0.0, 10.0, 20.0])
    mean = np.array([[100e6, 90e6, 70e6], [120e6, 110e6, 80e6]])
    fig = capacity_vs_fiber(km, mean, mean / 4, labels=["PF", "coordinated PF"])
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_xlabel() == "Fiber length (km)" and "Mbit/s" in ax.get_ylabel()
    lines = ax.get_lines()
    assert len(lines) == 4  # mean and 5th percentile per scheduler
    assert np.allclose(lines[0].get_ydata(), [100, 90, 70])  # plotted in Mbit/s
    assert np.allclose(lines[1].get_ydata(), [25, 22.5, 17.5])
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "coordinated PF: 5th percentile" in texts
    fig.savefig(tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 1000
    with pytest.raises(ValueError, match="labels"):
        capacity_vs_fiber(km, mean, mean, labels=["only one"])


def test_area_throughput_vs_density_two_panels():
    fig = area_throughput_vs_density(
        [7.0, 29.0, 115.0], [[1e9, 3e9, 5e9]], [[5e6, 4e6, 2e6]], labels=["PF"]
    )
    left, right = fig.axes
    assert "sites/km²" in left.get_xlabel() and "Gbit/s/km²" in left.get_ylabel()
    assert "Mbit/s" in right.get_ylabel() and left.get_xscale() == "log"
    assert np.allclose(left.get_lines()[0].get_ydata(), [1, 3, 5])


def test_cdf_is_empirical_distribution():
    x = np.array([3.0, 1.0, 2.0, np.nan])
    fig = cdf_figure({"a": x, "b": x + 1}, xlabel="SINR (dB)")
    (ax,) = fig.axes
    line = ax.get_lines()[0]
    assert np.allclose(line.get_xdata(), [1, 2, 3]) and np.allclose(
        line.get_ydata(), [1 / 3, 2 / 3, 1]
    )
    assert ax.get_xlabel() == "SINR (dB)" and ax.get_ylabel() == "CDF"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["a", "b"]


def test_site_map_heat_map_is_binned_mean():
    rng = np.random.default_rng(1)
    ue = rng.uniform(-100, 100, size=(400, 2))
    sinr = ue[:, 0] / 10.0  # SINR grows with x
    sites = np.array([[0.0, 0.0], [50.0, 50.0]])
    fig = site_map(
        sites, edge_xy_m=[0.0, 0.0], fiber_km=[0.0, 0.1], ue_xy_m=ue, ue_sinr_db=sinr, bins=4
    )
    ax = fig.axes[0]
    assert ax.get_xlabel() == "x (m)" and ax.get_ylabel() == "y (m)"
    cbar = fig.axes[1]
    assert "SINR (dB)" in cbar.get_ylabel()
    grid = ax.collections[0].get_array().reshape(4, 4)  # rows: y bins, columns: x bins
    assert np.all(np.diff(np.nanmean(grid, axis=0)) > 0)  # increases along x as it should
    assert {"fiber route", "edge node", "sites"} <= {
        t.get_text() for t in fig.legends[0].get_texts()
    }


def test_plot_sweep_picks_plots_from_axes(tmp_path):
    scn = {
        "name": "p",
        "seed": 1,
        "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0, "ue_per_site": 2},
        "sweep": {
            "fronthaul.fiber_length_km": [0.0, 20.0],
            "edge.scheduler": ["wmmse", "round_robin"],
        },
    }
    out = run_sweep(scn, tmp_path / "a.h5", InlineExecutor(), point_fn=probe_point, progress=False)
    names = {p.name for p in plot_sweep(out, tmp_path / "png", allow_probe=True)}
    assert names == {"capacity_vs_fiber.png", "sinr_cdf.png", "throughput_cdf.png"}
    scn["sweep"] = {"deployment.inter_site_distance_m": [100.0, 200.0, 400.0]}
    out = run_sweep(scn, tmp_path / "b.h5", InlineExecutor(), point_fn=probe_point, progress=False)
    names = {p.name for p in plot_sweep(out, tmp_path / "png2", allow_probe=True)}
    assert "area_throughput_vs_density.png" in names and "capacity_vs_fiber.png" not in names
    assert all((tmp_path / "png2" / n).stat().st_size > 1000 for n in names)


def test_plot_sweep_site_map_from_stored_positions(tmp_path):
    from rof.store import SweepWriter

    rng = np.random.default_rng(2)
    arrays = {
        "site_xy_m": rng.uniform(-200, 200, (7, 2)),
        "edge_xy_m": np.zeros(2),
        "fiber_km": rng.uniform(0, 1, 7),
        "ue_xy_m": rng.uniform(-250, 250, (60, 2)),
        "ue_sinr_db": rng.normal(5, 5, 60),
        "sinr_db": rng.normal(5, 5, 200),
    }
    with SweepWriter(tmp_path / "r.h5", 'name = "x"\n', {}, {}, [1], "single") as w:
        w.add(0, {"kpis": {}, "arrays": arrays})
    names = {p.name for p in plot_sweep(tmp_path / "r.h5", tmp_path / "png")}
    assert names == {"site_map.png", "sinr_cdf.png"}


def test_geometry_sinr_against_hand_computation():
    from rof.plot import geometry_sinr_db

    gain_db = np.array([[-80.0, -90.0, -100.0], [-95.0, -85.0, -99.0]])
    cell = np.array([[0, 1, 2], [3, 0, 1]])
    serving = np.array([0, 1])  # user 1 is served by cell 1, its weakest kept link
    bg = np.array([1e-11, 0.0])
    p, n = 0.5, 1e-12
    got = geometry_sinr_db(gain_db, cell, serving, bg, n, p)  # float32 (rof.radio.sinr)
    u0 = 1e-8 * p / ((1e-9 + 1e-10 + 1e-11) * p + n)
    assert got[0] == pytest.approx(10 * np.log10(u0), rel=1e-6)
    g1 = 10 ** (np.array([-95.0, -85.0, -99.0]) / 10)
    u1 = g1[2] * p / ((g1[0] + g1[1]) * p + n)
    assert got[1] == pytest.approx(10 * np.log10(u1), rel=1e-6)
    assert np.isnan(geometry_sinr_db(gain_db, cell, np.array([5, 1]), bg, n, p)[0])


def _grid_sweep(tmp_path):
    """A 4 x 5 product sweep of probe points (20 curves' worth)."""
    scn = {
        "name": "grid",
        "seed": 2,
        "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0, "ue_per_site": 2},
        "sweep": {
            "edge.scheduler": ["round_robin", "proportional_fair", "coordinated_pf", "wmmse"],
            "fronthaul.fiber_length_km": [0.0, 5.0, 10.0, 15.0, 20.0],
        },
    }
    return run_sweep(scn, tmp_path / "g.h5", InlineExecutor(), point_fn=probe_point, progress=False)


def test_cdf_curves_are_chosen_by_axis_value_with_distinct_styles_outside_legend(tmp_path):
    # Curves used to be 12 of the 20 points picked by index (an irregular subset),
    # colours repeated after ten curves, and the legend sat on top of the curves.
    from rof.plot import sweep_figures

    fig = sweep_figures(_grid_sweep(tmp_path), allow_probe=True)["sinr_cdf.png"]
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert 1 < len(lines) <= 12
    labels = [ln.get_label() for ln in lines]
    assert fig.legends[0].get_title().get_text() == "scheduler, fiber_length_km"
    pairs = [tuple(lab.split(", ")) for lab in labels]
    scheds, kms = sorted({p[0] for p in pairs}), sorted({p[1] for p in pairs}, key=float)
    assert len(pairs) == len(scheds) * len(kms) == len(set(pairs))  # a full grid of values
    assert kms[0] == "0.0" and kms[-1] == "20.0"  # each axis keeps its first and last value
    assert {"round_robin", "wmmse"} <= set(scheds)
    styles = [(ln.get_color(), str(ln.get_linestyle())) for ln in lines]
    assert len(set(styles)) == len(styles)  # every curve looks different
    fig.draw_without_rendering()  # runs the constrained layout
    legend = fig.legends[0].get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1  # outside the data, to the right
    assert "of 20 points, chosen by axis value" in ax.get_title()


def test_site_maps_per_point_carry_that_points_fiber_lengths(tmp_path):
    # A fiber sweep labelled every route "0.0 km": only the first point was drawn.
    from rof.plot import sweep_figures
    from rof.store import SweepWriter

    rng = np.random.default_rng(3)
    sites = rng.uniform(-300, 300, (7, 2))
    axes = {"fronthaul.fiber_length_km": [0.0, 20.0]}
    with SweepWriter(tmp_path / "f.h5", 'name = "f"\n', axes, axes, [1, 2], "product") as w:
        for i, km in enumerate((0.0, 20.0)):
            arrays = {"site_xy_m": sites, "edge_xy_m": np.zeros(2), "fiber_km": np.full(7, km)}
            w.add(i, {"kpis": {}, "arrays": arrays})
    figs = sweep_figures(tmp_path / "f.h5")
    assert {"site_map_000.png", "site_map_001.png"} <= figs.keys()
    for name, km in (("site_map_000.png", "0 km"), ("site_map_001.png", "20 km")):
        ax = figs[name].axes[0]
        assert {t.get_text() for t in ax.texts} == {km}
        assert ax.get_title().endswith(f"fiber_length_km = {float(km.split()[0])}")


def test_probe_files_are_refused_or_marked(tmp_path):
    from rof.errors import DataError
    from rof.plot import sweep_figures

    path = _grid_sweep(tmp_path)
    with pytest.raises(DataError, match="synthetic probe points"):
        plot_sweep(path, tmp_path / "png")
    assert not (tmp_path / "png").exists()
    figs = sweep_figures(path, allow_probe=True)
    assert all("SYNTHETIC PROBE DATA" in f._suptitle.get_text() for f in figs.values())
