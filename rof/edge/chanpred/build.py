"""Build the shipped dock of channel predictors (``rof dock build``).

For each scenario of :data:`rof.edge.chanpred.task.SHIPPED_SCENARIOS`: simulate training
data (:func:`rof.edge.chanpred.task.simulate_channel_data`), fit a gradient-boosted
regressor started from a ridge regression (:func:`make_regressor`) and the RKME
specification under the task's fixed schema, and submit
both through the normal checker (:func:`rof.learnware.build.write_dock`). The result is
written deterministically: every scenario draws from its own child of one
``SeedSequence``, models are serialised to canonical skops bytes, identifiers are
content hashes, and the index is compacted with ``VACUUM INTO``, so the same seed gives the same
files byte for byte with the same code and library versions on the same kind of CPU
(NumPy's vectorised exp/log may differ in the last bit between instruction sets; the
kernels here avoid fast-math reassociation for that reason). Code changes that touch
the data, the fit or the serialisation need a rebuild (``rof dock build``); the slow
test ``test_shipped_dock_equals_a_fresh_build`` catches a stale ``models/dock``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from rof._validate import check_int_range
from rof.edge.chanpred.task import SHIPPED_SCENARIOS, channel_schema, simulate_channel_data
from rof.learnware.build import write_dock
from rof.learnware.paths import REDUCED_SIZE
from rof.learnware.spec import RKMESpecification

__all__ = ["DEFAULT_SEED", "build_channel_dock", "make_regressor"]

log = logging.getLogger(__name__)

#: Seed of the shipped dock.
DEFAULT_SEED = 20_261_124


def make_regressor():
    """The shipped learnwares' regressor (fixed hyper-parameters and random state).

    Gradient boosting of depth-3 regression trees (Friedman, "Greedy function
    approximation: a gradient boosting machine", Ann. Statist. 29(5), 2001) started
    from a ridge regression: the linear part extrapolates the gain history (what a
    slowly moving UE needs), the trees fit what is left (path-loss curvature, the
    Doppler- and horizon-dependent shrinkage towards the mean for fast UEs).
    """
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.linear_model import Ridge

    return GradientBoostingRegressor(
        init=Ridge(alpha=1.0), n_estimators=100, max_depth=3, learning_rate=0.1, random_state=0
    )


def build_channel_dock(
    out_dir,
    *,
    seed: int | None = None,
    n_train: int | None = None,
    reduced_size: int = REDUCED_SIZE,
    scenarios=SHIPPED_SCENARIOS,
    regressor=make_regressor,
    progress=None,
    force: bool = False,
) -> Path:
    """Simulate, train and write a dock of channel predictors into ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        Target directory: new, empty, or a dock (replaced as a whole when the build
        succeeds); anything else needs ``force`` (:func:`rof.learnware.build.check_target`).
    seed : int, optional
        Root seed (``numpy.random.SeedSequence``); default :data:`DEFAULT_SEED`.
    n_train : int, optional
        Training rows per scenario; default 6000.
    reduced_size : int
        RKME reduced-set size.
    scenarios : sequence of ChannelScenario
    regressor : callable
        Factory of the (unfitted) scikit-learn regressor; default :func:`make_regressor`.
    progress : callable, optional
        Called with one line of text per scenario.
    force : bool
        Replace a non-empty directory that is not a dock.

    Returns
    -------
    Path
        ``out_dir``.
    """
    seed = DEFAULT_SEED if seed is None else int(seed)
    n_train = check_int_range("build n_train", 6000 if n_train is None else n_train, 50, 10**6)
    schema = channel_schema()
    children = np.random.SeedSequence(seed).spawn(len(scenarios))

    def fill(dock):
        for sc, ss in zip(scenarios, children, strict=True):
            t0 = time.perf_counter()
            rng = np.random.default_rng(ss)
            X, y = simulate_channel_data(sc, n_train, rng)
            model = regressor().fit(X, y)
            spec = RKMESpecification.fit(X, reduced_size, rng=rng, schema=schema)
            lw_id = dock.submit(model, spec, sc.to_meta())
            if progress is not None:
                progress(f"{sc.name:<22s} {lw_id}  {time.perf_counter() - t0:5.1f} s")

    return write_dock(out_dir, fill, force=force, progress=progress)
