"""Traffic: full buffer and FTP model 3 bursty arrivals (TR 36.814 Table A.2.1.3.1-1)."""

import math

import numpy as np
import pytest

from rof.edge.traffic import Traffic
from rof.errors import RofError


def test_full_buffer_always_has_data():
    t = Traffic(3)
    t.arrive(1e-3, np.random.default_rng(0))
    assert t.has_data().all()
    sent = t.deliver(np.array([1e6, 0.0, 5.0]))
    np.testing.assert_array_equal(sent, [1e6, 0.0, 5.0])
    assert t.has_data().all() and np.all(np.isinf(t.buffer_bits))


def test_bursty_arrivals_are_poisson_files():
    """Files per TTI ~ Poisson(lambda T): the offered load is lambda T S per TTI."""
    lam, tti, size, n_ue, n_tti = 20.0, 1e-3, 1e4, 500, 400
    t = Traffic(n_ue, "bursty", arrival_rate_per_s=lam, file_size_bits=size)
    assert not t.has_data().any()
    rng = np.random.default_rng(1)
    for _ in range(n_tti):
        t.arrive(tti, rng)
    files = t.offered_bits / size
    np.testing.assert_array_equal(files, np.round(files))  # whole files only
    mean = lam * tti * n_tti  # Poisson: variance = mean
    assert abs(files.mean() - mean) < 5 * math.sqrt(mean / n_ue)
    assert files.var() == pytest.approx(mean, rel=0.2)


def test_deliver_never_sends_more_than_buffered():
    t = Traffic(2, "bursty", arrival_rate_per_s=1000.0, file_size_bits=100.0)
    t.buffer_bits[:] = [250.0, 0.0]
    sent = t.deliver(np.array([400.0, 50.0]))
    np.testing.assert_array_equal(sent, [250.0, 0.0])
    assert not t.has_data().any()


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(kind="video"), "edge.traffic"),
        (dict(arrival_rate_per_s=-1.0), "edge.arrival_rate_per_s"),
        (dict(file_size_bits=0.0), "edge.file_size_bits"),
    ],
)
def test_bad_input(kw, match):
    with pytest.raises(RofError, match=match):
        Traffic(2, **kw)
