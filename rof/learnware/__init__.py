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

import importlib

__all__ = [
    "AveragingReuser",
    "ChannelPredictor",
    "Dock",
    "FeatureAugmentReuser",
    "FeatureSchema",
    "JobSelectorReuser",
    "Learnware",
    "LearnwareInfo",
    "MixtureResult",
    "RKMESpecification",
    "SearchHit",
    "SearchResult",
    "link_features",
]

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


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"rof.learnware.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'rof.learnware' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
