"""Semi-orthogonal user selection (SUS) for zero-forcing MU-MIMO, with PF weights.

Yoo & Goldsmith, "On the optimality of multiantenna broadcast scheduling using
zero-forcing beamforming", IEEE J. Sel. Areas Commun. 24(3), 2006, Sec. III-B: starting
from all candidates, repeatedly

1. project every remaining channel ``h_k`` on the orthogonal complement of the
   channels chosen so far, ``g_k = h_k (I - sum_j g_j^H g_j / ||g_j||^2)``;
2. choose the candidate with the largest ``lambda_k ||g_k||^2`` (``lambda_k`` the PF
   weight ``1 / R_k``; all ones is the paper's rule) or, with ``metric = "rate"`` and
   channels whitened by each user's noise plus interference and scaled by the stream
   power, the largest weighted rate ``lambda_k log2(1 + ||g_k||^2)`` (the rate user k gets
   from a ZF beam along ``g_k``: the proportional-fair form of the greedy weighted-rate
   selection, Dimic & Sidiropoulos, "On downlink beamforming with greedy user
   selection", IEEE Trans. Signal Process. 53(10), 2005, Sec. IV; with ``||g||^2``
   instead, PF weights favour strong users far more than PF does);
3. keep only candidates semi-orthogonal to it,
   ``|h_k g_pi^H| / (||h_k|| ||g_pi||) < epsilon``,

until ``n_select`` users are chosen or no candidate is left. Users of weight 0 (no data)
are never chosen. Optionally every candidate belongs to a group (its serving site in a
cluster-wide selection) and at most ``cap`` users of one group are chosen: once a group
has ``cap``, its other candidates leave the candidate set (the per-site stream limit of
a cluster scheduler). Batched over leading axes (sites x RBs, clusters x RBs).
"""

from __future__ import annotations

import numpy as np

from rof.errors import ParameterError

__all__ = ["sus", "sus_numpy", "sus_reference"]


METRICS = ("gain", "rate")


def _check(h, weight, n_select, epsilon, group=None, cap=None, metric="gain"):
    h = np.asarray(h)
    if h.ndim < 2:
        raise ParameterError(f"sus.h has shape {h.shape}; allowed: (..., n_cand, n_tx)")
    if not isinstance(n_select, int | np.integer) or not 1 <= n_select <= h.shape[-1]:
        raise ParameterError(
            f"sus.n_select = {n_select!r} is out of range; allowed: an int from 1 to "
            f"n_tx = {h.shape[-1]} (no more streams than antennas)"
        )
    if not 0.0 < float(epsilon) <= 1.0:
        raise ParameterError(f"sus.epsilon = {epsilon!r} is out of range; allowed: > 0 and <= 1")
    w = np.broadcast_to(np.asarray(weight, dtype=float), h.shape[:-1])
    if np.any(~(w >= 0)):
        raise ParameterError("sus.weight holds a negative or NaN value; allowed: >= 0")
    if metric not in METRICS:
        raise ParameterError(f"sus.metric = {metric!r} is not known; allowed: 'gain', 'rate'")
    n_cand = h.shape[-2]
    if group is None:
        grp = np.zeros(h.shape[:-1], dtype=np.int64)
        cap = n_select
    else:
        grp = np.broadcast_to(np.asarray(group), h.shape[:-1]).astype(np.int64)
        if grp.size and (grp.min() < 0 or grp.max() >= n_cand):
            raise ParameterError(f"sus.group is out of range; allowed: ints 0 to {n_cand - 1}")
    if not isinstance(cap, int | np.integer) or cap < 1:
        raise ParameterError(f"sus.cap = {cap!r} is out of range; allowed: an int >= 1")
    return h.astype(np.complex128, copy=False), w, grp, int(cap)


def sus(
    h,
    weight=1.0,
    n_select: int = 1,
    epsilon: float = 0.4,
    group=None,
    cap: int | None = None,
    metric: str = "gain",
) -> np.ndarray:
    """Indices of the users SUS selects (module docstring), in the order chosen.

    Parameters
    ----------
    h : ndarray (..., n_cand, n_tx) complex
        Candidates' channels (reported).
    weight : float or ndarray (..., n_cand)
        PF weights ``1 / R_k`` (>= 0; 0: not eligible).
    n_select : int
        Streams wanted, 1 to ``n_tx``.
    epsilon : float
        Semi-orthogonality threshold, (0, 1]; 1 keeps every candidate.
    group : ndarray (..., n_cand) int, optional
        Group of each candidate, 0 to ``n_cand - 1`` (default: one group).
    cap : int, optional
        Most users chosen from one group (>= 1; needed with ``group``).
    metric : {"gain", "rate"}
        ``lambda ||g||^2`` (the paper's) or ``lambda log2(1 + ||g||^2)`` (module docstring).

    Returns
    -------
    ndarray (..., n_select) int
        Candidate indices; -1 where fewer were eligible.
    """
    from rof.edge.mimo._kernels import sus_kernel

    h, w, grp, cap = _check(h, weight, n_select, epsilon, group, cap, metric)
    batch = h.shape[:-2]
    out = np.empty((int(np.prod(batch)), n_select), dtype=np.int64)
    sus_kernel(
        np.ascontiguousarray(h.reshape(-1, *h.shape[-2:])),
        np.ascontiguousarray(w.reshape(-1, w.shape[-1])),
        int(n_select),
        float(epsilon),
        np.ascontiguousarray(grp.reshape(-1, grp.shape[-1])),
        cap,
        metric == "rate",
        out,
    )
    return out.reshape(*batch, n_select)


def sus_numpy(
    h,
    weight=1.0,
    n_select: int = 1,
    epsilon: float = 0.4,
    group=None,
    cap: int | None = None,
    metric: str = "gain",
) -> np.ndarray:
    """Vectorised NumPy twin of :func:`sus` (the kernel's reference)."""
    h, w, grp, cap = _check(h, weight, n_select, epsilon, group, cap, metric)
    taken = np.zeros((*h.shape[:-2], h.shape[-2]), dtype=np.int64)
    batch = h.shape[:-2]
    g = h.copy()
    hn = np.linalg.norm(h, axis=-1)
    ok = (w > 0) & (hn > 0)
    out = np.full((*batch, n_select), -1, dtype=np.int64)
    for i in range(n_select):
        gg = np.sum(np.abs(g) ** 2, axis=-1)
        score = np.where(ok, w * (np.log2(1.0 + gg) if metric == "rate" else gg), -1.0)
        pick = np.argmax(score, axis=-1)
        valid = np.take_along_axis(score, pick[..., None], -1)[..., 0] > 0
        out[..., i] = np.where(valid, pick, -1)
        gp = np.take_along_axis(g, pick[..., None, None], -2)  # (..., 1, n_tx)
        gn2 = np.maximum(np.sum(np.abs(gp) ** 2, axis=-1), 1e-300)  # (..., 1)
        corr = np.abs(np.sum(h * np.conj(gp), axis=-1)) / (np.maximum(hn, 1e-300) * np.sqrt(gn2))
        ok &= corr < epsilon
        np.put_along_axis(ok, pick[..., None], False, -1)
        gp_id = np.take_along_axis(grp, pick[..., None], -1)  # (..., 1)
        np.put_along_axis(taken, gp_id, np.take_along_axis(taken, gp_id, -1) + valid[..., None], -1)
        ok &= np.take_along_axis(taken, grp, -1) < cap
        ok &= valid[..., None]
        g = g - (np.sum(g * np.conj(gp), axis=-1) / gn2)[..., None] * gp
    return out


def sus_reference(
    h, weight, n_select: int, epsilon: float, group=None, cap=None, metric="gain"
) -> list[int]:
    """One batch entry, as the paper states it (explicit projector on the chosen span),
    with the group cap of the module docstring."""
    h = np.asarray(h, dtype=complex)
    grp = np.zeros(h.shape[0], int) if group is None else np.asarray(group)
    cap = n_select if cap is None else cap
    w = np.broadcast_to(np.asarray(weight, float), h.shape[:1])
    cand = [k for k in range(h.shape[0]) if w[k] > 0 and np.linalg.norm(h[k]) > 0]
    chosen: list[int] = []
    gs: list[np.ndarray] = []
    while cand and len(chosen) < n_select:
        proj = np.eye(h.shape[1], dtype=complex)
        for gj in gs:
            proj -= np.outer(gj.conj(), gj) / np.vdot(gj, gj).real
        g = {k: h[k] @ proj for k in cand}
        gg = {k: np.vdot(g[k], g[k]).real for k in cand}
        score = {k: w[k] * (np.log2(1.0 + gg[k]) if metric == "rate" else gg[k]) for k in cand}
        best = max(cand, key=lambda k: (score[k], -k))
        chosen.append(best)
        gs.append(g[best])
        gb = g[best]
        cand = [
            k
            for k in cand
            if k != best
            and abs(h[k] @ gb.conj()) / (np.linalg.norm(h[k]) * np.linalg.norm(gb)) < epsilon
            and sum(grp[j] == grp[k] for j in chosen) < cap
        ]
    return chosen
