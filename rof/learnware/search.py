"""Search results and the ranking/mixture computations behind :meth:`Dock.search`.

Single learnwares are ranked by the squared MMD between the user's specification and
each learnware's (Wu et al. 2023, Sec. 4.1). The mixture search finds non-negative
weights ``w`` summing to one over the best candidates that minimise

    || sum_l w_l mu_l - mu_u ||^2 = w^T G w - 2 w^T h + ||mu_u||^2,

``G_lm = <mu_l, mu_m>``, ``h_l = <mu_l, mu_u>`` (a small QP on the simplex, solved by
:func:`rof.learnware._kernels.simplex_qp`). :func:`greedy_mixture` searches the best
``k**2`` single hits greedily, as Beimingwu's ``learnware`` package does
(``RKMEMixtureSearcher``): each step adds the candidate whose mixture, with weights
re-solved, has the lowest MMD, up to ``k`` members or until nothing improves; so a
user's second source in another cluster is found even when it ranks below the first
source's near neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rof.learnware import _kernels as kn
from rof.learnware.paths import MMD_THRESHOLD

__all__ = [
    "DEFAULT_MMD_THRESHOLD",
    "MixtureResult",
    "SearchHit",
    "SearchResult",
    "mixture_weights",
    "rank_by_mmd",
]

#: Squared-MMD threshold above which a search reports "no good match"
#: (:data:`rof.learnware.paths.MMD_THRESHOLD`). Calibrated on the channel task
#: (gamma = 0.1 on the task's standardised features, user specs of 100 points):
#: fresh data of a shipped scenario scores well below it against its own learnware
#: (tests/edge/chanpred/test_task.py); the edge's CSI rows at covered speeds (3, 30
#: km/h, UMi) score 0.007-0.055 against the best single learnware, the shipped
#: scenarios 0.017-0.035, and rows at 60 km/h, which no shipped learnware covers,
#: 0.17-0.23 (tests/edge/test_learnware_csi.py);
#: deployments unlike anything shipped (RMa at 28 GHz and 120 km/h, a 500 km/h rail
#: line) score above it even as a mixture.
DEFAULT_MMD_THRESHOLD = MMD_THRESHOLD


@dataclass(frozen=True)
class SearchHit:
    """One learnware and its squared MMD to the user's specification."""

    id: str
    name: str
    mmd: float
    meta: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class MixtureResult:
    """Best mixture: learnware ids, their weights (sum 1) and the mixture's squared MMD."""

    ids: tuple[str, ...]
    weights: tuple[float, ...]
    mmd: float


@dataclass(frozen=True)
class SearchResult:
    """Ranked hits (best first), the best mixture and the "good match" verdict.

    ``matched`` is True when the best single learnware or the mixture has a squared
    MMD at most ``threshold``; otherwise ``message`` says "no good match".
    """

    hits: tuple[SearchHit, ...]
    mixture: MixtureResult | None
    threshold: float

    @property
    def best(self) -> SearchHit | None:
        """Best single learnware, or None if nothing passed the filters."""
        return self.hits[0] if self.hits else None

    @property
    def matched(self) -> bool:
        """Whether anything explains the user's data within the threshold."""
        best = min(
            [h.mmd for h in self.hits[:1]] + ([self.mixture.mmd] if self.mixture else []),
            default=np.inf,
        )
        return bool(best <= self.threshold)

    @property
    def message(self) -> str:
        """One line for users."""
        if not self.hits:
            return "no good match: no learnware passes the filters"
        if not self.matched:
            return (
                f"no good match: best squared MMD {self.hits[0].mmd:.4g} exceeds the "
                f"threshold {self.threshold:g}"
            )
        best = self.hits[0]
        return f"best match {best.name} ({best.id}), squared MMD {best.mmd:.4g}"


def rank_by_mmd(zu, bu, self_u, zs, bs, offsets, self_terms, gamma) -> np.ndarray:
    """Squared MMD from the user's reduced set to each stacked learnware, (L,)."""
    cross = kn.mmd_cross_many(zu, bu, zs, bs, offsets, gamma)
    return np.maximum(self_u + self_terms - 2.0 * cross, 0.0)


def mixture_weights(specs_z, specs_beta, zu, bu, self_u, gamma):
    """Simplex weights minimising the MMD of the mixture; returns (weights, mmd)."""
    k = len(specs_z)
    g = np.empty((k, k))
    h = np.empty(k)
    for a in range(k):
        h[a] = specs_beta[a] @ kn.gauss_kernel(specs_z[a], zu, gamma) @ bu
        for b in range(a, k):
            g[a, b] = g[b, a] = (
                specs_beta[a] @ kn.gauss_kernel(specs_z[a], specs_z[b], gamma) @ specs_beta[b]
            )
    w = kn.simplex_qp(g, h, np.full(k, 1.0 / k), 2000, 1e-12)
    w = np.maximum(w, 0.0)
    w /= w.sum()
    mmd = max(float(w @ g @ w - 2.0 * w @ h + self_u), 0.0)
    return w, mmd


def _gram(specs_z, specs_beta, zu, bu, gamma):
    k = len(specs_z)
    g = np.empty((k, k))
    h = np.empty(k)
    for a in range(k):
        h[a] = specs_beta[a] @ kn.gauss_kernel(specs_z[a], zu, gamma) @ bu
        for b in range(a, k):
            g[a, b] = g[b, a] = (
                specs_beta[a] @ kn.gauss_kernel(specs_z[a], specs_z[b], gamma) @ specs_beta[b]
            )
    return g, h


def _solve(g, h, self_u):
    k = h.size
    w = kn.simplex_qp(g, h, np.full(k, 1.0 / k), 2000, 1e-12)
    w = np.maximum(w, 0.0)
    w /= w.sum()
    return w, max(float(w @ g @ w - 2.0 * w @ h + self_u), 0.0)


def greedy_mixture(specs_z, specs_beta, zu, bu, self_u, gamma, max_size: int):
    """Greedy mixture over the candidates; returns (member indices, weights, mmd).

    Step ``s`` tries every unused candidate next to the ``s - 1`` chosen ones, solves
    the weights, and keeps the one with the lowest mixture MMD; it stops after
    ``max_size`` members or when the best addition lowers the MMD by less than 1e-9.
    """
    g, h = _gram(specs_z, specs_beta, zu, bu, gamma)
    chosen: list[int] = []
    best_w, best = np.zeros(0), np.inf
    for _ in range(min(max_size, h.size)):
        trial = None
        for c in range(h.size):
            if c in chosen:
                continue
            idx = [*chosen, c]
            w, mmd = _solve(g[np.ix_(idx, idx)], h[idx], self_u)
            if trial is None or mmd < trial[2]:
                trial = (idx, w, mmd)
        if trial is None or trial[2] > best - 1e-9:
            break
        chosen, best_w, best = trial
    return chosen, best_w, best
