"""Scenario names that ``rof.sweep`` re-exports (``rof.sweep.Scenario`` is an alias of
``rof.scenario.Scenario``); a module of its own so that ``rof.sweep`` can load them lazily."""

from __future__ import annotations

from rof.scenario import Scenario, SweepSpec, field_paths
from rof.scenario.axes import SweepPoint, axis_table, point_seed, sweep_points

__all__ = [
    "Scenario",
    "SweepPoint",
    "SweepSpec",
    "axis_table",
    "field_paths",
    "point_seed",
    "sweep_points",
]
