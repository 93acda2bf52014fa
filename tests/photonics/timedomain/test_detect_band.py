"""Detection with resampling in one pass against detect() followed by an ideal filter."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import fft as sfft

from rof.photonics import Photodiode
from rof.photonics.timedomain.photodiode import detect, detect_band, mean_power
from rof.units import K_B_J_PER_K, Q_C

FS = 40e9
N = 1 << 16


def _field(seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(N) / FS
    return (
        np.sqrt(1e-3)
        * (1 + 0.2 * np.cos(2 * np.pi * 3.5e9 * t))
        * np.exp(1j * rng.normal(0, 0.01, N))
    )


def _old_chain(pd, fields, q, rng):
    v, i = detect(pd, fields, FS, rng)
    n = N // q
    return sfft.irfft(sfft.rfft(v)[: n // 2 + 1], n) / q, i


def test_noiseless_equals_detect_then_ideal_filter():
    pd = Photodiode()
    e = _field()
    for q in (1, 4, 8):
        want, i_want = _old_chain(pd, [e], q, None)
        got, i_got = detect_band(pd, [e], FS, N // q, None)
        assert i_got == pytest.approx(i_want, rel=1e-13)
        np.testing.assert_allclose(got, want, atol=1e-6 * np.max(np.abs(want)))


def test_noise_power_matches_detect_then_ideal_filter():
    """Shot and thermal noise drawn at the output rate: the same variance per output
    sample as white noise at the optical rate filtered and decimated (within 3 %,
    about 5 sigma of 64 records)."""
    pd = Photodiode()
    p = np.full(N, 2e-3)  # a constant optical power: only noise is left after the DC block
    q = 4
    old = np.concatenate([_old_chain(pd, [p], q, np.random.default_rng(s))[0] for s in range(64)])
    new = np.concatenate(
        [detect_band(pd, [p], FS, N // q, np.random.default_rng(100 + s))[0] for s in range(64)]
    )
    assert np.var(new) > 0
    np.testing.assert_allclose(np.var(new), np.var(old), rtol=0.03)


def _reference_band(pd, fields, fs, n_out, rng):
    """detect_band written out in double precision with NumPy alone (record-long rfft,
    shot noise as rfft bins, thermal noise after the response), drawing from ``rng`` in
    the same order."""
    i = sum(
        np.abs(f.astype(np.complex128)) ** 2 if np.iscomplexobj(f) else np.asarray(f, float)
        for f in fields
    )
    i = i * pd.responsivity_a_per_w + pd.dark_current_a
    n = i.size
    i_mean = float(np.mean(i))
    spec = np.fft.rfft(i - i_mean)[: n_out // 2 + 1] * (n_out / n)
    fs_out = fs * n_out / n
    if rng is not None:
        noise = rng.standard_normal((n_out // 2 + 1, 2)) @ np.array([1.0, 1j])
        noise *= math.sqrt(0.5 * Q_C * i_mean * fs_out * n_out)
        noise[0] = noise[0].real * math.sqrt(2.0)
        if n_out % 2 == 0:
            noise[-1] = noise[-1].real * math.sqrt(2.0)
        spec = spec + noise
    h = (pd.load_ohm / 2.0) * pd.complex_response(np.fft.rfftfreq(n_out, 1.0 / fs_out))
    v = np.fft.irfft(spec * h, n_out)
    if rng is not None:
        kt = K_B_J_PER_K * pd.temperature_k
        v = v + rng.normal(0.0, math.sqrt(kt * pd.load_ohm * fs_out / 2.0), n_out)
    return v, i_mean


@pytest.mark.parametrize(
    ("n", "n_out"),
    [(N, N // 5), (N, N // 8 + 3), (3 * 5 * 4099, 4099), (N - 2, N // 3), (N - 1, N - 1)],
)
@pytest.mark.parametrize("noisy", [False, True])
def test_matches_a_numpy_reference_sample_by_sample(n, n_out, noisy):
    """Fields complex64 and complex128 plus a real power (a WDM neighbour), record lengths
    with 8, 2 and 1 phases (even, odd), decimated and not: the output agrees with the
    double-precision NumPy reference, noise included (same draws): the difference's rms
    within 5e-7 and its peak within 3e-6 of the AC current's rms at the load (two
    single-precision transforms; measured at most 2.4e-7 and 1.4e-6, against 1.4e-7
    and 6.7e-7 with the forward one alone)."""
    pd = Photodiode()
    e = _field()[:n]
    t = np.arange(n)
    x = np.sqrt(1e-3) * (1 + 0.1 * np.sin(t * 0.37) + 0.1 * np.sin(t * 0.011))  # 2.4 GHz, 70 MHz
    fields = [e.astype(np.complex64), 0.5 * e, 0.2 * x**2]
    want, i_want = _reference_band(
        pd, fields, FS, n_out, np.random.default_rng(3) if noisy else None
    )
    got, i_got = detect_band(pd, fields, FS, n_out, np.random.default_rng(3) if noisy else None)
    assert got.dtype == np.float64 and got.shape == (n_out,)
    assert i_got == pytest.approx(i_want, rel=1e-12)
    # single-precision transforms: rounding ~1e-7 of the AC current's rms (at the load)
    ac_rms = (
        (pd.load_ohm / 2.0)
        * pd.responsivity_a_per_w
        * np.std(sum(np.abs(f.astype(np.complex128)) ** 2 for f in fields[:2]) + fields[2])
    )
    err = got - want
    assert np.sqrt(np.mean(err**2)) < 5e-7 * ac_rms
    assert np.max(np.abs(err)) < 3e-6 * ac_rms


def test_mean_power_is_numpys():
    e = _field()
    for f in (e, e.astype(np.complex64), np.abs(e) ** 2, (np.abs(e) ** 2).astype(np.float32)):
        want = (
            np.mean(np.abs(f.astype(np.complex128)) ** 2)
            if np.iscomplexobj(f)
            else np.mean(f, dtype=float)
        )
        assert mean_power(f) == pytest.approx(float(want), rel=1e-12)


def test_fields_of_different_sizes_are_refused():
    with pytest.raises(ValueError, match="one size"):
        detect_band(Photodiode(), [np.ones(100), np.ones(99)], FS, 50, None)
