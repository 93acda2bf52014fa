"""The analog radio-over-fiber link: analytic budget, fronthaul rates, CLI.

:class:`RoFLink` composes a transmitter, fiber, optional EDFA and photodiode;
:meth:`RoFLink.budget` returns a :class:`LinkBudget` over broadcast grids (Numba
kernel, NumPy reference in :mod:`rof.link.kernels`); :func:`fronthaul_rate` compares
the CPRI line rate with the analog bandwidth.

Names load on first access, so ``rof.link.cli`` (imported by ``rof --help``) does not
pull in Numba.
"""

from __future__ import annotations

from rof._lazy import lazy_exports

_WHERE = {
    "EVM_LIMITS_PERCENT": "rof.link.budget",
    "LinkBudget": "rof.link.budget",
    "max_modulation": "rof.link.budget",
    "ofdm_distortion": "rof.link.budget",
    "FronthaulRate": "rof.link.fronthaul_rate",
    "fronthaul_rate": "rof.link.fronthaul_rate",
    "RoFLink": "rof.link.link",
}

__all__, __getattr__, __dir__ = lazy_exports(__name__, _WHERE)
