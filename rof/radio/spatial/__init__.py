"""The TR 38.901 section 7.5 spatial channel for antenna arrays.

* :mod:`~rof.radio.spatial.params` -- Table 7.5-6 large-scale parameters (data in
  ``rof/radio/tables/tr38901_table7.5-6_spatial_r17.csv``), Tables 7.5-2/-3/-4/-7/-8,
  correlated LSP draws (step 4);
* :mod:`~rof.radio.spatial.clusters` -- delays, powers, angles, coupling, XPR and
  phases (steps 5-10);
* :mod:`~rof.radio.spatial.model` -- channel coefficients and frequency responses
  (step 11): the NumPy reference and the kernel driver;
* :mod:`~rof.radio.spatial.kernels` -- the numba kernels;
* :mod:`~rof.radio.spatial.channel` -- :func:`spatial_drop` / :func:`spatial_channel`:
  per-element responses of each UE's K strongest links, time-correlated by Doppler.

Example
-------
>>> import numpy as np
>>> from rof.radio.deployment import make_deployment
>>> from rof.radio.spatial import spatial_drop
>>> rng = np.random.default_rng(1)
>>> dep = make_deployment("hex", rng=rng, wraparound=True, indoor_fraction=0.8,
...                       n_sites=7, inter_site_distance_m=500, ue_per_site=3,
...                       site_height_m=25.0, scenario="UMa", min_ue_distance_m=35.0)
>>> ch = spatial_drop(dep, scenario="UMa", fc_ghz=3.5, k=4, bs_array="panel_4x8", rng=rng)
>>> ch.response(tti=0).shape
(21, 4, 32, 1, 52)
"""

from rof.radio.spatial.channel import (
    SUBCARRIER_SPACINGS_HZ,
    SpatialChannel,
    spatial_channel,
    spatial_drop,
)
from rof.radio.spatial.clusters import Clusters, draw_clusters
from rof.radio.spatial.model import LinkGeometry, response_reference
from rof.radio.spatial.params import SpatialParams, draw_lsps, spatial_params

__all__ = [
    "SUBCARRIER_SPACINGS_HZ",
    "Clusters",
    "LinkGeometry",
    "SpatialChannel",
    "SpatialParams",
    "draw_clusters",
    "draw_lsps",
    "response_reference",
    "spatial_channel",
    "spatial_drop",
    "spatial_params",
]
