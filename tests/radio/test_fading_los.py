"""LOS-aware small-scale fading (issue 16 item 4): each link follows its own LOS state;
envelope statistics against the Rician closed form (moment estimate of K)."""

import numpy as np
import pytest

from rof.errors import RofError
from rof.radio.fading import FadingProcess
from rof.radio.tdl import median_delay_spread_s, tdl_profile


def _k_from_moments(p):
    """Moment estimate of the Rician K from the power P = |h|^2 (Greenstein, Michelson
    and Erceg, IEEE Commun. Lett. 3(6), 1999): with G_a = E[P], G_v = var(P),
    K = sqrt(G_a^2 - G_v) / (G_a - sqrt(G_a^2 - G_v))."""
    ga, gv = np.mean(p), np.var(p)
    root = np.sqrt(max(ga * ga - gv, 0.0))
    return root / (ga - root)


def _process(model, los, **kw):
    n_ue, k = los.shape
    return FadingProcess(
        n_ue, k, 24, model=model, doppler_hz=30.0, rng=np.random.default_rng(4), los=los, **kw
    )


def test_rician_on_los_links_rayleigh_on_nlos_links():
    rng = np.random.default_rng(0)
    los = rng.random((20_000, 4)) < 0.6
    fp = _process("rician", los, rician_k_db=9.0)
    p = fp.sample(0.0)[..., 0].astype(float)
    assert _k_from_moments(p[los]) == pytest.approx(10**0.9, rel=0.06)
    assert np.mean(p[los]) == pytest.approx(1.0, abs=0.01)
    assert np.mean(p[~los]) == pytest.approx(1.0, abs=0.02)
    # Rayleigh: P exponential, var = mean^2
    assert np.var(p[~los]) == pytest.approx(1.0, rel=0.05)


def test_tdl_los_links_follow_tdl_d_nlos_links_tdl_c():
    rng = np.random.default_rng(1)
    los = rng.random((12_000, 3)) < 0.5
    fp = _process("tdl", los, delay_profile="TDL-C", delay_profile_los="TDL-D")
    p = fp.sample(0.0).astype(float)
    lp = tdl_profile("TDL-D", 100e-9).los_power
    k_nb = lp / (1.0 - lp)  # narrowband K on one RB: specular over all diffuse taps
    assert _k_from_moments(p[los][:, 5]) == pytest.approx(k_nb, rel=0.08)
    nl = p[~los][:, 5]
    assert np.var(nl) / np.mean(nl) ** 2 == pytest.approx(1.0, rel=0.06)  # Rayleigh
    np.testing.assert_allclose(p.mean(axis=(0, 1)), 1.0, atol=0.03)
    # the NumPy reference agrees with the kernel
    np.testing.assert_allclose(fp.sample_reference(0.01)[:50], fp.sample(0.01)[:50], rtol=2e-4)


def test_los_given_without_effect_on_flat_rayleigh_and_none():
    los = np.ones((10, 2), bool)
    assert _process("none", los).sample(0.0).max() == 1.0
    p = _process("rayleigh", los).sample(0.0)
    assert p.shape == (10, 2, 24)


def test_bad_los_mask_is_refused():
    with pytest.raises(RofError, match=r"FadingProcess\.los"):
        FadingProcess(3, 2, 4, model="rician", rng=np.random.default_rng(0), los=np.ones((2, 2)))


def test_median_delay_spread_matches_table_7_5_6():
    # UMa NLOS at 6 GHz: lgDS = -6.28 - 0.204 log10(6); UMi LOS at 3.5 GHz: -7.14 - 0.24 lg 4.5
    assert median_delay_spread_s("UMa", False, 6.0) == pytest.approx(
        10 ** (-6.28 - 0.204 * np.log10(6.0))
    )
    assert median_delay_spread_s("UMa", False, 2.0) == median_delay_spread_s("UMa", False, 6.0)
    assert median_delay_spread_s("UMi", True, 3.5) == pytest.approx(
        10 ** (-7.14 - 0.24 * np.log10(4.5))
    )
    assert median_delay_spread_s("UMa", True, 6.0) < median_delay_spread_s("UMa", False, 6.0)


def test_skipping_the_other_states_rows_changes_no_bit():
    """The kernel skips each link's all-zero rows (the other LOS state's processes): the
    gains equal those of the same kernel told to sum every row, bit for bit, and match
    the plain-NumPy reference."""
    from rof.radio.kernels_fading import fading_gain_kernel

    rng = np.random.default_rng(11)
    los = rng.random((30, 6)) < 0.4
    fp = FadingProcess(30, 6, 24, model="tdl", doppler_hz=12.0, rng=rng, los=los,
                       delay_profile="TDL-C", delay_profile_los="TDL-D")  # fmt: skip
    r_los = int(fp._p_hi[los].max())  # rows of the LOS basis: LOS links 0 .. r_los
    assert r_los % 4 and r_los < fp.rank  # NLOS rows start inside a group of four
    assert np.all(fp._p_hi[los] == r_los) and np.all(fp._p_lo[los] == 0)
    assert np.all(fp._p_lo[~los] == r_los) and np.all(fp._p_hi[~los] == fp.rank)
    every = (np.zeros_like(fp._p_lo), np.full_like(fp._p_hi, fp.rank))
    for t in (0.0, 0.0137, 0.5):
        ph = fp._w * t
        z = (np.cos(ph).astype(np.float32), np.sin(ph).astype(np.float32))
        fixed = (fp._g_re, fp._g_im, fp._b_re, fp._b_im, fp._los_amp, fp._los_w, fp._los_phi)
        full = fading_gain_kernel(*z, *fixed, *every, t, np.empty_like(fp._out))
        np.testing.assert_array_equal(fp.sample(t), full)
        np.testing.assert_allclose(fp.sample(t), fp.sample_reference(t), rtol=2e-4, atol=1e-5)
