"""Sweep points: the ``[sweep]`` axes expanded into independent, individually seeded scenarios.

Seeding
-------
A scenario without ``[sweep]`` is one point that keeps its own ``seed``. With axes,
the ``n`` points (cartesian product, last axis fastest, or ``zip``) take the seeds of
``numpy.random.SeedSequence(seed).spawn(n)``: point ``i`` receives a scenario whose
``seed`` is the 63-bit integer drawn from child ``i`` (:func:`point_seed`). The layer
that runs a point makes its generator with ``numpy.random.default_rng(scenario.seed)``,
so a point's result depends only on its index and values, never on the worker that ran
it or on the order of completion (NumPy's ``SeedSequence`` documentation on independent
parallel streams). With ``[sweep] common_seed = true`` every point takes child 0
instead (common random numbers: the same drop and fading, only the axis values differ).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from rof.errors import ConfigError

if TYPE_CHECKING:
    from rof.scenario.schema import Scenario

#: A value a sweep axis may take.
AxisValue = str | bool | int | float

__all__ = ["AxisValue", "SweepPoint", "axis_table", "point_seed", "sweep_points"]


@dataclass(frozen=True)
class SweepPoint:
    """One point of a sweep.

    Attributes
    ----------
    index : int
        Position in the sweep (0-based), the key of its group in the result file.
    values : dict[str, str | bool | int | float]
        Axis key path -> value at this point (empty for a single run).
    seed : int
        The point's seed (see the module docstring).
    scenario : Scenario
        The base scenario with ``values`` applied, ``seed`` set and no ``[sweep]``.
    """

    index: int
    values: dict[str, AxisValue]
    seed: int
    scenario: Scenario


def point_seed(child: np.random.SeedSequence) -> int:
    """A non-negative 63-bit integer seed drawn from a spawned ``SeedSequence``."""
    lo, hi = child.generate_state(2, dtype=np.uint32)
    return ((int(hi) << 32) | int(lo)) & (2**63 - 1)


def _combinations(scn: Scenario) -> list[dict[str, AxisValue]]:
    if scn.sweep is None:
        return [{}]
    keys = list(scn.sweep.axes)
    lists = [scn.sweep.axes[k] for k in keys]
    rows = itertools.product(*lists) if scn.sweep.mode == "product" else zip(*lists, strict=True)
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _value_key(v: AxisValue) -> tuple:
    """Equality key of an axis value: numbers compare as numbers (1 == 1.0, 0.0 == -0.0)."""
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, int | float):
        return ("number", v)  # Python's int/float equality and hash are exact and agree
    return ("text", v)


def _check_distinct(scenario: Scenario, source: str) -> None:
    for key, values in scenario.sweep.axes.items():
        seen: dict[tuple, int] = {}
        for i, v in enumerate(values):
            first = seen.setdefault(_value_key(v), i)
            if first != i:
                raise ConfigError(
                    f"{source}: sweep.{key!r} lists {values[first]!r} and {v!r}, the same value "
                    "twice; "
                    "allowed: distinct values (numbers are compared as numbers)"
                )


def sweep_points(scenario: Scenario, *, source: str = "scenario") -> list[SweepPoint]:
    """Expand a scenario into its validated points.

    Every point's scenario is validated here, so a bad axis value fails before any
    work starts or any file is written; the error names the point and the key. Values
    of one axis must differ as numbers (``[1, 1.0]`` or ``[0.0, -0.0]`` would run one
    setting twice under two seeds and repeat a coordinate of the results).
    """
    if scenario.sweep is not None:
        _check_distinct(scenario, source)
    combos = _combinations(scenario)
    base = scenario.without_sweep()
    if scenario.sweep is None:
        return [SweepPoint(0, {}, scenario.seed, base)]
    n_seeds = 1 if scenario.sweep.common_seed else len(combos)
    children = np.random.SeedSequence(scenario.seed).spawn(n_seeds) * (len(combos) // n_seeds)
    points = []
    for i, (values, child) in enumerate(zip(combos, children, strict=True)):
        label = ", ".join(f"{k}={v!r}" for k, v in values.items())
        scn = base.with_overrides(values, source=f"{source}: sweep point {i} ({label})")
        seed = point_seed(child)
        points.append(SweepPoint(i, values, seed, scn.model_copy(update={"seed": seed})))
    return points


def axis_table(points: list[SweepPoint]) -> dict[str, list[AxisValue]]:
    """Axis key -> the value at every point, in point order (the store's axes table)."""
    keys = list(points[0].values) if points else []
    return {k: [p.values[k] for p in points] for k in keys}
