"""Band-limited Langevin draws by overlap-save: white source, full spectral matrix, Gaussian
marginals, and one sequence across frame groups.

References: the white draws against NumPy's own ``Generator.standard_normal`` (the numba
fill must be that generator's algorithm, not a look-alike); the draws' 3 x 3 cross-spectral
matrix against :math:`T_kT_k^H` of the closed-form shaping matrices (the diagonal alone
would not see a transposed, conjugated or permuted filter); the marginals against the
normal law (a non-Gaussian white source leaks through the short-memory filter).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import fft as sfft
from scipy import special

from rof.photonics import DirectLaser
from rof.photonics.timedomain import laser_noise
from rof.photonics.timedomain.laser_noise import (
    SHAPING_FFT,
    SHAPING_GROUP,
    SHAPING_OVERLAP,
    WHITE_BLOCK,
    langevin_draws_range,
    shaping_matrices,
)
from rof.photonics.timedomain.rate_constants import rate_constants

FS = 40e9


@pytest.fixture(scope="module")
def rc():
    return rate_constants(DirectLaser(), rin_reference_hz=3.5e9)


def test_white_draws_are_numpys_generator_per_block():
    """Block b of the white draws is standard_normal((3, WHITE_BLOCK)) of the generator
    keyed (entropy, b + 2**40), NumPy's float64 algorithm rounded to float32."""
    lo, hi = -WHITE_BLOCK - 123, 2 * WHITE_BLOCK + 77
    w, start = laser_noise._white(99, lo, hi)
    got = w[:, lo - start : hi - start]
    # a window that reuses an earlier one's blocks holds the same numbers
    w2, start2 = laser_noise._white(99, lo + WHITE_BLOCK // 2, hi + WHITE_BLOCK, (w, start))
    np.testing.assert_array_equal(w2[:, : w.shape[1] - (start2 - start)], w[:, start2 - start :])
    blocks = []
    for b in range(-2, 3):
        g = np.random.default_rng(np.random.SeedSequence(99, spawn_key=(b + (1 << 40),)))
        blocks.append(g.standard_normal((3, WHITE_BLOCK)))
    want = np.concatenate(blocks, axis=1)[:, lo + 2 * WHITE_BLOCK : hi + 2 * WHITE_BLOCK]
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, want.astype(np.float32))


def test_ranges_across_frame_groups_are_one_sequence(rc):
    """Ranges that put a frame in a different group, or at another place in its group,
    draw exactly what one pass over many groups draws."""
    valid = SHAPING_FFT - 2 * SHAPING_OVERLAP
    lo0, hi0 = -valid - 77, (2 * SHAPING_GROUP + 1) * valid + 5
    whole = langevin_draws_range(rc, 1 / FS, lo0, hi0, 11)
    rng = np.random.default_rng(0)
    ranges = [(lo0, hi0), (valid - 1, valid + 1), (3 * valid + 10, (SHAPING_GROUP + 4) * valid)]
    for _ in range(6):
        lo = int(rng.integers(lo0, hi0 - 1))
        ranges.append((lo, int(rng.integers(lo + 1, hi0))))
    for lo, hi in ranges:
        part = langevin_draws_range(rc, 1 / FS, lo, hi, 11)
        np.testing.assert_array_equal(part, whole[lo - lo0 : hi - lo0])


def test_draws_cross_spectra_match_the_shaping_filter(rc):
    """Averaged cross-periodograms S_ij of the draws against (T T^H)_ij, i != j, per
    eighth of the band, within 0.05 of sqrt(S_ii S_jj) (the estimate's spread over 512
    frames is about 1/sqrt(512 * bins) of that, well under 0.01)."""
    m, frames = 4096, 512
    z = langevin_draws_range(rc, 1 / FS, 0, m * frames, 5).astype(np.float64)
    spec = sfft.rfft(z.T.reshape(3, frames, m), axis=-1)
    s = np.einsum("ifk,jfk->ijk", spec, spec.conj()) / (frames * m)
    t = shaping_matrices(rc, 1 / FS)[:: SHAPING_FFT // m][: m // 2 + 1]
    target = np.einsum("kia,kja->ijk", t, t.conj())
    for band in np.array_split(np.arange(1, m // 2 - 8), 8):
        got = s[:, :, band].mean(axis=-1)
        want = target[:, :, band].mean(axis=-1)
        norm = np.sqrt(np.outer(np.diag(want).real, np.diag(want).real))
        assert np.max(np.abs(got - want) / norm) < 0.05, (band[0], got, want)


def test_draws_are_gaussian(rc):
    """Each component's marginal is normal: skewness and excess kurtosis within 0.03 and
    the empirical CDF within 2/sqrt(n) of the normal one (Kolmogorov-Smirnov, about
    p = 1e-3 for n independent samples; every 16th of 2^20 is taken, neighbours being
    correlated). With white draws uniform instead of normal the excess kurtosis is -0.5 to
    -0.9."""
    z = langevin_draws_range(rc, 1 / FS, 1000, 1000 + (1 << 20), 21).astype(np.float64)
    for c in range(3):
        x = z[:, c] - z[:, c].mean()
        x /= x.std()
        assert abs(np.mean(x**3)) < 0.03
        assert abs(np.mean(x**4) - 3.0) < 0.03
        xs = np.sort(x[::16])  # thinned: neighbouring samples are correlated
        ecdf = np.arange(1, xs.size + 1) / xs.size
        assert np.max(np.abs(ecdf - 0.5 * special.erfc(-xs / math.sqrt(2.0)))) < 2.0 / math.sqrt(
            xs.size
        )


def test_draws_into_a_given_array(rc):
    want = langevin_draws_range(rc, 1 / FS, 100, 5000, 4)
    buf = np.full((4900, 3), np.nan, dtype=np.float32)
    assert langevin_draws_range(rc, 1 / FS, 100, 5000, 4, out=buf) is buf
    np.testing.assert_array_equal(buf, want)
    with pytest.raises(ValueError, match="out"):
        langevin_draws_range(rc, 1 / FS, 100, 5000, 4, out=np.empty((4900, 3)))


def test_many_ranges_at_once_are_the_single_ranges(rc):
    """langevin_draws_ranges (frames of all ranges transformed together) against one
    langevin_draws_range call per range: lanes a frame apart, overlapping ranges (two
    ranges sharing a frame), an empty range, ranges across frame boundaries."""
    valid = SHAPING_FFT - 2 * SHAPING_OVERLAP
    lo = [0, 5 * valid - 300, 5 * valid + 17, 9 * valid, 20 * valid + 5, -700, 3]
    hi = [valid, 6 * valid, 5 * valid + 90, 9 * valid, 21 * valid + 5, 40, 3 * valid]
    out = np.full((len(lo), 3 * valid, 3), np.nan, dtype=np.float32)
    assert laser_noise.langevin_draws_ranges(rc, 1 / FS, lo, hi, 8, out) is out
    for j, (a, b) in enumerate(zip(lo, hi, strict=True)):
        if b > a:
            np.testing.assert_array_equal(
                out[j, : b - a], langevin_draws_range(rc, 1 / FS, a, b, 8)
            )
    assert np.isnan(out[3]).all()
    with pytest.raises(ValueError, match="out"):
        laser_noise.langevin_draws_ranges(rc, 1 / FS, lo, hi, 8, out[:, :10])
