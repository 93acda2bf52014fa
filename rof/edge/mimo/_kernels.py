"""Numba kernels of the cluster precoders and of SUS; their NumPy twins are
:func:`rof.edge.mimo.cluster.precoders_reference` and :func:`rof.edge.mimo.sus.sus_numpy`."""

from __future__ import annotations

import numba
import numpy as np

from rof.photonics._common import FAST_MATH

__all__ = ["PARALLEL_MIN_ITEMS", "precoder_kernel", "precoder_kernel_serial", "sus_kernel"]

#: Fewer independent items (precoder groups, evaluated RB x stream pairs) than this run
#: on one thread: on the shared 2-core machine the OpenMP fork/join and spin-wait of a
#: parallel region cost more than the work (one RB of the 57-cell bench: 191 groups,
#: 0.6 ms on one thread, 28-36 ms on two under load).
PARALLEL_MIN_ITEMS = 20_000

_MRT, _ZF, _RZF = 0, 1, 2


@numba.njit(cache=True, parallel=True, fastmath=FAST_MATH)
def precoder_kernel(h, inv_sd, pos, user, tx, users, q, alpha_per_w, kind, order, ptr, out):
    """Precoders of every stream (cluster module docstring), one factorisation per group.

    ``h`` (n_rb, n_ue, K, n_ant) complex128; ``inv_sd`` (n_ue,) 1/sqrt(noise);
    ``pos`` (n_ue + 1, n_sites + 1) link slot of a site in a user's table (K: none);
    ``user`` (n_rb, n_str), ``tx`` (n_rb, n_str, C), ``users`` (n_rb, n_str, S);
    ``q`` (n_rb, n_str) stream power; ``alpha_per_w``: RZF's ``alpha = |S| / (|T| P)`` is
    ``|S| alpha_per_w / |T|``; ``kind`` 0 MRT, 1 ZF, 2 RZF; ``order`` (n_rb * n_str,)
    flat stream indices grouped so that the streams ``order[ptr[g]:ptr[g + 1]]`` share RB
    and ``T`` (hence ``S`` and the Gram matrix); ``out`` (n_rb, n_str, C, n_ant) written.
    A ZF group whose Gram matrix is singular gets no power. Returns their stream count.
    """
    _, n_str, n_c, n_ant = out.shape
    n_s = users.shape[2]
    k_links = h.shape[2]
    m_tot = n_c * n_ant
    n_grp = ptr.size - 1
    failed = np.zeros(n_grp, dtype=np.int64)
    out[...] = 0j
    for grp in numba.prange(n_grp):  # groups write disjoint streams
        a = np.zeros((n_s, m_tot), dtype=np.complex128)
        a_re = np.zeros((n_s, m_tot))  # real and imaginary parts apart: SIMD Gram
        a_im = np.zeros((n_s, m_tot))
        g = np.zeros((n_s, n_s), dtype=np.complex128)
        y = np.zeros(n_s, dtype=np.complex128)
        w = np.zeros(m_tot, dtype=np.complex128)
        active = np.zeros(n_s, dtype=np.bool_)
        f0 = order[ptr[grp]]
        b = f0 // n_str
        k0 = f0 - b * n_str
        if user[b, k0] < 0:
            continue
        n_act = 0
        n_tx = 0
        for c in range(n_c):
            if tx[b, k0, c] >= 0:
                n_tx += 1
        for m in range(n_s):
            v = users[b, k0, m]
            act = False
            for c in range(n_c):
                s = tx[b, k0, c]
                i = pos[v, s] if (v >= 0 and s >= 0) else k_links
                if i < k_links:
                    sd = inv_sd[v]
                    for t in range(n_ant):
                        z = h[b, v, i, t] * sd
                        a[m, c * n_ant + t] = z
                        a_re[m, c * n_ant + t] = z.real
                        a_im[m, c * n_ant + t] = z.imag
                        if z != 0:
                            act = True
                else:
                    for t in range(n_ant):
                        a[m, c * n_ant + t] = 0j
                        a_re[m, c * n_ant + t] = 0.0
                        a_im[m, c * n_ant + t] = 0.0
            active[m] = act
            if act:
                n_act += 1
        ok = True
        if kind != _MRT:
            alpha = n_act * alpha_per_w / max(n_tx, 1) if kind == _RZF else 0.0
            for m1 in range(n_s):
                for m2 in range(m1 + 1):
                    re = 0.0
                    im = 0.0
                    if active[m1] and active[m2]:
                        for t in range(m_tot):  # a1 conj(a2)
                            re += a_re[m1, t] * a_re[m2, t] + a_im[m1, t] * a_im[m2, t]
                            im += a_im[m1, t] * a_re[m2, t] - a_re[m1, t] * a_im[m2, t]
                    g[m1, m2] = complex(re, im)
                g[m1, m1] += alpha if active[m1] else 1.0
            for j in range(n_s):  # Cholesky G = L L^H in place (lower)
                d = g[j, j].real
                for p in range(j):
                    d -= g[j, p].real * g[j, p].real + g[j, p].imag * g[j, p].imag
                if not d > 1e-12 * max(1.0, g[j, j].real):
                    ok = False
                    break
                d = np.sqrt(d)
                g[j, j] = d
                for i2 in range(j + 1, n_s):
                    acc = g[i2, j]
                    for p in range(j):
                        acc -= g[i2, p] * np.conj(g[j, p])
                    g[i2, j] = acc / d
        for e in range(ptr[grp], ptr[grp + 1]):
            f = order[e]
            k = f - b * n_str
            u = user[b, k]
            if u < 0 or q[b, k] <= 0.0:
                continue
            if not ok:
                failed[grp] += 1
                continue
            own = -1
            for m in range(n_s):
                if users[b, k0, m] == u:
                    own = m
            if own < 0 or not active[own]:
                continue
            if kind == _MRT:
                for t in range(m_tot):
                    w[t] = np.conj(a[own, t])
            else:  # L y = e_own, then L^H x = y (x kept in y)
                for i2 in range(n_s):
                    acc = 1.0 + 0j if i2 == own else 0j
                    for p in range(i2):
                        acc -= g[i2, p] * y[p]
                    y[i2] = acc / g[i2, i2].real
                for i2 in range(n_s - 1, -1, -1):
                    acc = y[i2]
                    for p in range(i2 + 1, n_s):
                        acc -= np.conj(g[p, i2]) * y[p]
                    y[i2] = acc / g[i2, i2].real
                for t in range(m_tot):
                    w[t] = 0j
                for m in range(n_s):
                    if active[m] and y[m] != 0:
                        ym = y[m]
                        for t in range(m_tot):
                            w[t] += np.conj(a[m, t]) * ym
            nrm = 0.0
            for t in range(m_tot):
                nrm += w[t].real * w[t].real + w[t].imag * w[t].imag
            if nrm <= 0.0:
                continue
            sc = np.sqrt(q[b, k] / nrm)
            for c in range(n_c):
                for t in range(n_ant):
                    out[b, k, c, t] = w[c * n_ant + t] * sc
    return failed.sum()


#: The same kernel compiled without threads (``prange`` runs as ``range``).
precoder_kernel_serial = numba.njit(cache=True, fastmath=FAST_MATH)(precoder_kernel.py_func)


@numba.njit(cache=True)
def sus_kernel(h, weight, n_select, epsilon, group, cap, rate, out):
    """SUS of every batch entry: ``h`` (n_batch, n_cand, n_tx), ``weight`` (n_batch,
    n_cand); metric ``weight ||g||^2`` or, with ``rate``, ``weight log2(1 + ||g||^2)``;
    ``group`` (n_batch, n_cand) int64 in ``[0, n_cand)``: once ``cap`` users of a
    group are chosen its other candidates leave; ``out`` (n_batch, n_select) int64
    written (-1: none)."""
    n_b, n_cand, n_tx = h.shape
    g = np.empty((n_cand, n_tx), dtype=np.complex128)
    hn = np.empty(n_cand)
    ok = np.empty(n_cand, dtype=np.bool_)
    taken = np.zeros(n_cand, dtype=np.int64)
    for bb in range(n_b):
        taken[:] = 0
        for k in range(n_cand):
            s = 0.0
            for t in range(n_tx):
                g[k, t] = h[bb, k, t]
                s += h[bb, k, t].real ** 2 + h[bb, k, t].imag ** 2
            hn[k] = np.sqrt(s)
            ok[k] = weight[bb, k] > 0 and s > 0
        for i in range(n_select):
            best = -1
            best_m = 0.0
            for k in range(n_cand):
                if ok[k]:
                    s = 0.0
                    for t in range(n_tx):
                        s += g[k, t].real ** 2 + g[k, t].imag ** 2
                    m = weight[bb, k] * (np.log2(1.0 + s) if rate else s)
                    if m > best_m:
                        best_m = m
                        best = k
            out[bb, i] = best
            if best < 0:
                for r in range(i + 1, n_select):
                    out[bb, r] = -1
                break
            ok[best] = False
            gb = group[bb, best]
            taken[gb] += 1
            if taken[gb] >= cap:
                for k in range(n_cand):
                    if group[bb, k] == gb:
                        ok[k] = False
            gn2 = 0.0
            for t in range(n_tx):
                gn2 += g[best, t].real ** 2 + g[best, t].imag ** 2
            gn = np.sqrt(gn2)
            for k in range(n_cand):
                if not ok[k]:
                    continue
                c = 0j
                for t in range(n_tx):
                    c += h[bb, k, t] * np.conj(g[best, t])
                if abs(c) / (hn[k] * gn) >= epsilon:
                    ok[k] = False
                    continue
                c = 0j
                for t in range(n_tx):
                    c += g[k, t] * np.conj(g[best, t])
                c /= gn2
                for t in range(n_tx):
                    g[k, t] -= c * g[best, t]
