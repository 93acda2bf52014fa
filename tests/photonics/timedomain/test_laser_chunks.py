"""Chunked, threaded DML integration against the single pass; range-addressable noise."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import fft as sfft

from rof.photonics import DirectLaser
from rof.photonics.timedomain import dml_field
from rof.photonics.timedomain.laser_noise import (
    SHAPING_FFT,
    langevin_draws_range,
    shaping_matrices,
)
from rof.photonics.timedomain.rate_constants import rate_constants

FS = 40e9


def _drive(amp, n=1 << 16):
    t = np.arange(n) / FS
    return amp * np.sin(2 * np.pi * 3.5e9 * t) + 0.3 * amp * np.sin(2 * np.pi * 3.43e9 * t + 1.0)


# Chunks start 2^12 samples apart, each from the bias point ~13 ns (warm_up_s) early;
# their phases are stitched. Small drive and 0.2 V short of clipping (1.5 V), noiseless
# and with Langevin noise: measured 1e-12 (small) and 8e-10 (near clipping).
@pytest.mark.parametrize("amp", [0.3, 1.3])
@pytest.mark.parametrize("noisy", [False, True])
def test_chunked_threads_agree_with_single_pass(amp, noisy):
    v = _drive(amp)
    laser = DirectLaser()

    def run(chunk, workers):
        rng = np.random.default_rng(7) if noisy else None
        return dml_field(laser, v, FS, rng, chunk=chunk, workers=workers)

    single = run(v.size, 1)
    chunked = run(1 << 12, 2)
    assert np.max(np.abs(chunked - single)) < 1e-7 * np.max(np.abs(single))
    # and the noise is there: a noisy and a noiseless run differ
    if noisy:
        quiet = dml_field(laser, v, FS, None, chunk=v.size)
        assert np.max(np.abs(quiet - single)) > 1e-5 * np.max(np.abs(single))


def test_noise_ranges_are_one_sequence():
    rc = rate_constants(DirectLaser(), rin_reference_hz=3.5e9)
    whole = langevin_draws_range(rc, 1 / FS, -5000, 150_000, 11)
    for lo, hi in [(-5000, -4000), (0, 1), (1234, 99_999), (60_000, 150_000)]:
        part = langevin_draws_range(rc, 1 / FS, lo, hi, 11)
        np.testing.assert_array_equal(part, whole[lo + 5000 : hi + 5000])
    other = langevin_draws_range(rc, 1 / FS, 0, 1000, 12)
    assert not np.allclose(other, whole[5000:6000])


def test_noise_spectrum_is_the_shaping_filter():
    """Averaged periodogram of the overlap-save draws against the closed-form spectrum
    T T^H of the shaping matrices (the filter of langevin_draws), per component and band:
    within 4 % (about 5 sigma of 512-frame averages over 1/8 of the band)."""
    rc = rate_constants(DirectLaser(), rin_reference_hz=3.5e9)
    m = 4096
    frames = 512
    z = langevin_draws_range(rc, 1 / FS, 0, m * frames, 3)
    spec = sfft.rfft(z.T.reshape(3, frames, m), axis=-1)
    psd = np.mean(np.abs(spec) ** 2, axis=1) / m  # per-sample-variance normalisation
    t = shaping_matrices(rc, 1 / FS)
    target_full = np.einsum("kij,kij->ki", t, t.conj()).real.T  # (3, SHAPING_FFT//2+1)
    ratio = SHAPING_FFT // m
    target = target_full[:, ::ratio][:, : m // 2 + 1]
    for band in np.array_split(np.arange(1, m // 2 - 8), 8):
        got = psd[:, band].mean(axis=1)
        want = target[:, band].mean(axis=1)
        np.testing.assert_allclose(got, want, rtol=0.04)


def test_polyphase_range_matches_fft_interpolation():
    """Lagrange values and slopes of a chunk (the kernel's drive) against the exact
    band-limited interpolation by FFT of the periodic record (NumPy reference)."""
    import math

    from rof.photonics.timedomain.laser import _interp_half_width, _lagrange_weights
    from rof.photonics.timedomain.laser_chunks import polyphase_range

    n, u = 4096, 2
    k = np.arange(n)
    x = np.cos(2 * np.pi * 360 * k / n) + 0.5 * np.sin(2 * np.pi * 371 * k / n + 0.3)
    half = _interp_half_width(2 * math.pi * 371 / n, u)
    wv, wd = _lagrange_weights(u, half)
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(n, 1.0 / FS)
    fine = np.fft.irfft(spec, n * u) * u
    dfine = np.fft.irfft(spec * 2j * np.pi * f, n * u) * u
    for lo, count in [(0, 50), (1000, 300), (n - 20, 100)]:
        cur = np.empty(count)
        dcur = np.empty(count)
        polyphase_range(x, lo, 0.25, wv, wd, FS, cur, dcur)
        idx = (lo * u + np.arange(count)) % (n * u)
        np.testing.assert_allclose(cur, fine[idx] + 0.25, atol=1e-6)
        np.testing.assert_allclose(dcur, dfine[idx], atol=1e-6 * np.max(np.abs(dfine)))


def test_chunks_make_each_noise_frame_once(monkeypatch):
    """Chunks longer than one refill (four hops), on the hops' grid and off it: a frame
    under a chunk's warm-up is kept for the previous chunk's last hop instead of made
    again (with one worker, as many frames as the single pass makes); the record equals
    the single pass (same draws, stitched phases), with noise and near clipping."""
    from rof.photonics.timedomain import laser_noise
    from rof.photonics.timedomain.laser_chunks import BLOCK, SEGMENT

    made = []
    make = laser_noise._make_frames

    def counting(rc, h, entropy, index):
        made.extend(index)
        return make(rc, h, entropy, index)

    monkeypatch.setattr(laser_noise, "_make_frames", counting)
    n = 12 * BLOCK
    t = np.arange(n) / FS
    v = 1.3 * np.sin(2 * np.pi * 3.5e9 * t) + 0.4 * np.sin(2 * np.pi * 3.43e9 * t + 1.0)
    laser = DirectLaser()
    single = dml_field(laser, v, FS, np.random.default_rng(7), chunk=n, workers=1)
    assert sorted(made) == list(range(-1, 12))
    for chunk in (6 * BLOCK, 5 * BLOCK + 3 * SEGMENT):
        for workers in (1, 2):
            made.clear()
            chunked = dml_field(
                laser, v, FS, np.random.default_rng(7), chunk=chunk, workers=workers
            )
            if workers == 1:
                assert sorted(made) == list(range(-1, 12)), chunk
            assert np.max(np.abs(chunked - single)) < 1e-7 * np.max(np.abs(single))
