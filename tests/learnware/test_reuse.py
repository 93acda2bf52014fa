"""Reusers on a toy task with known answers."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from rof.errors import ParameterError
from rof.learnware import (
    AveragingReuser,
    Dock,
    FeatureAugmentReuser,
    JobSelectorReuser,
    RKMESpecification,
)
from rof.learnware.schema import FeatureSchema

SCHEMA = FeatureSchema("toy", ("a", "b"), (0.0, 0.0), (1.0, 1.0), 0.5)


@pytest.fixture(scope="module")
def learnwares(tmp_path_factory):
    rng = np.random.default_rng(0)
    dock = Dock(tmp_path_factory.mktemp("reuse") / "dock")
    ids = []
    for centre, slope in (([-3.0, 0.0], 2.0), ([3.0, 0.0], -1.0)):
        x = rng.normal(size=(400, 2)) + centre
        spec = RKMESpecification.fit(x, 20, rng=rng, schema=SCHEMA)
        ids.append(dock.submit(Ridge(1e-6).fit(x, slope * x[:, 0]), spec, {"slope": slope}))
    lws = [dock.load(i) for i in ids]
    dock.close()
    return lws


def test_job_selector_routes_each_sample_to_its_own_region(learnwares):
    rng = np.random.default_rng(1)
    left = rng.normal(size=(200, 2)) + np.array([-3, 0])
    right = rng.normal(size=(200, 2)) + np.array([3, 0])
    js = JobSelectorReuser(learnwares)
    choice = js.select(np.vstack([left, right]))
    assert np.mean(choice[:200] == 0) > 0.97 and np.mean(choice[200:] == 1) > 0.97
    x = np.vstack([left, right])
    y = np.concatenate([2 * left[:, 0], -right[:, 0]])
    assert np.sqrt(np.mean((js.predict(x) - y) ** 2)) < 0.5


def test_averaging_is_the_weighted_mean(learnwares):
    x = np.array([[1.0, 0.0], [-2.0, 1.0]])
    av = AveragingReuser(learnwares, [3.0, 1.0])
    expected = 0.75 * learnwares[0].predict(x) + 0.25 * learnwares[1].predict(x)
    np.testing.assert_allclose(av.predict(x), expected)
    np.testing.assert_allclose(expected, [0.75 * 2 - 0.25, 0.75 * -4 + 0.25 * 2], atol=1e-3)
    with pytest.raises(ParameterError):
        AveragingReuser(learnwares, [1.0, -1.0])
    with pytest.raises(ParameterError):
        AveragingReuser([], None)


def test_feature_augment_learns_the_combination_from_few_labels(learnwares):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(15, 2))
    y = 0.5 * (2 * x[:, 0]) + 3.0  # = 0.5 * learnware 0 + 3
    fa = FeatureAugmentReuser(learnwares, alphas=(1e-6,)).fit(x, y)
    xt = rng.normal(size=(50, 2))
    np.testing.assert_allclose(fa.predict(xt), xt[:, 0] + 3.0, atol=1e-3)
    with pytest.raises(ParameterError):
        FeatureAugmentReuser(learnwares).predict(xt)
