"""Reading a scenario for the edge: Scenario, TOML path or dict, plus the edge's own checks.

The schema is :class:`rof.sweep.Scenario` (attribute names equal the TOML keys);
this module only converts the accepted input forms and repeats the checks the TTI
loop relies on, so that a duck-typed scenario object is validated too.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

from rof.errors import ConfigError

__all__ = ["as_scenario", "check_scenario"]


def _namespace(d):
    if isinstance(d, dict):
        return SimpleNamespace(**{k: _namespace(v) for k, v in d.items()})
    return d


def as_scenario(scenario):
    """A scenario object from a :class:`rof.sweep.Scenario`, a TOML path or a dict."""
    try:
        from rof.sweep import Scenario
    except ImportError:  # the sweep layer is optional for the edge
        Scenario = None
    if isinstance(scenario, str | Path):
        if Scenario is None:
            raise ConfigError(f"{scenario}: reading TOML files needs rof.sweep.Scenario")
        return Scenario.from_toml(scenario)
    if isinstance(scenario, dict):
        if Scenario is not None:
            return Scenario.from_dict(scenario)
        return _namespace(scenario)
    return scenario


def _fail(key, value, allowed):
    raise ConfigError(f"{key} = {value!r} is out of range; allowed: {allowed}")


def check_scenario(scn) -> None:
    """The checks :func:`rof.edge.simulate` needs, each naming its key.

    Raises
    ------
    ConfigError
        For zero or negative TTIs, ``warmup_ttis >= ttis``, negative delays, an
        unknown scheduler or CSI mode.
    """
    from rof.edge.registry import make_scheduler

    run, edge = scn.run, scn.edge
    if not isinstance(run.ttis, int) or run.ttis < 1:
        _fail("run.ttis", run.ttis, "an integer >= 1")
    if not isinstance(run.warmup_ttis, int) or not 0 <= run.warmup_ttis < run.ttis:
        _fail("run.warmup_ttis", run.warmup_ttis, f">= 0 and < run.ttis = {run.ttis}")
    d = edge.processing_delay_ms
    if not (isinstance(d, int | float) and math.isfinite(d) and d >= 0):
        _fail("edge.processing_delay_ms", d, ">= 0")
    fl = getattr(scn.fronthaul, "fiber_length_km", None)
    if fl is not None and not (math.isfinite(fl) and fl >= 0):
        _fail("fronthaul.fiber_length_km", fl, ">= 0")
    if edge.csi not in ("perfect", "delayed", "learnware"):
        raise ConfigError(
            f"edge.csi = {edge.csi!r} is not known; allowed: 'perfect', 'delayed', 'learnware'"
        )
    make_scheduler(edge.scheduler)  # unknown names list the valid ones
    if not 1 <= edge.pf_window_ttis:
        _fail("edge.pf_window_ttis", edge.pf_window_ttis, ">= 1")
