"""Semi-orthogonal user selection against the paper's loop (Yoo & Goldsmith 2006)."""

from __future__ import annotations

import numpy as np
import pytest

from rof.edge.mimo.sus import sus, sus_numpy, sus_reference
from rof.errors import RofError


def rayleigh(rng, shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2.0)


@pytest.mark.parametrize("epsilon", [0.2, 0.5, 1.0])
def test_batched_matches_paper_loop(epsilon):
    rng = np.random.default_rng(1)
    h = rayleigh(rng, (40, 10, 4)) * rng.uniform(0.1, 3, (40, 10, 1))
    wt = rng.uniform(0, 1, (40, 10))
    wt[wt < 0.2] = 0.0  # users without data
    got = sus(h, wt, 4, epsilon)
    np.testing.assert_array_equal(sus_numpy(h, wt, 4, epsilon), got)
    for i in range(40):
        ref = sus_reference(h[i], wt[i], 4, epsilon)
        assert got[i].tolist() == ref + [-1] * (4 - len(ref))


def test_orthogonal_users_all_chosen_collinear_once():
    h = np.eye(4, dtype=complex)[[0, 1, 2, 3, 0]] * np.array([[1], [2], [3], [4], [5]])
    got = sus(h, 1.0, 4, 0.3)
    assert sorted(got.tolist()) == [1, 2, 3, 4]  # user 0 is collinear with the stronger 4
    # PF weights change the order: weight 30 (metric 30 > 25) makes user 0 first
    assert sus(h, np.array([30.0, 1, 1, 1, 1]), 1, 0.3).tolist() == [0]


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"n_select": 5}, ["sus.n_select = 5", "n_tx = 4"]),
        ({"epsilon": 0.0}, ["sus.epsilon", "> 0"]),
        ({"weight": -1.0}, ["sus.weight", ">= 0"]),
    ],
)
def test_bad_input(kw, words):
    h = rayleigh(np.random.default_rng(2), (6, 4))
    args = {"weight": 1.0, "n_select": 2, "epsilon": 0.4, **kw}
    with pytest.raises(RofError) as exc:
        sus(h, **args)
    for w in words:
        assert w in str(exc.value)


@pytest.mark.parametrize("metric", ["gain", "rate"])
@pytest.mark.parametrize("cap", [1, 2, 3])
def test_group_cap_matches_paper_loop(cap, metric):
    """A cluster-wide selection: at most ``cap`` users of one site (group)."""
    rng = np.random.default_rng(7)
    h = rayleigh(rng, (30, 12, 8)) * rng.uniform(0.1, 3, (30, 12, 1))
    wt = rng.uniform(0, 1, (30, 12))
    grp = rng.integers(0, 3, (30, 12))
    got = sus(h, wt, 6, 0.6, grp, cap, metric)
    np.testing.assert_array_equal(sus_numpy(h, wt, 6, 0.6, grp, cap, metric), got)
    for i in range(30):
        ref = sus_reference(h[i], wt[i], 6, 0.6, grp[i], cap, metric)
        assert got[i].tolist() == ref + [-1] * (6 - len(ref))
        chosen = got[i][got[i] >= 0]
        assert np.bincount(grp[i][chosen], minlength=3).max() <= cap
    # without the cap, some entry takes more than `cap` users of one group
    free = sus(h, wt, 6, 0.6)
    assert any(
        np.bincount(grp[i][free[i][free[i] >= 0]], minlength=3).max() > cap for i in range(30)
    )


def test_rate_metric_is_proportional_fair_for_one_antenna():
    """One antenna, one stream: the rate metric picks argmax log2(1 + SNR_k) / R_k (PF);
    the gain metric picks argmax SNR_k / R_k, which a strong user wins at a PF ratio that
    PF would give the weak one."""
    h = np.array([[10.0], [1.0]], dtype=complex)  # SNR 100 (20 dB) and 1 (0 dB)
    wt = np.array([1.0, 5.0])  # the strong user has had 5x the rate
    # PF: log2(101) / 1 = 6.66 > log2(2) * 5 = 5 -> strong; at weight 7: 7 > 6.66 -> weak
    assert sus(h, wt, 1, 0.4, metric="rate").tolist() == [0]
    assert sus(h, np.array([1.0, 7.0]), 1, 0.4, metric="rate").tolist() == [1]
    assert sus(h, np.array([1.0, 7.0]), 1, 0.4).tolist() == [0]  # gain: 100 > 7
