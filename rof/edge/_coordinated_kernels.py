"""Numba kernels of :mod:`rof.edge.coordinated` (the greedy joint PF scheduler).

The algorithm and its sources are described in :mod:`rof.edge.coordinated`; its
plain-NumPy reference is :func:`rof.edge.coordinated.coordinated_assign_ref`.
Gains arrive as ``(n_rb, n_ue, K)`` so that each RB's slab is contiguous. The
kernel's inputs come as two NamedTuples, :class:`Problem` (the TTI's channel and
weights) and :class:`RateModel`; inside, the search state is one more
(:class:`_State`), so the helpers take three tuples instead of twenty arguments.
The helpers are inlined into the kernel (``inline="always"``): as calls, passing the
tuples' arrays cost more than the work they do.

The rate model is :mod:`rof.edge.rate_model`'s (the MCS link adaptation would choose),
read through a bucket table. :func:`rof.edge.rate_model.step_rate` counts the
thresholds ``thr`` (sorted, linear SINR) an SINR reaches with a compare per step (28
for the NR tables); the kernel evaluates it several hundred times per RB, which made it
most of the scheduler's time. :func:`lookup_rate` starts the count from a table indexed
by the SINR's binary exponent and leading mantissa bits: with ``s = m 2^e``
(``0.5 <= m < 1``, :func:`math.frexp`) the bucket

.. math:: j(s) = (e - e_0) N + \\lfloor (m - 1/2)\\, 2N \\rfloor

splits every octave into ``N`` equal parts and is non-decreasing in ``s`` (exactly in
floating point: ``m - 1/2`` and the product by a power of two are exact). The table
holds ``start[j] = #{i : j(thr_i) < j}``; every threshold counted there lies below
``s``, so ``#{i : thr_i <= s}`` is ``start[j(s)]`` plus the thresholds of ``s``'s own
bucket that it reaches, checked one by one. The rate is exactly ``step_rate``'s
(tested over every shipped rate model, at and beside each threshold), for one frexp, a
table read and about one comparison.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

from rof.edge.rate_model import RateModel

__all__ = ["Problem", "RateLookup", "RateModel", "coordinated_kernel", "lookup_rate", "rate_lookup"]


#: Buckets per octave of SINR (about 0.09 dB each).
BUCKETS_PER_OCTAVE = 32


class RateLookup(NamedTuple):
    """A :class:`rof.edge.rate_model.RateModel` with its bucket table (module docstring):
    ``start`` (n_buckets,) int64 thresholds below each bucket, ``e0`` the binary exponent
    of ``thr[0]``."""

    gap_inv: float
    thr: np.ndarray
    se: np.ndarray
    start: np.ndarray
    e0: np.int64


@numba.njit(cache=True, inline="always")
def _bucket(x, e0):  # pragma: no cover - jit
    m, e = math.frexp(x)
    return (e - e0) * BUCKETS_PER_OCTAVE + int((m - 0.5) * (2 * BUCKETS_PER_OCTAVE))


@numba.njit(cache=True)
def rate_lookup(rate):  # pragma: no cover - jit
    """The :class:`RateLookup` of ``rate`` (a :class:`~rof.edge.rate_model.RateModel`)."""
    n = rate.thr.shape[0]
    if n == 0:
        return RateLookup(rate.gap_inv, rate.thr, rate.se, np.zeros(1, np.int64), np.int64(0))
    e0 = np.int64(math.frexp(rate.thr[0])[1])
    n_fin = 0  # finite thresholds: a prefix of the sorted array
    while n_fin < n and np.isfinite(rate.thr[n_fin]):
        n_fin += 1
    n_b = 1 if n_fin == 0 else max(_bucket(rate.thr[n_fin - 1], e0), 0) + 1
    count = np.zeros(n_b + 1, np.int64)
    for i in range(n_fin):
        count[max(_bucket(rate.thr[i], e0), 0) + 1] += 1
    return RateLookup(rate.gap_inv, rate.thr, rate.se, np.cumsum(count)[:n_b], e0)


@numba.njit(cache=True, inline="always")
def lookup_rate(sinr, lk):  # pragma: no cover - jit
    """Rate (bit/s/Hz) at linear ``sinr`` under the :class:`RateLookup` ``lk``: exactly
    :func:`rof.edge.rate_model.step_rate` of its model (NaN included)."""
    n = lk.thr.shape[0]
    if n == 0:
        return np.log2(1.0 + sinr * lk.gap_inv)
    if sinr < lk.thr[0]:
        return 0.0
    if not sinr < lk.thr[n - 1]:  # at or above the top step, or NaN (step_rate's se[-1])
        return lk.se[n - 1]
    j = min(max(_bucket(sinr, lk.e0), 0), lk.start.shape[0] - 1)
    k = lk.start[j]
    while lk.thr[k] <= sinr:  # stops below n: sinr < thr[n - 1]
        k += 1
    return lk.se[k - 1]


class Problem(NamedTuple):
    """One TTI as the kernel reads it (shapes in :func:`rof.edge.coordinated.coordinated_assign`).

    ``gain`` (n_rb, n_ue, K) linear; ``link_cell`` (n_ue, K) and ``serve_k`` (n_ue,)
    int64; ``floor_w`` (n_ue,) W; ``fh_inv`` (n_cells,); ``p_w`` W per cell and RB;
    ``weight`` (n_ue,) PF weights; ``cell_ptr``/``cell_ues`` the CSR lists of each
    cell's eligible UEs.
    """

    gain: np.ndarray
    link_cell: np.ndarray
    serve_k: np.ndarray
    floor_w: np.ndarray
    fh_inv: np.ndarray
    p_w: float
    weight: np.ndarray
    cell_ptr: np.ndarray
    cell_ues: np.ndarray


class _State(NamedTuple):
    """Search state of one RB: interference and cached rate per UE, serving cell per
    UE and served UE per cell (-1 none), transmit factor per cell, and the victim
    lists (a linked list per cell of (UE, column) entries)."""

    itf: np.ndarray
    rcur: np.ndarray
    served: np.ndarray
    active: np.ndarray
    fac: np.ndarray
    vhead: np.ndarray
    vnext: np.ndarray
    vue: np.ndarray
    vk: np.ndarray


@numba.njit(cache=True, inline="always")
def _rate(sinr, r):
    """The rate model at ``sinr``, ``r`` its :class:`rof.edge._rate_lookup.RateLookup`."""
    return lookup_rate(sinr, r)


@numba.njit(cache=True, inline="always")
def _interference(b, u, skip, p, active, fac):
    """Power at UE ``u`` from the active cells of its top K other than ``skip``."""
    t = 0.0
    for k in range(p.link_cell.shape[1]):
        c = p.link_cell[u, k]
        if c >= 0 and c != skip and active[c] >= 0:
            t += p.gain[b, u, k] * fac[c]
    return t


@numba.njit(cache=True, inline="always")
def _serve(c, u, p, st, ne):
    """Register served UE ``u`` as a victim of each other cell in its top K."""
    for k in range(p.link_cell.shape[1]):
        j = p.link_cell[u, k]
        if j >= 0 and j != c:
            st.vue[ne] = u
            st.vk[ne] = k
            st.vnext[ne] = st.vhead[j]
            st.vhead[j] = ne
            ne += 1
    return ne


@numba.njit(cache=True, inline="always")
def _own_rate(b, u, c, p, r, st):
    s = p.gain[b, u, p.serve_k[u]] * p.p_w
    return _rate(s / (st.itf[u] + p.floor_w[u] + s * p.fh_inv[c]), r)


@numba.njit(cache=True, inline="always")
def _victim_delta(b, c, sign, skip_u, p, r, st, apply):
    """Weighted-rate change of the served victims of cell ``c`` when it turns on
    (``sign = +1``) or off (``-1``); with ``apply`` update their interference and
    cached rates ``rcur`` instead."""
    delta = 0.0
    e = st.vhead[c]
    while e >= 0:
        v = st.vue[e]
        cv = st.served[v]
        if cv >= 0 and v != skip_u:
            x = sign * p.gain[b, v, st.vk[e]] * st.fac[c]
            sv = p.gain[b, v, p.serve_k[v]] * p.p_w
            rate = _rate(sv / (st.itf[v] + x + p.floor_w[v] + sv * p.fh_inv[cv]), r)
            if apply:
                st.itf[v] += x
                st.rcur[v] = rate
            else:
                delta += p.weight[v] * (rate - st.rcur[v])
        e = st.vnext[e]
    return delta


@numba.njit(cache=True, inline="always")
def _prune(b, order, p, r, st):
    """Mute, in ``order``, each active cell whose own weighted rate is worth less
    than the weighted rate its interference costs the served victims."""
    for oi in range(order.shape[0]):
        c = order[oi]
        u = st.active[c]
        if u < 0:
            continue
        own = p.weight[u] * st.rcur[u]
        relief = _victim_delta(b, c, -1.0, u, p, r, st, False)
        if relief > own:
            st.active[c] = -1
            st.served[u] = -1
            _victim_delta(b, c, -1.0, u, p, r, st, True)


@numba.njit(cache=True, inline="always")
def _utility(active, rcur, weight):
    util = 0.0
    for c in range(active.shape[0]):
        u = active[c]
        if u >= 0:
            util += weight[u] * rcur[u]
    return util


@numba.njit(cache=True, inline="always")
def _standalone_order(b, p, r, metric, order):
    """Cells by descending best stand-alone PF metric (step 1), stable, into ``order``
    (``metric`` a buffer): ``np.argsort(metric, kind="stable")`` by insertion, without
    allocating (the metrics are never NaN: rates are finite)."""
    n_cells = p.cell_ptr.shape[0] - 1
    for c in range(n_cells):
        best = -1.0
        for i in range(p.cell_ptr[c], p.cell_ptr[c + 1]):
            u = p.cell_ues[i]
            s = p.gain[b, u, p.serve_k[u]] * p.p_w
            m = p.weight[u] * _rate(s / (s * p.fh_inv[c] + p.floor_w[u]), r)
            if m > best:
                best = m
        metric[c] = -best
        i = c  # insert c after every earlier cell of metric <= its own: stable
        while i > 0 and metric[order[i - 1]] > metric[c]:
            order[i] = order[i - 1]
            i -= 1
        order[i] = c
    return order


@numba.njit(cache=True, inline="always")
def _greedy_add(b, order, p, r, st):
    """Step 2: in ``order``, each cell takes the UE that most raises the objective."""
    ne = 0
    for oi in range(order.shape[0]):
        c = order[oi]
        best = 0.0
        best_u = -1
        best_i = 0.0
        for i in range(p.cell_ptr[c], p.cell_ptr[c + 1]):
            u = p.cell_ues[i]
            iu = _interference(b, u, c, p, st.active, st.fac)
            s = p.gain[b, u, p.serve_k[u]] * p.p_w
            val = p.weight[u] * _rate(s / (iu + s * p.fh_inv[c] + p.floor_w[u]), r)
            if val > best:
                best = val
                best_u = u
                best_i = iu
        if best_u < 0:
            continue
        loss = _victim_delta(b, c, 1.0, -1, p, r, st, False)
        if best + loss > 0.0:
            _victim_delta(b, c, 1.0, -1, p, r, st, True)
            st.active[c] = best_u
            st.served[best_u] = c
            st.itf[best_u] = best_i
            st.rcur[best_u] = best / p.weight[best_u]
            ne = _serve(c, best_u, p, st, ne)


@numba.njit(cache=True, inline="always")
def _all_on(b, start, p, r, st):
    """Step 4's start: every cell on with its own PF choice ``start[:, b]``."""
    n_cells = st.active.shape[0]
    ne = 0
    for c in range(n_cells):
        u = start[c, b]
        st.active[c] = u
        if u >= 0:
            st.served[u] = c
            ne = _serve(c, u, p, st, ne)
    for c in range(n_cells):
        u = st.active[c]
        if u >= 0:
            st.itf[u] = _interference(b, u, c, p, st.active, st.fac)
            st.rcur[u] = _own_rate(b, u, c, p, r, st)


@numba.njit(cache=True)
def coordinated_kernel(p, rate, start, assign):
    """Fill ``assign`` (n_cells, n_rb) with the better of the two candidates per RB.

    ``p`` is a :class:`Problem`, ``rate`` a :class:`RateModel`, ``start``
    (n_cells, n_rb) the per-cell PF choice (-1 none).
    """
    n_rb, n_ue, n_k = p.gain.shape
    n_cells = p.cell_ptr.shape[0] - 1
    r = rate_lookup(rate)  # step_rate exactly, by a table read
    n_ent = n_cells * n_k + 1
    st = _State(
        np.zeros(n_ue),
        np.zeros(n_ue),
        np.full(n_ue, -1, dtype=np.int64),
        np.full(n_cells, -1, dtype=np.int64),
        p.p_w * (1.0 + p.fh_inv),
        np.full(n_cells, -1, dtype=np.int64),
        np.empty(n_ent, dtype=np.int64),
        np.empty(n_ent, dtype=np.int64),
        np.empty(n_ent, dtype=np.int64),
    )
    metric = np.empty(n_cells)
    order = np.empty(n_cells, dtype=np.int64)
    for b in range(n_rb):
        st.served[:] = -1
        st.active[:] = -1
        st.vhead[:] = -1
        order = _standalone_order(b, p, r, metric, order)  # 1. stand-alone metric per cell
        _greedy_add(b, order, p, r, st)  # 2. greedy add
        _prune(b, order, p, r, st)  # 3. prune
        u_add = _utility(st.active, st.rcur, p.weight)
        for c in range(n_cells):
            assign[c, b] = st.active[c]
        # 4. second candidate: every cell on with its own PF choice, then prune
        st.served[:] = -1
        st.vhead[:] = -1
        _all_on(b, start, p, r, st)
        _prune(b, order[::-1], p, r, st)
        u_all = _utility(st.active, st.rcur, p.weight)
        if u_all > u_add:
            for c in range(n_cells):
                assign[c, b] = st.active[c]
