"""The one-call block error kernel equals numpy.interp per block, bit for bit."""

import numba
import numpy as np

from rof.edge._block_error import _interp, block_error, block_error_ref, packed_curves
from rof.radio.bler_curves import allocation_curves
from rof.radio.rates import MCS_TABLES


@numba.njit  # not cached: it inlines kernels of other files
def _interp_all(x, xp, fp, left, right):
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = _interp(x[i], xp, fp, left, right)
    return out


def test_interp_follows_numpy_arithmetic():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 5, 40):
        xp = np.sort(rng.uniform(-10.0, 20.0, n))
        fp = rng.uniform(0.0, 1.0, n)
        fp[n // 2 :] = fp[n // 2]  # a flat stretch
        x = np.concatenate(
            [rng.uniform(-15.0, 25.0, 5000), xp, np.nextafter(xp, np.inf),
             np.nextafter(xp, -np.inf), [np.nan, np.inf, -np.inf]]
        )  # fmt: skip
        for left, right in ((1.0, fp[-1]), (0.25, 0.75)):
            np.testing.assert_array_equal(
                _interp_all(x, xp, fp, left, right), np.interp(x, xp, fp, left=left, right=right)
            )


def test_kernel_equals_per_block_interp_on_the_shipped_curves():
    rng = np.random.default_rng(5)
    for table, n_rb in [(t, 51) for t in MCS_TABLES] + [("qam64", 24)]:
        _, curves = allocation_curves(table, n_rb, 12)
        packed = packed_curves(table, n_rb, 12)
        n_mcs = packed.index.shape[0]
        n = 4000
        mcs = rng.integers(-1, n_mcs, n)
        nrb = rng.integers(1, n_rb + 1, n)
        sinr = rng.uniform(-15.0, 35.0, n)
        # exactly on a curve point, and beside it
        for i in range(0, n, 7):
            if mcs[i] >= 0:
                s, _, _ = curves[(int(mcs[i]), int(nrb[i]))]
                sinr[i] = np.nextafter(s[i % s.size], [0.0, np.inf, -np.inf][i % 3])
        sinr[::97] = np.nan
        got = block_error(mcs, nrb, sinr, packed)
        np.testing.assert_array_equal(got, block_error_ref(mcs, nrb, sinr, curves))
        assert np.all(got[mcs < 0] == 1.0)
        assert 0.0 < np.nanmean(got[mcs >= 0]) < 1.0


def test_packed_curves_reuse_the_run_targets_cache():
    """Asked with the run's target, the curves are those the rate model computed."""
    from rof.edge.rate_model import allocation_thresholds_db

    # start from empty caches: earlier tests may have filled or evicted either
    allocation_thresholds_db.cache_clear()
    allocation_curves.cache_clear()
    allocation_thresholds_db("eesm", "qam256", 11, 0.1)
    before = allocation_curves.cache_info().hits
    packed_curves.cache_clear()
    packed_curves("qam256", 11, 12, 0.1)
    assert allocation_curves.cache_info().hits == before + 1
