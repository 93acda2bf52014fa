"""Smart-edge coordinator: multi-site scheduling, link adaptation and KPIs.

:func:`simulate` runs a scenario's TTI loop and returns a :class:`Result`.
Schedulers are built by name from :data:`SCHEDULERS` via :func:`make_scheduler`:
``round_robin`` and ``proportional_fair`` (each cell alone), ``coordinated_pf``
(joint greedy PF with muting), ``wmmse`` (weighted-sum-rate power control) and
``fronthaul_aware`` (any of them with the fronthaul SNR and CSI age in the estimate).

Example
-------
>>> from rof.edge import SCHEDULERS
>>> sorted(SCHEDULERS)
['coordinated_pf', 'proportional_fair', 'round_robin', 'wmmse']
"""

from __future__ import annotations

from rof.edge._base import Scheduler, SchedulingInput
from rof.edge.coordinated import CoordinatedPF
from rof.edge.fronthaul_aware import FronthaulAware
from rof.edge.kpis import jain_fairness, throughput_kpis
from rof.edge.percell import ProportionalFair, RoundRobin
from rof.edge.registry import SCHEDULERS, make_scheduler
from rof.edge.result import Result
from rof.edge.simulate import simulate
from rof.edge.wmmse import WMMSE

__all__ = [
    "SCHEDULERS",
    "WMMSE",
    "CoordinatedPF",
    "FronthaulAware",
    "ProportionalFair",
    "Result",
    "RoundRobin",
    "Scheduler",
    "SchedulingInput",
    "jain_fairness",
    "make_scheduler",
    "simulate",
    "throughput_kpis",
]
