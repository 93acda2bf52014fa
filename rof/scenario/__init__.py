"""Scenarios: the TOML schema, its sections, sweep axes, and TOML in and out.

This layer sits below :mod:`rof.edge`, :mod:`rof.sweep` and the CLI: all of them
read a scenario through it, and it imports none of them.

>>> from rof.scenario import Scenario
>>> scn = Scenario.from_dict({"name": "demo", "seed": 1})
>>> scn.with_overrides({"edge.csi": "perfect"}).edge.csi
'perfect'
"""

from __future__ import annotations

import lazy_loader as lazy

# Public names are listed once, in __init__.pyi; each loads on first access, so that
# `rof --help` (which imports rof.scenario.cli) does not load pydantic.
__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
