"""Coordinated proportional fair: the smart edge schedules all cells jointly per RB.

Objective, per RB ``b``: the PF-weighted sum rate

.. math::

    U(\\mathcal A) = \\sum_{(c,u) \\in \\mathcal A} w_u r(\\gamma_{u,b}(\\mathcal A)),
    \\qquad w_u = 1 / \\bar R_u,

over the set ``A`` of transmitting (cell, UE) pairs, with the SINR of the
``rof.radio.sinr`` contract evaluated with only the cells in ``A`` on and ``r`` the rate
per RB of :mod:`rof.edge.rate_model` (the MCS link adaptation would send; plain
``log2(1 + SINR)`` in the functions' defaults). Maximising
the sum of ``w_u r_u`` is the gradient step of proportional fairness (Kelly,
Maulloo, Tan 1998; Stolyar, "On the asymptotic optimality of the gradient
scheduling algorithm", Queueing Syst. 50, 2005). The joint problem is NP-hard
(Luo, Zhang, IEEE J. Sel. Topics Signal Process. 2(1), 2008), so the edge runs a
greedy heuristic in the spirit of coordinated scheduling / dynamic point blanking
(3GPP TR 36.819, Sec. 5.1.3):

1. order the cells by their best stand-alone PF metric (no interference from the
   other top-K cells);
2. *add*: in that order, each cell takes the attached UE that maximises the
   change of ``U``: its own weighted rate plus the (negative) change of the
   weighted rates of the UEs already scheduled that the new cell interferes with;
   if that change is not positive the cell is muted on this RB;
3. *prune*: one pass over the active cells mutes any cell whose own weighted rate
   is worth less than the weighted rate its interference costs the others.

With two links, step 1 plus 2 examine the better single link and both links on,
and step 3 the other single link, so the result equals brute force over the four
on/off patterns (tested). A second candidate starts from every cell on with its
own PF choice (the uncoordinated decision) and prunes; the better of the two by
the objective is kept, so the edge never does worse than per-cell PF on its own
estimate. Interference is tracked only over each UE's top-K links: a candidate's
interference is summed over its K links, and each served UE is registered in a
victim list of the other cells of its top K, so turning a cell on or off touches
only the served UEs it interferes with. The cost per RB is O(n_ue K), linear in
the number of UEs; background cells count at full power.
"""

from __future__ import annotations

import numpy as np

from rof.edge._base import Scheduler, SchedulingInput
from rof.edge._coordinated_kernels import Problem, coordinated_kernel
from rof.edge.percell import (
    _eligible_by_cell,
    full_power_rate,
    full_power_rate_ref,
    pf_assign,
    pf_assign_ref,
)
from rof.edge.rate_model import SHANNON, RateModel, rate_se

__all__ = ["CoordinatedPF", "coordinated_assign", "coordinated_assign_ref"]


def coordinated_assign(
    link_cell,
    gain,
    serving,
    serve_k,
    floor_w,
    fh_inv,
    p_w,
    weight,
    n_cells,
    *,
    rate: RateModel = SHANNON,
):
    """Joint greedy PF assignment with muting (see the module docstring).

    Parameters
    ----------
    link_cell : ndarray (n_ue, K) int
    gain : ndarray (n_ue, K, n_rb)
        Linear power gains.
    serving, serve_k : ndarray (n_ue,) int
        Attached cell and its column in ``link_cell``.
    floor_w : ndarray (n_ue,)
        Background interference plus noise per RB, W.
    fh_inv : ndarray (n_cells,)
        ``1 / SNR_fh`` (0 for an ideal fronthaul).
    p_w : float
        Power per cell per RB when on, W.
    weight : ndarray (n_ue,)
        PF weights; <= 0 marks UEs without data.
    n_cells : int
    rate : rof.edge.rate_model.RateModel
        Rate per RB (:mod:`rof.edge.rate_model`; the schedulers pass the link
        abstraction's MCS staircase); default plain Shannon ``log2(1 + SINR)``.

    Returns
    -------
    ndarray (n_cells, n_rb) int32
        Served UE per cell and RB; -1 = muted. Per RB the better (by the objective)
        of two candidates: greedy add + prune, and every cell on with its own PF
        choice + prune; so the objective is never below per-cell PF's.
    """
    weight = np.ascontiguousarray(weight, dtype=np.float64)
    cell_ptr, cell_ues = _eligible_by_cell(serving, weight, n_cells)
    r_full = full_power_rate(link_cell, gain, serve_k, floor_w, fh_inv, p_w, rate)
    start = pf_assign(serving, r_full, weight, n_cells)
    assign = np.full((n_cells, gain.shape[2]), -1, dtype=np.int32)
    problem = Problem(
        gain=np.ascontiguousarray(np.moveaxis(gain, 2, 0)),  # (n_rb, n_ue, K): a slab per RB
        link_cell=np.ascontiguousarray(link_cell, dtype=np.int64),
        serve_k=np.ascontiguousarray(serve_k, dtype=np.int64),
        floor_w=np.ascontiguousarray(floor_w, dtype=np.float64),
        fh_inv=np.ascontiguousarray(fh_inv, dtype=np.float64),
        p_w=float(p_w),
        weight=weight,
        cell_ptr=cell_ptr,
        cell_ues=cell_ues,
    )
    coordinated_kernel(problem, rate, start.astype(np.int64), assign)
    return assign


def _utility_dense(g, floor_w, fh_inv, p_w, weight, act, rate):
    """PF-weighted sum rate of the (cell -> UE) map ``act`` on one RB, dense (n_ue, n_cells)."""
    on = act >= 0
    tx = np.where(on, p_w * (1.0 + fh_inv), 0.0)
    total = g @ tx
    util = 0.0
    for c in np.flatnonzero(on):
        u = act[c]
        s = g[u, c] * p_w
        sinr = s / (total[u] - s + floor_w[u])
        util += weight[u] * rate_se(sinr, rate)
    return util


def coordinated_assign_ref(
    link_cell,
    gain,
    serving,
    serve_k,
    floor_w,
    fh_inv,
    p_w,
    weight,
    n_cells,
    *,
    rate: RateModel = SHANNON,
):
    """Plain-NumPy reference of :func:`coordinated_assign`: same search, but every
    candidate is scored by re-evaluating the full objective on a dense gain matrix."""
    n_ue, n_k, n_rb = gain.shape
    assign = np.full((n_cells, n_rb), -1, dtype=np.int32)
    rows = np.repeat(np.arange(n_ue), n_k)
    r_full = full_power_rate_ref(link_cell, gain, serve_k, floor_w, fh_inv, p_w, rate)
    start = pf_assign_ref(serving, r_full, weight, n_cells)

    def util(g, act):
        return _utility_dense(g, floor_w, fh_inv, p_w, weight, act, rate)

    def prune(g, act, cur, order):
        for c in order:
            if act[c] >= 0:
                keep = act[c]
                act[c] = -1
                val = util(g, act)
                if val > cur:
                    cur = val
                else:
                    act[c] = keep
        return cur

    for b in range(n_rb):
        g = np.zeros((n_ue, n_cells))
        g[rows, np.asarray(link_cell).ravel()] = np.asarray(gain[:, :, b], dtype=np.float64).ravel()
        cands = [np.flatnonzero((serving == c) & (weight > 0)) for c in range(n_cells)]
        metric = np.full(n_cells, 1.0)
        for c in range(n_cells):
            if cands[c].size:
                s = g[cands[c], c] * p_w
                sinr = s / (s * fh_inv[c] + floor_w[cands[c]])
                r = rate_se(sinr, rate)
                metric[c] = -np.max(weight[cands[c]] * r)
        order = np.argsort(metric, kind="mergesort")
        act = np.full(n_cells, -1)
        cur = 0.0
        for c in order:
            best, best_u = -np.inf, -1
            for u in cands[c]:
                act[c] = u
                val = util(g, act)
                if val > best:
                    best, best_u = val, u
            act[c] = -1
            if best_u >= 0 and best > cur:
                act[c] = best_u
                cur = best
        cur = prune(g, act, cur, order)
        act2 = start[:, b].astype(int).copy()
        cur2 = prune(g, act2, util(g, act2), order[::-1])
        assign[:, b] = act2 if cur2 > cur else act
    return assign


class CoordinatedPF(Scheduler):
    """Edge-coordinated PF over all cells per RB, with muting (module docstring)."""

    name = "coordinated_pf"
    coordinated = True

    def __init__(self, **_options):
        pass

    def __call__(self, inp: SchedulingInput):
        assign = coordinated_assign(
            inp.link_cell,
            inp.gain,
            inp.serving,
            inp.serve_k,
            inp.interference_floor_w(),
            inp.fh_factor(),
            inp.p_max_w,
            inp.weight,
            inp.n_cells,
            rate=inp.rate_model(),
        )
        return assign, np.where(assign >= 0, inp.p_max_w, 0.0)
