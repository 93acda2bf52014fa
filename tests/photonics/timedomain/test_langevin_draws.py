"""Band-limited Langevin draws by crossfaded frames: each frame as a plain-NumPy
construction, full spectral matrix, covariance through the fades, Gaussian marginals, and
one sequence across frame groups.

References: a frame against the same construction in NumPy (``Generator.standard_normal``
for the white bins, the closed-form shaping matrices, ``numpy.fft.irfft``); the draws' 3 x 3
cross-spectral matrix against :math:`T_kT_k^H` of the shaping matrices (the diagonal alone
would not see a transposed, conjugated or permuted filter); the covariance at lags 0 and 1
inside and at the edges of the fades against the closed form's inverse transform of
:math:`T_kT_k^H`; the marginals against the normal law.
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
    SHAPING_FADE,
    SHAPING_FFT,
    SHAPING_GROUP,
    SHAPING_HOP,
    langevin_draws_range,
    shaping_matrices,
)
from rof.photonics.timedomain.rate_constants import rate_constants

FS = 40e9


@pytest.fixture(scope="module")
def rc():
    return rate_constants(DirectLaser(), rin_reference_hz=3.5e9)


def _numpy_frame(rc, entropy, f):
    """Frame ``f`` built in plain NumPy: white bins from the generator keyed
    (entropy, f + 2**40), shaped by the closed-form matrices, transformed back."""
    m = SHAPING_FFT
    g = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(f + (1 << 40),)))
    z = g.standard_normal((6, m // 2 + 1))
    xi = math.sqrt(m / 2) * (z[0::2] + 1j * z[1::2])  # (3, bins)
    xi[:, 0] = math.sqrt(m) * z[0::2, 0]
    t = shaping_matrices(rc, 1 / FS)  # (bins, 3, 3)
    return np.fft.irfft(np.einsum("kij,jk->ik", t, xi), m, axis=-1)


def test_frames_and_fades_are_the_plain_numpy_construction(rc):
    """Samples of hop -1 past its own fade and of hop 0 (its fade with frame -1, then frame
    0 alone) against frames built in NumPy and crossfaded with sin/cos weights."""
    start = SHAPING_FADE + 100  # offset in hop -1 (its fade with frame -2 is before)
    lo, hi = -SHAPING_HOP + start, SHAPING_FADE + 500
    got = langevin_draws_range(rc, 1 / FS, lo, hi, 99).astype(np.float64)
    assert got.dtype == np.float64 and got.shape == (hi - lo, 3)
    prev, cur = _numpy_frame(rc, 99, -1), _numpy_frame(rc, 99, 0)
    theta = 0.5 * np.pi * (np.arange(SHAPING_FADE) + 0.5) / SHAPING_FADE
    want = np.concatenate(
        [
            prev[:, start:SHAPING_HOP],  # frame -1 alone
            np.sin(theta) * cur[:, :SHAPING_FADE] + np.cos(theta) * prev[:, SHAPING_HOP:],
            cur[:, SHAPING_FADE : SHAPING_FADE + 500],
        ],
        axis=1,
    ).T
    np.testing.assert_allclose(got, want, rtol=0, atol=2e-6 * np.abs(want).max())


def test_covariance_holds_through_the_fades(rc):
    """Over 240 fades: the lag-1 covariance matrix of every pair of neighbouring samples
    from the one before the fade to the one after it (each position on its own), and the
    lag-0 matrix in eighths of the fade, against the closed form R(tau) = irfft(T T^H)
    (convention E[z_i(t) z_j(t + 1)] = R_ji(1)); 6 standard errors of each estimate. A
    fade with linear weights would lose a quarter of the variance mid-fade; a hard switch
    between the frames anywhere in the fade, or a frame read one hop off, would lose the
    lag-1 covariance (up to 0.29 of the variance here) at that pair."""
    t = shaping_matrices(rc, 1 / FS)
    r = np.fft.irfft(np.einsum("kia,kja->ijk", t, t.conj()), SHAPING_FFT, axis=-1)
    r0, r1 = r[:, :, 0], r[:, :, 1].T
    hops, bins = 240, 8
    width = SHAPING_FADE // bins
    lag0 = np.zeros((bins, 3, 3))
    lag1 = np.zeros((SHAPING_FADE + 1, 3, 3))  # pairs (p - 1, p), p = 0 .. FADE
    for f in range(1, hops + 1):
        w = langevin_draws_range(
            rc, 1 / FS, f * SHAPING_HOP - 1, f * SHAPING_HOP + SHAPING_FADE + 1, 3
        ).astype(np.float64)
        lag1 += np.einsum("pi,pj->pij", w[:-1], w[1:])
        x = w[1:-1].reshape(bins, width, 3)
        lag0 += np.einsum("bpi,bpj->bij", x, x)
    d = np.diag(r0)
    se0 = np.sqrt((np.outer(d, d) + r0**2) / (hops * width / 16))  # neighbours correlated
    assert np.all(np.abs(lag0 / (hops * width) - r0) < 6 * se0)
    se1 = np.sqrt((np.outer(d, d) + r1**2) / hops)
    assert np.all(np.abs(lag1 / hops - r1) < 6 * se1)


def test_ranges_across_frame_groups_are_one_sequence(rc):
    """Ranges that put a frame in a different group, or at another place in its group,
    draw exactly what one pass over many groups draws."""
    valid = SHAPING_HOP
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
    ranges sharing a frame), an empty range, ranges across frame boundaries; and with frames
    kept from an earlier call (the same numbers, no frame made again)."""
    valid = SHAPING_HOP
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
    frames = {}
    again = np.full_like(out, np.nan)
    laser_noise.langevin_draws_ranges(rc, 1 / FS, lo, hi, 8, again, frames)
    np.testing.assert_array_equal(again, out)
    made = dict(frames)
    laser_noise.langevin_draws_ranges(rc, 1 / FS, lo, hi, 8, again, frames)
    np.testing.assert_array_equal(again, out)
    assert frames.keys() == made.keys() and all(frames[f] is made[f] for f in made)
    with pytest.raises(ValueError, match="out"):
        laser_noise.langevin_draws_ranges(rc, 1 / FS, lo, hi, 8, out[:, :10])
