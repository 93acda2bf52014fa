"""The analog radio-over-fiber link: analytic budget, fronthaul rates, CLI.

:class:`RoFLink` composes a transmitter, fiber, optional EDFA and photodiode;
:meth:`RoFLink.budget` returns a :class:`LinkBudget` over broadcast grids (Numba
kernel, NumPy reference in :mod:`rof.link.kernels`); :func:`fronthaul_rate` compares
the CPRI line rate with the analog bandwidth.

Names load on first access, so ``rof.link.cli`` (imported by ``rof --help``) does not
pull in Numba.
"""

from __future__ import annotations

import lazy_loader as lazy

# The public names and the submodules that define them are listed once, in
# __init__.pyi (which type checkers read); each loads on first access.
__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
