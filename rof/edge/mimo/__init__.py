"""Multi-antenna sites at the smart edge: clusters, joint transmission, per-branch fronthaul.

- :mod:`rof.edge.mimo.cluster`: per-site MU-MIMO, coordinated beamforming and joint
  transmission over static or user-centric clusters of sites; precoders from the
  reported channel, evaluated on the true one (:mod:`rof.edge.precoding`);
- :mod:`rof.edge.mimo.branches`: one analog fronthaul branch per antenna (SNDR, gain and
  phase mismatch, WDM crosstalk between branches), its noise added after precoding;
- :mod:`rof.edge.mimo.sus`: semi-orthogonal user selection with PF weights;
- :mod:`rof.edge.mimo.channel`: per-antenna channels (array response x fading).
"""

from __future__ import annotations

from rof.edge.mimo.cluster import SCHEMES, StreamPlan, evaluate, plan_streams, precoders
from rof.edge.mimo.sus import sus

__all__ = ["SCHEMES", "StreamPlan", "evaluate", "plan_streams", "precoders", "sus"]
