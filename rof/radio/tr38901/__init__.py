"""The TR 38.901 scenarios: one module per scenario, one registry.

Each scenario of 3GPP TR 38.901 V17 that ``rof`` models is a
:class:`~rof.radio.tr38901.model.Tr38901Scenario` in its own module (``uma.py``,
``umi.py``, ``inh.py``, ``rma.py``): the coefficients of its path-loss and
LOS-probability formulas, its O2I model, its layout numbers. The path loss, LOS
probability, O2I and shadowing functions of :mod:`rof.radio`, the numba link-table
kernel, the deployment and the scenario schema (``[radio] scenario``) all read
:data:`SCENARIOS`.

The registry lists the scenarios of Table 7.4.1-1 (``tables/tr38901_table7.4.1-1_r17.csv``)
in the table's order; scenario ``X`` lives in module ``rof.radio.tr38901.x`` (lower
case, ``-`` as ``_``) as ``SCENARIO``. Adding a scenario whose formulas take one of
the forms of :mod:`rof.radio.tr38901.model` therefore touches three files: its rows
in Table 7.4.1-1 and Table 7.5-6 (``tables/``) and its module here.
"""

from __future__ import annotations

import importlib

from rof._validate import check_choice
from rof.radio._tables import read_table
from rof.radio.tr38901.model import TABLE, Tr38901Scenario

__all__ = ["SCENARIOS", "SCENARIO_NAMES", "Tr38901Scenario", "get_scenario"]


def _load() -> dict[str, Tr38901Scenario]:
    out: dict[str, Tr38901Scenario] = {}
    for row in read_table(TABLE):
        name = row["scenario"]
        if name in out:
            continue
        module = importlib.import_module(f"{__name__}.{name.lower().replace('-', '_')}")
        sc = module.SCENARIO
        if sc.name != name:  # pragma: no cover - a module naming error
            raise ImportError(f"{module.__name__}.SCENARIO is named {sc.name!r}, not {name!r}")
        out[name] = sc
    return out


#: The scenarios by TR name, in the order of Table 7.4.1-1.
SCENARIOS: dict[str, Tr38901Scenario] = _load()
#: Their names ("UMa", "UMi", "InH", "RMa").
SCENARIO_NAMES: tuple[str, ...] = tuple(SCENARIOS)


def get_scenario(name: str) -> Tr38901Scenario:
    """The registered scenario called ``name``; a :class:`~rof.errors.ParameterError`
    naming the allowed ones otherwise."""
    check_choice("scenario", name, SCENARIO_NAMES)
    return SCENARIOS[name]
