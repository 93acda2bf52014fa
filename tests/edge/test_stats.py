"""Bootstrap intervals of the run KPIs (rof.edge.stats) on synthetic cases with known answers."""

import numpy as np
import pytest

from rof.edge import stats
from rof.errors import ConfigError


def _samples(thr, drop, n_drops, n_cells=3, errors=None, blocks=None):
    thr = np.asarray(thr, float)
    n = thr.size
    per_drop = np.bincount(drop, minlength=n_drops)[drop]
    ue = {
        "thr": thr,
        "cell_w": n_cells / per_drop,
        "area_w": 1.0 / per_drop,
        "se_w": 10e6 * n_cells / per_drop,
        "blocks": np.ones(n) if blocks is None else blocks,
        "errors": np.zeros(n) if errors is None else errors,
        "drop": drop,
    }
    cdrop = np.repeat(np.arange(n_drops), n_cells)
    cell = {"muted": np.zeros(cdrop.size), "eligible": np.ones(cdrop.size), "drop": cdrop}
    return stats.Samples(ue, cell, n_drops)


def _coverage(kpi, truth, draw, trials, unit="user", n_resamples=999):
    hits = 0
    for i in range(trials):
        s = draw(np.random.default_rng(1000 + i))
        lo, hi = stats.interval(s, kpi, unit=unit, seed=i, n_resamples=n_resamples)
        hits += lo <= truth <= hi
    return hits / trials


# Binomial tolerance: 200 trials at p = 0.95 have sd 1.5 %; accept [0.90, 0.99].
@pytest.mark.parametrize(
    ("kpi", "truth"),
    [
        ("ue_throughput_mean_bps", 1e7),
        pytest.param(  # the exponential's 5th percentile
            "ue_throughput_p5_bps", -1e7 * np.log(0.95), marks=pytest.mark.slow
        ),
        ("cell_throughput_bps", None),  # mean x users per cell
    ],
)
def test_user_intervals_cover_the_truth_at_the_nominal_rate(kpi, truth):
    n = 400 if kpi == "ue_throughput_p5_bps" else 120

    def draw(rng):
        return _samples(rng.exponential(1e7, n), np.zeros(n, int), 1, n_cells=3 * n // 120)

    if kpi == "cell_throughput_bps":
        truth = 1e7 * n / (3 * n // 120)
    cov = _coverage(kpi, truth, draw, trials=200)
    assert 0.90 <= cov <= 0.99, cov


@pytest.mark.slow
def test_drop_intervals_cover_a_clustered_truth_and_user_intervals_do_not():
    """Users of one drop share a drop effect: resampling drops covers the mean at the
    nominal rate; resampling users alone under-covers (the reason ``unit="drop"``
    exists)."""
    n_drops, per = 20, 30

    def draw(rng):
        level = rng.normal(0.0, 1.0, n_drops)  # drop effect, sd 1
        thr = 10.0 + np.repeat(level, per) + rng.normal(0.0, 1.0, n_drops * per)
        return _samples(thr, np.repeat(np.arange(n_drops), per), n_drops)

    cov_drop = _coverage("ue_throughput_mean_bps", 10.0, draw, 150, unit="drop")
    cov_user = _coverage("ue_throughput_mean_bps", 10.0, draw, 150, unit="user")
    assert 0.88 <= cov_drop <= 0.99, cov_drop
    assert cov_user < 0.6, cov_user


def test_point_values_match_plain_formulas():
    rng = np.random.default_rng(3)
    thr = rng.exponential(1e7, 60)
    s = _samples(thr, np.repeat([0, 1], 30), 2, n_cells=3)
    assert stats.point(s, "ue_throughput_p5_bps") == pytest.approx(np.percentile(thr, 5))
    assert stats.point(s, "cell_throughput_bps") == pytest.approx(thr.sum() / 6)
    jain = thr.sum() ** 2 / (60 * np.sum(thr**2))
    assert stats.point(s, "jain_fairness") == pytest.approx(jain)


def test_paired_gain_recovers_a_known_gain_with_a_short_interval():
    """b = a x 1.2 user by user: the paired gain is 20 % with (near) zero width, while the
    unpaired intervals of each run are wide."""
    rng = np.random.default_rng(5)
    thr = rng.exponential(1e7, 200)
    drop = np.repeat(np.arange(4), 50)
    a, b = _samples(1.2 * thr, drop, 4), _samples(thr, drop, 4)
    gain, (lo, hi) = stats.paired_gain(a, b, "ue_throughput_p5_bps")
    assert gain == pytest.approx(0.2)
    assert lo == pytest.approx(0.2) and hi == pytest.approx(0.2)
    lo_a, hi_a = stats.interval(a, "ue_throughput_p5_bps")
    assert (hi_a - lo_a) / stats.point(a, "ue_throughput_p5_bps") > 0.2


def test_paired_gain_refuses_different_drops():
    drop = np.zeros(10, int)
    a = _samples(np.ones(10), drop, 1)
    b = _samples(np.ones(12), np.zeros(12, int), 1)
    with pytest.raises(ConfigError, match="paired runs"):
        stats.paired_gain(a, b, "ue_throughput_mean_bps")


def test_degenerate_kpi_gives_a_zero_width_interval():
    s = _samples(np.ones(20), np.zeros(20, int), 1)
    assert stats.interval(s, "bler") == (0.0, 0.0)


def test_bad_names_are_one_line_errors():
    s = _samples(np.ones(5), np.zeros(5, int), 1)
    with pytest.raises(ConfigError, match="kpi = 'nope'"):
        stats.interval(s, "nope")
    with pytest.raises(ConfigError, match="unit"):
        stats.interval(s, "bler", unit="cell")
