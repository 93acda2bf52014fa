"""RoFLink.budget: gain scaling laws, noise terms, NF, EVM and bad input.

Independent references: Cox, *Analog Optical Links* (2004) intrinsic gain of a
resistively matched MZM / DML link with a matched photodiode, g = (s T r)^2 R_S R_L / 4;
the thermal-limited NF 2 + 1/g of a resistively matched link; 2 q I shot noise and
RIN I^2 into R_L / 4; Olsson's (1989) beat-noise densities.
"""

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rof.errors import RofError
from rof.link import RoFLink
from rof.photonics import EDFA, CWLaser, DirectLaser, Fiber, MachZehnderModulator, Photodiode
from rof.photonics.fiber import theta_per_hz2

K_B = 1.380649e-23
Q = 1.602176634e-19
DB2 = 20 * math.log10(2)  # 6.0206 dB
C_LIGHT = 299_792_458.0


def _link(power_dbm=13.0, v_pi=3.5, length_km=10.0, amp=None, **kw):
    mzm = MachZehnderModulator(CWLaser(power_dbm=power_dbm), v_pi_v=v_pi, bandwidth_hz=1e15)
    return RoFLink(mzm, Fiber(length_km), Photodiode(bandwidth_hz=1e15, **kw), amp)


def test_intrinsic_gain_matches_cox_closed_form():
    link = _link(power_dbm=13.0, v_pi=4.0, length_km=0.0)
    p_i = 10**1.3 * 1e-3
    t_mzm = 10 ** (-0.5)
    eta = (1000 - 1) / (1000 + 1)
    slope = p_i * t_mzm * eta * math.pi / (2 * 4.0)  # W/V at quadrature
    g = (slope * 0.8) ** 2 * 50 * 50 / 4
    assert link.budget(1e6).gain_db == pytest.approx(10 * math.log10(g), abs=1e-9)
    dml = RoFLink(
        DirectLaser(relaxation_frequency_hz=1e12), Fiber(0.0), Photodiode(bandwidth_hz=1e15)
    )
    assert dml.budget(1e6).gain_db == pytest.approx(10 * math.log10((0.3 * 0.8) ** 2 / 4), abs=1e-6)


def test_gain_scales_with_optical_power_vpi_and_loss():
    base = _link().budget(3.5e9).gain_db
    # twice the optical power at the detector: +6.02 dB
    assert _link(power_dbm=13.0 + 10 * math.log10(2)).budget(3.5e9).gain_db - base == pytest.approx(
        DB2, abs=1e-9
    )
    # twice V_pi: -6.02 dB
    assert _link(v_pi=7.0).budget(3.5e9).gain_db - base == pytest.approx(-DB2, abs=1e-9)
    # 1 dB more optical loss: -2 dB RF (also behind an EDFA)
    for amp in (None, EDFA(gain_db=10.0)):
        link = _link(amp=amp)
        g0 = link.budget(3.5e9).gain_db
        lossy = RoFLink(link.transmitter, link.fiber, link.detector, amp, optical_loss_db=1.0)
        assert lossy.budget(3.5e9).gain_db - g0 == pytest.approx(-2.0, abs=1e-9)
    # via fiber attenuation, once fading is removed
    link = _link()
    g = link.budget(1e6, length_km=[0.0, 5.0]).gain_db
    assert g[1] - g[0] == pytest.approx(-2.0, abs=1e-6)


def test_thermal_limited_noise_figure_is_passive_link_closed_form():
    # weak light, no RIN, no dark current: only source, termination and load noise
    mzm = MachZehnderModulator(CWLaser(power_dbm=-20.0, rin_db_per_hz=-200.0), bandwidth_hz=1e15)
    pd = Photodiode(dark_current_a=0.0, bandwidth_hz=1e15)
    b = RoFLink(mzm, Fiber(0.0), pd).budget(1e6)
    g = 10 ** (b.gain_db / 10)
    # resistively matched link at T0: N_out = k T0 (1 + 2 g)  ->  NF = 2 + 1/g (Cox 2004, ch. 5)
    assert b.noise_figure_db == pytest.approx(10 * math.log10(2 + 1 / g), abs=0.01)
    assert b.thermal_noise_dbm_hz == pytest.approx(10 * math.log10(K_B * 290 * 1e3), abs=1e-9)


def test_shot_and_rin_scale_with_photocurrent():
    b1 = _link(power_dbm=10.0).budget(3.5e9)
    b2 = _link(power_dbm=10.0 + 10 * math.log10(2)).budget(3.5e9)
    assert b2.photocurrent_a / b1.photocurrent_a == pytest.approx(2.0)
    assert b2.shot_noise_dbm_hz - b1.shot_noise_dbm_hz == pytest.approx(
        10 * math.log10(2), abs=1e-9
    )
    assert b2.rin_noise_dbm_hz - b1.rin_noise_dbm_hz == pytest.approx(DB2, abs=1e-9)
    # absolute values: 2 q I and RIN I^2, a quarter into the matched load
    i = b1.photocurrent_a
    assert b1.shot_noise_dbm_hz == pytest.approx(
        10 * math.log10(2 * Q * i * 50 / 4 * 1e3), abs=1e-9
    )
    # Laser noise at 10 km, 3.5 GHz: the RIN fades like a chirp-free modulation,
    # cos^2(theta), and the 1 MHz Lorentzian linewidth converts to intensity noise
    # 4 sin^2(theta) dnu / (pi f^2) (Wang & Petermann 1992; theta = pi L D lam^2 f^2 / c).
    theta = math.pi * 10e3 * 17e-6 * 1550e-9**2 * 3.5e9**2 / 299_792_458.0
    rin = 10**-15.5 * math.cos(theta) ** 2 + 4 * math.sin(theta) ** 2 * 1e6 / (math.pi * 3.5e9**2)
    assert b1.rin_noise_dbm_hz == pytest.approx(
        10 * math.log10(rin * i * i * 50 / 4 * 1e3), abs=1e-9
    )
    # back to back both factors vanish: the plain RIN I^2 R_L / 4 (Cox 2004, ch. 5)
    b0 = _link(power_dbm=10.0, length_km=0.0).budget(3.5e9)
    i0 = b0.photocurrent_a
    assert b0.rin_noise_dbm_hz == pytest.approx(
        10 * math.log10(10**-15.5 * i0 * i0 * 50 / 4 * 1e3), abs=1e-9
    )


def test_edfa_beat_noise_against_olsson():
    amp = EDFA(gain_db=15.0, noise_figure_db=5.0, optical_bandwidth_hz=50e9)
    b = _link(power_dbm=0.0, amp=amp, length_km=40.0).budget(3.5e9)
    g = 10**1.5
    n_sp = (10**0.5 * g - 1) / (2 * (g - 1))
    rho = n_sp * 6.62607015e-34 * 299_792_458.0 / 1550e-9 * (g - 1)
    p_s = 10 ** (b.received_optical_power_dbm / 10) * 1e-3
    s_sp = 4 * 0.8**2 * p_s * rho * 50 / 4
    sp_sp = 4 * 0.8**2 * rho**2 * (50e9 - 3.5e9) * 50 / 4
    assert b.sig_ase_noise_dbm_hz == pytest.approx(10 * math.log10(s_sp * 1e3), abs=1e-9)
    assert b.ase_ase_noise_dbm_hz == pytest.approx(10 * math.log10(sp_sp * 1e3), abs=1e-9)
    assert b.photocurrent_a == pytest.approx(0.8 * (p_s + 2 * rho * 50e9))


def test_evm_of_noise_only_link_is_inverse_root_snr():
    b = _link().budget(3.5e9, rf_in_dbm=-40.0, bandwidth_hz=[20e6, 100e6, 400e6])
    assert np.all(b.sdr_db > 90)
    np.testing.assert_allclose(b.evm_percent, 100 / np.sqrt(10 ** (b.snr_db / 10)), rtol=1e-6)
    # SNR falls 10 dB per decade of bandwidth
    assert b.snr_db[0] - b.snr_db[1] == pytest.approx(10 * math.log10(5), abs=1e-9)


def test_sndr_and_evm_identity_and_modulation_limits():
    b = _link().budget(3.5e9, rf_in_dbm=np.linspace(-30, 20, 26))
    np.testing.assert_allclose(b.sndr_db, -20 * np.log10(b.evm_percent / 100), atol=1e-9)
    lims = {"QPSK": 17.5, "16QAM": 12.5, "64QAM": 8.0, "256QAM": 3.5}
    for evm, mod in zip(b.evm_percent, b.max_modulation, strict=True):
        ok = [m for m, lim in lims.items() if evm <= lim]
        assert mod == (ok[-1] if ok else "none")


def test_crosstalk_adds_interference_and_photocurrent():
    link = _link()
    xt = RoFLink(link.transmitter, link.fiber, link.detector, crosstalk_ratios=(0.1, 0.05))
    b0, b1 = link.budget(3.5e9, -30.0), xt.budget(3.5e9, -30.0)
    assert b1.sir_db == pytest.approx(-10 * math.log10(0.01 + 0.0025))
    assert b1.photocurrent_a == pytest.approx(b0.photocurrent_a * 1.15)
    inv = 10 ** (-b0.snr_db / 10) * 10 ** ((b1.noise_dbm_hz - b0.noise_dbm_hz) / 10)
    isd = 10 ** (-b1.sdr_db / 10) + b1.terms["sideband_pn_inv_sdr"]  # + sidebands' phase noise
    expected = -10 * math.log10(inv + 0.0125 * (1 + isd) + isd)
    assert b1.sndr_db == pytest.approx(expected, abs=1e-6)


def test_length_override_latency_and_saturation():
    link = _link()
    b = link.budget(3.5e9, length_km=[0.0, 10.0, 20.0])
    np.testing.assert_allclose(b.latency_s, np.array([0, 10e3, 20e3]) * 1.468 / 299_792_458.0)
    np.testing.assert_allclose(np.diff(b.received_optical_power_dbm), -2.0)
    with pytest.raises(RofError, match="saturation_current_a"):
        _link(power_dbm=25.0, length_km=0.0).budget(3.5e9)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"rf_hz": 0.0}, "rf_hz"),
        ({"rf_hz": -1e9}, "rf_hz"),
        ({"rf_hz": float("nan")}, "rf_hz"),
        ({"rf_hz": 1e9, "length_km": -1.0}, "length_km"),
        ({"rf_hz": 1e9, "length_km": float("nan")}, "length_km"),
        ({"rf_hz": 1e9, "bandwidth_hz": 0.0}, "bandwidth_hz"),
        ({"rf_hz": 1e9, "rf_in_dbm": float("inf")}, "rf_in_dbm"),
        ({"rf_hz": 1e9, "engine": "fortran"}, "engine"),
    ],
)
def test_budget_bad_input_names_parameter(kwargs, name):
    with pytest.raises(RofError, match=re.escape(name)):
        _link().budget(**kwargs)


def test_link_bad_components():
    mzm = MachZehnderModulator()
    with pytest.raises(RofError, match=re.escape("RoFLink.transmitter")):
        RoFLink("laser", Fiber(1.0), Photodiode())
    with pytest.raises(RofError, match=re.escape("RoFLink.fiber")):
        RoFLink(mzm, 10.0, Photodiode())
    with pytest.raises(RofError, match=re.escape("RoFLink.optical_loss_db")):
        RoFLink(mzm, Fiber(1.0), Photodiode(), optical_loss_db=-1.0)
    with pytest.raises(RofError, match=re.escape("RoFLink.crosstalk_ratios")):
        RoFLink(mzm, Fiber(1.0), Photodiode(), crosstalk_ratios=(0.1, -0.2))


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 5),
    st.integers(1, 3),
    st.booleans(),
)
def test_fields_broadcast_to_input_shape(n_f, n_l, n_p, scalar_bw):
    f = np.linspace(1e9, 30e9, n_f)[:, None, None]
    length = np.linspace(0, 40, n_l)[None, :, None]
    p = np.linspace(-20, 10, n_p)
    bw = 100e6 if scalar_bw else np.full((1, 1, n_p), 50e6)
    b = _link().budget(f, p, bw, length_km=length)
    shape = (n_f, n_l, n_p)
    for name, value in b.to_dict().items():
        assert np.shape(value) == shape, name


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 100.0), st.floats(0.01, 20.0), st.floats(0.1e9, 30e9))
def test_monotonic_in_length_loss_and_bandwidth(l0, dl, f):
    link = _link()
    b = link.budget(f, -10.0, [10e6, 100e6], length_km=[[l0], [l0 + dl]])
    # more fiber: less light, more delay; wider band: lower SNR
    assert np.all(b.received_optical_power_dbm[1] < b.received_optical_power_dbm[0])
    assert np.all(b.latency_s[1] > b.latency_s[0])
    assert np.all(b.snr_db[:, 1] < b.snr_db[:, 0])
    # fading-free figures fall with length: thermal-limited gain without dispersion
    flat = RoFLink(link.transmitter, Fiber(0.0, dispersion_ps_per_nm_km=0.0), link.detector)
    g = flat.budget(f, length_km=[l0, l0 + dl]).gain_db
    assert g[1] < g[0]


@settings(max_examples=20, deadline=None)
@given(st.floats(-30.0, 14.0), st.floats(0.2, 6.0))
def test_mzm_distortion_grows_with_drive(p_dbm, step_db):
    b = _link().budget(3.5e9, [p_dbm, p_dbm + step_db])
    assert b.sdr_db[1] < b.sdr_db[0]
    # third-order dominated at small drive: about 2 dB SDR per dB of drive
    if p_dbm + step_db < 0:
        assert (b.sdr_db[0] - b.sdr_db[1]) / step_db == pytest.approx(2.0, abs=0.05)


def test_electrode_response_acts_ahead_of_the_sine():
    # The electrode attenuates the drive reaching the sine transfer by
    # |H_e|^2 = 1 / (1 + (f/f_e)^2): the input-referred IIP3 rises by that factor above
    # 4 V_pi^2 / (pi^2 R) (Cox 2004, ch. 6), and at small drive (third order,
    # SDR ~ 1/P^2) the in-band SDR by twice it, while the small-signal gain keeps
    # the |H_e|^2 roll-off.
    f_e, v_pi = 20e9, 3.5
    mzm = MachZehnderModulator(CWLaser(power_dbm=13.0), v_pi_v=v_pi, bandwidth_hz=f_e)
    link = RoFLink(mzm, Fiber(0.0), Photodiode(bandwidth_hz=1e15))
    flat = RoFLink(
        MachZehnderModulator(CWLaser(power_dbm=13.0), v_pi_v=v_pi, bandwidth_hz=1e15),
        Fiber(0.0),
        Photodiode(bandwidth_hz=1e15),
    )
    f = np.array([1e9, 10e9, 28e9])
    h2_db = 10 * np.log10(1 + (f / f_e) ** 2)
    b, b0 = link.budget(f, -20.0), flat.budget(f, -20.0)
    iip3 = 10 * math.log10(4 * v_pi**2 / (math.pi**2 * 50.0) * 1e3)
    np.testing.assert_allclose(b.iip3_dbm, iip3 + h2_db, atol=1e-9)
    np.testing.assert_allclose(link.iip3_dbm(f), iip3 + h2_db, atol=1e-9)
    np.testing.assert_allclose(b.gain_db, b0.gain_db - h2_db, atol=1e-9)
    np.testing.assert_allclose(b.sdr_db - b0.sdr_db, 2 * h2_db, atol=0.01)
    # at any drive: the budget's distortion is that of the flat device at P |H_e|^2
    p = np.array([0.0, 8.0, 12.0])
    for fk, hk in zip(f, h2_db, strict=True):
        np.testing.assert_allclose(
            link.budget(fk, p).sdr_db, flat.budget(fk, p - hk).sdr_db, atol=1e-9
        )


def test_laser_noise_at_a_fading_null_is_converted_phase_noise():
    # At the first chirp-free null (theta = pi/2) the laser's RIN, faded with cos^2,
    # vanishes and the phase noise converts fully: RIN_det = 4 dnu / (pi f^2).
    f = 20e9
    length = C_LIGHT / (2 * 17e-6 * 1550e-9**2 * f**2) / 1e3
    for dnu in (1e6, 5e6):
        mzm = MachZehnderModulator(
            CWLaser(power_dbm=10.0, linewidth_hz=dnu), v_pi_v=3.5, bandwidth_hz=1e15
        )
        b = RoFLink(mzm, Fiber(length), Photodiode(bandwidth_hz=1e15)).budget(f)
        i = b.photocurrent_a
        expect = 4 * dnu / (math.pi * f * f) * i * i * 50 / 4
        assert b.rin_noise_dbm_hz == pytest.approx(10 * math.log10(expect * 1e3), abs=1e-6)
    # without phase noise, only the faded RIN is left: cos^2 theta RIN I^2 R_L / 4
    mzm = MachZehnderModulator(CWLaser(power_dbm=10.0, linewidth_hz=0.0), bandwidth_hz=1e15)
    b = RoFLink(mzm, Fiber(0.6 * length), Photodiode(bandwidth_hz=1e15)).budget(f)
    c2 = math.cos(0.6 * math.pi / 2) ** 2
    i = b.photocurrent_a
    assert b.rin_noise_dbm_hz == pytest.approx(
        10 * math.log10(c2 * 10**-15.5 * i * i * 50 / 4 * 1e3), abs=1e-6
    )


def test_laser_noise_ignores_modulator_chirp_and_dml_rin_is_unfaded():
    # The laser's intensity noise carries no phase, whatever the MZM's drive chirp.
    f, length = 15e9, np.array([0.0, 3.0, 7.0, 20.0])
    out = []
    for alpha in (0.0, 0.7, -0.7):
        mzm = MachZehnderModulator(CWLaser(power_dbm=10.0), chirp_alpha=alpha)
        out.append(RoFLink(mzm, Fiber(1.0), Photodiode()).budget(f, length_km=length))
    for b in out[1:]:
        np.testing.assert_allclose(b.rin_noise_dbm_hz, out[0].rin_noise_dbm_hz, atol=1e-12)
    # DML: RIN as specified back to back; behind fiber it moves with the laser's chirp
    # (DirectLaser.rin_dispersion_factor, checked against a NumPy Langevin reference in
    # tests/link/test_describing.py).
    las = DirectLaser()
    dml = RoFLink(las, Fiber(1.0), Photodiode()).budget(f, length_km=length)
    i = dml.photocurrent_a
    theta = theta_per_hz2(length, 17.0, las.wavelength_nm) * f * f
    factor = 10 * np.log10(las.rin_dispersion_factor(f, theta))
    assert factor[0] == pytest.approx(0.0, abs=1e-12)
    assert np.ptp(factor) > 3.0
    np.testing.assert_allclose(
        dml.rin_noise_dbm_hz,
        10 * np.log10(10**-15.0 * i * i * 50 / 4 * 1e3) + dml.terms["hpd_db_f"] + factor,
        atol=1e-9,
    )


def test_dml_gain_fades_with_transient_and_adiabatic_chirp():
    # gain(L) - gain(0) = fiber loss + the closed-form fading with the laser's transient
    # factor and adiabatic corner (Fiber.power_fading; checked against the integrated
    # rate equations in tests/photonics/test_laser.py)
    dml = DirectLaser()
    a_t, f_c = dml.small_signal_chirp()
    link = RoFLink(dml, Fiber(0.0, attenuation_db_per_km=0.0), Photodiode())
    f = np.array([2e9, 3.5e9, 6e9])
    for length in (5.0, 20.0, 40.0):
        g = link.budget(f, length_km=[[0.0], [length]]).gain_db
        fade = 10 * np.log10(Fiber(length).power_fading(f, a_t, f_c))
        np.testing.assert_allclose(g[1] - g[0], fade, atol=1e-9)


@pytest.mark.parametrize("tx", [MachZehnderModulator(CWLaser(power_dbm=14.0)), DirectLaser()])
def test_engines_agree_with_laser_noise_and_electrode(tx):
    link = RoFLink(tx, Fiber(1.0), Photodiode())
    # A DML's describing function costs ~60 ms per distinct RF frequency: fewer of them.
    rf = np.linspace(0.5e9, 40e9, 301 if isinstance(tx, MachZehnderModulator) else 31)
    length = np.linspace(0.0, 40.0, 23)[:, None]
    pin = np.array([-20.0, 0.0, 10.0])[:, None, None]
    a = link.budget(rf, pin, 50e6, length_km=length, engine="numba")
    b = link.budget(rf, pin, 50e6, length_km=length, engine="numpy")
    for name in ("gain_db", "noise_dbm_hz", "sndr_db", "evm_percent"):
        x, y = np.asarray(getattr(a, name)), np.asarray(getattr(b, name))
        ok = np.isfinite(y)
        np.testing.assert_array_equal(np.isfinite(x), ok)
        np.testing.assert_allclose(x[ok], y[ok], rtol=1e-9)


def test_many_drive_levels_through_the_electrode_interpolate_accurately():
    # > 2048 distinct drives at the non-linearity (drive x RF through the electrode):
    # the tabulated distortion against the exact one per RF column.
    link = RoFLink(MachZehnderModulator(CWLaser(power_dbm=14.0)), Fiber(5.0), Photodiode())
    rf = np.linspace(1e9, 40e9, 50)
    pin = np.linspace(-30.0, 14.0, 60)[:, None]
    b = link.budget(rf, pin)
    for j in (0, 17, 49):
        exact = link.budget(rf[j], pin[:, 0])
        np.testing.assert_allclose(b.sdr_db[:, j], exact.sdr_db, atol=1e-3)
        np.testing.assert_allclose(b.sndr_db[:, j], exact.sndr_db, atol=1e-3)
