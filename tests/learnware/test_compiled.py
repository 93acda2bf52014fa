"""CompiledModel's kernels against the plain-NumPy reference walk (issue 17 item 6).

The branch-free kernel of depth <= 3 ensembles (complete-tree layout, float32
comparisons) must give exactly the reference's numbers: same leaves, same sums.
References: :func:`rof.learnware.compiled.predict_ref` (per-tree NumPy walk with the
float64 thresholds) and scikit-learn's own ``predict``.
"""

import numpy as np
import pytest

from rof.learnware._worker import export
from rof.learnware.compiled import CompiledModel, predict_ref

sklearn = pytest.importorskip("sklearn")


def _data(n=3000, d=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    x[:, 2] = np.round(x[:, 2], 1)  # ties with thresholds placed between rounded values
    y = np.sin(x[:, 0]) + x[:, 1] * x[:, 2] + 0.1 * rng.normal(size=n)
    return x, y


def _models(x, y):
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
    from sklearn.linear_model import Ridge
    from sklearn.tree import DecisionTreeRegressor

    return {
        "gbr_ridge_init": GradientBoostingRegressor(
            init=Ridge(alpha=1.0), n_estimators=60, max_depth=3, random_state=0
        ).fit(x, y),
        # min_samples_leaf makes some leaves end above the bottom level (padded)
        "gbr_shallow_leaves": GradientBoostingRegressor(
            n_estimators=40, max_depth=3, min_samples_leaf=600, random_state=1
        ).fit(x, y),
        "stump": DecisionTreeRegressor(max_depth=1).fit(x, y),
        "tree_depth2": DecisionTreeRegressor(max_depth=2).fit(x, y),
        "forest_depth6": RandomForestRegressor(n_estimators=8, max_depth=6, random_state=0).fit(
            x, y
        ),
    }


def _f32_sum_bound(m):
    """Bound of the dense kernel's float32 leaf sum vs float64: T 2^-24 sum |leaf|."""
    if m._dense is None:
        return 0.0
    total = float(np.sum(np.max(np.abs(m._dense[2]), axis=1)))  # largest |leaf| per tree
    return m.scale.size * 2.0**-24 * total


@pytest.mark.parametrize(
    "name, dense",
    [
        ("gbr_ridge_init", True),
        ("gbr_shallow_leaves", True),
        ("stump", True),
        ("tree_depth2", True),
        ("forest_depth6", False),
    ],
)
def test_kernels_equal_the_numpy_reference(name, dense):
    """Deep trees: equal to the last bit; the dense kernel: within its float32 leaf-sum
    bound (module docstring), every decision the same."""
    x, y = _data()
    model = _models(x, y)[name]
    m = export(model, x.shape[1]).validate(x.shape[1])
    assert (m._dense is not None) == dense
    xq, _ = _data(n=2500, seed=5)  # 2500 rows: several 512-row blocks and a partial one
    xq[:7] = x[:7]  # rows that sit exactly on training values (and thresholds' neighbours)
    got = m.predict(xq)
    bound = _f32_sum_bound(m)
    if dense:
        np.testing.assert_allclose(got, predict_ref(m, xq), rtol=0, atol=bound)
    else:
        np.testing.assert_array_equal(got, predict_ref(m, xq))
    # scikit-learn's Ridge init of gradient boosting predicts in float32 on the float32
    # input (its last bits differ); every tree decision and leaf is the same
    atol = 1e-6 if m.linear_f32 and m.coef.any() else 1e-12
    np.testing.assert_allclose(got, model.predict(xq), rtol=0, atol=atol + bound)


def test_mixture_of_boosted_models_is_one_dense_pass_equal_to_the_reference():
    x, y = _data()
    ms = [export(mod, x.shape[1]) for mod in list(_models(x, y).values())[:2]]
    mix = CompiledModel.combine(ms, [0.7, 0.3])
    assert mix._dense is not None
    got = mix.predict(x)
    bound = _f32_sum_bound(mix)
    np.testing.assert_allclose(got, predict_ref(mix, x), rtol=0, atol=bound)
    want = 0.7 * ms[0].predict(x) + 0.3 * ms[1].predict(x)
    np.testing.assert_allclose(
        got, want, rtol=0, atol=bound + _f32_sum_bound(ms[0]) + _f32_sum_bound(ms[1])
    )


def test_float32_threshold_rounding_keeps_every_decision():
    """A threshold between two float32 values: x32 <= t must not flip for the x32 just
    above t when the threshold is rounded (it rounds down, never up)."""
    t = 0.1  # not a float32: float32(0.1) > 0.1
    assert np.float64(np.float32(t)) > t
    n = 1
    m = CompiledModel(
        "hand",
        1,
        np.zeros(1),
        0.0,
        np.array([0, 3], dtype=np.int64),
        np.ones(1),
        np.array([0, 0, 0], dtype=np.int32),
        np.array([1, -1, -1], dtype=np.int32),
        np.array([2, -1, -1], dtype=np.int32),
        np.array([t, 0.0, 0.0]),
        np.array([0.0, -1.0, 1.0]),
    ).validate(n)
    x = np.array([[np.float32(t)], [np.nextafter(np.float32(t), np.float32(-1))], [-5.0], [5.0]])
    got = m.predict(x)
    np.testing.assert_array_equal(got, [1.0, -1.0, -1.0, 1.0])
    np.testing.assert_array_equal(got, predict_ref(m, x))


def test_unvalidated_feature_index_never_reaches_the_dense_kernel():
    """A model built without validate() whose node reads feature 5 of a 2-wide input is
    refused before the branch-free kernel indexes the feature columns."""
    from rof.errors import SecurityError

    m = CompiledModel(
        "hand",
        2,
        np.zeros(2),
        0.0,
        np.array([0, 3], dtype=np.int64),
        np.ones(1),
        np.array([5, 0, 0], dtype=np.int32),
        np.array([1, -1, -1], dtype=np.int32),
        np.array([2, -1, -1], dtype=np.int32),
        np.zeros(3),
        np.array([0.0, -1.0, 1.0]),
    )
    with pytest.raises(SecurityError, match="feature"):
        m.predict(np.zeros((4, 2)))
