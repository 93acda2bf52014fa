"""Learnware dock: RKME specifications, a safe model store, search and reuse.

The dock is generic: it knows tasks only by their feature schema and imports nothing
from the radio, the edge or the schedulers (the channel-prediction task lives in
:mod:`rof.edge.chanpred`).

Names are imported lazily (PEP 562), so ``import rof.learnware.cli`` stays light.

Example
-------
>>> import numpy as np
>>> from rof.learnware import RKMESpecification
>>> spec = RKMESpecification.fit(np.random.default_rng(0).normal(size=(200, 3)), 10)
>>> spec.z.shape
(10, 3)
"""

from __future__ import annotations

import lazy_loader as lazy

# The public names and the submodules that define them are listed once, in
# __init__.pyi (which type checkers read); each loads on first access.
__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
