"""Scheduler registry: build a scheduler from its name."""

from __future__ import annotations

from rof.edge._base import Scheduler
from rof.edge.coordinated import CoordinatedPF
from rof.edge.fronthaul_aware import FronthaulAware
from rof.edge.percell import ProportionalFair, RoundRobin
from rof.edge.wmmse import WMMSE
from rof.errors import ParameterError

__all__ = ["SCHEDULERS", "make_scheduler"]

#: Base schedulers by name. ``"fronthaul_aware"`` (see :func:`make_scheduler`) wraps one.
SCHEDULERS: dict[str, type[Scheduler]] = {
    "round_robin": RoundRobin,
    "proportional_fair": ProportionalFair,
    "coordinated_pf": CoordinatedPF,
    "wmmse": WMMSE,
}

_VALID = (*SCHEDULERS, "fronthaul_aware")


def make_scheduler(
    name: str, *, fronthaul_aware: bool = False, inner: str = "coordinated_pf", **options
) -> Scheduler:
    """Build a scheduler.

    Parameters
    ----------
    name : str
        One of ``round_robin``, ``proportional_fair``, ``coordinated_pf``, ``wmmse``
        or ``fronthaul_aware`` (which wraps ``inner``).
    fronthaul_aware : bool
        Wrap the named scheduler in :class:`rof.edge.fronthaul_aware.FronthaulAware`.
    inner : str
        Scheduler wrapped when ``name == "fronthaul_aware"``.
    **options
        Passed to the scheduler (e.g. ``wmmse_iterations``, ``wmmse_starts``).

    Raises
    ------
    ParameterError
        For an unknown name; the message lists the valid ones.
    """
    if name not in _VALID:
        listed = ", ".join(repr(n) for n in _VALID)
        raise ParameterError(f"edge.scheduler = {name!r} is not known; allowed: {listed}")
    if name == "fronthaul_aware":
        if inner not in SCHEDULERS:
            listed = ", ".join(repr(n) for n in SCHEDULERS)
            raise ParameterError(f"edge.inner = {inner!r} is not known; allowed: {listed}")
        return FronthaulAware(SCHEDULERS[inner](**options))
    sched = SCHEDULERS[name](**options)
    return FronthaulAware(sched) if fronthaul_aware else sched
