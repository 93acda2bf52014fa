"""The transmitter contract: each transmitter's SmallSignal, and what the budget reads.

References: the ring modulator's laser RIN behind fiber against the closed form
RIN cos^2(theta) (an external modulator passes the CW laser's intensity noise as a
chirp-free intensity modulation; Wang & Petermann, JLT 10(1), 1992), computed here with
the fiber phase from its own constants; the contract's Taylor, slope and chirp fields
against each device's transfer curve by finite differences.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rof.errors import ParameterError
from rof.link import RoFLink
from rof.photonics import CWLaser, DirectLaser, Fiber, MachZehnderModulator, Photodiode
from rof.photonics.protocols import SmallSignal, Transmitter
from rof.photonics.siph import MicroringModulator

C = 299_792_458.0
TRANSMITTERS = {
    "mzm": MachZehnderModulator(CWLaser(power_dbm=16.0)),
    "dml": DirectLaser(),
    "ring": MicroringModulator(laser_power_dbm=12.0),
}


@pytest.mark.parametrize("name", TRANSMITTERS)
def test_every_transmitter_states_its_contract(name):
    tx = TRANSMITTERS[name]
    assert isinstance(tx, Transmitter)
    ss = tx.small_signal()
    assert isinstance(ss, SmallSignal)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ss.rin_fades = not ss.rin_fades  # type: ignore[misc]
    # The slope at low frequency is |a_1| (every response is 1 at DC).
    assert float(ss.slope_w_per_v(1.0)) == pytest.approx(abs(ss.taylor_w_per_vn[0]), rel=1e-6)
    # The first-zone envelope response is |a_1| A for a small drive.
    a = 1e-4 * ss.full_scale_v
    assert float(ss.envelope_response_w(a)) == pytest.approx(
        abs(ss.taylor_w_per_vn[0]) * a, rel=1e-4
    )
    assert ss.mean_power_w > 0.0 and ss.full_scale_v > 0.0


def test_external_modulators_fade_their_laser_rin_and_a_dml_does_not():
    assert TRANSMITTERS["mzm"].small_signal().rin_fades
    assert TRANSMITTERS["ring"].small_signal().rin_fades
    dml = TRANSMITTERS["dml"].small_signal()
    assert not dml.rin_fades and dml.rin_dispersion_factor is not None


def test_mzm_taylor_coefficients_are_the_derivatives_of_its_transfer():
    tx = TRANSMITTERS["mzm"]
    a1, a2, a3 = tx.small_signal().taylor_w_per_vn
    h = 1e-2
    v = h * np.arange(-3, 4)
    p = tx.transfer_w(v)
    d1 = (p[4] - p[2]) / (2 * h)
    d2 = (p[4] - 2 * p[3] + p[2]) / h**2
    d3 = (p[5] - 2 * p[4] + 2 * p[2] - p[1]) / (2 * h**3)
    assert a1 == pytest.approx(d1, rel=1e-4)
    assert a2 == pytest.approx(d2 / 2, abs=1e-9 * abs(a1))  # 0 at quadrature
    assert a3 == pytest.approx(d3 / 6, rel=1e-3)


def test_ring_laser_rin_fades_like_a_chirp_free_modulation_behind_fiber():
    # Defect of issue 14: the ring had no rin_fades, so its laser RIN was carried at
    # full strength behind fiber like a DML's. Closed form: RIN cos^2(theta) at the
    # photocurrent, theta = pi L D lambda^2 f^2 / c.
    ring = MicroringModulator(laser_power_dbm=12.0, rin_db_per_hz=-130.0)
    pd = Photodiode(bandwidth_hz=100e9)
    f, d_ps = 20e9, 17.0
    lam = ring.wavelength_nm * 1e-9
    d = d_ps * 1e-6  # s/m^2
    per_m = math.pi * d * lam**2 * f**2 / C
    lengths = np.array([0.0, 0.25, 0.5, 0.7]) * math.pi / 2 / per_m / 1e3  # km; theta to 0.7 pi/2
    link = RoFLink(ring, Fiber(1.0, dispersion_ps_per_nm_km=d_ps, wavelength_nm=1550.0), pd)
    b = link.budget(f, -20.0, 100e6, length_km=lengths)
    theta = per_m * lengths * 1e3
    i_pd = 0.8 * ring.mean_power_w() * 10 ** (-0.02 * lengths)
    hpd = 1.0 / (1.0 + (f / pd.bandwidth_hz) ** 2)
    rin = 10 ** (-13.0)
    closed = 10 * np.log10(rin * i_pd**2 * (pd.load_ohm / 4) * hpd * np.cos(theta) ** 2) + 30
    np.testing.assert_allclose(b.rin_noise_dbm_hz, closed, atol=1e-9)


def test_ring_linewidth_adds_the_fibers_pm_to_im_noise():
    # 4 sin^2(theta) dnu / (pi f^2) of the laser's phase noise (Wang & Petermann 1992).
    base = MicroringModulator(laser_power_dbm=12.0, rin_db_per_hz=-150.0)
    wide = dataclasses.replace(base, linewidth_hz=10e6)
    f, length = 20e9, 20.0
    b0 = RoFLink(base, Fiber(length), Photodiode(bandwidth_hz=100e9)).budget(f, -20.0)
    b1 = RoFLink(wide, Fiber(length), Photodiode(bandwidth_hz=100e9)).budget(f, -20.0)
    lam = base.wavelength_nm * 1e-9
    theta = math.pi * length * 1e3 * 17e-6 * lam**2 * f**2 / C
    ratio = (math.cos(theta) ** 2 + 4 * math.sin(theta) ** 2 * 10e6 / (math.pi * f * f) / 1e-15) / (
        math.cos(theta) ** 2
    )
    assert b1.rin_noise_dbm_hz - b0.rin_noise_dbm_hz == pytest.approx(
        10 * math.log10(ratio), abs=1e-6
    )


def test_contract_refuses_inconsistent_descriptions():
    ss = TRANSMITTERS["mzm"].small_signal()
    with pytest.raises(ParameterError, match="link_tone"):
        dataclasses.replace(ss, distortion="link_tone", tone_field=None)
    with pytest.raises(ParameterError, match="distortion"):
        dataclasses.replace(ss, distortion="volterra")
    with pytest.raises(ParameterError, match="rin_dispersion_factor"):
        dataclasses.replace(ss, rin_dispersion_factor=lambda f, th: np.ones_like(f))


def test_sideband_fading_is_validated_and_replaces_the_chirp_form():
    from rof.photonics import PhaseModulator
    from rof.photonics.protocols import sideband_fading

    ss = PhaseModulator().small_signal()
    w, ph, c = ss.fading_terms()
    assert w * math.cos(0.3 + ph) ** 2 + c == pytest.approx(math.sin(0.3) ** 2)
    # equal sidebands: cos^2; opposite: sin^2; one: flat (the beat of each with the carrier)
    for u, v in ((1.0, 1.0), (1j, -1j), (0.7, 0.0), (0.3 + 0.2j, -0.1 + 0.5j)):
        wf, phf, cf, s = sideband_fading(u, v)
        for th in (0.0, 0.4, 1.3, 2.9):
            direct = abs(u * np.exp(-1j * th) + v * np.exp(1j * th)) ** 2
            assert direct == pytest.approx(s * s * (wf * math.cos(th + phf) ** 2 + cf), abs=1e-12)
    with pytest.raises(ParameterError, match="sideband_fading"):
        dataclasses.replace(ss, sideband_fading=(-1.0, 0.0, 0.5))
