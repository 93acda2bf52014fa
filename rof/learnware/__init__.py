"""Learnware dock: RKME specifications, a safe model store, search and reuse.

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

from rof._lazy import lazy_exports

_WHERE = {
    "AveragingReuser": "reuse",
    "ChannelPredictor": "predict",
    "Dock": "dock",
    "FeatureAugmentReuser": "reuse",
    "FeatureSchema": "schema",
    "JobSelectorReuser": "reuse",
    "Learnware": "records",
    "LearnwareInfo": "records",
    "MixtureResult": "search",
    "RKMESpecification": "spec",
    "SearchHit": "search",
    "SearchResult": "search",
    "link_features": "data",
}


__all__, __getattr__, __dir__ = lazy_exports(__name__, _WHERE)
