"""Joint reception over clusters of sites, per TTI: each user combined over its cluster.

The edge holds every site's received signal (analog fronthaul carries the waveform), so
a user served by cell :math:`c` on RB :math:`b` is combined over its cluster: cell
:math:`c` plus the next strongest cells of its link table, up to ``cluster_size``
branches. Every other user scheduled on the RB (any cell) interferes on each branch with
its own complex channel where the branch's cell is in its link table; where it is not,
its background share (:mod:`rof.radio.uplink`) adds power on that branch's diagonal
(uncorrelated). Each branch's noise is its site's floor :math:`N_c + F_c + D_c` (thermal,
fronthaul, intermodulation; :mod:`rof.radio.uplink`) plus that uncorrelated background;
MRC weighs each branch by its channel over this noise. Combining: MRC or MMSE
(:mod:`rof.edge.uplink.combining`); ``cluster_size = 1`` is single-site reception.

:func:`joint_sinr` is the Numba kernel's wrapper; :func:`joint_sinr_reference` the
plain-NumPy twin built on :func:`~rof.edge.uplink.combining.mrc_sinr` and
:func:`~rof.edge.uplink.combining.mmse_sinr`.
"""

from __future__ import annotations

import numba
import numpy as np

from rof.edge.uplink.combining import mmse_sinr, mrc_sinr
from rof.errors import ParameterError

__all__ = ["COMBINING", "channel_power", "joint_sinr", "joint_sinr_reference"]

#: Combining modes: ``"none"`` is single-site reception (cluster of one).
COMBINING: tuple[str, ...] = ("none", "mrc", "mmse")


@numba.njit(cache=True)
def _power_kernel(h, out):
    flat_h, flat_o = h.reshape(-1), out.reshape(-1)
    for i in range(flat_h.size):
        z = flat_h[i]
        flat_o[i] = z.real * z.real + z.imag * z.imag


def channel_power(h) -> np.ndarray:
    """:math:`|h|^2` of a complex array (float64, same shape); NumPy: ``np.abs(h) ** 2``."""
    h = np.ascontiguousarray(h, dtype=np.complex128)
    out = np.empty(h.shape)
    _power_kernel(h, out)
    return out


@numba.njit(cache=True)
def _branches(link_cell, u, c, cluster, br):
    """Cells of user ``u``'s cluster when cell ``c`` serves it; returns the count."""
    br[0] = c
    n = 1
    for j in range(link_cell.shape[1]):
        if n >= cluster:
            break
        x = link_cell[u, j]
        if x >= 0 and x != c:
            br[n] = x
            n += 1
    return n


@numba.njit(cache=True)
def _hermitian_solve(r, h, n, x, low):
    """x = R^{-1} h for the leading n x n block of Hermitian positive-definite R (Cholesky)."""
    for i in range(n):
        for j in range(i + 1):
            s = r[i, j]
            for m in range(j):
                s -= low[i, m] * np.conj(low[j, m])
            if i == j:
                low[i, i] = np.sqrt(s.real)
            else:
                low[i, j] = s / low[j, j].real
    for i in range(n):  # forward: L y = h
        s = h[i]
        for m in range(i):
            s -= low[i, m] * x[m]
        x[i] = s / low[i, i].real
    for i in range(n - 1, -1, -1):  # backward: L^H x = y
        s = x[i]
        for m in range(i + 1, n):
            s -= np.conj(low[m, i]) * x[m]
        x[i] = s / low[i, i].real


@numba.njit(cache=True)
def _joint_kernel(link_cell, h, bg_share, assign, p_w, floor_w, cluster, mmse, sinr):
    """Per RB: the covariance of every scheduled user over all cells (sparse outer
    products over each user's K cells), then each served user's cluster block minus its
    own term; the background shares on the diagonal likewise."""
    n_cells, n_rb = assign.shape
    k = link_cell.shape[1]
    cov = np.zeros((n_cells, n_cells), dtype=np.complex128)
    dbg = np.zeros(n_cells)
    br = np.zeros(cluster, dtype=np.int64)
    r = np.zeros((cluster, cluster), dtype=np.complex128)
    low = np.zeros((cluster, cluster), dtype=np.complex128)
    hv = np.zeros(cluster, dtype=np.complex128)
    x = np.zeros(cluster, dtype=np.complex128)
    dn = np.zeros(cluster)
    own = np.zeros(cluster, dtype=np.bool_)
    for b in range(n_rb):
        cov[:, :] = 0.0
        dbg[:] = 0.0
        tot_share = 0.0
        for c0 in range(n_cells):
            v = assign[c0, b]
            if v < 0:
                continue
            share = bg_share[v] * p_w[v]
            tot_share += share
            for j in range(k):
                y = link_cell[v, j]
                if y < 0:
                    continue
                dbg[y] -= share
                a = p_w[v] * h[v, j, b]
                for j2 in range(k):
                    y2 = link_cell[v, j2]
                    if y2 >= 0:
                        cov[y, y2] += a * np.conj(h[v, j2, b])
        for c in range(n_cells):
            u = assign[c, b]
            if u < 0:
                sinr[c, b] = 0.0
                continue
            n = _branches(link_cell, u, c, cluster, br)
            for i in range(n):
                hv[i] = 0.0
                own[i] = False
                for j in range(k):
                    if link_cell[u, j] == br[i]:
                        hv[i] = h[u, j, b]
                        own[i] = True
                        break
            share_u = bg_share[u] * p_w[u]
            for i in range(n):
                dn[i] = floor_w[br[i]] + tot_share + dbg[br[i]]
                if not own[i]:
                    dn[i] -= share_u
                for j in range(n):
                    r[i, j] = cov[br[i], br[j]] - p_w[u] * hv[i] * np.conj(hv[j])
                r[i, i] = r[i, i].real + dn[i]
            if mmse:
                _hermitian_solve(r, hv, n, x, low)
                acc = 0.0
                for i in range(n):
                    acc += (np.conj(hv[i]) * x[i]).real
                sinr[c, b] = p_w[u] * acc
            else:
                for i in range(n):
                    x[i] = hv[i] / dn[i]
                num = 0.0 + 0.0j
                den = 0.0 + 0.0j
                for i in range(n):
                    num += np.conj(x[i]) * hv[i]
                    for j in range(n):
                        den += np.conj(x[i]) * r[i, j] * x[j]
                sinr[c, b] = p_w[u] * abs(num) ** 2 / den.real


def _check(combining: str, cluster_size: int) -> tuple[int, bool]:
    if combining not in COMBINING:
        raise ParameterError(
            f"joint_sinr.combining = {combining!r} is not known; allowed: "
            + ", ".join(repr(c) for c in COMBINING)
        )
    if not (isinstance(cluster_size, int | np.integer) and 1 <= cluster_size <= 16):
        raise ParameterError(
            f"joint_sinr.cluster_size = {cluster_size!r} is not allowed; allowed: 1 to 16"
        )
    return (1 if combining == "none" else int(cluster_size)), combining == "mmse"


def joint_sinr(link_cell, h, bg_share, assign, p_w, floor_w, cluster_size=3, combining="mmse"):
    """Per-(cell, RB) SINR of the user each cell serves, combined over its cluster.

    Parameters
    ----------
    link_cell : int array (n_ue, K)
        Each UE's cells by descending gain (-1: unused).
    h : complex array (n_ue, K, n_rb)
        Complex channel UE -> cell, large-scale included (:math:`|h|^2` the power gain).
    bg_share : float array (n_ue,)
        Power gain to each cell outside the UE's table (background spread evenly).
    assign : int array (n_cells, n_rb)
        UE each cell serves on each RB, -1 none.
    p_w : float array (n_ue,)
        Transmit power per RB, W.
    floor_w : float array (n_cells,)
        Each site's noise per RB referred to its antenna (thermal, fronthaul,
        intermodulation), W.
    cluster_size : int
        Branches per user (1 to 16; with ``"none"`` always 1).
    combining : {"none", "mrc", "mmse"}

    Returns
    -------
    ndarray (n_cells, n_rb)
        Linear SINR (0 where nothing is received).
    """
    cluster, mmse = _check(combining, cluster_size)
    a = np.ascontiguousarray(assign, dtype=np.int64)
    sinr = np.zeros(a.shape)
    _joint_kernel(
        np.ascontiguousarray(link_cell, dtype=np.int64),
        np.ascontiguousarray(h, dtype=np.complex128),
        np.ascontiguousarray(bg_share, dtype=np.float64),
        a,
        np.ascontiguousarray(p_w, dtype=np.float64),
        np.ascontiguousarray(floor_w, dtype=np.float64),
        cluster,
        mmse,
        sinr,
    )
    return sinr


def joint_sinr_reference(
    link_cell, h, bg_share, assign, p_w, floor_w, cluster_size=3, combining="mmse"
):
    """Plain-NumPy twin of :func:`joint_sinr` through :mod:`rof.edge.uplink.combining`."""
    cluster, mmse = _check(combining, cluster_size)
    lc = np.asarray(link_cell)
    n_cells, n_rb = np.shape(assign)
    sinr = np.zeros((n_cells, n_rb))
    for b in range(n_rb):
        for c in range(n_cells):
            u = assign[c, b]
            if u < 0:
                continue
            br = [c, *[x for x in lc[u] if x >= 0 and x != c][: cluster - 1]]

            def chan(v, br=br, b=b):
                out = np.zeros(len(br), complex)
                extra = np.zeros(len(br))
                for i, y in enumerate(br):
                    hit = np.flatnonzero(lc[v] == y)
                    if hit.size:
                        out[i] = h[v, hit[0], b]
                    else:
                        extra[i] = bg_share[v] * p_w[v]
                return out, extra

            hu, _ = chan(u)
            noise = np.array([floor_w[y] for y in br], dtype=float)
            sig_noise = noise.copy()
            gs, qs = [], []
            for c0 in range(n_cells):
                v = assign[c0, b]
                if c0 == c or v < 0:
                    continue
                gv, extra = chan(v)
                gs.append(gv)
                qs.append(p_w[v])
                sig_noise += extra
            g = np.array(gs).reshape(len(gs), len(br))
            q = np.array(qs, dtype=float)
            combine = mmse_sinr if mmse else mrc_sinr
            sinr[c, b] = combine(hu, p_w[u], g, q, sig_noise)
    return sinr
