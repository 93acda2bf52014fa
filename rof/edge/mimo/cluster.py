"""Per-site MU-MIMO, coordinated beamforming and joint transmission over site clusters.

Every scheme is one rule for two sets per scheduled stream ``k`` (user ``u_k`` on one
RB): the sites ``T_k`` that transmit it and the users ``S_k`` whose channels (to the
antennas of ``T_k``) enter its precoder. Its precoder is the column of ``u_k`` in the
MRT/ZF/RZF of ``H[S_k, T_k]`` (:mod:`rof.edge.precoding`), computed from the *reported*
channel:

=============  ===========================  ==========================================
scheme          ``T_k``                      ``S_k``
=============  ===========================  ==========================================
``single``     serving site                 users scheduled at the serving site
``cb``         serving site                 those, plus users of other sites that
                                            have the serving site among their
                                            ``cluster_size`` strongest (nulled;
                                            coordinated beamforming)
``jt_static``  the serving site's static     users scheduled at any site of it
               cluster (``cluster_size``
               nearest sites, disjoint)
``jt_user``    the user's ``cluster_size``   users scheduled at any site of ``T_k``
               strongest sites
=============  ===========================  ==========================================

``jt_user`` is the partial-RZF precoder of user-centric cell-free operation (Bjornson
& Sanguinetti, "Scalable cell-free massive MIMO systems", IEEE Trans. Commun. 68(7),
2020, Eq. 23 with the UL-DL duality of Sec. IV); with a cluster of one site every JT
scheme is ``single`` exactly. Channels are whitened by each user's noise, so RZF's
regularisation ``K sigma^2 / P`` (Peel et al. 2005) becomes ``|S_k| / (|T_k| P)``
with ``P`` a site's per-RB power. Streams on one RB with the same ``T_k`` share ``S_k``,
so their Gram matrix is factorised once (Cholesky) and solved per stream.

Power: the serving site shares its per-RB power ``P`` equally among the streams it
schedules (``q_k = P / L_s``); a JT stream spreads ``q_k`` over its sites in the
precoder's proportions. Each stream is then scaled by ``min_{s in T_k} min(1, P /
load_s)``, so no site exceeds ``P`` and every stream keeps its direction and nulls
(the scaled per-site constraint of Yu & Lan 2007, column-wise).

CSI ageing: with the true channel ``h = rho h_rep + sqrt(1 - rho^2) e``, ``e ~
CN(0, beta_{u,s} I)`` independent of the report (Gauss-Markov, ``rho = J0(2 pi f_d
tau)``; Truong & Heath 2013, Eq. 4), a ZF stream ``j`` nulled at user ``k`` leaks

.. math:: E[|h_k^T w_j|^2 \\mid W] = (1 - \\rho^2) \\sum_s \\beta_{k,s} \\|w_{j,s}\\|^2,

since ``h_rep,k^T w_j = 0``; summed over the other streams of an equal-power ZF on one
site this is ``(1 - rho^2) beta_k P (K - 1) / K`` (cf. Caire et al., IEEE Trans. Inf.
Theory 56(6), 2010, Eq. 28, the same bound for quantisation error).
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from rof.edge.precoding import PRECODERS
from rof.errors import ParameterError

__all__ = [
    "SCHEMES",
    "Evaluation",
    "StreamPlan",
    "evaluate",
    "evaluate_reference",
    "plan_streams",
    "precoders",
    "precoders_reference",
    "static_clusters",
]

#: Transmission schemes (module docstring).
SCHEMES = ("single", "cb", "jt_static", "jt_user")


class StreamPlan(NamedTuple):
    """Who sends what on each RB (module docstring); -1 pads every axis.

    Attributes
    ----------
    user : ndarray (n_rb, n_str) int
        User of each stream.
    serving : ndarray (n_rb, n_str) int
        Site that scheduled it.
    tx : ndarray (n_rb, n_str, C) int
        Sites transmitting it, ``T_k``.
    users : ndarray (n_rb, n_str, S) int
        Users whose channels enter its precoder, ``S_k``.
    """

    user: np.ndarray
    serving: np.ndarray
    tx: np.ndarray
    users: np.ndarray


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise ParameterError(
            f"mimo.scheme = {scheme!r} is not known; allowed: "
            + ", ".join(repr(s) for s in SCHEMES)
        )


def _check_cluster(size, n_sites: int, k_links: int | None = None) -> int:
    hi = n_sites if k_links is None else min(n_sites, k_links)
    if not isinstance(size, int | np.integer) or not 1 <= size <= hi:
        what = f"n_sites = {n_sites}" + ("" if k_links is None else f" and top-K = {k_links}")
        raise ParameterError(
            f"mimo.cluster_size = {size!r} is out of range; allowed: an int from 1 to {hi} ({what})"
        )
    return int(size)


def static_clusters(site_xy_m, size: int) -> np.ndarray:
    """Disjoint clusters of ``size`` nearby sites: each site's cluster members.

    Greedy: the lowest-numbered unclustered site and its ``size - 1`` nearest
    unclustered sites form a cluster, until every site has one (the last may be
    smaller).

    Returns
    -------
    ndarray (n_sites, size) int
        Members of each site's cluster, the site's own cluster repeated for each member;
        -1 pads a smaller cluster.
    """
    xy = np.asarray(site_xy_m, dtype=float).reshape(-1, 2)
    n = xy.shape[0]
    size = _check_cluster(size, n)
    out = np.full((n, size), -1, dtype=np.int64)
    free = np.ones(n, dtype=bool)
    for s in range(n):
        if not free[s]:
            continue
        cand = np.flatnonzero(free)
        d = np.hypot(*(xy[cand] - xy[s]).T)
        members = cand[np.argsort(d, kind="stable")[:size]]
        free[members] = False
        out[members, : members.size] = members
    return out


def _victims(sched, link_cell, cluster_size: int, n_sites: int, room: int) -> np.ndarray:
    """Per RB and site, up to ``room`` users of other sites that have the site among
    their ``cluster_size`` strongest (strongest link rank first)."""
    n_rb = sched.shape[0]
    out = np.full((n_rb, n_sites, max(room, 0)), -1, dtype=np.int64)
    if room <= 0 or cluster_size < 2:
        return out
    b, s_srv, _ = np.nonzero(sched >= 0)
    u = sched[sched >= 0]
    rows, sites, users, rank = [], [], [], []
    for c in range(1, cluster_size):
        site = link_cell[u, c]
        ok = (site >= 0) & (site != s_srv)
        rows.append(b[ok])
        sites.append(site[ok])
        users.append(u[ok])
        rank.append(np.full(ok.sum(), c))
    rb, st, us, rk = (np.concatenate(x) for x in (rows, sites, users, rank))
    order = np.lexsort((us, rk, st, rb))
    rb, st, us = rb[order], st[order], us[order]
    key = rb * n_sites + st
    first = np.r_[0, np.flatnonzero(np.diff(key)) + 1]
    start = np.repeat(first, np.diff(np.r_[first, key.size]))
    slot = np.arange(key.size) - start
    keep = slot < room
    out[rb[keep], st[keep], slot[keep]] = us[keep]
    return out


def plan_streams(
    scheme: str,
    sched,
    link_cell,
    *,
    cluster_size: int = 1,
    site_xy_m=None,
    n_ant: int | None = None,
    cb_nulls: int | None = None,
) -> StreamPlan:
    """The stream sets of the module docstring's table.

    Parameters
    ----------
    scheme : one of :data:`SCHEMES`
    sched : ndarray (n_rb, n_sites, L) int
        Users each site schedules on each RB (-1: none); a user at most once per RB, at
        its serving site.
    link_cell : ndarray (n_ue, K) int
        Each user's sites, strongest first (the serving site first).
    cluster_size : int
        Sites per cluster (``jt_*``), or how many strongest sites of a user count as its
        neighbours (``cb``); 1 to ``n_sites`` (and to ``K`` for ``jt_user``/``cb``).
    site_xy_m : ndarray (n_sites, 2), optional
        Site positions, m (``jt_static``).
    n_ant : int, optional
        Antennas per site (``cb``: how many users a site can null in all).
    cb_nulls : int, optional
        ``cb``: at most this many users of other sites nulled per site and RB (default
        all the antennas left, ``n_ant - L``; each null costs the site's own users one
        degree of freedom of array gain).
    """
    _check_scheme(scheme)
    sched = np.asarray(sched, dtype=np.int64)
    link_cell = np.asarray(link_cell, dtype=np.int64)
    n_rb, n_sites, n_l = sched.shape
    k_links = link_cell.shape[1]
    if scheme in ("jt_user", "cb"):
        size = _check_cluster(cluster_size, n_sites, k_links)
    else:
        size = _check_cluster(cluster_size, n_sites)
    if n_ant is not None and n_l > n_ant:
        raise ParameterError(
            f"mimo.streams_per_site = {n_l} is out of range; allowed: 1 to n_ant = {n_ant}"
        )
    user = sched.reshape(n_rb, n_sites * n_l)
    serving = np.broadcast_to(np.repeat(np.arange(n_sites), n_l), user.shape).copy()
    serving[user < 0] = -1
    rb = np.arange(n_rb)[:, None, None]

    def users_at(tx):  # (n_rb, n_str, C) -> (n_rb, n_str, C * L)
        got = sched[rb, np.where(tx >= 0, tx, 0)]  # (n_rb, n_str, C, L)
        got = np.where((tx >= 0)[..., None], got, -1)
        return got.reshape(n_rb, user.shape[1], -1)

    if scheme in ("single", "cb"):
        tx = serving[..., None]
        users = users_at(tx)
        if scheme == "cb":
            room = (n_ant if n_ant is not None else n_l) - n_l
            if cb_nulls is not None:
                if not isinstance(cb_nulls, int | np.integer) or cb_nulls < 0:
                    raise ParameterError(
                        f"mimo.cb_nulls = {cb_nulls!r} is out of range; allowed: an int >= 0"
                    )
                room = min(room, int(cb_nulls))
            vic = _victims(sched, link_cell, size, n_sites, room)
            extra = vic[rb[..., 0], np.where(serving >= 0, serving, 0)]
            extra = np.where((serving >= 0)[..., None], extra, -1)
            users = np.concatenate([users, extra], axis=-1)
    elif scheme == "jt_static":
        if site_xy_m is None:
            raise ParameterError("mimo.scheme = 'jt_static' needs the site positions (site_xy_m)")
        members = static_clusters(site_xy_m, size)
        tx = np.where((serving >= 0)[..., None], members[np.maximum(serving, 0)], -1)
        users = users_at(tx)
    else:
        tx = np.where((user >= 0)[..., None], link_cell[np.maximum(user, 0), :size], -1)
        tx = np.sort(tx, axis=-1)  # one order per set: streams with the same set share S
        users = users_at(tx)
    return StreamPlan(user, serving, tx, users)


def _gather(h, link_cell, plan: StreamPlan, n_sites: int) -> np.ndarray:
    """``H[S_k, T_k]`` of every stream: (n_rb, n_str, S, C * n_ant), zeros where a user
    has no link to a site (its channel is not known there) or a slot is padding."""
    n_rb, n_ue, k, n_ant = h.shape
    h_ext = np.zeros((n_rb, n_ue + 1, k + 1, n_ant), dtype=h.dtype)
    h_ext[:, :n_ue, :k] = h
    pos = np.full((n_ue + 1, n_sites + 1), k, dtype=np.int64)
    uu, kk = np.nonzero(link_cell >= 0)
    pos[uu, link_cell[uu, kk]] = kk
    s_idx = plan.users[..., :, None]  # (n_rb, n_str, S, 1); -1 -> the zero user row
    t_idx = plan.tx[..., None, :]  # (n_rb, n_str, 1, C); -1 -> the zero link slot
    rb = np.arange(n_rb)[:, None, None, None]
    hs = h_ext[rb, s_idx, pos[s_idx, t_idx]]  # (n_rb, n_str, S, C, n_ant)
    return hs.reshape(*hs.shape[:3], -1)


def precoders(
    plan: StreamPlan,
    h_report,
    link_cell,
    noise_w,
    p_site_w: float,
    n_sites: int,
    precoder: str = "rzf",
) -> np.ndarray:
    """Every stream's precoder from the reported channel (module docstring).

    Parameters
    ----------
    plan : StreamPlan
    h_report : ndarray (n_rb, n_ue, K, n_ant) complex
        Reported amplitude gains of each user's links (large-scale included).
    link_cell : ndarray (n_ue, K) int
    noise_w : ndarray (n_ue,)
        Receiver noise per RB, W.
    p_site_w : float
        Per-RB power of a site, W.
    n_sites : int
    precoder : one of :data:`rof.edge.precoding.PRECODERS`

    Returns
    -------
    ndarray (n_rb, n_str, C, n_ant) complex128
        Stream ``k``'s weights on the antennas of ``plan.tx[..., k, c]``.
    """
    if precoder not in PRECODERS:
        raise ParameterError(
            f"mimo.precoder = {precoder!r} is not known; allowed: "
            + ", ".join(repr(p) for p in PRECODERS)
        )
    from rof.edge.mimo._kernels import (
        PARALLEL_MIN_ITEMS,
        precoder_kernel,
        precoder_kernel_serial,
    )

    h = np.asarray(h_report, dtype=np.complex128)
    _, n_ue, k_links, n_ant = h.shape
    link_cell = np.asarray(link_cell, dtype=np.int64)
    if precoder == "zf" and plan.users.shape[-1] > plan.tx.shape[-1] * n_ant:
        raise ParameterError(
            f"zf: n_ue = {plan.users.shape[-1]} streams exceed n_tx = "
            f"{plan.tx.shape[-1] * n_ant} antennas; allowed: n_ue <= n_tx (fewer streams "
            "per site or a larger cluster)"
        )
    q = _stream_power(plan, p_site_w, n_sites)
    pos = np.full((n_ue + 1, n_sites + 1), k_links, dtype=np.int64)
    uu, kk = np.nonzero(link_cell >= 0)
    pos[uu, link_cell[uu, kk]] = kk
    order, ptr = _groups(plan, n_sites)
    w = np.empty((*plan.user.shape, plan.tx.shape[-1], n_ant), dtype=np.complex128)
    kernel = precoder_kernel if ptr.size - 1 >= PARALLEL_MIN_ITEMS else precoder_kernel_serial
    kernel(
        h,
        1.0 / np.sqrt(np.asarray(noise_w, dtype=float)),
        pos,
        np.ascontiguousarray(plan.user, dtype=np.int64),
        np.ascontiguousarray(plan.tx, dtype=np.int64),
        np.ascontiguousarray(plan.users, dtype=np.int64),
        np.ascontiguousarray(q, dtype=np.float64),
        1.0 / float(p_site_w),
        PRECODERS.index(precoder),
        order,
        ptr,
        w,
    )
    return _site_scale(w, plan.tx, p_site_w, n_sites)


def precoders_reference(
    plan: StreamPlan,
    h_report,
    link_cell,
    noise_w,
    p_site_w: float,
    n_sites: int,
    precoder: str = "rzf",
) -> np.ndarray:
    """Plain-NumPy twin of :func:`precoders` (batched ``numpy.linalg.solve``)."""
    if precoder not in PRECODERS:
        raise ParameterError(
            f"mimo.precoder = {precoder!r} is not known; allowed: "
            + ", ".join(repr(p) for p in PRECODERS)
        )
    h = np.asarray(h_report, dtype=np.complex128)
    n_ant = h.shape[-1]
    link_cell = np.asarray(link_cell, dtype=np.int64)
    hw = h / np.sqrt(np.asarray(noise_w, dtype=float))[None, :, None, None]
    hs = _gather(hw, link_cell, plan, n_sites)  # (n_rb, n_str, S, M)
    own = np.argmax(plan.users == plan.user[..., None], axis=-1)
    q = _stream_power(plan, p_site_w, n_sites)
    rows = np.take_along_axis(hs, own[..., None, None], axis=-2)[..., 0, :]  # own channel
    if precoder == "mrt":
        w = np.conj(rows)
    else:
        s = hs.shape[-2]
        if precoder == "zf" and s > hs.shape[-1]:
            raise ParameterError(
                f"zf: n_ue = {s} streams exceed n_tx = {hs.shape[-1]} antennas; allowed: "
                "n_ue <= n_tx (fewer streams per site or a larger cluster)"
            )
        gram = hs @ np.conj(np.swapaxes(hs, -1, -2))
        idle = ~np.any(hs != 0, axis=-1)
        n_act = np.sum(~idle, axis=-1)
        n_tx = np.maximum(np.sum(plan.tx >= 0, axis=-1), 1)
        alpha = n_act / (n_tx * p_site_w) if precoder == "rzf" else np.zeros_like(q)
        gram = gram + (alpha[..., None] + idle)[..., None] * np.eye(s)
        rhs = (np.arange(s) == own[..., None]).astype(np.complex128)[..., None]
        x = np.linalg.solve(gram, rhs)[..., 0]  # (n_rb, n_str, S)
        w = np.einsum("...sm,...s->...m", np.conj(hs), x)
    norm2 = np.sum(np.abs(w) ** 2, axis=-1)
    w = w * np.where(norm2 > 0, np.sqrt(q / np.where(norm2 > 0, norm2, 1.0)), 0.0)[..., None]
    w = w.reshape(*w.shape[:2], plan.tx.shape[-1], n_ant)
    return _site_scale(w, plan.tx, p_site_w, n_sites)


def _groups(plan: StreamPlan, n_sites: int) -> tuple[np.ndarray, np.ndarray]:
    """Streams that share RB and transmitting sites (hence users and Gram matrix):
    ``order`` (flat stream indices, grouped) and the CSR pointer ``ptr``."""
    n_rb, n_str, n_c = plan.tx.shape
    cols = plan.tx.reshape(-1, n_c)
    rb = np.repeat(np.arange(n_rb), n_str)
    order = np.lexsort((*cols.T[::-1], rb))
    rows = np.c_[rb, cols][order]
    new = np.any(rows[1:] != rows[:-1], axis=1)
    ptr = np.r_[0, np.flatnonzero(new) + 1, rows.shape[0]].astype(np.int64)
    return order.astype(np.int64), ptr


def _stream_power(plan: StreamPlan, p_site_w: float, n_sites: int) -> np.ndarray:
    """``q_k = P / L_s``: the serving site's power shared among its streams on the RB."""
    n_rb = plan.user.shape[0]
    active = plan.user >= 0
    n_srv = np.zeros((n_rb, n_sites + 1))
    rb = np.broadcast_to(np.arange(n_rb)[:, None], plan.user.shape)
    np.add.at(n_srv, (rb, plan.serving), active)
    return np.where(active, p_site_w / np.maximum(n_srv[rb, plan.serving], 1), 0.0)


def _site_scale(w, tx, p_site_w: float, n_sites: int) -> np.ndarray:
    """Scale each stream by ``min_{s in T_k} min(1, P / load_s)`` (module docstring)."""
    n_rb = w.shape[0]
    part = np.sum(np.abs(w) ** 2, axis=-1)  # (n_rb, n_str, C)
    load = np.zeros((n_rb, n_sites + 1))
    rb = np.broadcast_to(np.arange(n_rb)[:, None, None], tx.shape)
    np.add.at(load, (rb, tx), part)
    ratio = np.minimum(1.0, p_site_w / np.maximum(load, 1e-300))
    ratio[:, -1] = 1.0  # the padding "site"
    scale = np.min(ratio[rb, tx], axis=-1)  # (n_rb, n_str)
    return w * np.sqrt(scale)[..., None, None]


class Evaluation(NamedTuple):
    """Per-stream received powers on the true channel, W, and the SINR; NaN on padding."""

    signal_w: np.ndarray
    interference_w: np.ndarray
    fronthaul_w: np.ndarray
    sinr: np.ndarray


@numba.njit(cache=True, parallel=True)
def _evaluate_kernel(h, link_cell, user, tx, w, fh_w, out_sig, out_int, out_fh):
    n_rb, n_str, n_c, n_ant = w.shape
    n_sites = fh_w.shape[0]
    k_links = link_cell.shape[1]
    for b in numba.prange(n_rb):  # RBs write disjoint rows
        amp = np.zeros(n_str, dtype=np.complex128)
        seen = np.zeros(n_str, dtype=np.bool_)
        touched = np.empty(n_str + 1, dtype=np.int64)
        count = np.zeros(n_sites + 1, dtype=np.int64)
        start = np.zeros(n_sites + 2, dtype=np.int64)
        ent_q = np.empty(n_str * n_c, dtype=np.int64)
        ent_c = np.empty(n_str * n_c, dtype=np.int64)
        for q in range(n_str):
            for c in range(n_c):
                s = tx[b, q, c]
                if s >= 0:
                    count[s] += 1
        for s in range(n_sites + 1):
            start[s + 1] = start[s] + count[s]
        count[:] = 0
        for q in range(n_str):
            for c in range(n_c):
                s = tx[b, q, c]
                if s >= 0:
                    e = start[s] + count[s]
                    ent_q[e] = q
                    ent_c[e] = c
                    count[s] += 1
        for j in range(n_str):
            u = user[b, j]
            if u < 0:
                out_sig[b, j] = np.nan
                out_int[b, j] = np.nan
                out_fh[b, j] = np.nan
                continue
            n_t = 0
            fh = 0.0
            for i in range(k_links):
                s = link_cell[u, i]
                if s < 0:
                    continue
                for a in range(n_ant):
                    g = h[b, u, i, a]
                    fh += (g.real * g.real + g.imag * g.imag) * fh_w[s, a]
                for e in range(start[s], start[s + 1]):
                    q = ent_q[e]
                    c = ent_c[e]
                    acc = 0j
                    for a in range(n_ant):
                        acc += h[b, u, i, a] * w[b, q, c, a]
                    if not seen[q]:
                        seen[q] = True
                        touched[n_t] = q
                        n_t += 1
                    amp[q] += acc
            sig = 0.0
            itf = 0.0
            for t in range(n_t):
                q = touched[t]
                p = amp[q].real * amp[q].real + amp[q].imag * amp[q].imag
                if q == j:
                    sig = p
                else:
                    itf += p
                amp[q] = 0j
                seen[q] = False
            out_sig[b, j] = sig
            out_int[b, j] = itf
            out_fh[b, j] = fh


#: :func:`_evaluate_kernel` without threads, for small batches (``PARALLEL_MIN_ITEMS``).
_evaluate_kernel_serial = numba.njit(cache=True)(_evaluate_kernel.py_func)


def _finish(plan, sig, itf, fh, noise_w, extra_w) -> Evaluation:
    u = np.maximum(plan.user, 0)
    den = itf + fh + np.asarray(noise_w, float)[u] + np.broadcast_to(extra_w, noise_w.shape)[u]
    return Evaluation(sig, itf, fh, sig / den)


def evaluate(plan: StreamPlan, w, h_true, link_cell, noise_w, fh_w=None, extra_w=0.0):
    """Received signal, inter-stream interference and fronthaul noise on the true channel.

    .. math:: \\gamma_k = |\\sum_{s} h_{u_k,s}^T w_{k,s}|^2 \\big/ \\big(\\sum_{j \\ne k}
              |\\sum_s h_{u_k,s}^T w_{j,s}|^2 + \\sum_{s,a} |h_{u_k,s,a}|^2 F_{s,a}
              + \\sigma^2_{u_k} + e_{u_k}\\big)

    over the sites ``s`` of the user's link table (streams from other sites are left to
    ``extra_w``, the background of the link table). ``F_{s,a}`` is the fronthaul noise
    branch ``a`` of site ``s`` radiates (:mod:`rof.edge.mimo.branches`), added after the
    precoder. Numba kernel; :func:`evaluate_reference` is its NumPy twin.

    Parameters
    ----------
    plan : StreamPlan
    w : ndarray (n_rb, n_str, C, n_ant) complex
        Radiated weights (after the branches' mismatch and crosstalk, if any).
    h_true : ndarray (n_rb, n_ue, K, n_ant) complex
    link_cell : ndarray (n_ue, K) int
    noise_w : ndarray (n_ue,)
    fh_w : ndarray (n_sites, n_ant), optional
        Fronthaul noise per branch, W per RB (default none).
    extra_w : float or ndarray (n_ue,)
        Further interference (background cells), W.
    """
    h = np.asarray(h_true, dtype=np.complex128)
    lc = np.ascontiguousarray(link_cell, dtype=np.int64)
    n_sites = int(max(lc.max(), plan.tx.max())) + 1
    if fh_w is None:
        fh_w = np.zeros((n_sites, h.shape[-1]))
    fh_w = np.ascontiguousarray(fh_w, dtype=np.float64)
    shape = plan.user.shape
    sig, itf, fh = np.empty(shape), np.empty(shape), np.empty(shape)
    from rof.edge.mimo._kernels import PARALLEL_MIN_ITEMS

    kernel = _evaluate_kernel if plan.user.size >= PARALLEL_MIN_ITEMS else _evaluate_kernel_serial
    kernel(
        h,
        lc,
        np.ascontiguousarray(plan.user, dtype=np.int64),
        np.ascontiguousarray(plan.tx, dtype=np.int64),
        np.ascontiguousarray(w, dtype=np.complex128),
        fh_w,
        sig,
        itf,
        fh,
    )
    return _finish(plan, sig, itf, fh, np.asarray(noise_w, float), extra_w)


def evaluate_reference(plan: StreamPlan, w, h_true, link_cell, noise_w, fh_w=None, extra_w=0.0):
    """Plain-NumPy twin of :func:`evaluate`: dense network-wide ``H`` and ``W`` per RB."""
    h = np.asarray(h_true)
    n_rb, n_ue, k, n_ant = h.shape
    lc = np.asarray(link_cell)
    n_sites = int(max(lc.max(), plan.tx.max())) + 1
    big_h = np.zeros((n_rb, n_ue, n_sites, n_ant), dtype=complex)
    for i in range(k):
        ok = lc[:, i] >= 0
        big_h[:, np.flatnonzero(ok), lc[ok, i]] = h[:, ok, i]
    n_str, n_c = plan.tx.shape[1:]
    big_w = np.zeros((n_rb, n_sites, n_ant, n_str), dtype=complex)
    for b in range(n_rb):
        for q in range(n_str):
            for c in range(n_c):
                s = plan.tx[b, q, c]
                if s >= 0:
                    big_w[b, s, :, q] += w[b, q, c]
    a = np.abs(big_h.reshape(n_rb, n_ue, -1) @ big_w.reshape(n_rb, -1, n_str)) ** 2
    fh = np.zeros((n_sites, n_ant)) if fh_w is None else np.asarray(fh_w)
    fh_u = np.einsum("buta,ta->bu", np.abs(big_h) ** 2, fh)
    u = np.maximum(plan.user, 0)
    rb = np.arange(n_rb)[:, None]
    rows = a[rb, u]  # (n_rb, n_str, n_str)
    sig = np.take_along_axis(rows, np.arange(n_str)[None, :, None], axis=-1)[..., 0]
    itf = rows.sum(axis=-1) - sig
    fhk = fh_u[rb, u]
    pad = plan.user < 0
    sig, itf, fhk = (np.where(pad, np.nan, x) for x in (sig, itf, fhk))
    return _finish(plan, sig, itf, fhk, np.asarray(noise_w, float), extra_w)
