"""The calibration table's confidence intervals: a cluster bootstrap over drops."""

import numpy as np

from rof.radio.calibration import CalibrationResult, run_calibration


def _synthetic(rng, drops=12, users=60):
    """Drops whose UTs share a drop offset (like the sites' shadowing): the median of
    the pooled UTs is 0 in distribution, and UTs of one drop are correlated."""
    off = rng.normal(0.0, 1.0, drops)
    x = (off[:, None] + rng.normal(0.0, 1.0, (drops, users))).ravel()
    drop = np.repeat(np.arange(drops), users)
    return CalibrationResult("UMa", 6.0, x.copy(), x.copy(), drop)


def test_median_interval_covers_the_true_median_at_about_the_nominal_rate():
    """95 % intervals of the pooled median cover the true median (0) in about 95 % of
    independent experiments; an interval that treated the UTs as independent would
    cover far less (the drop offset dominates)."""
    rng = np.random.default_rng(5)
    reps, hit, naive_hit = 120, 0, 0
    for i in range(reps):
        res = _synthetic(rng)
        lo, hi = res.percentile_intervals((50,), n_resamples=399, seed=i)["geometry_db"][0]
        hit += lo <= 0.0 <= hi
        one = CalibrationResult("UMa", 6.0, res.coupling_loss_db, res.geometry_db, None)
        # the UT-level percentile interval (bootstrap over UTs): too narrow here
        rs = np.random.default_rng(i)
        x = one.geometry_db
        meds = np.median(rs.choice(x, (399, x.size)), axis=1)
        naive_hit += np.quantile(meds, 0.025) <= 0.0 <= np.quantile(meds, 0.975)
    assert 0.86 <= hit / reps <= 1.0
    assert naive_hit / reps < 0.7


def test_one_drop_has_no_interval_and_intervals_hold_the_estimate():
    rng = np.random.default_rng(1)
    res = run_calibration("UMi", drops=3, seed=4, ue_per_site=10)
    assert res.drop is not None and set(res.drop.tolist()) == {0, 1, 2}
    ci = res.percentile_intervals((5, 50, 95), n_resamples=199)
    est = res.percentiles((5, 50, 95))
    for m in ("coupling_loss_db", "geometry_db"):
        assert np.all(ci[m][:, 0] <= est[m] + 1e-9) and np.all(est[m] <= ci[m][:, 1] + 1e-9)
    one = _synthetic(rng, drops=1)
    assert np.isnan(one.percentile_intervals((50,))["geometry_db"]).all()


def test_rof_calibrate_prints_the_intervals(capsys):
    from pathlib import Path

    from rof.cli import main

    uma = Path(__file__).resolve().parents[2] / "scenarios" / "calibration_umi.toml"
    assert main(["calibrate", str(uma), "--drops", "3"]) == 0
    out = capsys.readouterr().out
    assert "95 % CI (drops)" in out and "3 drops" in out
    assert out.count("[") >= 6
