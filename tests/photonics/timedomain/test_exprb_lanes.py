"""The vectorised many-chain kernel against the single-chain kernel, lane by lane."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rof.photonics import DirectLaser
from rof.photonics.timedomain.exprb_kernel import exprb_kernel
from rof.photonics.timedomain.exprb_lanes import (
    _cosh_sinhc,
    _exp8,
    bias_state,
    exprb_lanes,
    use_narrow,
)
from rof.photonics.timedomain.laser import _interp_half_width, _lagrange_weights
from rof.photonics.timedomain.laser_chunks import polar_lanes, polyphase_lanes, polyphase_range
from rof.photonics.timedomain.laser_noise import noise_increment
from rof.photonics.timedomain.phi_functions import phi123
from rof.photonics.timedomain.rate_constants import rate_constants

FS = 39.3e9


def _lanes_vs_single(amp, u, lanes, length, noisy, fs=FS):
    """(lanes' power and phase, the single kernel's), each lane its own slice of a
    two-tone drive at 3.5 GHz and its own draws."""
    laser = DirectLaser()
    rc = rate_constants(laser)
    n = lanes * length
    t = np.arange(n) / fs
    x = amp * np.cos(2 * np.pi * 3.5e9 * t) + 0.5 * amp * np.cos(2 * np.pi * 3.45e9 * t + 1)
    half = _interp_half_width(2 * math.pi * 3.55e9 / fs, u)
    wv, wd = _lagrange_weights(u, half)
    chol = noise_increment(rc, 1 / fs)
    z = np.random.default_rng(3).normal(size=(n, 3))
    scale = 1.0 if noisy else 0.0
    cur_l = np.empty((lanes, length * u + 1))
    dcur_l = np.empty((lanes, length * u + 1))
    p_ref = np.empty((lanes, length))
    ph_ref = np.empty((lanes, length))
    for c in range(lanes):
        polyphase_range(x, c * length, 0.04, wv, wd, fs, cur_l[c], dcur_l[c])
        st = np.array([rc.n_bias, rc.s_bias, 0.0])
        zc = z[c * length : (c + 1) * length]
        exprb_kernel(
            cur_l[c], dcur_l[c], u, 1 / (fs * u), rc.as_tuple(), st, zc, scale, chol,
            p_ref[c], ph_ref[c],
        )  # fmt: skip
    cur = np.ascontiguousarray(cur_l.T)
    dcur = np.ascontiguousarray(dcur_l.T)
    zi = np.ascontiguousarray(z.reshape(lanes, length, 3).transpose(1, 2, 0))
    p = np.empty((length, lanes))
    ph = np.empty((length, lanes))
    state = bias_state(cur[0].copy(), rc.as_tuple())
    count = np.full(lanes, length)
    exprb_lanes(cur, dcur, u, 1 / (fs * u), rc.as_tuple(), zi, scale, chol, state, count, p, ph)
    return p.T, ph.T, p_ref, ph_ref


@pytest.mark.parametrize("noisy", [False, True])
@pytest.mark.parametrize("u", [1, 2])
def test_lanes_equal_the_single_chain_kernel(u, noisy):
    """Small signal: every step on the vector path; each lane is exprb_kernel on its
    slice (same operations up to rounding)."""
    p, ph, p_ref, ph_ref = _lanes_vs_single(0.008, u, 16, 3000, noisy)
    assert np.max(np.abs(p - p_ref)) < 1e-12 * np.max(p_ref)
    assert np.max(np.abs(ph - ph_ref)) < 1e-9


@pytest.mark.parametrize("noisy", [False, True])
def test_lanes_with_clipping_take_the_scalar_steps(noisy):
    """A drive of +-45 mA about a 40 mA bias turns the laser off on every trough (the
    power falls to the spontaneous floor) and on again: the turn-on steps are split
    (a22 h > 0.5) by the scalar fallback, and the lanes still follow the single kernel,
    to the rounding that the turn-on transients amplify."""
    p, ph, p_ref, ph_ref = _lanes_vs_single(0.03, 2, 5, 3000, noisy)
    assert p_ref.min() < 1e-4 * p_ref.max()  # clipped
    assert np.max(np.abs(p - p_ref)) < 1e-8 * np.max(p_ref)
    assert np.max(np.abs(ph - ph_ref)) < 1e-6


def test_vector_path_series_match_the_closed_forms():
    """cosh sqrt q, sinh sqrt q / sqrt q and e^t of the vector path against math's, over
    their whole range (q in [-40, 40], t in [-8, 8])."""
    for q in np.linspace(-40.0, 40.0, 81):
        c, s = _cosh_sinhc(q)
        if q >= 0:
            r = math.sqrt(q)
            c_ref, s_ref = math.cosh(r), (math.sinh(r) / r if r > 0 else 1.0)
        else:
            r = math.sqrt(-q)
            c_ref, s_ref = math.cos(r), math.sin(r) / r
        assert abs(c - c_ref) < 1e-13 * max(1.0, abs(c_ref))
        assert abs(s - s_ref) < 1e-13 * max(1.0, abs(s_ref))
    for t in np.linspace(-8.0, 8.0, 33):
        assert abs(_exp8(t) - math.exp(t)) < 1e-13 * math.exp(t)


def test_phi123_series_path_matches_eigen_closed_form():
    """phi123's branch-free path (|q| <= 40) against the phi-functions of the
    eigenvalues computed in complex arithmetic, on real and complex eigenvalue pairs."""

    def phi_k(z, k):
        p = np.exp(z)
        fac = 1.0
        for j in range(1, k + 1):
            p = (p - 1.0 / fac) / z
            fac *= j
        return p

    for tr, det in [(-1.0, 2.55), (-3.7, 33.8), (-0.5, 0.64), (1.0, 0.2), (-6.0, 1.0)]:
        t = tr / 2
        r = np.sqrt(complex(t * t - det))
        got = phi123(tr, det)
        for k in range(1, 4):
            fp, fm = phi_k(t + r, k), phi_k(t - r, k)
            b = (fp - fm) / (2 * r)
            a = fp - b * (t + r)
            assert abs(got[2 * k - 2] - a.real) < 1e-12
            assert abs(got[2 * k - 1] - b.real) < 1e-12


def test_polar_matches_numpy_over_a_wide_phase_range():
    """The vectorised polar form of the lanes, sqrt(p) e^{i phi} written to the record,
    against NumPy's, phases to 1e5 rad."""
    rng = np.random.default_rng(5)
    p = rng.random(10_000)
    for scale in (1.0, 1e3, 1e5):
        ph = (rng.random(p.size) - 0.5) * 2 * scale
        out = np.empty(p.size, dtype=np.complex128)
        lanes = 4
        rows = p.size // lanes
        begin = np.arange(lanes) * rows  # lane c holds samples c*rows .. (c+1)*rows - 1
        polar_lanes(
            p.reshape(lanes, rows).T.copy(), ph.reshape(lanes, rows).T.copy(),
            begin, begin, begin + rows, out,
        )  # fmt: skip
        ref = np.sqrt(p) * np.exp(1j * ph)
        assert np.max(np.abs(out - ref)) < 1e-15 + 2e-16 * scale


def test_lanes_continue_across_blocks_and_hold_past_their_count():
    """Two calls of 1000 samples equal one of 2000 (the state carries over), and a lane
    whose count ends early holds its state (rows past it repeat its last sample)."""
    laser = DirectLaser()
    rc = rate_constants(laser)
    lanes, length = 4, 2000
    rng = np.random.default_rng(9)
    cur = 0.04 + 0.005 * rng.standard_normal((length + 1, lanes))
    dcur = np.zeros_like(cur)
    z = rng.standard_normal((length, 3, lanes))
    chol = noise_increment(rc, 1 / FS)
    one = [np.empty((length, lanes)) for _ in range(2)]
    st = bias_state(cur[0].copy(), rc.as_tuple())
    full = np.full(lanes, length)
    exprb_lanes(cur, dcur, 1, 1 / FS, rc.as_tuple(), z, 1.0, chol, st, full, *one)
    two = [np.empty((length, lanes)) for _ in range(2)]
    st2 = bias_state(cur[0].copy(), rc.as_tuple())
    half = np.full(lanes, 1000)
    for a in (0, 1000):
        p, ph = np.empty((1000, lanes)), np.empty((1000, lanes))
        c = np.ascontiguousarray(cur[a : a + 1001])
        d = np.ascontiguousarray(dcur[a : a + 1001])
        zz = np.ascontiguousarray(z[a : a + 1000])
        exprb_lanes(c, d, 1, 1 / FS, rc.as_tuple(), zz, 1.0, chol, st2, half, p, ph)
        two[0][a : a + 1000], two[1][a : a + 1000] = p, ph
    np.testing.assert_allclose(two[0], one[0], rtol=1e-13)
    np.testing.assert_allclose(two[1], one[1], rtol=0, atol=1e-10)
    np.testing.assert_allclose(st2, st, rtol=1e-12)
    short = np.array([length, 700, length, 0])
    p, ph = np.empty((length, lanes)), np.empty((length, lanes))
    st3 = bias_state(cur[0].copy(), rc.as_tuple())
    exprb_lanes(cur, dcur, 1, 1 / FS, rc.as_tuple(), z, 1.0, chol, st3, short, p, ph)
    np.testing.assert_allclose(p[:700, 1], one[0][:700, 1], rtol=1e-13)
    assert np.all(p[700:, 1] == p[699, 1]) and np.all(ph[700:, 1] == ph[699, 1])
    np.testing.assert_array_equal(st3[:, 3], bias_state(cur[0].copy(), rc.as_tuple())[:, 3])
    np.testing.assert_allclose(p[:, 2], one[0][:, 2], rtol=1e-13)


@pytest.mark.parametrize("u", [1, 2, 3])
def test_polyphase_lanes_equal_polyphase_range(u):
    """The FIR-ordered interpolation into the lane layout against the per-chunk dot
    products, lanes in the middle of the record and wrapping round either end, a lane
    shorter than the group (held at its last current, zero slope) and one of length 0."""
    rng = np.random.default_rng(2)
    n = 50_000
    x = rng.standard_normal(n) * 1e-3
    half = _interp_half_width(2 * math.pi * 3.55e9 / FS, u)
    wv, wd = _lagrange_weights(u, half)
    begin = np.array([0, 1234, n - 700, n - 5, 20_000, 30_000])
    count = np.array([3000, 3000, 3000, 3000, 1000, 0])
    rows = int(count.max()) * u + 1
    out_v = np.empty((rows, begin.size))
    out_d = np.empty((rows, begin.size))
    polyphase_lanes(x, begin, count, 0.04, wv, wd, FS, out_v, out_d)
    for c in range(begin.size):
        m = int(count[c]) * u + 1
        ref_v = np.empty(m)
        ref_d = np.empty(m)
        polyphase_range(x, int(begin[c]), 0.04, wv, wd, FS, ref_v, ref_d)
        np.testing.assert_allclose(out_v[:m, c], ref_v, rtol=1e-14)
        np.testing.assert_allclose(out_d[:m, c], ref_d, rtol=0, atol=1e-13 * np.abs(ref_d).max())
        assert np.all(out_v[m:, c] == ref_v[-1])
        assert np.all(out_d[m:, c] == 0.0)


@pytest.mark.parametrize("amp", [0.008, 0.03])
def test_narrow_series_gives_the_wide_result(amp):
    """The shorter series (narrow) against the wide one on the same lanes, small signal
    and clipping (where steps leave the narrow range and take the scalar path)."""
    laser = DirectLaser()
    rc = rate_constants(laser)
    lanes, length, u = 8, 3000, 2
    n = lanes * length
    t = np.arange(n) / FS
    x = amp * np.cos(2 * np.pi * 3.5e9 * t)
    half = _interp_half_width(2 * math.pi * 3.55e9 / FS, u)
    wv, wd = _lagrange_weights(u, half)
    begin = np.arange(lanes) * length
    count = np.full(lanes, length)
    cur = np.empty((length * u + 1, lanes))
    dcur = np.empty((length * u + 1, lanes))
    polyphase_lanes(x, begin, count, 0.04, wv, wd, FS, cur, dcur)
    z = np.random.default_rng(4).standard_normal((length, 3, lanes))
    chol = noise_increment(rc, 1 / FS)
    assert use_narrow(rc.as_tuple(), 1 / (FS * u))
    out = {}
    for narrow in (False, True):
        p, ph = np.empty((length, lanes)), np.empty((length, lanes))
        st = bias_state(cur[0].copy(), rc.as_tuple())
        exprb_lanes(
            cur, dcur, u, 1 / (FS * u), rc.as_tuple(), z, 1.0, chol, st, count, p, ph, narrow
        )
        out[narrow] = p, ph
    np.testing.assert_allclose(out[True][0], out[False][0], rtol=1e-9)
    np.testing.assert_allclose(out[True][1], out[False][1], rtol=0, atol=1e-7)


def test_polyphase_lanes_in_single_precision():
    """dml_field sums the interpolation in float32: values and slopes within a few
    float32 roundings (6e-8) of the float64 sums, relative to the drive's AC scale."""
    rng = np.random.default_rng(8)
    n = 20_000
    x = rng.standard_normal(n) * 3e-3
    half = _interp_half_width(2 * math.pi * 3.55e9 / FS, 2)
    wv, wd = _lagrange_weights(2, half)
    begin = np.array([0, 5_000, n - 100])
    count = np.array([4_000, 4_000, 4_000])
    rows = 8_001
    out = [np.empty((rows, 3)) for _ in range(4)]
    polyphase_lanes(x, begin, count, 0.04, wv, wd, FS, out[0], out[1])
    polyphase_lanes(
        x.astype(np.float32), begin, count, 0.04, wv.astype(np.float32),
        wd.astype(np.float32), FS, out[2], out[3],
    )  # fmt: skip
    scale = np.abs(x).max()
    assert np.max(np.abs(out[2] - out[0])) < 1e-6 * scale
    assert np.max(np.abs(out[3] - out[1])) < 1e-6 * np.abs(out[1]).max()
    assert np.max(np.abs(out[2] - out[0])) > 0  # it is the single-precision path
