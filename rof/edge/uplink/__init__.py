"""The uplink at the smart edge: analog fronthaul from the sites, power control, scheduling
and joint reception (issue 20).

:mod:`~rof.edge.uplink.combining` holds the MRC and MMSE combiners,
:mod:`~rof.edge.uplink.joint` the per-TTI joint reception over clusters of sites,
:mod:`~rof.edge.uplink.schedule` the per-site proportional-fair uplink scheduler and its
coordinated variant, :mod:`~rof.edge.uplink.simulate` the uplink run
(:func:`simulate_uplink`; ``rof run`` and ``rof sweep`` dispatch to it for a scenario with
an ``[uplink]`` table) and :mod:`~rof.edge.uplink.study` the throughput study over fiber
length and laser RIN with and without joint reception.
"""

from __future__ import annotations

__all__ = ["simulate_uplink"]


def __getattr__(name):
    if name == "simulate_uplink":
        from rof.edge.uplink.simulate import simulate_uplink

        return simulate_uplink
    raise AttributeError(name)
