"""Channel predictor assembled from a dock: what the edge's ``csi = "learnware"`` uses.

The user (the edge coordinator) describes its links by the task's feature rows
(:func:`rof.edge.chanpred.task.link_features`), sends only their RKME specification to
the dock, and gets back a predictor built from the best mixture of learnwares
(:class:`~rof.learnware.reuse.AveragingReuser` with the mixture weights) or, given a
few labelled rows, a :class:`~rof.learnware.reuse.FeatureAugmentReuser` fitted on them.
A deployment unlike anything in the dock raises :class:`~rof.errors.ModelError`
("no good match") unless ``allow_no_match`` is set.

Example
-------
>>> from rof.edge.chanpred import ChannelPredictor, link_features   # doctest: +SKIP
>>> X = link_features(d3d_m, 10.0, 1.5, 3.5, los, doppler_hz, 0.7e-3, hist_db)  # doctest: +SKIP
>>> pred = ChannelPredictor.from_dock("models/dock", X)                # doctest: +SKIP
>>> gain_db_ahead = pred.predict(X)                                    # doctest: +SKIP
"""

from __future__ import annotations

import logging

import numpy as np

from rof.edge.chanpred.task import TASK
from rof.errors import ModelError
from rof.learnware.dock import Dock
from rof.learnware.paths import REDUCED_SIZE, TOP_K, default_dock_path
from rof.learnware.reuse import AveragingReuser, FeatureAugmentReuser
from rof.learnware.search import SearchResult
from rof.learnware.spec import RKMESpecification

__all__ = ["ChannelPredictor"]

log = logging.getLogger(__name__)

#: Mixture members below this weight are dropped (the rest renormalised): the greedy
#: mixture may add learnwares at ~1 % weight for a last 1e-4 of MMD, which would cost a
#: full model evaluation each per CSI update for a ~1 % change of the prediction.
MIN_WEIGHT = 0.02


class _Mixture(AveragingReuser):
    """Averaging with the mixture weights, all models folded into one compiled pass."""

    def __init__(self, lws, weights):
        from rof.learnware.compiled import CompiledModel

        super().__init__(lws, weights)
        models = [lw.model for lw in self.learnwares]
        self._one = None
        if all(isinstance(m, CompiledModel) for m in models):
            try:
                self._one = CompiledModel.combine(models, self.weights)
            except ModelError:
                self._one = None

    def predict(self, X) -> np.ndarray:
        if self._one is None:
            return super().predict(X)
        return self._one.predict(X)

    @property
    def takes_transposed(self) -> bool:
        return self._one is not None and self._one.takes_transposed

    def predict_t(self, xt32) -> np.ndarray:
        return self._one.predict_t(xt32)


class ChannelPredictor:
    """Predicts a link's gain (dB) one horizon ahead from its feature row.

    Attributes
    ----------
    result : SearchResult
        The dock's answer (hits, mixture, match verdict).
    names : tuple of str
        Learnwares used.
    weights : tuple of float
        Their weights (averaging) or None (feature augmentation).
    """

    def __init__(self, reuser, result: SearchResult, names, weights):
        self._reuser = reuser
        self.result = result
        self.names = tuple(names)
        self.weights = None if weights is None else tuple(weights)

    @classmethod
    def from_dock(
        cls,
        path=None,
        user=None,
        *,
        top_k: int = TOP_K,
        mmd_threshold: float | None = None,
        X_labelled=None,
        y_labelled=None,
        allow_no_match: bool = False,
        single_match: bool = False,
        reduced_size: int = REDUCED_SIZE,
        rng: np.random.Generator | None = None,
    ) -> ChannelPredictor:
        """Search the dock with the user's data and build the reused predictor.

        Parameters
        ----------
        path : str or Path, optional
            Dock directory (opened read-only); default the shipped ``models/dock``.
        user : RKMESpecification or array_like (n, 16)
            The user's specification, or unlabelled feature rows from which it is
            fitted under the dock's schema.
        top_k : int
            Hits returned; the mixture searches greedily over the best ``top_k**2``.
        mmd_threshold : float, optional
            "No good match" threshold (default the dock's, DEFAULT_MMD_THRESHOLD).
        X_labelled, y_labelled : array_like, optional
            A few labelled rows: when given, a FeatureAugmentReuser is fitted on them
            instead of averaging with the mixture weights.
        single_match : bool
            Require the best *single* learnware within the threshold (the CSI mode:
            averaging predictors trained for other Dopplers is no predictor for this
            one, even when their mixture matches the inputs' distribution).
        allow_no_match : bool
            Build from the nearest learnwares even when nothing matches.
        reduced_size : int
            Reduced-set size when ``user`` is a feature matrix.
        rng : numpy.random.Generator, optional
            For fitting the user's specification.

        Raises
        ------
        ModelError
            No learnware passes the threshold (unless ``allow_no_match``).
        """
        dock = Dock(default_dock_path() if path is None else path, read_only=True)
        try:
            schema = dock.schema(TASK)
            if schema is None:
                raise ModelError(f"dock {dock.path} has no learnware for task {TASK!r}")
            if isinstance(user, RKMESpecification):
                spec = user
            else:
                rng = np.random.default_rng(0) if rng is None else rng
                spec = RKMESpecification.fit(user, reduced_size, rng=rng, schema=schema)
            result = dock.search(spec, top_k=top_k, mmd_threshold=mmd_threshold)
            if not allow_no_match:
                if not result.matched:
                    raise ModelError(result.message)
                if single_match and result.best.mmd > result.threshold:
                    raise ModelError(
                        f"no good match: best single learnware {result.best.name} has "
                        f"squared MMD {result.best.mmd:.4g} above the threshold "
                        f"{result.threshold:g} (a mixture of other deployments' predictors "
                        "is not reused for CSI)"
                    )
            mix = result.mixture
            keep = [(i, w) for i, w in zip(mix.ids, mix.weights, strict=True) if w >= MIN_WEIGHT]
            lws = [dock.load(i) for i, _ in keep]
        finally:
            dock.close()
        names = [lw.name for lw in lws]
        if X_labelled is not None:
            reuser = FeatureAugmentReuser(lws).fit(X_labelled, y_labelled)
            weights = None
        else:
            reuser = _Mixture(lws, [w for _, w in keep])
            weights = [float(w) for w in reuser.weights]  # renormalised over those kept
        log.info("channel predictor from %s (%s)", names, result.message)
        return cls(reuser, result, names, weights)

    def predict(self, features) -> np.ndarray:
        """Gain in dB one horizon ahead, (n,), from feature rows (n, 16)."""
        return self._reuser.predict(np.asarray(features, dtype=float))

    @property
    def takes_transposed(self) -> bool:
        """Whether :meth:`predict_t` runs (one compiled pass of shallow trees)."""
        return bool(getattr(self._reuser, "takes_transposed", False))

    def predict_t(self, features_t) -> np.ndarray:
        """:meth:`predict` from the rows transposed and rounded to float32, (16, n)
        (:meth:`rof.learnware.compiled.CompiledModel.predict_t`): the same numbers."""
        if not self.takes_transposed:
            raise ModelError("this predictor has no compiled transposed path; use predict")
        return self._reuser.predict_t(features_t)
