"""Transforms by phases against NumPy's record-long ones; NumPy's normals from numba."""

from __future__ import annotations

import numpy as np
import pytest

from rof.photonics.timedomain.normals import add_normals, fill_normals
from rof.photonics.timedomain.phase_fft import (
    deinterleave,
    interleave,
    irfft_rows,
    over_threads,
    phase_count,
    rfft_head,
)
from rof.photonics.timedomain.photodiode import mean_power


@pytest.mark.parametrize(
    ("n", "p", "k"),
    [
        (8192 * 8, 8, 1000),  # the resampler's case: few bins
        (8192 * 8, 8, 8192 * 4 + 1),  # all bins, Nyquist included
        (4096 * 6, 2, 5000),
        (4096 * 7, 4, 3 * 4096),  # bins beyond each row's Nyquist (conjugate branch)
        (4096 * 15, 1, 100),
        (4099 * 3, 3, 4099),  # odd rows
    ],
)
def test_rfft_head_and_irfft_rows_match_numpy(n, p, k):
    rng = np.random.default_rng(n + k)
    x = rng.standard_normal(n)
    rows = np.ascontiguousarray(x.reshape(-1, p).T)
    want = np.fft.rfft(x)[:k]
    np.testing.assert_allclose(rfft_head(rows, k), want, rtol=0, atol=1e-12 * np.abs(want).max())
    # single-precision rows: rounding ~1e-7 of the spectrum's peak
    got32 = rfft_head(rows.astype(np.float32), k)
    np.testing.assert_allclose(got32, want, rtol=0, atol=1e-5 * np.abs(want).max())
    spec = want.copy()
    spec[0] += 1j  # irfft ignores the imaginary part of the DC (and Nyquist) bin
    if k == n // 2 + 1:
        spec[-1] += 1j
    back = np.fft.irfft(spec, n)
    got = irfft_rows(spec, n, p)
    assert got.dtype == np.float32 and got.shape == (p, n // p)
    np.testing.assert_allclose(got.T.reshape(-1), back, rtol=0, atol=1e-6 * np.abs(back).max())


def test_interleave_round_trip():
    x = np.arange(24.0)
    rows = deinterleave(x, 4, np.float32)
    np.testing.assert_array_equal(rows[1], [1, 5, 9, 13, 17, 21])
    assert rows.flags.c_contiguous and rows.dtype == np.float32
    back = interleave(rows)
    assert back.dtype == np.float64
    np.testing.assert_array_equal(back, x)


def test_threaded_passes_cover_the_record_once():
    """Records long enough for several threads: the parts tile the range, and the
    threaded interleave and mean power equal NumPy's."""
    parts = over_threads(lambda j0, j1: (j0, j1), 3 << 20, workers=2)
    assert parts == [(0, 3 << 19), (3 << 19, 3 << 20)]
    rows = np.random.default_rng(2).standard_normal((8, 3 << 20)).astype(np.float32)
    np.testing.assert_array_equal(interleave(rows), rows.T.reshape(-1).astype(np.float64))
    f = (rows[0] + 1j * rows[1]).astype(np.complex64)
    want = np.mean(np.abs(f.astype(np.complex128)) ** 2)
    assert mean_power(f) == pytest.approx(want, rel=1e-10)  # 3e6 terms in float64


def test_phase_count():
    assert phase_count(19_660_800) == 16
    assert phase_count(19_660_800, most=8) == 8
    assert phase_count(4096 * 6) == 4  # rows of 4096 at least
    assert phase_count(4096 * 2) == 2
    assert phase_count(61_485) == 1
    assert phase_count(100) == 1


def test_bad_sizes():
    with pytest.raises(ValueError, match=r"rfft_head\.k"):
        rfft_head(np.zeros((2, 8)), 10)
    with pytest.raises(ValueError, match="irfft_rows"):
        irfft_rows(np.zeros(5, complex), 15, 2)


def test_numba_normals_are_numpys():
    """fill_normals / add_normals give the numbers of Generator.standard_normal and
    x + Generator.normal(0, s, n), and leave the generator where NumPy's calls do."""
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    out = np.empty((3, 1001))
    fill_normals(a, out)
    np.testing.assert_array_equal(out, b.standard_normal((3, 1001)))
    x = np.linspace(-1.0, 1.0, 777)
    got = np.empty_like(x)
    add_normals(x, a, 0.3, got)
    np.testing.assert_array_equal(got, x + b.normal(0.0, 0.3, x.size))
    assert a.standard_normal() == b.standard_normal()
    # a legacy RandomState goes through NumPy's own calls
    r1, r2 = np.random.RandomState(3), np.random.RandomState(3)
    fill_normals(r1, out)
    np.testing.assert_array_equal(out, r2.standard_normal((3, 1001)))
    add_normals(x, r1, 0.3, got)
    np.testing.assert_array_equal(got, x + r2.normal(0.0, 0.3, x.size))


def test_threaded_transforms_equal_serial():
    """Two phases of an awkward length (an NR slot's 2 x 443,289: split into one row per
    thread) and a long inverse (its bins spread on threads): the same numbers as one
    thread, and NumPy's transform."""
    n = 2 * 443_289
    x = np.random.default_rng(4).standard_normal(n)
    rows = deinterleave(x, 2)
    k = n // 2 + 1
    got = rfft_head(rows, k, workers=2)
    np.testing.assert_array_equal(got, rfft_head(rows, k, workers=1))
    want = np.fft.rfft(x)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max())
    n_opt = 16 << 17
    back = irfft_rows(want, n_opt, 16, workers=2)
    np.testing.assert_array_equal(back, irfft_rows(want, n_opt, 16, workers=1))
    ref = np.fft.irfft(want, n_opt)  # zero-padded: the record interpolated
    np.testing.assert_allclose(interleave(back), ref, rtol=0, atol=1e-6 * np.abs(ref).max())


def test_over_threads_weight_and_align():
    """An item of ``weight`` elements counts towards the 2^20 elements a part; inner bounds
    fall on multiples of ``align``."""
    assert over_threads(lambda a, b: (a, b), 1 << 17, workers=2) == [(0, 1 << 17)]
    parts = over_threads(lambda a, b: (a, b), (1 << 17) + 5, workers=2, weight=16, align=512)
    assert parts == [(0, 1 << 16), (1 << 16, (1 << 17) + 5)]
    assert interleave(np.ones((2, 4), np.float32), dtype=np.float32).dtype == np.float32
