"""Link adaptation: the outer loop (OLLA) on the effective SINR of a transport block.

A UE served on several RBs in one TTI sends one transport block whose error
probability is that of an AWGN link at the *effective* SINR, the capacity-mapped
mean of its RBs' SINRs (:func:`rof.radio.effective_sinr.effective_sinr_per_ue`).

The outer loop (Pedersen, Monghal, Kovacs et al., "Frequency domain scheduling
for OFDMA with limited and noisy channel feedback", IEEE VTC-Fall 2007, Sec. III;
also Nakamura, Awad, Vadgama, "Adaptive control of link adaptation for high speed
downlink packet access (HSDPA) in W-CDMA", WPMC 2002) subtracts a per-UE offset
from the reported SINR before the MCS is chosen; the offset rises by
``step_up_db`` after a block error and falls by
``step_up_db * bler / (1 - bler)`` after a success, so in steady state the
block error rate equals ``bler_target``. The offset is bounded to
``+-max_offset_db``. The bound alone does not keep a UE near MCS 0 from being locked
out: a scheduled UE whose offset pushes it below MCS 0 would send nothing, get no
HARQ feedback (so its offset never falls) and, under proportional fair, hold its RBs
with an ever larger weight ``1 / R``. :func:`scheduled_mcs` therefore sends a
scheduled UE at least MCS 0 while its CQI is in range (CQI >= 1), as a gNB does: the
MCS tables have no entry below MCS 0, and only CQI 0 ("out of range") says the UE
cannot be served.

The UE reports its channel quality as a 4-bit CQI (TS 38.214 Sec. 5.2.2.1: the highest
CQI whose entry it would receive with BLER <= 0.1; Table 5.2.2.1-2 with the 64QAM MCS
table, 5.2.2.1-3 with the 256QAM one, 5.2.2.1-4 with the low-SE one, whose CQI 1 is its
MCS 0, QPSK 30/1024). :func:`cqi_sinr_db` maps a reported SINR to the
SINR of its CQI, the value the edge then knows; the outer loop corrects the bias.
That is the per-RB report (``edge.cqi_report = "per_rb"``). With a wideband or subband
CQI report (TS 38.214 Sec. 5.2.2.1, :mod:`rof.edge.cqi_report`) the reported SINR this
module receives is already that of the UE's reconstructed CQI on every RB of a subband
(or of the carrier), and everything here applies to it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_range

__all__ = [
    "CQI_TABLE_OF_MCS",
    "OuterLoop",
    "cqi_mcs",
    "cqi_sinr_db",
    "link_mcs",
    "scheduled_mcs",
]

#: CQI table reported with each MCS table (TS 38.214 Sec. 5.2.2.1: Table 5.2.2.1-2, -3
#: and -4 with MCS Tables 5.1.3.1-1, -2 and -3).
CQI_TABLE_OF_MCS = {"qam64": "table1", "qam256": "table2", "qam64lowse": "table3"}


def cqi_mcs(mcs, mcs_table: str = "qam256") -> np.ndarray:
    """MCS the edge can choose after 4-bit CQI quantisation of the UE's best MCS.

    The UE reports the highest CQI whose spectral efficiency does not exceed that of the
    MCS it could receive at 10 % BLER; the edge takes the highest MCS whose spectral
    efficiency does not exceed the CQI's (TS 38.214 Tables 5.2.2.1-2/-3/-4 and
    5.1.3.1-1/-2/-3, printed spectral efficiencies). -1 (nothing) and CQI 0 give -1.
    """
    from rof.radio import rates

    m = np.asarray(mcs, dtype=np.int64)
    se_mcs = rates.mcs_table(mcs_table).spectral_efficiency
    se_cqi = rates.cqi_table(CQI_TABLE_OF_MCS[mcs_table]).spectral_efficiency
    se = np.where(m >= 0, se_mcs[np.maximum(m, 0)], -1.0)
    cqi = np.searchsorted(se_cqi, se, side="right")  # CQIs at or below: 0 .. 15
    se_q = np.where(cqi > 0, se_cqi[np.maximum(cqi - 1, 0)], -1.0)
    out = np.searchsorted(se_mcs, se_q, side="right") - 1
    return np.where((m >= 0) & (cqi > 0), out, -1)


def cqi_sinr_db(sinr_db, mcs_table: str = "qam256") -> np.ndarray:
    """SINR (dB) the edge knows after 4-bit CQI quantisation of a reported ``sinr_db``.

    The UE reports the highest CQI whose entry meets 10 % BLER at its SINR
    (:func:`rof.radio.rates.select_cqi`); the edge takes that CQI's 10 %-BLER SINR,
    the lower edge of the CQI's SINR interval (``-inf`` for CQI 0, out of range).

    Parameters
    ----------
    sinr_db : array_like
        Effective SINR the UE measured, dB.
    mcs_table : {"qam64", "qam256", "qam64lowse"}
        Picks the CQI table (:data:`CQI_TABLE_OF_MCS`).

    Returns
    -------
    ndarray
        One of at most 15 values (or ``-inf``), never above ``sinr_db``.
    """
    from rof.radio import rates

    table = CQI_TABLE_OF_MCS[mcs_table]
    cqi = np.atleast_1d(rates.select_cqi(sinr_db, table))
    thr = rates.cqi_threshold_db(table)
    out = np.where(cqi > 0, thr[np.maximum(cqi - 1, 0)], -np.inf)
    return out.reshape(np.shape(sinr_db))


def scheduled_mcs(mcs, reported_sinr_db, mcs_table: str = "qam256") -> np.ndarray:
    """MCS of the block sent to each scheduled UE: ``mcs``, raised to MCS 0 while the UE's
    CQI is in range (module docstring).

    Parameters
    ----------
    mcs : array_like of int
        MCS chosen from the reported SINR minus the outer-loop offset (-1: none fits).
    reported_sinr_db : array_like
        Effective SINR the UE reported, before the outer-loop offset, dB (its CQI,
        :func:`rof.radio.rates.select_cqi` on the CQI table of ``mcs_table``; a
        CQI-quantised value gives the same CQI, ``-inf`` gives CQI 0).
    mcs_table : {"qam64", "qam256", "qam64lowse"}

    Returns
    -------
    ndarray of int64
        ``max(mcs, 0)`` where the CQI is 1 .. 15, ``mcs`` where it is 0 (out of range,
        TS 38.214 Tables 5.2.2.1-2/-3/-4).
    """
    from rof.radio import rates

    m = np.asarray(mcs, dtype=np.int64)
    cqi = np.asarray(rates.select_cqi(reported_sinr_db, CQI_TABLE_OF_MCS[mcs_table]))
    return np.where(cqi > 0, np.maximum(m, 0), m)


def link_mcs(
    rep_db,
    n_rb,
    offset_db,
    *,
    link_abstraction: str,
    table: str,
    n_rb_max: int,
    bler_target: float = 0.1,
    cqi_quantised: bool = True,
) -> np.ndarray:
    """MCS of the transport block link adaptation sends each scheduled UE.

    ``"se_gap"``: the reported capacity-mapped SINR, quantised to the UE's CQI
    (:func:`cqi_sinr_db`), minus the offset, through :func:`rof.radio.rates.select_mcs`.
    ``"eesm"``: the highest MCS whose EESM SINR (its own beta) minus the offset reaches
    its block's 10 %-BLER SINR (:func:`rof.edge.rate_model.allocation_thresholds_db`),
    quantised through the CQI (:func:`cqi_mcs`). Both then send at least MCS 0 while the
    CQI is in range (:func:`scheduled_mcs`; for EESM the CQI is read on the SE-gap
    rule's scale shifted by the gap between the two rules' MCS 0, 5G-LENA's MCS 0
    needing ~4.8 dB more). The schedulers' rate per RB (:mod:`rof.edge.rate_model`) is
    this function's choice for a one-RB block at zero offset.

    Parameters
    ----------
    rep_db : ndarray
        Reported effective SINR, dB: shape (n,) for ``"se_gap"``, (n_mcs, n) for
        ``"eesm"`` (row ``m`` with MCS ``m``'s beta).
    n_rb : ndarray of int, shape (n,)
        RBs of each block.
    offset_db : ndarray, shape (n,)
        Outer-loop offsets.
    link_abstraction : {"eesm", "se_gap"}
    table : {"qam64", "qam256", "qam64lowse"}
    n_rb_max : int
        RBs of the carrier.
    bler_target : float
    cqi_quantised : bool

    Returns
    -------
    ndarray of int64, shape (n,)
        MCS index, -1 where nothing is sent (CQI 0).
    """
    from rof.edge.rate_model import allocation_thresholds_db
    from rof.radio import bler_curves, rates

    rep_db = np.asarray(rep_db, dtype=np.float64)
    n_rb = np.asarray(n_rb, dtype=np.int64)
    offset_db = np.asarray(offset_db, dtype=np.float64)
    if link_abstraction == "se_gap":
        if cqi_quantised:  # the 4-bit CQI the UE reports
            rep_db = cqi_sinr_db(rep_db, table)
        mcs = rates.select_mcs(rep_db - offset_db, table, bler_target)
        return scheduled_mcs(mcs, rep_db, table)
    thr = allocation_thresholds_db("eesm", table, int(n_rb_max), bler_target)
    mcs = bler_curves.select_mcs_eesm(rep_db, n_rb, offset_db, thr)
    if cqi_quantised:
        mcs = cqi_mcs(mcs, table)
    mcs0_se_gap_db = allocation_thresholds_db("se_gap", table, int(n_rb_max), bler_target)[0, 1]
    shift_db = thr[0, n_rb] - mcs0_se_gap_db
    return scheduled_mcs(mcs, rep_db[0] - shift_db, table)


@dataclass
class OuterLoop:
    """Per-UE outer-loop link-adaptation offsets (module docstring).

    Parameters
    ----------
    n_ue : int
    bler_target : float
        Target block error rate, in (0, 1).
    step_up_db : float
        Offset increase after a block error, dB.
    max_offset_db : float
        Bound on the magnitude of the offset, dB.
    enabled : bool
        False keeps every offset at 0 (inner loop only: the MCS follows the CQI).
    """

    n_ue: int
    bler_target: float = 0.1
    step_up_db: float = 0.5
    max_offset_db: float = 10.0
    enabled: bool = True
    offset_db: np.ndarray = field(init=False)

    def __post_init__(self):
        check_range("OuterLoop.bler_target", self.bler_target, 0.0, 1.0, lo_open=True, hi_open=True)
        check_range("OuterLoop.step_up_db", self.step_up_db, 0.0, lo_open=True)
        check_range("OuterLoop.max_offset_db", self.max_offset_db, 0.0, lo_open=True)
        self.offset_db = np.zeros(int(self.n_ue))

    @property
    def step_down_db(self) -> float:
        """Offset decrease after a success, dB."""
        return self.step_up_db * self.bler_target / (1.0 - self.bler_target)

    def update(self, ue: np.ndarray, error: np.ndarray) -> None:
        """Apply the ACK/NACK of the blocks sent to ``ue`` (int array) this TTI."""
        if not self.enabled:
            return
        off = self.offset_db[ue] + np.where(error, self.step_up_db, -self.step_down_db)
        self.offset_db[ue] = np.clip(off, -self.max_offset_db, self.max_offset_db)
