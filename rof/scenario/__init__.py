"""Scenarios: the TOML schema, its sections, sweep axes, and TOML in and out.

This layer sits below :mod:`rof.edge`, :mod:`rof.sweep` and the CLI: all of them
read a scenario through it, and it imports none of them.

>>> from rof.scenario import Scenario
>>> scn = Scenario.from_dict({"name": "demo", "seed": 1})
>>> scn.with_overrides({"edge.csi": "perfect"}).edge.csi
'perfect'
"""

from __future__ import annotations

from rof.scenario.axes import SweepPoint, axis_table, point_seed, sweep_points
from rof.scenario.schema import Scenario, SweepSpec, as_scenario, field_paths
from rof.scenario.sections import Deployment, Edge, Fronthaul, Radio, Run

__all__ = [
    "Deployment",
    "Edge",
    "Fronthaul",
    "Radio",
    "Run",
    "Scenario",
    "SweepPoint",
    "SweepSpec",
    "as_scenario",
    "axis_table",
    "field_paths",
    "point_seed",
    "sweep_points",
]
