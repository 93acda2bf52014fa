"""Uncoordinated per-cell schedulers: round robin and proportional fair.

Each cell schedules only the UEs attached to it, at full power, assuming every
other cell transmits at full power too (it cannot know their decisions). The
rate estimate is the rate model of :mod:`rof.edge.rate_model` (the MCS link
adaptation would choose) at the full-power SINR

.. math::

    \\gamma_{u,b} = \\frac{g_{u,s,b} P}
        {\\sum_{k \\ne s} g_{u,k,b} P (1 + 1/\\mathrm{SNR}_{fh,k})
         + g_{bg,u} P_{bg} + N_u + g_{u,s,b} P / \\mathrm{SNR}_{fh,s}}

(the SINR of the ``rof.radio.sinr`` contract with all cells on;
``1/SNR_fh = 0`` unless the scheduler is fronthaul-aware).

Proportional fair picks, per cell and RB, the attached UE maximising
``r_{u,b} / \\bar R_u`` (Kelly, Maulloo, Tan, J. Oper. Res. Soc. 49, 1998;
Jalali, Padovani, Pankaj, VTC 2000, the per-RB PF rule also used by Sionna's
``PFSchedulerSUMIMO``). Round robin deals a cell's RBs in turn to its attached
UEs that have data, continuing from where the previous TTI stopped.
"""

from __future__ import annotations

import numba
import numpy as np

from rof.edge._base import Scheduler, SchedulingInput
from rof.edge.rate_model import SHANNON, RateModel, rate_se, step_rate

__all__ = [
    "ProportionalFair",
    "RoundRobin",
    "full_power_rate",
    "full_power_rate_ref",
    "pf_assign",
    "pf_assign_ref",
    "round_robin_assign",
    "round_robin_assign_ref",
]


@numba.njit(cache=True)
def _full_power_rate_kernel(link_cell, gain, serve_k, floor_w, fh_inv, p_w, rate, out):
    n_ue, n_k, n_rb = gain.shape
    for u in range(n_ue):
        ks = serve_k[u]
        cs = link_cell[u, ks]
        for b in range(n_rb):
            s = gain[u, ks, b] * p_w
            den = floor_w[u] + s * fh_inv[cs]
            for k in range(n_k):
                if k != ks:
                    den += gain[u, k, b] * p_w * (1.0 + fh_inv[link_cell[u, k]])
            out[u, b] = step_rate(s / den, rate.gap_inv, rate.thr, rate.se)


def full_power_rate(
    link_cell, gain, serve_k, floor_w, fh_inv, p_w, rate: RateModel = SHANNON
) -> np.ndarray:
    """Rate estimate, bit/s/Hz, of each UE on each RB with all cells at full power.

    Parameters
    ----------
    link_cell : ndarray (n_ue, K) int
    gain : ndarray (n_ue, K, n_rb)
        Linear power gains (reported).
    serve_k : ndarray (n_ue,) int
        Column of the serving cell in ``link_cell``.
    floor_w : ndarray (n_ue,)
        Background interference plus noise per RB, W.
    fh_inv : ndarray (n_cells,)
        ``1 / SNR_fh`` per cell (0 for an ideal fronthaul).
    p_w : float
        Power per cell per RB, W.
    rate : rof.edge.rate_model.RateModel
        The rate per RB (:mod:`rof.edge.rate_model`: the MCS link adaptation would
        choose); default plain Shannon ``log2(1 + SINR)``.

    Returns
    -------
    ndarray (n_ue, n_rb) float64
        The rate model at the SINR of the module docstring, bit/s/Hz.
    """
    out = np.empty((gain.shape[0], gain.shape[2]), dtype=np.float64)
    _full_power_rate_kernel(
        np.ascontiguousarray(link_cell, dtype=np.int64),
        np.ascontiguousarray(gain),
        np.ascontiguousarray(serve_k, dtype=np.int64),
        np.ascontiguousarray(floor_w, dtype=np.float64),
        np.ascontiguousarray(fh_inv, dtype=np.float64),
        float(p_w),
        rate,
        out,
    )
    return out


def full_power_rate_ref(
    link_cell, gain, serve_k, floor_w, fh_inv, p_w, rate: RateModel = SHANNON
) -> np.ndarray:
    """Plain-NumPy reference of :func:`full_power_rate`."""
    g = np.asarray(gain, dtype=np.float64) * p_w
    rows = np.arange(g.shape[0])
    fh = np.asarray(fh_inv, dtype=np.float64)[link_cell]  # (n_ue, K)
    s = g[rows, serve_k, :]
    total = np.sum(g * (1.0 + fh)[:, :, None], axis=1)
    own = s * (1.0 + fh[rows, serve_k])[:, None]
    den = total - own + floor_w[:, None] + s * fh[rows, serve_k][:, None]
    return rate_se(s / den, rate)


@numba.njit(cache=True)
def _pf_assign_kernel(serving, rate, weight, assign, best):
    n_ue, n_rb = rate.shape
    for u in range(n_ue):
        w = weight[u]
        if w <= 0.0:
            continue
        c = serving[u]
        for b in range(n_rb):
            m = w * rate[u, b]
            if m > best[c, b]:
                best[c, b] = m
                assign[c, b] = u


def pf_assign(serving, rate, weight, n_cells) -> np.ndarray:
    """Per-cell proportional-fair assignment.

    Parameters
    ----------
    serving : ndarray (n_ue,) int
        Attached cell of each UE.
    rate : ndarray (n_ue, n_rb)
        Rate estimate, bit/s/Hz.
    weight : ndarray (n_ue,)
        PF weight ``1 / avg throughput``; UEs with weight <= 0 are not eligible.
    n_cells : int

    Returns
    -------
    ndarray (n_cells, n_rb) int32
        ``argmax_u weight[u] * rate[u, b]`` over the UEs attached to each cell
        (lowest index on ties); -1 where no attached UE has a positive metric (a
        cell stays idle rather than serve a UE that cannot decode even MCS 0).
    """
    n_rb = rate.shape[1]
    assign = np.full((n_cells, n_rb), -1, dtype=np.int32)
    best = np.zeros((n_cells, n_rb))
    _pf_assign_kernel(
        np.ascontiguousarray(serving, dtype=np.int64),
        np.ascontiguousarray(rate, dtype=np.float64),
        np.ascontiguousarray(weight, dtype=np.float64),
        assign,
        best,
    )
    return assign


def pf_assign_ref(serving, rate, weight, n_cells) -> np.ndarray:
    """Plain-NumPy reference of :func:`pf_assign`."""
    n_rb = rate.shape[1]
    assign = np.full((n_cells, n_rb), -1, dtype=np.int32)
    for c in range(n_cells):
        ues = np.flatnonzero((serving == c) & (weight > 0))
        if ues.size:
            m = weight[ues, None] * rate[ues]
            assign[c] = np.where(m.max(axis=0) > 0, ues[np.argmax(m, axis=0)], -1)
    return assign


@numba.njit(cache=True)
def _rr_kernel(cell_ptr, cell_ues, pointer, assign):
    n_cells, n_rb = assign.shape
    for c in range(n_cells):
        lo = cell_ptr[c]
        n = cell_ptr[c + 1] - lo
        if n == 0:
            continue
        start = pointer[c] % n
        for b in range(n_rb):
            assign[c, b] = cell_ues[lo + (start + b) % n]
        pointer[c] = (start + n_rb) % n


def _eligible_by_cell(serving, weight, n_cells):
    """CSR list of eligible UEs per cell, in UE index order."""
    ues = np.flatnonzero(weight > 0)
    cells = np.asarray(serving)[ues]
    order = np.argsort(cells, kind="stable")
    counts = np.bincount(cells, minlength=n_cells)
    ptr = np.zeros(n_cells + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr, ues[order].astype(np.int64)


def round_robin_assign(serving, weight, n_cells, n_rb, pointer) -> np.ndarray:
    """Round-robin assignment; ``pointer (n_cells,) int64`` is advanced in place.

    RB ``b`` of cell ``c`` goes to the ``(pointer[c] + b) mod n_c``-th eligible UE
    attached to ``c`` (UE index order); the pointer then advances by ``n_rb``.
    """
    ptr, ues = _eligible_by_cell(serving, weight, n_cells)
    assign = np.full((n_cells, n_rb), -1, dtype=np.int32)
    _rr_kernel(ptr, ues, pointer, assign)
    return assign


def round_robin_assign_ref(serving, weight, n_cells, n_rb, pointer) -> np.ndarray:
    """Plain-NumPy reference of :func:`round_robin_assign`."""
    assign = np.full((n_cells, n_rb), -1, dtype=np.int32)
    for c in range(n_cells):
        ues = np.flatnonzero((serving == c) & (weight > 0))
        if ues.size:
            start = pointer[c] % ues.size
            assign[c] = ues[(start + np.arange(n_rb)) % ues.size]
            pointer[c] = (start + n_rb) % ues.size
    return assign


def _full_power(assign, p_w):
    return np.where(assign >= 0, p_w, 0.0)


class RoundRobin(Scheduler):
    """Per-cell round robin at full power (uncoordinated baseline)."""

    name = "round_robin"

    def __init__(self, **_options):
        self._pointer: np.ndarray | None = None

    def reset(self) -> None:
        self._pointer = None

    def __call__(self, inp: SchedulingInput):
        if self._pointer is None or self._pointer.shape[0] != inp.n_cells:
            self._pointer = np.zeros(inp.n_cells, dtype=np.int64)
        assign = round_robin_assign(inp.serving, inp.weight, inp.n_cells, inp.n_rb, self._pointer)
        return assign, _full_power(assign, inp.p_max_w)


class ProportionalFair(Scheduler):
    """Per-cell proportional fair at full power (uncoordinated baseline)."""

    name = "proportional_fair"

    def __init__(self, **_options):
        pass

    def __call__(self, inp: SchedulingInput):
        rate = full_power_rate(
            inp.link_cell,
            inp.gain,
            inp.serve_k,
            inp.interference_floor_w(),
            inp.fh_factor(),
            inp.p_max_w,
            inp.rate_model(),
        )
        assign = pf_assign(inp.serving, rate, inp.weight, inp.n_cells)
        return assign, _full_power(assign, inp.p_max_w)
