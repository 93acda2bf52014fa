"""Waveguide, coupler, MZI, phase shifter, grating coupler and Ge photodiode."""

import math

import numpy as np
import pytest
from scipy import constants

from rof.errors import RofError
from rof.photonics import Photodiode
from rof.photonics.siph import (
    MZI,
    DirectionalCoupler,
    GePhotodiode,
    GratingCoupler,
    PhaseShifter,
    Waveguide,
)


def unitary_error(s):
    shs = np.conj(np.swapaxes(s, 1, 2)) @ s
    return np.abs(shs - np.eye(s.shape[1])).max()


def test_waveguide_loss_and_group_delay():
    wg = Waveguide(length_um=5000.0, n_eff=2.4, n_g=4.2, loss_db_per_cm=2.0)
    t = wg.transmission(1550.0)
    assert abs(10 * np.log10(abs(t[0]) ** 2) + 1.0) < 1e-12  # 2 dB/cm x 0.5 cm
    # group delay d(phase)/d(omega) = n_g L / c at the reference wavelength
    dl = 1e-4
    wl = np.array([1550.0 - dl, 1550.0 + dl])
    ph = np.unwrap(np.angle(wg.transmission(wl)))
    omega = 2 * np.pi * constants.c / (wl * 1e-9)
    tau = (ph[1] - ph[0]) / (omega[1] - omega[0])
    assert abs(abs(tau) - 4.2 * 5000e-6 / constants.c) / (4.2 * 5000e-6 / constants.c) < 1e-6


def test_coupler_of_length_lc_transfers_all_power():
    dc = DirectionalCoupler(length_um=15.0, coupling_length_um=15.0)
    s = dc.s_matrix(1550.0)[0]
    assert abs(abs(s[3, 0]) ** 2 - 1.0) < 1e-12  # in1 -> out2 (cross)
    assert abs(s[2, 0]) ** 2 < 1e-12
    half = DirectionalCoupler(length_um=7.5, coupling_length_um=15.0)
    assert abs(half.kappa2(1550.0)[0] - 0.5) < 1e-12


def test_coupler_wavelength_dependence_and_unitarity():
    dc = DirectionalCoupler(length_um=10.0, coupling_length_um=15.0, delta_n_slope_per_um=0.02)
    wl = np.linspace(1500.0, 1600.0, 101)
    dn = 1.55 / 30.0 + 0.02 * (wl * 1e-3 - 1.55)
    lc = wl * 1e-3 / (2 * dn)
    np.testing.assert_allclose(dc.coupling_length_at(wl), lc, rtol=1e-12)
    np.testing.assert_allclose(dc.kappa2(wl), np.sin(np.pi * 10.0 / (2 * lc)) ** 2, rtol=1e-12)
    assert unitary_error(dc.s_matrix(wl)) < 1e-12
    lossy = DirectionalCoupler(power_coupling=0.3, excess_loss_db=0.5)
    s = lossy.s_matrix(wl)
    np.testing.assert_allclose(
        np.abs(s[:, 2, 0]) ** 2 + np.abs(s[:, 3, 0]) ** 2, 10 ** (-0.05), rtol=1e-12
    )


def test_coupler_needs_exactly_one_form():
    with pytest.raises(RofError, match="exactly one"):
        DirectionalCoupler()
    with pytest.raises(RofError, match="exactly one"):
        DirectionalCoupler(length_um=1.0, coupling_length_um=2.0, power_coupling=0.5)
    with pytest.raises(RofError, match=r"DirectionalCoupler.power_coupling = 1.5"):
        DirectionalCoupler(power_coupling=1.5)


def test_mzi_cross_port_is_cos_squared_of_half_phase_difference():
    phases = np.linspace(0, 2 * np.pi, 37)
    cross = [
        abs(MZI(loss_db_per_cm=0.0, phase_rad=p).s_matrix(1550.0)[0, 3, 0]) ** 2 for p in phases
    ]
    np.testing.assert_allclose(cross, np.cos(phases / 2) ** 2, atol=1e-12)
    # unbalanced arms: delta phase from the test's own dispersion model
    mzi = MZI(loss_db_per_cm=0.0, delta_length_um=20.0)
    wl = np.linspace(1540, 1560, 2001)
    n = 2.4 - (4.2 - 2.4) * (wl - 1550.0) / 1550.0
    dphi = 2 * np.pi * n * 20e-6 / (wl * 1e-9)
    s = mzi.s_matrix(wl)
    np.testing.assert_allclose(np.abs(s[:, 3, 0]) ** 2, np.cos(dphi / 2) ** 2, atol=1e-9)
    np.testing.assert_allclose(np.abs(s[:, 2, 0]) ** 2, np.sin(dphi / 2) ** 2, atol=1e-9)
    assert unitary_error(s) < 1e-9


def test_phase_shifters():
    th = PhaseShifter(kind="thermal", p_pi_mw=20.0)
    assert th.phase_rad(20.0) == pytest.approx(math.pi)
    dep = PhaseShifter(
        kind="depletion", length_um=2000.0, v_pi_l_v_cm=2.0, doping_loss_db_per_cm=10
    )
    assert dep.phase_rad(10.0) == pytest.approx(math.pi)  # V_pi = 2 V cm / 0.2 cm
    assert dep.loss_db == pytest.approx(2.0)
    mzi = MZI(loss_db_per_cm=0.0, phase_shifter=th, drive=10.0)  # pi/2
    assert abs(mzi.s_matrix(1550.0)[0, 3, 0]) ** 2 == pytest.approx(0.5, abs=1e-12)
    with pytest.raises(RofError, match=r"PhaseShifter.kind"):
        PhaseShifter(kind="plasma")


def test_grating_coupler_gaussian_shape():
    gc = GratingCoupler(
        peak_loss_db=3.0, center_wavelength_nm=1550.0, bandwidth_nm=40.0, bandwidth_level_db=3.0
    )
    assert gc.loss_db(1550.0)[0] == pytest.approx(3.0)
    np.testing.assert_allclose(gc.loss_db([1530.0, 1570.0]), 6.0)
    wl = np.linspace(1500, 1600, 101)
    eta = np.abs(gc.s_matrix(wl)[:, 1, 0]) ** 2
    gauss = 10**-0.3 * np.exp(-((wl - 1550.0) ** 2) / (2 * gc.sigma_nm**2))
    np.testing.assert_allclose(eta, gauss, rtol=1e-12)
    with pytest.raises(RofError, match=r"GratingCoupler.bandwidth_nm"):
        GratingCoupler(bandwidth_nm=0.0)


def test_ge_photodiode_is_a_link_photodiode_and_follows_device_physics():
    pd = GePhotodiode.from_device(
        quantum_efficiency=1.0,
        wavelength_nm=1550.0,
        intrinsic_width_um=1.0,
        capacitance_ff=20.0,
        series_ohm=0.0,
        load_ohm=50.0,
        saturation_velocity_m_per_s=6e4,
    )
    assert isinstance(pd, Photodiode)
    # R = q lambda / (h c) = lambda[um] / 1.23984 A/W for unit quantum efficiency
    assert pd.responsivity_a_per_w == pytest.approx(1.55 / 1.239842, rel=1e-5)
    f_t = 0.45 * 6e4 / 1e-6
    f_rc = 1 / (2 * np.pi * 50 * 20e-15)
    assert pd.bandwidth_hz == pytest.approx((f_t**-2 + f_rc**-2) ** -0.5, rel=1e-12)
    with pytest.raises(RofError, match="quantum_efficiency"):
        GePhotodiode.from_device(quantum_efficiency=1.5)
