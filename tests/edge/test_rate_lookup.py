"""The schedulers' bucket-table rate lookup equals the step rate it replaces, bit for bit."""

import numba
import numpy as np
import pytest

from rof.edge._coordinated_kernels import lookup_rate, rate_lookup
from rof.edge.rate_model import SHANNON, RateModel, rate_model, step_rate
from rof.radio.rates import MCS_TABLES


@numba.njit  # not cached: it inlines kernels of other files
def _both(sinr, model):
    """(lookup_rate, step_rate) at every SINR."""
    lk = rate_lookup(model)
    a = np.empty(sinr.shape[0])
    b = np.empty(sinr.shape[0])
    for i in range(sinr.shape[0]):
        a[i] = lookup_rate(sinr[i], lk)
        b[i] = step_rate(sinr[i], model.gap_inv, model.thr, model.se)
    return a, b


def _probe(thr, rng):
    """Random SINRs over 20 decades, every finite threshold and its two float neighbours,
    and the special values."""
    fin = thr[np.isfinite(thr)]
    pts = [
        10.0 ** rng.uniform(-10.0, 10.0, 20000),
        fin,
        np.nextafter(fin, np.inf),
        np.nextafter(fin, 0.0),
        [0.0, -0.0, -1.0, 5e-324, 1e-300, 1e300, np.inf, -np.inf, np.nan],
    ]
    return np.concatenate([np.asarray(p, dtype=np.float64) for p in pts])


def _models():
    for abstraction in ("eesm", "se_gap"):
        for table in MCS_TABLES:
            for cqi in (True, False):
                yield rate_model(abstraction, table, 51, 0.1, cqi)
    yield rate_model("eesm", "qam256", 4, 0.3)
    thr = np.array([1e-12, 1e-12, 0.5, 0.5, 0.5, 0.50000001, 3.0, 1e12, np.inf, np.inf])
    yield RateModel(0.5, thr, np.arange(1.0, 11.0))  # repeated, close, far and inf steps
    yield RateModel(1.0, np.array([2.0]), np.array([1.5]))  # a single step
    yield RateModel(1.0, np.array([np.inf]), np.array([1.5]))  # a step never reached


@pytest.mark.parametrize("model", list(_models()))
def test_lookup_equals_step_rate_everywhere(model):
    s = _probe(model.thr, np.random.default_rng(7))
    a, b = _both(s, model)
    np.testing.assert_array_equal(a, b)


def test_lookup_keeps_shannon_without_steps():
    s = 10.0 ** np.random.default_rng(1).uniform(-3.0, 3.0, 500)
    a, b = _both(s, SHANNON)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, np.log2(1.0 + s))


def test_a_wrong_table_is_caught():
    """The probe reaches every step: a lookup that loses the top threshold would differ."""
    model = rate_model("eesm", "qam256", 51)
    broken = RateModel(model.gap_inv, model.thr[:-1].copy(), model.se[:-1].copy())
    s = _probe(model.thr, np.random.default_rng(2))
    a, _ = _both(s, broken)
    _, b = _both(s, model)
    assert np.any(a != b)
