"""The NR CSI timeline: which measurement the edge schedules on in each slot.

Periodic CSI (TS 38.214 Sec. 5.2.1.4 and 5.2.2.5; TS 38.331 ``CSI-ResourcePeriodicity
AndOffset`` and ``CSI-ReportPeriodicityAndOffset``) with every slot index counted from
the start of the drop:

1. **CSI-RS**: the UE measures in slots ``m`` with ``m = O_rs (mod P)`` (period ``P`` and
   offset ``O_rs`` in slots: ``edge.csi_rs_period_slots``, ``edge.csi_rs_offset_slots``);
2. **report**: it reports in the uplink slots ``r = O_rep (mod P)``
   (``edge.csi_report_offset_slots``, an uplink slot of the TDD pattern; by default
   ``P - 1``, an uplink slot of the common DDDSU pattern when ``P`` is a multiple of
   5). The report of slot ``r`` carries the latest CSI-RS measurement no later than
   its CSI reference resource, slot
   ``r - n_ref``: TS 38.214 Sec. 5.2.2.5 sets ``n_ref = 4 * 2^mu`` slots for periodic
   CSI with one CSI-RS resource (``edge.csi_reference_slots``, default that value).
   The UE must also have its CSI computation time: ``n_ref`` slots (CSI-RS at the
   slot's start, report at its end) must cover ``Z'`` symbols of TS 38.214 Sec. 5.4
   (Table 5.4-2, requirement 2, ``Z'_1`` for type-I single-panel wideband CSI), so
   ``14 n_ref >= Z'_1``;
3. **fronthaul and edge**: the report leaves the site at the end of slot ``r``, crosses
   the fiber to the edge (one way), is processed (``edge.processing_delay_ms``) and the
   decision crosses back (one way): it serves the slots
   ``t >= r + 1 + ceil((2 T_fiber + T_proc) / T_slot)``.

The CSI used in slot ``t`` is thus the measurement ``m(t)`` of the latest report whose
decision has reached the site, and its age ``t - m(t)`` slots is a sawtooth between
``n_ref + 1 + d`` and about ``n_ref + d + 2P`` (:meth:`CsiTimeline.age_slots`). Fiber
length moves it only in whole slots: most of the age is the NR timeline itself.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from rof.errors import ConfigError

__all__ = ["CsiTimeline", "computation_symbols", "reference_slots"]

_TABLES = Path(__file__).resolve().parents[1] / "radio" / "tables"
#: Data file of TS 38.214 Table 5.4-2 (CSI computation delay requirement 2).
Z_TABLE = "ts38214_table5.4-2_r18.csv"
SYMBOLS_PER_SLOT = 14


@lru_cache(maxsize=2)
def _z_table(name: str = Z_TABLE) -> dict[int, dict[str, int]]:
    with (_TABLES / name).open(newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {int(r["mu"]): {k: int(v) for k, v in r.items() if k != "mu"} for r in rows}


def computation_symbols(mu: int, column: str = "z1_prime") -> int:
    """CSI computation time ``Z'`` (symbols) of TS 38.214 Table 5.4-2 for numerology ``mu``.

    ``column``: ``"z1_prime"`` (type-I single-panel wideband CSI, the default) or
    ``"z2_prime"`` (other CSI), or the ``z1``/``z2`` counted from the triggering PDCCH.
    """
    table = _z_table()
    if mu not in table or column not in table[mu]:
        raise ConfigError(f"CSI computation time for mu = {mu}, {column!r}; allowed mu 0..3")
    return table[mu][column]


def reference_slots(mu: int) -> int:
    """``n_ref = 4 * 2^mu`` slots: the CSI reference resource of periodic CSI with one CSI-RS
    resource, TS 38.214 Sec. 5.2.2.5."""
    return 4 * 2**mu


@dataclass(frozen=True)
class CsiTimeline:
    """Periodic CSI-RS, report slots, reference resource and edge delay (module docstring).

    Parameters
    ----------
    slot_s : float
        Slot (TTI) length, s.
    period_slots : int
        CSI-RS and report period ``P``, slots.
    rs_offset_slots, report_offset_slots : int
        Offsets of the CSI-RS and report slots, in ``[0, P)``.
    reference_slots : int
        ``n_ref``, slots (>= 1).
    edge_delay_s : ndarray, shape (n_cells,)
        Fiber round trip plus edge processing of each cell's site, s.
    """

    slot_s: float
    period_slots: int
    rs_offset_slots: int
    report_offset_slots: int
    reference_slots: int
    edge_delay_s: np.ndarray

    @classmethod
    def from_scenario(cls, edge, mu: int, slot_s: float, edge_delay_s) -> CsiTimeline:
        """The timeline of a scenario's ``[edge]`` table at numerology ``mu``.

        Raises :class:`ConfigError` naming the key when an offset is not below the period
        or ``csi_reference_slots`` is shorter than the UE's CSI computation time.
        """
        p = int(edge.csi_rs_period_slots)
        report = edge.csi_report_offset_slots
        report = p - 1 if report is None else int(report)
        for key, value in (
            ("csi_rs_offset_slots", edge.csi_rs_offset_slots),
            ("csi_report_offset_slots", report),
        ):
            if not 0 <= value < p:
                raise ConfigError(
                    f"edge.{key} = {value}; allowed: 0 .. {p - 1} "
                    f"(below edge.csi_rs_period_slots = {p})"
                )
        n_ref = edge.csi_reference_slots
        n_ref = reference_slots(mu) if n_ref is None else int(n_ref)
        z = computation_symbols(mu)
        if SYMBOLS_PER_SLOT * n_ref < z:
            need = -(-z // SYMBOLS_PER_SLOT)
            raise ConfigError(
                f"edge.csi_reference_slots = {n_ref}; allowed: >= {need} slots (the UE's CSI "
                f"computation time Z'_1 = {z} symbols at mu = {mu}, TS 38.214 Table 5.4-2)"
            )
        return cls(
            slot_s=float(slot_s),
            period_slots=p,
            rs_offset_slots=int(edge.csi_rs_offset_slots),
            report_offset_slots=report,
            reference_slots=n_ref,
            edge_delay_s=np.asarray(edge_delay_s, dtype=np.float64),
        )

    @property
    def edge_delay_slots(self) -> np.ndarray:
        """``ceil((2 T_fiber + T_proc) / T_slot)`` per cell: slots between the end of the
        report slot and the first slot its decision serves, minus one."""
        return np.ceil(self.edge_delay_s / self.slot_s - 1e-9).astype(np.int64)

    def measurement_slot(self, report_slot):
        """CSI-RS slot a report carries: the latest ``m <= r - n_ref`` with
        ``m = O_rs (mod P)``."""
        last = np.asarray(report_slot) - self.reference_slots
        return last - np.mod(last - self.rs_offset_slots, self.period_slots)

    def age_slots(self, t: int) -> np.ndarray:
        """Age ``t - m(t)`` (slots) of the CSI each cell's decision uses in slot ``t``.

        Before the first report arrives the age counts from slot 0's measurement-less
        start (it exceeds ``t``; the history then holds its oldest state).
        """
        newest = int(t) - 1 - self.edge_delay_slots  # latest usable report slot
        r = newest - np.mod(newest - self.report_offset_slots, self.period_slots)
        return int(t) - self.measurement_slot(r)

    @property
    def max_age_slots(self) -> int:
        """Largest age :meth:`age_slots` returns after the first report."""
        return int(self.reference_slots + 2 * self.period_slots + self.edge_delay_slots.max())

    def mean_age_slots(self) -> np.ndarray:
        """Mean of :meth:`age_slots` over one period in steady state, per cell."""
        t0 = self.max_age_slots + self.period_slots
        return np.mean([self.age_slots(t) for t in range(t0, t0 + self.period_slots)], axis=0)
