"""The UE's CQI report (TS 38.214 Sec. 5.2.2.1) and the per-RB SINR the edge knows from it.

``edge.cqi_report`` picks what the edge learns of each UE's channel quality:

* ``"per_rb"`` (default): the reported SINR of every RB, quantised through one 4-bit
  CQI where link adaptation and the rate per RB use it (:mod:`rof.edge.link_adaptation`,
  :mod:`rof.edge.rate_model`);
* ``"wideband"``: one 4-bit CQI over the CSI reporting band (the carrier);
* ``"subband"``: the wideband CQI plus a 2-bit differential CQI per subband of
  ``edge.cqi_subband_size_prbs`` PRBs (:mod:`rof.radio.csi_reporting`: TS 38.214
  Table 5.2.1.4-2 subbands, Table 5.2.2.1-1 offsets).

The UE's CQI over a band (the whole carrier, or one subband: the CSI reference
resource of TS 38.214 Sec. 5.2.2.5 is the band the CQI relates to) is the highest CQI
``q`` whose transport block over the band's ``n`` RBs would meet the CQI's 10 % BLER
(Sec. 5.2.2.1) at the band's effective SINR:

.. math:: q^* = \\max\\{q : \\gamma_{\\mathrm{eff}}(\\gamma_b, b \\in \\mathrm{band};
          \\beta_q) \\ge T_q(n)\\},\\qquad 0 \\text{ if none ("out of range")},

with the link abstraction of ``radio.link_abstraction``:

* ``"eesm"``: EESM with the beta of the MCS whose modulation and code rate are CQI
  ``q``'s (:func:`rof.radio.bler_curves.eesm_per_ue`), and ``T_q(n)`` that MCS's
  10 %-BLER SINR for a block of ``n`` RBs on 5G-LENA's curves
  (:func:`rof.edge.rate_model.allocation_thresholds_db`). CQI 1 of tables 1 and 2 (QPSK
  78/1024) has no MCS in its table; it takes MCS 0's (QPSK 120/1024) curve shifted by
  the LDPC repetition rule ``10 log10(78 / 120)`` (:func:`rof.radio.bler_curves
  .repetition_shift_db`, the rule the low-SE table's curves are built with);
* ``"se_gap"``: the capacity-mapped SINR (:mod:`rof.radio.effective_sinr`) and
  :func:`rof.radio.rates.cqi_threshold_db`, the thresholds of
  :func:`rof.edge.link_adaptation.cqi_sinr_db`.

The thresholds are made non-decreasing in ``q`` (a running maximum). What the edge
knows per RB is the SINR of the CQI it reconstructs for the RB's band, ``T_q(n)`` (the
lower edge of the CQI's SINR interval; ``-inf`` for CQI 0), the same value for every
RB of a subband (wideband: of the carrier).

The UE measures the per-RB SINR the edge's channel report carries (aged by the CSI
timeline, :mod:`rof.edge.csi_timeline`) with every top-K cell transmitting at full
power: the interference hypothesis of the per-cell schedulers
(:func:`rof.edge.percell.full_power_rate`). The edge replaces the serving link's
reported per-RB gain by the one that gives the known SINR under that hypothesis
(:func:`reported_gain`), and the schedulers and link adaptation use that gain exactly
where they use the reported one with ``"per_rb"``: per-cell proportional fair then
estimates each RB at the known SINR exactly; the coordinated schedulers add their muting
hypotheses on top; link adaptation evaluates the decision with it. Interference gains
stay as reported (CSI-IM is not modelled separately), fronthaul noise is left out of the
UE's measurement as the schedulers leave it out of their estimate (unless fronthaul-aware).

Examples
--------
>>> import numpy as np
>>> rep = CqiReport.build("wideband", "se_gap", "qam256", 51)
>>> sinr = np.full((1, 51), 10.0 ** (14.0 / 10.0))  # flat 14 dB
>>> int(rep.cqis(sinr)[0][0])  # the per-RB CQI of 14 dB: rof.radio.rates.select_cqi
9
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from rof._validate import check_choice
from rof.errors import ConfigError

__all__ = [
    "CQI_BLER",
    "CQI_REPORTS",
    "CqiReport",
    "KnownSinrCache",
    "band_cqi",
    "cqi_levels",
    "full_power_sinr",
    "reported_gain",
]

#: The values of ``edge.cqi_report``.
CQI_REPORTS = ("per_rb", "wideband", "subband")
#: Transport-block error probability a CQI's entry must not exceed (TS 38.214 Sec. 5.2.2.1).
CQI_BLER = 0.1
_N_CQI = 15


@lru_cache(maxsize=1024)
def cqi_levels(
    link_abstraction: str, mcs_table: str, n_rb_band: int, n_rb_max: int
) -> tuple[np.ndarray, np.ndarray]:
    """``T_q(n)`` (dB) and EESM beta of CQIs 1 .. 15 for a band of ``n_rb_band`` RBs
    (module docstring).

    Parameters
    ----------
    link_abstraction : {"eesm", "se_gap"}
    mcs_table : {"qam64", "qam256", "qam64lowse"}
        Picks the CQI table (:data:`rof.edge.link_adaptation.CQI_TABLE_OF_MCS`).
    n_rb_band : int
        RBs of the band the CQI relates to.
    n_rb_max : int
        RBs of the carrier.

    Returns
    -------
    thr_db : ndarray, shape (15,)
        Non-decreasing; read-only.
    beta : ndarray, shape (15,) or (0,)
        EESM beta (linear) per CQI; empty for ``"se_gap"`` (capacity mapping). Read-only.
    """
    from rof.edge.link_adaptation import CQI_TABLE_OF_MCS
    from rof.edge.rate_model import LINK_ABSTRACTIONS, allocation_thresholds_db
    from rof.radio import bler_curves, rates

    check_choice("radio.link_abstraction", link_abstraction, LINK_ABSTRACTIONS)
    cqi = rates.cqi_table(CQI_TABLE_OF_MCS[mcs_table])
    if link_abstraction == "se_gap":
        thr = np.array(rates.cqi_threshold_db(cqi.name), dtype=np.float64)
        beta = np.zeros(0)
    else:
        mcs = rates.mcs_table(mcs_table)
        all_thr = allocation_thresholds_db("eesm", mcs_table, int(n_rb_max), CQI_BLER)
        all_beta = bler_curves.eesm_beta(mcs_table)
        thr, beta = np.empty(_N_CQI), np.empty(_N_CQI)
        for i, (qm, rate) in enumerate(zip(cqi.modulation_order, cqi.code_rate_x1024, strict=True)):
            same = np.flatnonzero((mcs.modulation_order == qm) & (mcs.code_rate_x1024 == rate))
            if same.size:
                m, shift = int(same[0]), 0.0
            elif qm == mcs.modulation_order[0] and rate < mcs.code_rate_x1024[0]:
                m = 0  # below MCS 0: its curve, shifted by the repetition rule
                shift = float(bler_curves.repetition_shift_db(rate, mcs.code_rate_x1024[0]))
            else:  # pragma: no cover - every TS 38.214 CQI entry is one of the above
                raise ConfigError(f"CQI {i + 1} of {cqi.name} has no MCS of {mcs_table}")
            thr[i] = all_thr[m, int(n_rb_band)] + shift
            beta[i] = all_beta[m]
    thr = np.maximum.accumulate(thr)
    thr.setflags(write=False)
    beta.setflags(write=False)
    return thr, beta


def band_cqi(sinr, bounds, thr_db, beta) -> np.ndarray:
    """Each UE's CQI over each band (module docstring).

    Parameters
    ----------
    sinr : ndarray, shape (n_ue, n_rb)
        Linear per-RB SINR the UE measures (>= 0).
    bounds : ndarray of int, shape (n_bands + 1,)
        Band ``i`` holds RBs ``bounds[i] .. bounds[i + 1] - 1``.
    thr_db : ndarray, shape (n_bands, 15)
        ``T_q`` of each band (:func:`cqi_levels`).
    beta : ndarray, shape (15,) or (0,)
        EESM beta per CQI; empty: capacity mapping.

    Returns
    -------
    ndarray of int64, shape (n_ue, n_bands)
        0 .. 15.
    """
    from rof.radio.bler_curves import eesm_per_ue
    from rof.radio.effective_sinr import capacity_information, capacity_inverse

    s = np.asarray(sinr, dtype=np.float64)
    n_ue = s.shape[0]
    bounds = np.asarray(bounds, dtype=np.int64)
    n_bands = bounds.size - 1
    band_of_rb = np.repeat(np.arange(n_bands), np.diff(bounds))
    group = (np.arange(n_ue)[:, None] * n_bands + band_of_rb[None, :]).ravel()  # (UE, band)
    n_groups = n_ue * n_bands
    if len(beta):
        eff = eesm_per_ue(group, s.ravel(), n_groups, beta)  # (15, n_ue * n_bands)
    else:
        info = np.bincount(group, weights=capacity_information(s.ravel()), minlength=n_groups)
        n = np.bincount(group, minlength=n_groups)
        eff = np.broadcast_to(capacity_inverse(info / n), (_N_CQI, n_groups))
    with np.errstate(divide="ignore"):
        eff_db = 10.0 * np.log10(eff.reshape(_N_CQI, n_ue, n_bands))
    ok = eff_db >= np.asarray(thr_db).T[:, None, :]  # (15, n_ue, n_bands)
    top = _N_CQI - np.argmax(ok[::-1], axis=0)  # highest CQI that meets its BLER
    return np.where(ok.any(axis=0), top, 0).astype(np.int64)


def full_power_sinr(link_cell, gain, serve_k, floor_w, p_w) -> np.ndarray:
    """Per-RB SINR of each UE's serving link with every top-K cell at full power.

    ``g_s P / (sum_{k != s} g_k P + floor)``: the SINR of
    :func:`rof.edge.percell.full_power_rate` with an ideal fronthaul.

    Parameters
    ----------
    link_cell : ndarray (n_ue, K) int
    gain : ndarray (n_ue, K, n_rb)
        Reported linear power gains.
    serve_k : ndarray (n_ue,) int
    floor_w : ndarray (n_ue,)
        Background interference plus noise per RB, W.
    p_w : float
        Power per cell per RB, W.

    Returns
    -------
    ndarray (n_ue, n_rb) float64
    """
    del link_cell  # the top-K links of a UE are distinct cells
    g = np.asarray(gain, dtype=np.float64) * float(p_w)
    rows = np.arange(g.shape[0])
    s = g[rows, serve_k, :]
    den = g.sum(axis=1) - s + np.asarray(floor_w, dtype=np.float64)[:, None]
    return s / den


@dataclass(frozen=True)
class CqiReport:
    """The CQI report of one scenario on a carrier of ``n_rb`` RBs (module docstring).

    Attributes
    ----------
    mode : {"wideband", "subband"}
    bounds : ndarray of int64
        Subband edges (:func:`rof.radio.csi_reporting.subband_bounds`); ``[0, n_rb]``
        for ``"wideband"``.
    wide_thr_db : ndarray, shape (15,)
        ``T_q`` of the carrier.
    band_thr_db : ndarray, shape (n_bands, 15)
        ``T_q`` of each subband (``"wideband"``: the carrier's).
    beta : ndarray, shape (15,) or (0,)
    """

    mode: str
    bounds: np.ndarray
    wide_thr_db: np.ndarray
    band_thr_db: np.ndarray
    beta: np.ndarray

    @classmethod
    def build(
        cls,
        mode: str,
        link_abstraction: str,
        mcs_table: str,
        n_rb: int,
        subband_prbs: int | None = None,
    ) -> CqiReport:
        """The report of ``mode`` (``subband_prbs`` None: the larger size Table
        5.2.1.4-2 allows for ``n_rb`` PRBs)."""
        from rof.radio.csi_reporting import subband_bounds, subband_sizes_allowed

        check_choice("edge.cqi_report", mode, CQI_REPORTS[1:])
        n_rb = int(n_rb)
        wide, beta = cqi_levels(link_abstraction, mcs_table, n_rb, n_rb)
        if mode == "wideband":
            bounds = np.array([0, n_rb], dtype=np.int64)
        else:
            allowed = subband_sizes_allowed(n_rb)
            if allowed is None:
                raise ConfigError(
                    f"edge.cqi_report = 'subband' with {n_rb} PRBs: a bandwidth part below "
                    "24 PRBs has no subbands (TS 38.214 Table 5.2.1.4-2); allowed: "
                    "'per_rb' or 'wideband'"
                )
            size = allowed[1] if subband_prbs is None else int(subband_prbs)
            if size not in allowed:
                raise ConfigError(
                    f"edge.cqi_subband_size_prbs = {size}; allowed for {n_rb} PRBs: "
                    f"{allowed[0]} or {allowed[1]} (TS 38.214 Table 5.2.1.4-2)"
                )
            bounds = subband_bounds(n_rb, size)
        band = np.stack(
            [cqi_levels(link_abstraction, mcs_table, int(n), n_rb)[0] for n in np.diff(bounds)]
        )
        return cls(mode, bounds, wide, band, beta)

    @classmethod
    def from_scenario(cls, scn, n_rb: int) -> CqiReport | None:
        """The report of ``scn.edge.cqi_report``; None for ``"per_rb"``."""
        if scn.edge.cqi_report == "per_rb":
            return None
        return cls.build(
            scn.edge.cqi_report,
            scn.radio.link_abstraction,
            scn.radio.mcs_table,
            n_rb,
            scn.edge.cqi_subband_size_prbs,
        )

    def cqis(self, sinr) -> tuple[np.ndarray, np.ndarray | None]:
        """What the UEs send: the wideband CQI (n_ue,) and, for ``"subband"``, the 2-bit
        differential CQI per subband (n_ue, n_subbands), from per-RB linear ``sinr``."""
        from rof.radio.csi_reporting import differential_cqi

        n_rb = int(self.bounds[-1])
        wide = band_cqi(sinr, np.array([0, n_rb]), self.wide_thr_db[None, :], self.beta)[:, 0]
        if self.mode == "wideband":
            return wide, None
        sub = band_cqi(sinr, self.bounds, self.band_thr_db, self.beta)
        return wide, differential_cqi(sub, wide[:, None])

    def known_cqi(self, sinr) -> np.ndarray:
        """The CQI the edge knows for each UE and band (n_ue, n_bands): the wideband CQI,
        or wideband plus each subband's offset level (Table 5.2.2.1-1)."""
        from rof.radio.csi_reporting import reconstruct_cqi

        wide, diff = self.cqis(sinr)
        if diff is None:
            return wide[:, None]
        return reconstruct_cqi(wide[:, None], diff)

    def known_sinr_db(self, sinr) -> np.ndarray:
        """Per-RB SINR (dB) the edge knows, (n_ue, n_rb): ``T_q`` of the known CQI of each
        RB's band (``-inf`` for CQI 0)."""
        q = self.known_cqi(sinr)
        thr = self.band_thr_db[None, :, :]  # (1, n_bands, 15)
        idx = np.maximum(q - 1, 0)[:, :, None]
        db = np.where(q > 0, np.take_along_axis(thr, idx, axis=2)[:, :, 0], -np.inf)
        return np.repeat(db, np.diff(self.bounds), axis=1)


class KnownSinrCache:
    """:meth:`CqiReport.known_sinr_db` that recomputes only the UEs whose measured SINR
    changed since the previous call (between two reports of the NR CSI timeline the
    reported channel, hence the report, stays the same). Same values as the report's."""

    def __init__(self, report: CqiReport):
        self.report = report
        self._measured: np.ndarray | None = None
        self._known: np.ndarray | None = None

    def known_sinr_db(self, sinr) -> np.ndarray:
        """As :meth:`CqiReport.known_sinr_db` (a view: do not modify)."""
        s = np.asarray(sinr, dtype=np.float64)
        if self._measured is None or self._measured.shape != s.shape:
            self._known = self.report.known_sinr_db(s)
        else:
            changed = np.any(s != self._measured, axis=1)
            if changed.any():
                self._known[changed] = self.report.known_sinr_db(s[changed])
        self._measured = s.copy()
        return self._known


def reported_gain(
    link_cell, gain, serve_k, floor_w, p_w, report: CqiReport | KnownSinrCache
) -> np.ndarray:
    """The gains the edge schedules on under ``report`` (module docstring).

    The serving link's gain on each RB is scaled by ``known / measured`` SINR, so that
    :func:`full_power_sinr` of the result is the known SINR; the other links' gains stay.

    Parameters
    ----------
    link_cell, gain, serve_k, floor_w, p_w
        As :func:`full_power_sinr`; ``gain`` (n_ue, K, n_rb) reported.
    report : CqiReport or KnownSinrCache

    Returns
    -------
    ndarray, shape and dtype of ``gain``
    """
    measured = full_power_sinr(link_cell, gain, serve_k, floor_w, p_w)
    known = 10.0 ** (report.known_sinr_db(measured) / 10.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(measured > 0.0, known / measured, 0.0)
    out = np.array(gain, copy=True)
    rows = np.arange(out.shape[0])
    out[rows, serve_k, :] = out[rows, serve_k, :] * factor
    return out
