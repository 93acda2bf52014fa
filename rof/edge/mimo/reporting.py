"""Which per-antenna channel the edge precodes from in each slot: the CSI report's age.

With ``edge.csi = "delayed"`` and ``edge.csi_timeline = "nr"`` (the default) the report
the edge holds in slot ``t`` is the one of the NR CSI timeline
(:class:`rof.edge.csi_timeline.CsiTimeline`: periodic CSI-RS, the report in an uplink
slot no earlier than the CSI reference resource, the fiber round trip and
``edge.processing_delay_ms``), so its age ``t - m(t)`` is a per-cell sawtooth in whole
slots; the channel it carries is the per-antenna channel at the measurement slot,
``h(m(t) T_slot)`` (:class:`rof.edge.mimo.channel.ArrayChannel` evaluated at that time:
exactly the state the UE measured). With ``csi_timeline = "fixed"`` every report is the
fiber round trip (``csi_ageing``) plus the processing delay old, as in
:func:`rof.edge.simulate`; with ``csi = "perfect"`` it is the current channel.

Between two reports the reported channel does not change, so :class:`ReportClock`
keeps the channels of the measurement times in use and computes each only once.
"""

from __future__ import annotations

import numpy as np

from rof.errors import ConfigError

__all__ = ["ReportClock"]


class ReportClock:
    """Report age per cell and slot, and the reported channels (module docstring).

    Parameters
    ----------
    scn : rof.scenario.Scenario
    world : rof.edge.world.World
    """

    def __init__(self, scn, world):
        from rof.edge.csi_timeline import CsiTimeline
        from rof.edge.world import numerology

        edge = scn.edge
        if edge.csi not in ("perfect", "delayed"):
            raise ConfigError(
                f"edge.csi = {edge.csi!r} is not supported with [mimo]; "
                "allowed: 'perfect', 'delayed'"
            )
        self.tti_s = float(world.tti_s)
        self.n_cells = int(world.n_cells)
        rtt = 2.0 * world.latency_s[world.deployment.cell_site] if edge.csi_ageing else 0.0
        self.edge_delay_s = np.zeros(self.n_cells) + rtt + edge.processing_delay_ms * 1e-3
        self.perfect = edge.csi == "perfect"
        self.timeline = None
        if not self.perfect and edge.csi_timeline == "nr":
            mu, slot_s, _ = numerology(scn.radio.subcarrier_spacing_khz)
            self.timeline = CsiTimeline.from_scenario(edge, mu, slot_s, self.edge_delay_s)
        self._cache: dict[float, np.ndarray] = {}

    def age_s(self, t: int) -> np.ndarray:
        """Age of the report each cell's decision uses in slot ``t``, s, (n_cells,)."""
        if self.perfect:
            return np.zeros(self.n_cells)
        if self.timeline is not None:
            return self.timeline.age_slots(int(t)) * self.tti_s
        return np.round(self.edge_delay_s, 9)

    def age_ttis_mean(self) -> np.ndarray:
        """Mean report age per cell in steady state, slots (for the result arrays)."""
        if self.timeline is not None:
            return self.timeline.mean_age_slots().astype(np.float64)
        return self.age_s(0) / self.tti_s

    def reported(self, chan, t: int, link_cell, rbs=None) -> np.ndarray:
        """The channel each link's report carries in slot ``t``: ``chan`` at ``t T - age``
        of the link's cell; (n_rb, n_ue, K, n_ant) as :meth:`ArrayChannel.at`, or only
        the RBs ``rbs`` (an index array)."""
        times = np.round(int(t) * self.tti_s - self.age_s(t), 12)
        uniq = np.unique(times)
        cache = {}
        for x in uniq:
            x = float(x)
            cache[x] = self._cache[x] if x in self._cache else chan.at(x)
        self._cache = cache  # keep only the reports in use
        pick = (lambda h: h) if rbs is None else (lambda h: h[rbs])
        if uniq.size == 1:
            return pick(cache[float(uniq[0])])
        t_link = times[link_cell]  # (n_ue, K)
        out = np.array(pick(cache[float(uniq[0])]))
        for x in uniq[1:]:
            sel = t_link == x
            out[:, sel] = pick(cache[float(x)])[:, sel]
        return out
