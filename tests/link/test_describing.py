"""Link describing function (DML dynamics, chirp x dispersion) and the DML's detected RIN.

Independent references: the closed-form chirped power fading (Koch & Bowers transient +
adiabatic chirp through dispersion), the static clipping curve of a DML far below its
relaxation frequency (Saleh 1989), the complex-Gaussian moments of a pure cubic
envelope, a two-tone time-domain run of the rate equations, and a plain-NumPy
simulation of the linearised Langevin equations through a dispersive fiber.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rof.link.budget import envelope_distortion, laguerre_nodes
from rof.link.describing import (
    link_distortion,
    tone_iip3_dbm,
    tone_response,
)
from rof.link.dispersed import dispersed_drive_distortion
from rof.photonics import DirectLaser, Fiber
from rof.photonics.fiber import fading_ratio, theta_per_hz2
from rof.photonics.laser import _rate_constants
from rof.photonics.timedomain import dml_field, propagate_linear
from rof.photonics.timedomain.fiber import beta2_s2_per_m
from rof.photonics.timedomain.rate_constants import jacobian

LENGTHS = np.array([0.0, 10.0, 20.0, 40.0])


def test_small_signal_describing_function_is_the_chirped_fading():
    las = DirectLaser()
    a_t, f_c = las.small_signal_chirp()
    for f in (1e9, 3.5e9, 28e9):
        g = (
            np.abs(tone_response(las.small_signal(), f, [1e-4], LENGTHS, dispersion=17.0)[:, 0])
            / 1e-4
        )
        theta = theta_per_hz2(LENGTHS, 17.0, las.wavelength_nm) * f * f
        ref = las.slope_w_per_v(f) * np.sqrt(fading_ratio(theta, a_t, f_c / f))
        np.testing.assert_allclose(g, ref, rtol=5e-4)


def test_far_below_resonance_the_dml_clips_like_its_static_curve():
    # 50 MHz << f_r = 10 GHz: the first harmonic follows the clipped L-I curve.
    las = DirectLaser()
    a = las.clipping_amplitude_v * np.array([0.5, 1.0, 1.5, 2.5])
    g = np.abs(tone_response(las.small_signal(), 50e6, a, [0.0], dispersion=17.0)[0])
    np.testing.assert_allclose(g, las.envelope_response_w(a), rtol=0.02)


def test_cubic_envelope_has_the_closed_form_distortion():
    # f(r) = a1 r + a3 r^3 (complex a3: AM/PM): y = (a1 + 2 a3 W) x + a3 (|x|^2 x - 2 W x),
    # distortion 2 |a3|^2 W^3 with in-band share 2/3 (triangle over three bandwidths).
    u = laguerre_nodes()[0]
    a1, a3 = 0.8, -0.02 + 0.01j
    for om in (0.5, 2.0, 5.0):
        r = np.sqrt(om * u)
        comp2, inv = envelope_distortion(a1 * r + a3 * r**3, om, a1)
        k = a1 + 2 * a3 * om
        assert comp2 == pytest.approx(abs(k) ** 2 / a1**2, rel=1e-9)
        assert inv == pytest.approx((2 / 3) * 2 * abs(a3) ** 2 * om**2 / abs(k) ** 2, rel=1e-9)


@pytest.mark.parametrize("length_km", [0.0, 20.0])
def test_two_tone_rate_equations_reproduce_the_describing_iip3(length_km):
    # Four periods of the 5 MHz two-tone pattern; the third is analysed, away from the
    # laser's turn-on (first) and from the wrap-around of the FFT dispersion filter
    # (last), which otherwise leaks a floor into the IM3 bin at small drive.
    las = DirectLaser()
    f0, df, fs, m = 3.5e9, 50e6, 163.84e9, 1 << 15  # tones and IM3 on 5 MHz FFT bins
    t = np.arange(4 * m) / fs
    ref = float(tone_iip3_dbm(las.small_signal(), Fiber(1.0), f0, length_km))
    bin_ = lambda f: round(f * m / fs)  # noqa: E731
    for frac in (0.015, 0.15):  # IM3 100 and 60 dB below the tones back to back
        a = frac * las.clipping_amplitude_v
        v = a * (np.cos(2 * np.pi * (f0 - df / 2) * t) + np.cos(2 * np.pi * (f0 + df / 2) * t))
        e = propagate_linear(
            dml_field(las, v, fs, None), fs, Fiber(length_km, attenuation_db_per_km=0.0)
        )
        spec = np.abs(np.fft.rfft(np.abs(e[2 * m : 3 * m]) ** 2))
        fund, im3 = spec[bin_(f0 - df / 2)], spec[bin_(f0 - 3 * df / 2)]
        p_tone = a * a / (2 * las.input_impedance_ohm)
        iip3 = 10 * math.log10(p_tone * 1e3) + 0.5 * 20 * math.log10(fund / im3)
        assert iip3 == pytest.approx(ref, abs=0.5), frac


def _langevin_rin(las, lengths, n=1 << 18, fs=64e9, seed=1):
    """Plain NumPy: linearised Langevin N, S, phi, field, dispersion, detected RIN at 3.5 GHz."""
    rc = _rate_constants(las)
    nb, sb = rc.n_bias, rc.s_bias
    a11, a12, a21, a22 = jacobian(
        nb, sb, rc.tau_p_s, rc.tau_n_s, rc.beta, rc.g_n_per_s, rc.n0, rc.epsilon
    )
    rsp = rc.beta * nb / rc.tau_n_s
    d = np.array(
        [[2 * rsp * sb + 2 * nb / rc.tau_n_s, -2 * rsp * sb], [-2 * rsp * sb, 2 * rsp * sb]]
    )
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((3, n)) * math.sqrt(fs)
    forces = np.fft.fft(np.linalg.cholesky(d) @ z[:2], axis=1)
    f_phi = np.fft.fft(math.sqrt(rsp / (2 * sb)) * z[2])
    w = 2 * np.pi * np.fft.fftfreq(n, 1 / fs)
    w[0] = 1.0
    jw = 1j * w
    det = (jw - a11) * (jw - a22) - a12 * a21
    dn = ((jw - a22) * forces[0] + a12 * forces[1]) / det
    ds = (a21 * forces[0] + (jw - a11) * forces[1]) / det
    dphi = (-0.5 * rc.alpha * rc.g_n_per_s * dn + f_phi) / jw
    dn[0] = ds[0] = dphi[0] = 0.0
    e = np.sqrt(sb + np.fft.ifft(ds).real) * np.exp(1j * np.fft.ifft(dphi).real)
    b2 = beta2_s2_per_m(17.0, las.wavelength_nm)
    out = []
    for length in lengths:
        eo = np.fft.ifft(np.fft.fft(e) * np.exp(0.5j * b2 * length * 1e3 * w * w))
        x = np.abs(eo) ** 2
        x = x / x.mean() - 1.0
        seg = np.fft.rfft(x.reshape(16, -1), axis=1)
        psd = np.mean(np.abs(seg) ** 2, axis=0) * 2 / (fs * x.size / 16)
        fr = np.fft.rfftfreq(x.size // 16, 1 / fs)
        out.append(psd[(fr > 3.2e9) & (fr < 3.8e9)].mean())
    return np.array(out)


def test_dml_rin_behind_fiber_matches_a_langevin_simulation():
    las = DirectLaser()
    sim = _langevin_rin(las, LENGTHS)
    theta = theta_per_hz2(LENGTHS, 17.0, las.wavelength_nm) * 3.5e9**2
    closed = 10 * np.log10(las.rin_dispersion_factor(3.5e9, theta))
    np.testing.assert_allclose(10 * np.log10(sim / sim[0]), closed, atol=0.6)
    assert closed[1] < -3.0 and closed[3] > 10.0  # fades at 10 km, grows at 40 km


def test_budget_uses_the_static_curve_where_the_rate_equations_cannot_reach():
    from rof.link import RoFLink
    from rof.photonics import Photodiode

    las = DirectLaser(relaxation_frequency_hz=1e12)
    assert not las.has_rate_model()
    b = RoFLink(las, Fiber(0.0), Photodiode()).budget(1e9, 0.0)
    assert math.isinf(b.iip3_dbm)


class _SampledMzm:
    """A chirp-free MZM seen only through its sampled field (no closed form)."""

    def __init__(self, extinction_ratio_db):
        from rof.photonics import CWLaser, MachZehnderModulator

        self.mzm = MachZehnderModulator(
            CWLaser(power_dbm=16.0),
            extinction_ratio_db=extinction_ratio_db,
            bandwidth_hz=1e15,  # the budget applies the electrode ahead; none here
        )
        self.wavelength_nm = self.mzm.wavelength_nm
        self.input_impedance_ohm = self.mzm.input_impedance_ohm

    def tone_field(self, rf_hz, amplitudes_v, points):
        from rof.photonics.timedomain import mzm_field

        t = np.arange(points) / points
        drive = np.cos(2 * np.pi * t)
        rows = [mzm_field(self.mzm, a * drive, rf_hz * points) for a in amplitudes_v]
        return np.array(rows), np.zeros(len(rows))

    def slope_w_per_v(self, rf_hz):
        return abs(self.mzm.taylor_w_per_vn()[0]) * np.ones_like(np.asarray(rf_hz, dtype=float))

    def small_signal(self):
        """The MZM's contract with the sampled field as its describing function."""
        return dataclasses.replace(
            self.mzm.small_signal(),
            slope_w_per_v=self.slope_w_per_v,
            drive_response=None,
            distortion="link_tone",
            tone_field=self.tone_field,
        )


@pytest.mark.parametrize(("er_db", "rtol"), [(80.0, 1e-5), (20.0, 0.05)])
def test_chirp_free_mzm_behind_fiber_is_the_back_to_back_link_at_a_smaller_drive(er_db, rtol):
    # Sampled field, FFT dispersion and square law against the Bessel identity
    # F(A, theta) = F_0(A cos theta) (exact at infinite extinction; O(eps^-1/2) otherwise).
    tx = _SampledMzm(er_db)
    f, lengths = 28e9, np.array([0.0, 0.5, 1.0, 2.0, 3.0, 4.0])  # first null at 4.68 km
    amps = np.array([0.05, 1.0, 2.0, 3.0, 4.0])  # J_1 of the fundamental is 0 at 4.27 V
    c1 = tone_response(tx.small_signal(), f, amps, lengths, dispersion=17.0, points=128)
    cos_t = np.cos(theta_per_hz2(lengths, 17.0, tx.wavelength_nm) * f * f)
    ref = tx.mzm.envelope_response_w(amps[None, :] * cos_t[:, None])
    np.testing.assert_allclose(np.abs(c1), np.abs(ref), rtol=rtol, atol=1e-9 * np.abs(ref).max())
    # Dispersion is not a fading of the back-to-back response: the ratio moves with drive.
    ratio = np.abs(c1[3] / c1[0])
    assert ratio[3] > ratio[0] + 0.05


@pytest.mark.parametrize(("er_db", "max_km", "rtol"), [(80.0, 4.0, 1e-3), (30.0, 3.0, 0.06)])
def test_mzm_budget_distortion_behind_fiber_matches_the_sampled_describing_function(
    er_db, max_km, rtol
):
    # The budget's cos^2(theta) drive scaling against the general path: the sampled
    # field's describing function through the complex-Gaussian expansion. At 30 dB the
    # field model's O(eps^-1/2) departure grows towards the null (4.68 km): 3 km only.
    tx = _SampledMzm(er_db)
    f, lengths = 28e9, np.linspace(0.0, max_km, 5)
    p_w = 1e-3 * 10 ** (np.array([0.0, 5.0, 10.0]) / 10)
    length, p = np.meshgrid(lengths, p_w, indexing="ij")
    comp_g, isd_g = link_distortion(tx.small_signal(), Fiber(0.0), f, p, length)
    theta_l = theta_per_hz2(length, 17.0, tx.wavelength_nm)
    for engine in ("numba", "numpy"):
        comp, isd, cos2_db = dispersed_drive_distortion(
            tx.mzm.small_signal(), p, theta_l, f, engine=engine
        )
        np.testing.assert_allclose(isd, isd_g, rtol=rtol)
        np.testing.assert_allclose(comp, comp_g, rtol=2e-3)
        np.testing.assert_allclose(cos2_db, 10 * np.log10(np.cos(theta_l * f * f) ** 2), atol=1e-9)
    # Behind fiber the distortion is well below the back-to-back figure that scaling it
    # with the faded signal would keep.
    assert np.all(isd_g[-1] < 0.6 * isd_g[0])
