"""Reading a scenario for the edge: one converter, :func:`rof.scenario.as_scenario`.

The schema (:mod:`rof.scenario`) checks every key the TTI loop relies on, so the edge
repeats none of them; a TOML path, a dict or a :class:`rof.scenario.Scenario` is
accepted, anything else is a ``ConfigError``.
"""

from __future__ import annotations

from rof.scenario import as_scenario

__all__ = ["as_scenario"]
