"""IF-over-fiber with a remote LO (issue 18 item 2): the LO's phase noise from the
LO link's noise, the N^2 law, Friis's cascade with the site mixer, bad input."""

import re

import numpy as np
import pytest

from rof.errors import RofError
from rof.link import RoFLink
from rof.link.remote_lo import RemoteLoLink, white_phase_noise_inv_sdr
from rof.photonics import CWLaser, Fiber, MachZehnderModulator, OpticalHeterodyne, Photodiode
from rof.photonics.heterodyne import phase_noise_inv_sdr
from rof.units import K_B_J_PER_K, T0_K


def _mzm_link(km=10.0, wl=1550.0, dbm=16.0):
    tx = MachZehnderModulator(CWLaser(power_dbm=dbm, wavelength_nm=wl), v_pi_v=3.5)
    return RoFLink(tx, Fiber(km), Photodiode())


def _ofdm(rng, n_sc=600, n_fft=4096, n_sym=6):
    """Oversampled CP-free OFDM symbols (QPSK on n_sc central bins), time samples."""
    x = np.zeros((n_sym, n_fft), complex)
    bins = np.r_[1 : n_sc // 2 + 1, n_fft - n_sc // 2 : n_fft]
    x[:, bins] = rng.choice([-1, 1], (n_sym, n_sc)) + 1j * rng.choice([-1, 1], (n_sym, n_sc))
    return np.fft.ifft(x, axis=1), bins


def test_white_phase_noise_error_matches_monte_carlo_ofdm():
    """s e^{j phi} with white phi of single-sided PSD S over the sampling band: the
    in-band error after CPE removal over signal is S B / 2 (B = used subcarriers x SCS)."""
    rng = np.random.default_rng(3)
    n_fft, n_sc, scs = 4096, 600, 120e3
    fs = n_fft * scs
    psd = 1e-11  # rad^2/Hz
    errs, sigs = [], []
    for _ in range(8):
        t, bins = _ofdm(rng, n_sc, n_fft)
        phi = rng.normal(0.0, np.sqrt(psd * fs / 2.0), t.shape)
        y = np.fft.fft(t * np.exp(1j * phi), axis=1)[:, bins]
        x = np.fft.fft(t, axis=1)[:, bins]
        cpe = np.angle(np.sum(y * np.conj(x), axis=1))
        e = y * np.exp(-1j * cpe)[:, None] - x
        errs.append(np.mean(np.abs(e) ** 2))
        sigs.append(np.mean(np.abs(x) ** 2))
    measured = np.mean(errs) / np.mean(sigs)
    expected = white_phase_noise_inv_sdr(psd, n_sc * scs)
    assert measured == pytest.approx(expected, rel=0.05)


def test_additive_noise_on_the_reference_is_half_phase_noise():
    """A tone of power P_c with additive noise of single-sided density N0: the phase
    has single-sided PSD N0 / P_c (Rubiola 2009), checked by Monte Carlo in complex
    baseband (two-sided noise density N0)."""
    rng = np.random.default_rng(0)
    fs, n, p_c, n0 = 1e6, 2**18, 2.0, 1e-9
    noise = np.sqrt(n0 * fs / 2.0) * (rng.normal(size=n) + 1j * rng.normal(size=n))
    phi = np.angle(np.sqrt(p_c) + noise)
    psd_single = 2.0 * np.var(phi) / fs
    assert psd_single == pytest.approx(n0 / p_c, rel=0.02)


def test_budget_combines_friis_mixer_and_the_multiplied_lo():
    """With a perfect LO (no LO-link noise, no reference noise) the RF SNR of the
    noise-limited link is the input SNR over the cascade's Friis noise figure
    F = F_link + (F_mixer - 1) / g_link; the LO term follows N^2."""
    link = _mzm_link(5.0)
    r = RemoteLoLink(link, _mzm_link(5.0, 1551.0), mixer_noise_figure_db=10.0)
    b = r.budget(-30.0, 100e6)
    bi = b.if_budget
    g = 10 ** (float(bi.gain_db) / 10)
    f_tot = 10 ** (float(bi.noise_figure_db) / 10) + (10.0 - 1.0) / g
    snr_friis = 10 ** (-30.0 / 10) * 1e-3 / (f_tot * K_B_J_PER_K * T0_K * 100e6)
    inv_expected = 1 / snr_friis + 10 ** (-float(bi.sdr_db) / 10) + float(b.pn_inv_sdr)
    assert float(b.sndr_db) == pytest.approx(-10 * np.log10(inv_expected), abs=0.02)
    assert float(b.gain_db) == pytest.approx(float(bi.gain_db) - 7.0, abs=1e-12)
    # the LO's phase PSD: N^2 (N0/P_c + 2 L_ref)
    bl = b.lo_budget
    s_phi = 10 ** ((float(bl.noise_dbm_hz) - float(bl.rf_out_dbm)) / 10) + 2 * 10 ** (-15)
    assert float(b.lo_phase_psd_rad2_hz) == pytest.approx(16 * s_phi, rel=1e-9)
    r2 = RemoteLoLink(link, _mzm_link(5.0, 1551.0), lo_reference_hz=12.25e9, multiplication=2)
    b2 = r2.budget(-30.0, 100e6)
    assert r2.rf_hz == r.rf_hz == 28e9
    assert float(b2.lo_budget.rf_out_dbm) != float(bl.rf_out_dbm)  # another reference


def test_lorentzian_reference_widens_by_n_squared_and_beats_heterodyne():
    """A reference of 10 Hz becomes 10 N^2 Hz; the heterodyne's RF linewidth is the
    sum of two lasers' (100 kHz each): at 120 kHz SCS the remote LO's phase-noise ICI
    is orders of magnitude lower."""
    r = RemoteLoLink(_mzm_link(), _mzm_link(wl=1551.0), reference_linewidth_hz=10.0)
    b = r.budget(0.0, 400e6)
    assert b.lo_linewidth_hz == pytest.approx(160.0)
    lorentz = phase_noise_inv_sdr(160.0, 120e3)
    white = white_phase_noise_inv_sdr(b.lo_phase_psd_rad2_hz, 400e6)
    assert float(b.pn_inv_sdr) == pytest.approx(float(lorentz + white), rel=1e-12)
    het = OpticalHeterodyne(
        signal_laser=CWLaser(power_dbm=16.0, linewidth_hz=100e3),
        lo_laser=CWLaser(power_dbm=3.0, linewidth_hz=100e3),
    )
    assert float(het.ofdm_inv_sdr(120e3)) > 100 * float(lorentz)


def test_lo_noise_grows_with_fiber_and_lowers_the_rf_sndr():
    r = RemoteLoLink(_mzm_link(), _mzm_link(wl=1551.0))
    b = r.budget(0.0, 400e6, length_km=[0.0, 10.0, 20.0])
    assert np.all(np.diff(b.lo_phase_psd_rad2_hz) > 0)
    assert np.all(np.diff(b.sndr_db) < 0)
    assert np.all(b.sndr_db < b.if_budget.sndr_db)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"multiplication": 0}, r"multiplication .*1\.\.64"),
        ({"multiplication": 2.5}, r"multiplication .*integer"),
        ({"if_hz": -1.0}, "if_hz"),
        ({"reference_linewidth_hz": -5.0}, "reference_linewidth_hz"),
        ({"mixer_noise_figure_db": 40.0}, "mixer_noise_figure_db"),
        ({"lo_reference_dbm": 29.0}, "lo_reference_dbm .*compression"),
    ],
)
def test_bad_input_names_the_key(kw, match):
    with pytest.raises(RofError, match=match):
        RemoteLoLink(_mzm_link(), _mzm_link(wl=1551.0), **kw).budget(0.0, 400e6)
    with pytest.raises(RofError, match="data_link"):
        RemoteLoLink("mzm", _mzm_link())


LINK_FILE = "scenarios/links/remote_lo_28ghz_10km.toml"


def _repo_file(rel):
    from pathlib import Path

    return str(Path(__file__).resolve().parents[2] / rel)


def test_link_file_reports_the_rf_carrier(capsys):
    """`rof link` on a [remote_lo] file: the IF link's table at 3.5 GHz, then the RF
    figures at 28 GHz, the same as the Python budget of the same two links."""
    import json
    import tomllib

    from rof.cli import main
    from rof.link.cli import build_from_config, remote_lo_from_config

    assert main(["link", "--config", _repo_file(LINK_FILE)]) == 0
    out = capsys.readouterr().out
    assert "RF carrier                       3.50" in out
    assert "RF carrier (IF + N x ref)       28.00" in out
    assert main(["link", "--config", _repo_file(LINK_FILE), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)["remote_lo"]
    cfg = tomllib.loads(open(_repo_file(LINK_FILE)).read())
    link, signal, _, _ = build_from_config(cfg)
    r, b = remote_lo_from_config(cfg, link, signal)
    assert r.lo_reference_hz == pytest.approx(6.125e9)
    assert r.lo_link.transmitter.wavelength_nm == 1551
    assert d["evm_percent"] == pytest.approx(float(b.evm_percent), rel=1e-12)
    direct = RemoteLoLink(link, r.lo_link, lo_reference_dbm=6.0).budget(0.0, 400e6)
    assert d["sndr_db"] == pytest.approx(float(direct.sndr_db), rel=1e-12)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        ({"if_ghz": 30.0}, "remote_lo.if_ghz = 30 is out of range; allowed: above 0 and below"),
        ({"multiplication": 0}, r"remote_lo.multiplication = 0 .*1\.\.64"),
        ({"multiplication": 2.0}, "remote_lo.multiplication = 2.0 is not an integer"),
        ({"mixer_gain": 1.0}, "remote_lo.mixer_gain is not a known key"),
        ({"mixer_noise_figure_db": 99.0}, "remote_lo.mixer_noise_figure_db"),
    ],
)
def test_link_file_bad_remote_lo_exits_2_with_one_line(tmp_path, capsys, edit, match):
    import tomllib

    import tomli_w

    from rof.cli import main

    cfg = tomllib.loads(open(_repo_file(LINK_FILE)).read())
    cfg["remote_lo"].update(edit)
    f = tmp_path / "bad.toml"
    f.write_text(tomli_w.dumps(cfg))
    assert main(["link", "--config", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert re.search(match, err), err
