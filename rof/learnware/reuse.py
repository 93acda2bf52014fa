"""Reusing learnwares on a user's task.

* :class:`JobSelectorReuser` routes each user sample to the learnware whose
  specification explains it best: the reduced set is a kernel density estimate,
  ``p_l(x) ∝ sum_j beta_j k(z_j, x)`` (Wu et al. 2023, Sec. 4.2 uses the RKME the same
  way to assign samples to learnwares).
* :class:`AveragingReuser` averages predictions with the mixture weights from search.
* :class:`FeatureAugmentReuser` fits a small ridge model on the user's few labels with
  the learnwares' predictions as features (stacking; Wolpert, "Stacked generalization",
  Neural Networks 5, 1992), optionally next to the raw standardised features.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rof._validate import check_range
from rof.errors import DataError, ParameterError
from rof.learnware import _kernels as kn
from rof.learnware.dock import Learnware

__all__ = ["AveragingReuser", "FeatureAugmentReuser", "JobSelectorReuser"]


def _check(learnwares: Sequence[Learnware]) -> list[Learnware]:
    lws = list(learnwares)
    if not lws:
        raise ParameterError("a reuser needs at least one learnware")
    return lws


def _predictions(lws: list[Learnware], X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise DataError(f"features must have shape (n, d), got {X.shape}")
    return np.column_stack([lw.predict(X) for lw in lws])


class JobSelectorReuser:
    """Route each sample to the learnware of highest RKME density at that sample."""

    def __init__(self, learnwares: Sequence[Learnware]):
        self.learnwares = _check(learnwares)

    def select(self, X) -> np.ndarray:
        """Index of the chosen learnware per sample, (n,) int."""
        scores = []
        for lw in self.learnwares:
            xs = lw.spec.schema.transform(X)
            scores.append(kn.gauss_kernel(xs, lw.spec.z, lw.spec.gamma) @ lw.spec.beta)
        return np.argmax(np.column_stack(scores), axis=1)

    def predict(self, X) -> np.ndarray:
        """Prediction of each sample's selected learnware, (n,)."""
        X = np.asarray(X, dtype=float)
        choice = self.select(X)
        out = np.empty(X.shape[0])
        for i, lw in enumerate(self.learnwares):
            rows = choice == i
            if rows.any():
                out[rows] = lw.predict(X[rows])
        return out


class AveragingReuser:
    """Weighted average of learnware predictions (weights from the mixture search).

    Parameters
    ----------
    learnwares : sequence of Learnware
    weights : sequence of float, optional
        Non-negative, renormalised to sum to one; default equal weights.
    """

    def __init__(self, learnwares: Sequence[Learnware], weights=None):
        self.learnwares = _check(learnwares)
        w = np.full(len(self.learnwares), 1.0) if weights is None else np.asarray(weights, float)
        if (
            w.shape != (len(self.learnwares),)
            or np.any(w < 0)
            or not np.isfinite(w).all()
            or w.sum() <= 0
        ):
            raise ParameterError(
                f"AveragingReuser.weights = {w.tolist()} must be {len(self.learnwares)} "
                "non-negative numbers with a positive sum"
            )
        self.weights = w / w.sum()

    def predict(self, X) -> np.ndarray:
        """Weighted prediction, (n,)."""
        return _predictions(self.learnwares, X) @ self.weights


class FeatureAugmentReuser:
    """Ridge regression on learnware predictions (and optionally the raw features).

    Parameters
    ----------
    learnwares : sequence of Learnware
    alphas : sequence of float
        Ridge penalties tried by leave-one-out cross-validation (RidgeCV).
    include_features : bool
        Also give the ridge model the standardised raw features.
    """

    def __init__(
        self,
        learnwares: Sequence[Learnware],
        alphas=(0.01, 0.1, 1.0, 10.0, 100.0),
        include_features: bool = False,
    ):
        self.learnwares = _check(learnwares)
        self.alphas = tuple(
            float(check_range("FeatureAugmentReuser.alphas", a, 0.0, lo_open=True)) for a in alphas
        )
        self.include_features = bool(include_features)
        self._model = None

    def _design(self, X) -> np.ndarray:
        p = _predictions(self.learnwares, X)
        if self.include_features:
            p = np.hstack([p, self.learnwares[0].spec.schema.transform(X)])
        return p

    def fit(self, X, y) -> FeatureAugmentReuser:
        """Fit the ridge model on the user's labelled samples (n, d), (n,)."""
        from sklearn.linear_model import RidgeCV

        y = np.asarray(y, dtype=float).ravel()
        A = self._design(X)
        if A.shape[0] != y.size or y.size < 2:
            raise DataError(
                f"need matching X and y with at least 2 samples, got {A.shape[0]} and {y.size}"
            )
        self._model = RidgeCV(alphas=np.asarray(self.alphas)).fit(A, y)
        return self

    def predict(self, X) -> np.ndarray:
        """Prediction of the fitted ridge model, (n,)."""
        if self._model is None:
            raise ParameterError("FeatureAugmentReuser.predict called before fit")
        return self._model.predict(self._design(X))
