"""The channel-prediction task that the edge's ``csi = "learnware"`` reuses from the dock.

* :mod:`~rof.edge.chanpred.task`: the task's features (addressed by name), its fixed
  feature schema and simulated training data (TR 38.901 channels);
* :mod:`~rof.edge.chanpred.predictor`: a predictor assembled from a dock search;
* :mod:`~rof.edge.chanpred.build`: the shipped dock of channel predictors
  (``rof dock build``).

The dock (:mod:`rof.learnware`) knows none of this: it stores, checks and searches
learnwares of any task.
"""

from __future__ import annotations

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "task": [
            "COLUMN",
            "FEATURE_NAMES",
            "SHIPPED_SCENARIOS",
            "ChannelScenario",
            "channel_schema",
            "link_features",
            "simulate_channel_data",
        ],
        "predictor": ["ChannelPredictor"],
        "build": ["build_channel_dock"],
    },
)
