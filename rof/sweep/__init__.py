"""Scenarios and sweeps: TOML schema, sweep axes, executors, and the sweep runner.

>>> from rof.sweep import Scenario, run_sweep          # doctest: +SKIP
>>> scn = Scenario.from_toml("scenarios/capacity_vs_fiber.toml")
>>> run_sweep(scn, "capacity.h5")                      # local worker processes
"""

from __future__ import annotations

import lazy_loader as lazy

# Public names are listed once, in __init__.pyi; each loads on first access, so that
# `rof --help` (which imports rof.sweep.cli) does not load the scenario layer.
__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
