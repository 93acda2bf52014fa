"""Scenarios and sweeps: TOML schema, sweep axes, executors, and the sweep runner.

>>> from rof.sweep import Scenario, run_sweep          # doctest: +SKIP
>>> scn = Scenario.from_toml("scenarios/capacity_vs_fiber.toml")
>>> run_sweep(scn, "capacity.h5")                      # local worker processes
"""

from __future__ import annotations

from rof.scenario import Scenario, SweepSpec, field_paths
from rof.scenario.axes import SweepPoint, axis_table, point_seed, sweep_points
from rof.sweep.executors import DaskExecutor, InlineExecutor, LocalExecutor, make_executor
from rof.sweep.payload import normalise_result
from rof.sweep.probe import probe_point
from rof.sweep.run import load_scenario, run_point, run_sweep, simulate_edge

__all__ = [
    "DaskExecutor",
    "InlineExecutor",
    "LocalExecutor",
    "Scenario",
    "SweepPoint",
    "SweepSpec",
    "axis_table",
    "field_paths",
    "load_scenario",
    "make_executor",
    "normalise_result",
    "point_seed",
    "probe_point",
    "run_point",
    "run_sweep",
    "simulate_edge",
    "sweep_points",
]
