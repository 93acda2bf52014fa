"""The README figure is reproducible from its scenario (issue 15 item 5).

``docs/img/capacity_vs_fiber.png`` is drawn by ``rof plot`` from the stored sweep
``docs/data/capacity_vs_fiber.h5`` (``python docs/data/regenerate.py capacity``), and the
values it plots are kept beside it in ``docs/data/capacity_vs_fiber_plotted.csv``.
The fast tests check that the stored file was produced by the shipped scenario as it is
now and that plotting it gives exactly those values; the slow one reruns a point of the
scenario and matches the stored KPIs bit for bit (same seed).
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import numpy as np
import pytest

from rof.scenario import Scenario
from rof.store import read_info, read_point

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "docs" / "data" / "capacity_vs_fiber.h5"
PLOTTED = ROOT / "docs" / "data" / "capacity_vs_fiber_plotted.csv"
SCENARIO = ROOT / "scenarios" / "capacity_vs_fiber.toml"


def test_stored_data_comes_from_the_shipped_scenario():
    info = read_info(DATA)
    stored = Scenario.from_dict(tomllib.loads(info["scenario_toml"]))
    assert stored.to_dict() == Scenario.from_toml(SCENARIO).to_dict()
    assert len(info["completed"]) == info["n_points"] == 12


def _drawn(fig) -> list[tuple[str, float, float]]:
    rows = []
    for ax in fig.axes:
        for line in ax.get_lines():
            x, y = line.get_data()
            rows += [(line.get_label(), float(a), float(b)) for a, b in zip(x, y, strict=True)]
        for i, band in enumerate(ax.collections):
            rows += [(f"band {i}", float(a), float(b)) for a, b in band.get_paths()[0].vertices]
    return rows


def test_plotting_the_stored_data_gives_the_figure_values():
    from rof.plot.sweep import sweep_figures

    fig = sweep_figures(DATA)["capacity_vs_fiber.png"]
    got = _drawn(fig)
    with PLOTTED.open(newline="") as fh:
        want = [
            (r["label"], float(r["x"]), float(r["y"]))
            for r in csv.DictReader(line for line in fh if not line.startswith("#"))
        ]
    assert [g[0] for g in got] == [w[0] for w in want]
    np.testing.assert_allclose([g[1:] for g in got], [w[1:] for w in want], rtol=1e-12)
    # the lines are the stored KPIs (Mbit/s): 0 km with ageing is point 0
    kpis = read_point(DATA, 0).kpis
    mean_0km = [w[2] for w in want if w[0].endswith(": mean") and w[1] == 0.0]
    assert kpis["ue_throughput_mean_bps"] / 1e6 in mean_0km


@pytest.mark.slow
def test_rerunning_a_point_reproduces_the_stored_kpis():
    """Point 0 (0 km, CSI ageing on) of the shipped scenario, rerun: the same KPIs and
    intervals bit for bit (~1 min)."""
    from rof.scenario import sweep_points
    from rof.sweep import run_point

    point = sweep_points(Scenario.from_toml(SCENARIO))[0]
    stored = read_point(DATA, 0)
    assert stored.seed == point.seed
    got = run_point(point.scenario)["kpis"]
    for k, v in stored.kpis.items():
        assert got[k] == v or (np.isnan(got[k]) and np.isnan(v)), k
