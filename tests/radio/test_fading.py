"""Small-scale fading: Clarke/Jakes time correlation, Rician K, TDL frequency correlation."""

import numpy as np
import pytest
from scipy.special import j0

from rof.errors import RofError
from rof.radio.fading import FadingProcess, doppler_hz
from rof.radio.tdl import frequency_correlation, rb_frequencies_hz, tdl_profile


def _proc(model="rayleigh", n_ue=2000, k=4, n_rb=1, seed=0, **kw):
    kw.setdefault("doppler_hz", 50.0)
    kw.setdefault("tti_s", 1e-3)
    return FadingProcess(n_ue, k, n_rb, model=model, rng=np.random.default_rng(seed), **kw)


def test_doppler_from_speed():
    # 30 km/h at 3.5 GHz: v f_c / c = 8.333 * 3.5e9 / 299792458 = 97.29 Hz
    assert float(doppler_hz(30 / 3.6, 3.5e9)) == pytest.approx(97.29, abs=0.01)


@pytest.mark.parametrize("model", ["none", "rayleigh", "rician", "tdl"])
def test_shape_dtype_and_unit_mean(model):
    fp = _proc(model, n_ue=1000, k=4, n_rb=12, rb_bandwidth_hz=360e3)
    g = np.stack([fp.step() for _ in range(5)])
    assert g.shape == (5, 1000, 4, 12) and g.dtype == np.float32
    # 4000 links x 5 times (correlated in time): std of the mean <= ~1/sqrt(4000) = 0.016
    assert g.mean() == pytest.approx(1.0, abs=0.05)
    assert fp.time_s == pytest.approx(5e-3)


@pytest.mark.parametrize("model", ["rayleigh", "rician", "tdl"])
def test_kernel_equals_numpy_reference(model):
    fp = _proc(model, n_ue=50, k=3, n_rb=20, rb_bandwidth_hz=360e3, delay_profile="TDL-E")
    for t in (0.0, 0.0137, 1.5):
        np.testing.assert_allclose(fp.sample(t), fp.sample_reference(t), rtol=2e-4, atol=2e-5)
        np.testing.assert_allclose(
            fp.sample(t), np.abs(fp.complex_gain(t)) ** 2, rtol=2e-4, atol=2e-5
        )


@pytest.mark.parametrize(
    ("model", "extra"),
    [
        ("rayleigh", {}),
        ("rician", {"rician_k_db": 9.0}),
        ("tdl", {"n_rb": 6, "delay_profile": "TDL-C", "rb_bandwidth_hz": 360e3}),
        ("tdl", {"n_rb": 6, "delay_profile": "TDL-D", "rb_bandwidth_hz": 360e3}),
    ],
)
def test_complex_autocorrelation_is_j0(model, extra):
    # Clarke's model: E[h(t + tau) h*(t)] = J0(2 pi f_d tau) on every RB; with a specular
    # part of uniform arrival angle the ensemble average of exp(j 2 pi f_d cos(theta) tau) is
    # J0 too. 8000 links per estimate, std ~ 1/sqrt(8000) = 0.011; tolerance 0.045 (4 sigma).
    fd = 40.0
    fp = _proc(model, n_ue=2000, k=4, doppler_hz=fd, **extra)
    lags = np.arange(0.0, 0.05, 2.5e-3)  # spans > 4 zeros of J0 (2 pi f_d tau up to 12.6)
    t0 = 0.3
    h0 = fp.complex_gain(t0).reshape(-1, fp.n_rb)
    for tau in lags:
        h1 = fp.complex_gain(t0 + tau).reshape(-1, fp.n_rb)
        for b in {0, fp.n_rb - 1}:
            rho = np.mean(h1[:, b] * np.conj(h0[:, b]))
            assert rho.real == pytest.approx(j0(2 * np.pi * fd * tau), abs=0.045)
            assert abs(rho.imag) < 0.045


def test_power_autocovariance_is_j0_squared():
    # For a complex Gaussian process, cov(|h(t)|^2, |h(t + tau)|^2) = |rho(tau)|^2 = J0^2.
    fd = 25.0
    fp = _proc("rayleigh", n_ue=4000, k=4, doppler_hz=fd, tti_s=2e-3)
    g = np.stack([fp.step()[..., 0].ravel() for _ in range(15)]).astype(float)
    for lag in (0, 2, 5, 9):
        c = np.mean((g[lag:] - 1.0) * (g[: g.shape[0] - lag] - 1.0))
        assert c == pytest.approx(j0(2 * np.pi * fd * lag * 2e-3) ** 2, abs=0.06)


def test_rayleigh_power_is_exponential():
    fp = _proc("rayleigh", n_ue=5000, k=4)
    p = fp.step()[..., 0].ravel()
    for x in (0.1, 0.5, 1.0, 2.0, 4.0):
        assert np.mean(p < x) == pytest.approx(1 - np.exp(-x), abs=0.015)


def _k_moments(p):
    """Greenstein, Michelson & Erceg (1999) moment estimator of the Rician K factor."""
    ga = p.mean()
    gv = p.std()
    root = np.sqrt(ga**2 - gv**2)
    return root / (ga - root)


@pytest.mark.parametrize("k_db", [3.0, 9.0, 15.0])
def test_rician_k_recovered(k_db):
    fp = _proc("rician", n_ue=5000, k=4, rician_k_db=k_db)
    p = np.concatenate([fp.step()[..., 0].ravel() for _ in range(3)]).astype(float)
    assert 10 * np.log10(_k_moments(p)) == pytest.approx(k_db, abs=0.5)


def test_tdl_d_narrowband_k_factor():
    # Per RB, the specular part of TDL-D stands against all Rayleigh taps together.
    fp = _proc(
        "tdl",
        n_ue=5000,
        k=4,
        n_rb=3,
        rb_bandwidth_hz=360e3,
        delay_profile="TDL-D",
        delay_spread_s=30e-9,
    )
    prof = tdl_profile("TDL-D", 30e-9)
    k_ref = prof.los_power / prof.powers.sum()
    p = fp.step()[..., 1].ravel().astype(float)
    assert 10 * np.log10(_k_moments(p)) == pytest.approx(10 * np.log10(k_ref), abs=0.5)


@pytest.mark.parametrize("name", ["TDL-A", "TDL-C", "TDL-D"])
def test_tdl_frequency_correlation_matches_closed_form(name):
    n_rb, bw, ds = 24, 360e3, 100e-9
    fp = _proc(
        "tdl", n_ue=3000, k=4, n_rb=n_rb, rb_bandwidth_hz=bw, delay_profile=name, delay_spread_s=ds
    )
    h = fp.complex_gain(0.2).reshape(-1, n_rb)
    prof = tdl_profile(name, ds)  # TDL-D: its specular part is in the closed form too
    f = rb_frequencies_hz(n_rb, bw)
    for b in (1, 3, 8, 20):
        emp = np.mean(h[:, b] * np.conj(h[:, 0]))
        ref = frequency_correlation(prof, f[b] - f[0])
        assert abs(emp - ref) < 0.05, (b, emp, ref)


def test_zero_doppler_is_static_and_broadcast_is_readonly():
    fp = _proc("rician", n_ue=10, k=2, n_rb=5, doppler_hz=0.0)
    a, b = fp.step(), fp.step()
    np.testing.assert_array_equal(a, b)
    assert not a.flags.writeable and np.all(a == a[..., :1])


def test_per_ue_doppler_array():
    fd = np.array([0.0, 200.0])
    fp = FadingProcess(
        2, 200, 1, model="rayleigh", doppler_hz=fd, tti_s=1e-3, rng=np.random.default_rng(5)
    )
    a, b = fp.step(), fp.step()
    np.testing.assert_array_equal(a[0], b[0])
    assert np.mean(np.abs(a[1] - b[1])) > 0.1


def test_bad_inputs():
    rng = np.random.default_rng(0)
    with pytest.raises(RofError, match="model"):
        FadingProcess(2, 2, 2, model="nakagami", rng=rng)
    with pytest.raises(RofError, match="doppler_hz"):
        FadingProcess(2, 2, 2, doppler_hz=[1.0, 2.0, 3.0], rng=rng)
    with pytest.raises(RofError, match="doppler_hz"):
        FadingProcess(2, 2, 2, doppler_hz=-1.0, rng=rng)
    with pytest.raises(RofError, match="n_ue"):
        FadingProcess(0, 2, 2, rng=rng)
    with pytest.raises(RofError, match="rng"):
        FadingProcess(2, 2, 2, rng=None)
    with pytest.raises(RofError, match="delay_profile"):
        FadingProcess(2, 2, 2, model="tdl", delay_profile="EPA", rng=rng)
