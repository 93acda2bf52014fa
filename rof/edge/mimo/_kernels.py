"""Numba kernels of the cluster precoders and of SUS; their NumPy twins are
:func:`rof.edge.mimo.cluster.precoders_reference` and :func:`rof.edge.mimo.sus.sus_numpy`."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["precoder_kernel", "sus_kernel"]

_MRT, _ZF, _RZF = 0, 1, 2


@numba.njit(cache=True)
def precoder_kernel(h, inv_sd, pos, user, tx, users, q, kind, out):
    """Unit-power-scaled precoder of every stream (cluster module docstring).

    ``h`` (n_rb, n_ue, K, n_ant) complex128; ``inv_sd`` (n_ue,) 1/sqrt(noise);
    ``pos`` (n_ue + 1, n_sites + 1) link slot of a site in a user's table (K: none);
    ``user`` (n_rb, n_str), ``tx`` (n_rb, n_str, C), ``users`` (n_rb, n_str, S);
    ``q`` (n_rb, n_str) stream power; ``kind`` 0 MRT, 1 ZF, 2 RZF;
    ``out`` (n_rb, n_str, C, n_ant) complex128 written. A ZF stream whose Gram matrix
    is singular gets no power. Returns the number of such streams.
    """
    n_rb, n_str, n_c, n_ant = out.shape
    n_s = users.shape[2]
    k_links = h.shape[2]
    m_tot = n_c * n_ant
    a = np.zeros((n_s, m_tot), dtype=np.complex128)
    g = np.zeros((n_s, n_s), dtype=np.complex128)
    y = np.zeros(n_s, dtype=np.complex128)
    w = np.zeros(m_tot, dtype=np.complex128)
    active = np.zeros(n_s, dtype=np.bool_)
    failed = 0
    for b in range(n_rb):
        for k in range(n_str):
            u = user[b, k]
            for c in range(n_c):
                for t in range(n_ant):
                    out[b, k, c, t] = 0j
            if u < 0 or q[b, k] <= 0.0:
                continue
            own = -1
            for m in range(n_s):
                v = users[b, k, m]
                if v == u:
                    own = m
                act = False
                for c in range(n_c):
                    s = tx[b, k, c]
                    i = pos[v, s] if (v >= 0 and s >= 0) else k_links
                    for t in range(n_ant):
                        if i < k_links:
                            z = h[b, v, i, t] * inv_sd[v]
                            a[m, c * n_ant + t] = z
                            if z != 0:
                                act = True
                        else:
                            a[m, c * n_ant + t] = 0j
                active[m] = act
            if own < 0 or not active[own]:
                continue
            if kind == _MRT:
                for t in range(m_tot):
                    w[t] = np.conj(a[own, t])
            else:
                alpha = 1.0 / q[b, k] if kind == _RZF else 0.0
                # Gram (lower triangle) + regularisation; idle rows get 1 on the diagonal
                for m1 in range(n_s):
                    for m2 in range(m1 + 1):
                        acc = 0j
                        if active[m1] and active[m2]:
                            for t in range(m_tot):
                                acc += a[m1, t] * np.conj(a[m2, t])
                        g[m1, m2] = acc
                    g[m1, m1] += alpha if active[m1] else 1.0
                # Cholesky G = L L^H in place (lower)
                ok = True
                for j in range(n_s):
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
                if not ok:
                    failed += 1
                    continue
                # L y = e_own, then L^H x = y (x kept in y)
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
                    acc = 0j
                    for m in range(n_s):
                        acc += np.conj(a[m, t]) * y[m]
                    w[t] = acc
            nrm = 0.0
            for t in range(m_tot):
                nrm += w[t].real * w[t].real + w[t].imag * w[t].imag
            if nrm <= 0.0:
                continue
            sc = np.sqrt(q[b, k] / nrm)
            for c in range(n_c):
                for t in range(n_ant):
                    out[b, k, c, t] = w[c * n_ant + t] * sc
    return failed


@numba.njit(cache=True)
def sus_kernel(h, weight, n_select, epsilon, out):
    """SUS of every batch entry: ``h`` (n_batch, n_cand, n_tx), ``weight`` (n_batch,
    n_cand), ``out`` (n_batch, n_select) int64 written (-1: none)."""
    n_b, n_cand, n_tx = h.shape
    g = np.empty((n_cand, n_tx), dtype=np.complex128)
    hn = np.empty(n_cand)
    ok = np.empty(n_cand, dtype=np.bool_)
    for bb in range(n_b):
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
                    m = weight[bb, k] * s
                    if m > best_m:
                        best_m = m
                        best = k
            out[bb, i] = best
            if best < 0:
                for r in range(i + 1, n_select):
                    out[bb, r] = -1
                break
            ok[best] = False
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
