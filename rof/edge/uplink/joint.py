"""Joint reception over clusters of sites, per TTI: each user combined over its cluster.

The edge holds every site's received signal (analog fronthaul carries the waveform), so
a user served by cell :math:`c` on RB :math:`b` is combined over its cluster: cell
:math:`c` plus the next strongest cells of its link table, up to ``cluster_size``
cells; where the sites have several receive antennas (``[uplink] n_ant``), each cell
contributes one branch per antenna, each with its own LNA and analog link. Every other
user scheduled on the RB (any cell) interferes on each branch with its own complex
channel where the branch's cell is in its link table; where it is not, its background
share (:mod:`rof.radio.uplink`) adds power on that branch's diagonal (uncorrelated).
Each branch's noise is its site's floor :math:`N_c + F_c + D_{c,b}` (thermal, fronthaul,
the third-order products on the RB; :mod:`rof.radio.uplink`) plus that uncorrelated
background; MRC weighs each branch by its channel over this noise. Combining: MRC or MMSE
(:mod:`rof.edge.uplink.combining`); ``cluster_size = 1`` is single-site reception (over
the site's own antennas). For i.i.d. antenna channels and noise only, MRC over
:math:`N` antennas gives :math:`p\\sum_a |h_a|^2/\\sigma^2`, an SNR gain of :math:`N`
on average (Brennan 1959).

:func:`joint_sinr` is the Numba kernel's wrapper; :func:`joint_sinr_reference` the
plain-NumPy twin built on :func:`~rof.edge.uplink.combining.mrc_sinr` and
:func:`~rof.edge.uplink.combining.mmse_sinr`.
"""

from __future__ import annotations

import numba
import numpy as np

from rof.edge.uplink.combining import mmse_sinr, mrc_sinr
from rof.errors import ParameterError

__all__ = [
    "COMBINING",
    "array_channel_power",
    "channel_power",
    "joint_sinr",
    "joint_sinr_reference",
]

#: Combining modes: ``"none"`` is single-site reception (cluster of one).
COMBINING: tuple[str, ...] = ("none", "mrc", "mmse")


@numba.njit(cache=True)
def _power_kernel(h, out):
    flat_h, flat_o = h.reshape(-1), out.reshape(-1)
    for i in range(flat_h.size):
        z = flat_h[i]
        flat_o[i] = z.real * z.real + z.imag * z.imag


@numba.njit(cache=True)
def _array_power_kernel(h, per_ant, total):
    n_ue, k, n_ant, n_rb = h.shape
    for u in range(n_ue):
        for j in range(k):
            for b in range(n_rb):
                acc = 0.0
                for a in range(n_ant):
                    z = h[u, j, a, b]
                    p = z.real * z.real + z.imag * z.imag
                    per_ant[a, u, j, b] = p
                    acc += p
                total[u, j, b] = acc


def array_channel_power(h) -> tuple[np.ndarray, np.ndarray]:
    """:math:`|h|^2` of per-antenna channels ``h`` (n_ue, K, n_ant, n_rb), any strides:
    ``(per_ant (n_ant, n_ue, K, n_rb), total (n_ue, K, n_rb))``, the total summed over the
    antennas (the array gain MRC sees); NumPy: ``np.moveaxis(abs(h)**2, 2, 0)`` and
    ``(abs(h)**2).sum(axis=2)``."""
    h = np.asarray(h)
    if h.dtype != np.complex128:
        h = h.astype(np.complex128)
    n_ue, k, n_ant, n_rb = h.shape
    per_ant = np.empty((n_ant, n_ue, k, n_rb))
    total = np.empty((n_ue, k, n_rb))
    _array_power_kernel(h, per_ant, total)
    return per_ant, total


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
def _combine(r, hv, dn, m, mmse, p, x, low):
    """SINR of power ``p`` with channel ``hv`` over the leading ``m`` branches of the
    interference-plus-noise covariance ``r``: MMSE :math:`p h^H R^{-1} h`, or MRC with
    weights :math:`h_i / d_i` (``dn``: each branch's uncorrelated noise)."""
    if mmse:
        _hermitian_solve(r, hv, m, x, low)
        acc = 0.0
        for i in range(m):
            acc += (np.conj(hv[i]) * x[i]).real
        return p * acc
    for i in range(m):
        x[i] = hv[i] / dn[i]
    num = 0.0 + 0.0j
    den = 0.0 + 0.0j
    for i in range(m):
        num += np.conj(x[i]) * hv[i]
        for j in range(m):
            den += np.conj(x[i]) * r[i, j] * x[j]
    return p * abs(num) ** 2 / den.real


@numba.njit(cache=True)
def _joint_kernel_sites(link_cell, h, bg_share, assign, p_w, floor_w, cluster, mmse, sinr):
    """One antenna per cell. Per RB: the covariance of every scheduled user over all
    cells (sparse outer products over each user's K cells), then each served user's
    cluster block minus its own term; the background shares on the diagonal likewise."""
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
                dn[i] = floor_w[br[i], b] + tot_share + dbg[br[i]]
                if not own[i]:
                    dn[i] -= share_u
                for j in range(n):
                    r[i, j] = cov[br[i], br[j]] - p_w[u] * hv[i] * np.conj(hv[j])
                r[i, i] = r[i, i].real + dn[i]
            sinr[c, b] = _combine(r, hv, dn, n, mmse, p_w[u], x, low)


@numba.njit(cache=True)
def _joint_kernel_antennas(link_cell, h, bg_share, assign, p_w, floor_w, cluster, mmse, sinr):
    """Per RB: the covariance of every scheduled user over the (cell, antenna) branches
    that some served user's cluster needs (sparse outer products over each user's K
    cells), then each served user's cluster block minus its own term; the background
    shares on the diagonal likewise. ``h`` is (n_ue, K, n_ant, n_rb or 1)."""
    n_cells, n_rb = assign.shape
    k = link_cell.shape[1]
    n_ant = h.shape[2]
    flat = h.shape[3] == 1
    nb = cluster * n_ant
    cov = np.zeros((n_cells * n_ant, n_cells * n_ant), dtype=np.complex128)
    need = np.zeros((n_cells, n_cells), dtype=np.bool_)
    pairs = np.zeros((n_cells * cluster * cluster, 2), dtype=np.int64)
    dbg = np.zeros(n_cells)
    hc = np.zeros(k * n_ant, dtype=np.complex128)
    hs = np.zeros(k * n_ant, dtype=np.complex128)
    br = np.zeros(cluster, dtype=np.int64)
    r = np.zeros((nb, nb), dtype=np.complex128)
    low = np.zeros((nb, nb), dtype=np.complex128)
    hv = np.zeros(nb, dtype=np.complex128)
    x = np.zeros(nb, dtype=np.complex128)
    dn = np.zeros(nb)
    own = np.zeros(cluster, dtype=np.bool_)
    for b in range(n_rb):
        hb = 0 if flat else b
        n_pairs = 0
        for c in range(n_cells):
            u = assign[c, b]
            if u < 0:
                continue
            n = _branches(link_cell, u, c, cluster, br)
            for i in range(n):
                for j in range(n):
                    y, y2 = br[i], br[j]
                    if not need[y, y2]:
                        need[y, y2] = True
                        pairs[n_pairs, 0] = y
                        pairs[n_pairs, 1] = y2
                        n_pairs += 1
                        for a in range(n_ant):
                            for a2 in range(n_ant):
                                cov[y * n_ant + a, y2 * n_ant + a2] = 0.0
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
                if y >= 0:
                    dbg[y] -= share
                for a in range(n_ant):
                    hc[j * n_ant + a] = np.conj(h[v, j, a, hb])
                    hs[j * n_ant + a] = p_w[v] * h[v, j, a, hb]
            for j in range(k):
                y = link_cell[v, j]
                if y < 0:
                    continue
                for j2 in range(k):
                    y2 = link_cell[v, j2]
                    if y2 < 0 or not need[y, y2]:
                        continue
                    for a in range(n_ant):
                        s = hs[j * n_ant + a]
                        row = y * n_ant + a
                        col = y2 * n_ant
                        for a2 in range(n_ant):
                            cov[row, col + a2] += s * hc[j2 * n_ant + a2]
        for c in range(n_cells):
            u = assign[c, b]
            if u < 0:
                sinr[c, b] = 0.0
                continue
            n = _branches(link_cell, u, c, cluster, br)
            m = n * n_ant
            for i in range(n):
                own[i] = False
                for a in range(n_ant):
                    hv[i * n_ant + a] = 0.0
                for j in range(k):
                    if link_cell[u, j] == br[i]:
                        for a in range(n_ant):
                            hv[i * n_ant + a] = h[u, j, a, hb]
                        own[i] = True
                        break
            share_u = bg_share[u] * p_w[u]
            for i in range(n):
                for a in range(n_ant):
                    ii = i * n_ant + a
                    dn[ii] = floor_w[br[i], a, b] + tot_share + dbg[br[i]]
                    if not own[i]:
                        dn[ii] -= share_u
                    for j in range(n):
                        for a2 in range(n_ant):
                            jj = j * n_ant + a2
                            r[ii, jj] = cov[br[i] * n_ant + a, br[j] * n_ant + a2] - p_w[u] * hv[
                                ii
                            ] * np.conj(hv[jj])
                    r[ii, ii] = r[ii, ii].real + dn[ii]
            sinr[c, b] = _combine(r, hv, dn, m, mmse, p_w[u], x, low)
        for q in range(n_pairs):
            need[pairs[q, 0], pairs[q, 1]] = False


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


def _as_branches(h, floor_w, n_cells, n_rb):
    """``h`` as (n_ue, K, n_ant, n_rb or 1) and ``floor_w`` as (n_cells, n_ant, n_rb)."""
    h = np.asarray(h)
    if h.ndim == 3:
        h = h[:, :, None, :]
    if h.ndim != 4:
        raise ParameterError(
            f"joint_sinr.h has shape {h.shape}; allowed: (n_ue, K, n_rb) or (n_ue, K, n_ant, n_rb)"
        )
    floor = np.asarray(floor_w, dtype=np.float64)
    floor = floor.reshape(floor.shape + (1,) * (3 - floor.ndim))
    shape = (n_cells, h.shape[2], n_rb)
    return h, np.ascontiguousarray(np.broadcast_to(floor, shape))


def joint_sinr(link_cell, h, bg_share, assign, p_w, floor_w, cluster_size=3, combining="mmse"):
    """Per-(cell, RB) SINR of the user each cell serves, combined over its cluster.

    The branches are the cluster's cells times each cell's antennas; with one antenna
    per cell this is the site-level joint reception of the module docstring.

    Parameters
    ----------
    link_cell : int array (n_ue, K)
        Each UE's cells by descending gain (-1: unused).
    h : complex array (n_ue, K, n_rb) or (n_ue, K, n_ant, n_rb)
        Complex channel UE -> cell (-> each receive antenna), large-scale included
        (:math:`|h|^2` the power gain); the RB axis may be 1 (flat fading), and the
        array may be a strided view.
    bg_share : float array (n_ue,)
        Power gain to each cell outside the UE's table (background spread evenly; each
        antenna receives it, uncorrelated).
    assign : int array (n_cells, n_rb)
        UE each cell serves on each RB, -1 none.
    p_w : float array (n_ue,)
        Transmit power per RB, W.
    floor_w : float array (n_cells,), (n_cells, n_ant) or (n_cells, n_ant, n_rb)
        Each branch's noise per RB referred to its antenna (thermal, fronthaul, its own
        intermodulation on that RB), W.
    cluster_size : int
        Cells per user (1 to 16; with ``"none"`` always 1: the serving cell's antennas).
    combining : {"none", "mrc", "mmse"}
        ``"none"`` combines the serving cell's antennas by MMSE (one antenna: the
        single-site SINR).

    Returns
    -------
    ndarray (n_cells, n_rb)
        Linear SINR (0 where nothing is received).
    """
    cluster, mmse = _check(combining, cluster_size)
    a = np.ascontiguousarray(assign, dtype=np.int64)
    h, floor = _as_branches(h, floor_w, a.shape[0], a.shape[1])
    if h.dtype != np.complex128:
        h = h.astype(np.complex128)
    sinr = np.zeros(a.shape)
    args = (
        np.ascontiguousarray(link_cell, dtype=np.int64),
        h,
        np.ascontiguousarray(bg_share, dtype=np.float64),
        a,
        np.ascontiguousarray(p_w, dtype=np.float64),
        floor,
        cluster,
        mmse or combining == "none",
        sinr,
    )
    if h.shape[2] == 1 and h.shape[3] == a.shape[1]:  # one antenna: the cells' kernel
        args = (args[0], h[:, :, 0, :], *args[2:5], np.ascontiguousarray(floor[:, 0, :]), *args[6:])
        _joint_kernel_sites(*args)
    else:
        _joint_kernel_antennas(*args)
    return sinr


def joint_sinr_reference(
    link_cell, h, bg_share, assign, p_w, floor_w, cluster_size=3, combining="mmse"
):
    """Plain-NumPy twin of :func:`joint_sinr` through :mod:`rof.edge.uplink.combining`."""
    cluster, mmse = _check(combining, cluster_size)
    mmse = mmse or combining == "none"
    lc = np.asarray(link_cell)
    n_cells, n_rb = np.shape(assign)
    h, floor = _as_branches(h, floor_w, n_cells, n_rb)
    n_ant = h.shape[2]
    sinr = np.zeros((n_cells, n_rb))
    for b in range(n_rb):
        hb = 0 if h.shape[3] == 1 else b
        for c in range(n_cells):
            u = assign[c, b]
            if u < 0:
                continue
            cells = [c, *[x for x in lc[u] if x >= 0 and x != c][: cluster - 1]]

            def chan(v, cells=cells, hb=hb):
                out = np.zeros((len(cells), n_ant), complex)
                extra = np.zeros((len(cells), n_ant))
                for i, y in enumerate(cells):
                    hit = np.flatnonzero(lc[v] == y)
                    if hit.size:
                        out[i] = h[v, hit[0], :, hb]
                    else:
                        extra[i] = bg_share[v] * p_w[v]
                return out.ravel(), extra.ravel()

            hu, _ = chan(u)
            sig_noise = np.concatenate([floor[y, :, b] for y in cells])
            gs, qs = [], []
            for c0 in range(n_cells):
                v = assign[c0, b]
                if c0 == c or v < 0:
                    continue
                gv, extra = chan(v)
                gs.append(gv)
                qs.append(p_w[v])
                sig_noise = sig_noise + extra
            g = np.array(gs).reshape(len(gs), hu.size)
            q = np.array(qs, dtype=float)
            combine = mmse_sinr if mmse else mrc_sinr
            sinr[c, b] = combine(hu, p_w[u], g, q, sig_noise)
    return sinr
