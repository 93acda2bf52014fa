"""Microring against Bogaerts et al. (2012) closed forms and numerical spectra."""

import dataclasses
import math

import numpy as np
import pytest

from rof.errors import RofError
from rof.photonics.siph import Microring


def airy_through(wl_nm, radius_um, n_eff, n_g, r1, r2, loss_db_per_cm, lam0=1550.0):
    """Test's own add-drop through port (Bogaerts 2012, sec. 2), no package code."""
    length_m = 2 * np.pi * radius_um * 1e-6
    alpha = loss_db_per_cm * 100 * np.log(10) / 10
    a = np.exp(-alpha * length_m / 2)
    n = n_eff - (n_g - n_eff) * (wl_nm - lam0) / lam0
    phi = 2 * np.pi * n * length_m / (wl_nm * 1e-9)
    c = np.cos(phi)
    return (r2**2 * a**2 - 2 * r1 * r2 * a * c + r1**2) / (
        1 - 2 * r1 * r2 * a * c + (r1 * r2 * a) ** 2
    )


def local_minima(wl, t):
    idx = np.where((t[1:-1] < t[:-2]) & (t[1:-1] <= t[2:]))[0] + 1
    out = []
    for i in idx:  # parabolic refinement
        y0, y1, y2 = t[i - 1], t[i], t[i + 1]
        d = (y0 - y2) / (2 * (y0 - 2 * y1 + y2))
        out.append(wl[i] + d * (wl[1] - wl[0]))
    return np.array(out)


def test_fsr_10um_ring_is_9p10_nm():
    ring = Microring(radius_um=10.0, n_eff=2.4, n_g=4.2, self_coupling=0.95, resonance_nm=1550.0)
    assert abs(ring.fsr_nm - 9.10) / 9.10 < 0.005
    # measured from the spectrum: spacing of the minima around 1550 nm
    wl = np.linspace(1540.0, 1560.0, 400001)
    mins = local_minima(wl, ring.through(wl))
    spacing = np.diff(mins)
    k = np.argmin(np.abs(mins - 1550.0))
    fsr_measured = 0.5 * (spacing[k - 1] + spacing[k])
    assert abs(fsr_measured - 9.10) / 9.10 < 0.005
    assert abs(mins[k] - 1550.0) < 1e-4  # resonance placed by the mode order


def test_through_matches_independent_airy_formula():
    kw = dict(radius_um=7.0, n_eff=2.35, n_g=4.3, loss_db_per_cm=3.0)
    ring = Microring(self_coupling=0.93, drop_coupling=0.97, **kw)
    wl = np.linspace(1530, 1570, 5001)
    ref = airy_through(wl, r1=0.93, r2=0.97, **kw)
    np.testing.assert_allclose(ring.through(wl), ref, rtol=1e-9, atol=1e-12)
    # and the S-matrix entry agrees with the power form
    s = ring.s_matrix(wl)
    np.testing.assert_allclose(np.abs(s[:, 1, 0]) ** 2, ref, rtol=1e-10, atol=1e-14)


def test_critical_coupling_gives_through_null():
    base = Microring(
        radius_um=10.0,
        n_eff=2.4,
        n_g=4.2,
        self_coupling=0.9,
        loss_db_per_cm=3.0,
        resonance_nm=1550.0,
    )
    a = base.round_trip_amplitude
    ring = dataclasses.replace(base, self_coupling=a)
    wl = np.linspace(1549.5, 1550.5, 200001)
    t_db = 10 * np.log10(np.maximum(ring.through(wl), 1e-300))
    assert t_db.min() < -40.0
    assert math.isinf(ring.extinction_db)


@pytest.mark.parametrize(
    ("r1", "r2", "loss"), [(0.95, None, 2.0), (0.97, 0.97, 2.0), (0.9, 0.98, 5.0)]
)
def test_loaded_q_and_extinction_against_spectrum(r1, r2, loss):
    ring = Microring(
        radius_um=10.0,
        n_eff=2.4,
        n_g=4.2,
        self_coupling=r1,
        drop_coupling=r2,
        loss_db_per_cm=loss,
        resonance_nm=1550.0,
    )
    lam = ring.resonance_wavelength_nm
    wl = np.linspace(lam - 1.0, lam + 1.0, 400001)
    dip = 1.0 - ring.through(wl)
    above = wl[dip >= dip.max() / 2]
    fwhm = above[-1] - above[0]
    # closed form (Bogaerts 2012 sec. 2 FWHM and Q), written here independently
    length_nm = 2 * np.pi * 10.0 * 1e3
    a = math.exp(-0.5 * loss * 100 * math.log(10) / 10 * length_nm * 1e-9)
    x = r1 * (1.0 if r2 is None else r2) * a
    fwhm_cf = (1 - x) * lam**2 / (math.pi * 4.2 * length_nm * math.sqrt(x))
    assert abs(fwhm - fwhm_cf) / fwhm_cf < 3e-3  # Lorentzian vs Airy width
    assert abs(ring.loaded_q - lam / fwhm_cf) / (lam / fwhm_cf) < 1e-9
    assert abs(ring.loaded_q - lam / fwhm) / ring.loaded_q < 3e-3
    # extinction: max over one FSR / min at resonance
    wl2 = np.linspace(lam - ring.fsr_nm / 2, lam + ring.fsr_nm / 2, 400001)
    t = ring.through(wl2)
    assert abs(ring.extinction_db - 10 * np.log10(t.max() / t.min())) < 0.01


def test_lossless_add_drop_through_plus_drop_is_one_and_unitary():
    ring = Microring(
        radius_um=5.0, n_eff=2.4, n_g=4.2, self_coupling=0.9, drop_coupling=0.85, loss_db_per_cm=0.0
    )
    wl = np.linspace(1500, 1600, 20001)
    np.testing.assert_allclose(ring.through(wl) + ring.drop(wl), 1.0, atol=1e-12)
    s = ring.s_matrix(wl)
    shs = np.conj(np.swapaxes(s, 1, 2)) @ s
    np.testing.assert_allclose(shs, np.broadcast_to(np.eye(4), shs.shape), atol=1e-9)


def test_lossy_ring_never_gains():
    ring = Microring(
        radius_um=5.0, n_eff=2.4, n_g=4.2, self_coupling=0.9, drop_coupling=0.85, loss_db_per_cm=4.0
    )
    s = ring.s_matrix(np.linspace(1500, 1600, 5001))
    sv = np.linalg.svd(s, compute_uv=False)
    assert sv.max() <= 1.0 + 1e-12


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("self_coupling", 1.0, "< 1"),
        ("self_coupling", 0.0, "> 0"),
        ("self_coupling", 1.3, "< 1"),
        ("drop_coupling", -0.2, "> 0"),
        ("radius_um", -5.0, "> 0"),
        ("loss_db_per_cm", -1.0, ">= 0"),
    ],
)
def test_bad_parameters_name_field_value_and_range(field, value, allowed):
    kw = dict(radius_um=10.0, n_eff=2.4, n_g=4.2, self_coupling=0.9)
    kw[field] = value
    with pytest.raises(RofError) as exc:
        Microring(**kw)
    msg = str(exc.value)
    assert f"Microring.{field}" in msg and allowed in msg and "allowed" in msg


def test_drop_of_all_pass_ring_is_an_error():
    ring = Microring(radius_um=10.0, n_eff=2.4, n_g=4.2, self_coupling=0.9)
    with pytest.raises(RofError, match="drop_coupling"):
        ring.drop(1550.0)
