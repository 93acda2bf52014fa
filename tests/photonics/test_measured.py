"""Measured responses from Touchstone files (scikit-rf): read-back, budget equality with
the analytic component they describe, and bad files."""

import numpy as np
import pytest

from rof.errors import DataError
from rof.link import RoFLink
from rof.photonics import CWLaser, Fiber, MachZehnderModulator, Photodiode
from rof.photonics.measured import (
    MeasuredDrive,
    MeasuredPhotodiode,
    MeasuredResponse,
    write_touchstone,
)
from rof.photonics.timedomain import detect

F = np.linspace(0.5e9, 40e9, 80)


def _electrode(f, fe=20e9):
    return 1.0 / (1.0 + 1j * f / fe)


def test_written_response_reads_back_identically(tmp_path):
    h = _electrode(F) * np.exp(-2j * np.pi * F * 37e-12)  # plus a 37 ps delay
    path = write_touchstone(tmp_path / "mzm_drive.s2p", F, h)
    r = MeasuredResponse.from_touchstone(path)
    np.testing.assert_array_equal(r.freq_hz, F)
    np.testing.assert_allclose(r.s21, h, rtol=0, atol=1e-15)
    np.testing.assert_allclose(r(F), h, atol=1e-14)


def test_measured_electrode_gives_the_analytic_mzm_budget(tmp_path):
    path = write_touchstone(tmp_path / "e.s2p", F, _electrode(F))
    laser = CWLaser(power_dbm=16.0)
    analytic = MachZehnderModulator(laser, bandwidth_hz=20e9)
    flat = MachZehnderModulator(laser, bandwidth_hz=1e30)
    measured = MeasuredDrive(flat, MeasuredResponse.from_touchstone(path))
    fib, pd = Fiber(10.0), Photodiode(bandwidth_hz=50e9)
    rf = F[[10, 30, 50, 70]]  # on the measured grid
    a = RoFLink(analytic, fib, pd).budget(rf, rf_in_dbm=5.0, bandwidth_hz=100e6)
    m = RoFLink(measured, fib, pd).budget(rf, rf_in_dbm=5.0, bandwidth_hz=100e6)
    for name in ("gain_db", "noise_dbm_hz", "sndr_db", "iip3_dbm", "sdr_db"):
        np.testing.assert_allclose(getattr(m, name), getattr(a, name), atol=1e-9, err_msg=name)


def test_measured_photodiode_budget_and_waveform(tmp_path):
    path = write_touchstone(tmp_path / "pd.s2p", F, _electrode(F, 15e9))
    ana = Photodiode(bandwidth_hz=15e9)
    mea = MeasuredPhotodiode(bandwidth_hz=15e9, response=MeasuredResponse.from_touchstone(path))
    tx, fib = MachZehnderModulator(CWLaser(power_dbm=10.0)), Fiber(5.0)
    rf = F[[5, 25, 60]]
    a = RoFLink(tx, fib, ana).budget(rf, 0.0)
    m = RoFLink(tx, fib, mea).budget(rf, 0.0)
    np.testing.assert_allclose(m.gain_db, a.gain_db, atol=1e-9)
    np.testing.assert_allclose(m.noise_dbm_hz, a.noise_dbm_hz, atol=1e-9)
    fs, n = 128e9, 4096
    f0 = 4 * F[1] // 1e6 * 1e6
    f0 = round(f0 * n / fs) * fs / n  # a tone on the FFT grid, inside the band
    t = np.arange(n) / fs
    p = 1e-3 * (1 + 0.1 * np.cos(2 * np.pi * f0 * t))
    va, _ = detect(ana, [p], fs, None)
    vm, _ = detect(mea, [p], fs, None)
    k = round(f0 * n / fs)
    assert abs(np.fft.rfft(vm)[k]) == pytest.approx(abs(np.fft.rfft(va)[k]), rel=1e-3)


def test_bad_files_name_the_file_and_what_was_expected(tmp_path):
    bad = tmp_path / "broken.s2p"
    bad.write_text("# GHz S MA R 50\n1 2 3\nfoo bar\n")
    with pytest.raises(DataError, match=r"broken\.s2p: not a readable Touchstone"):
        MeasuredResponse.from_touchstone(bad)
    one = tmp_path / "one.s1p"
    one.write_text("# GHz S RI R 50\n1 0.5 0\n2 0.4 0\n")
    with pytest.raises(DataError, match=r"one\.s1p: a 1-port network; allowed: a 2-port"):
        MeasuredResponse.from_touchstone(one)
    with pytest.raises(DataError, match="no such Touchstone file"):
        MeasuredResponse.from_touchstone(tmp_path / "missing.s2p")
    path = write_touchstone(tmp_path / "narrow.s2p", F[:20], _electrode(F[:20]))
    tx = MeasuredDrive(MachZehnderModulator(), MeasuredResponse.from_touchstone(path))
    with pytest.raises(DataError, match=r"narrow\.s2p: covers 0\.5 to .* not the frequency 28 GHz"):
        RoFLink(tx, Fiber(1.0), Photodiode()).budget(28e9)


def test_link_file_keys_and_cli_errors(tmp_path, capsys, monkeypatch):
    import rof.cli
    from rof.link import build_link

    monkeypatch.setattr(rof.cli, "_COMMAND_MODULES", ("rof.link.cli",))
    pd_file = write_touchstone(tmp_path / "pd.s2p", F, _electrode(F, 15e9))
    drv = write_touchstone(tmp_path / "drv.s2p", F, _electrode(F, 20e9))
    link = build_link(
        {
            "transmitter": {"type": "mzm", "bandwidth_hz": 1e30},
            "detector": {"response_file": str(pd_file)},
            "link": {"drive_response_file": str(drv)},
        }
    )
    ref = RoFLink(
        MachZehnderModulator(bandwidth_hz=20e9), Fiber(20.0), Photodiode(bandwidth_hz=15e9)
    )
    assert float(link.budget(F[40]).gain_db) == pytest.approx(
        float(ref.budget(F[40]).gain_db), abs=1e-9
    )
    bad = tmp_path / "broken.s2p"
    bad.write_text("not a touchstone file\n")
    cfg = tmp_path / "link.toml"
    cfg.write_text(f'[transmitter]\ntype = "mzm"\n[detector]\nresponse_file = "{bad}"\n')
    code = rof.cli.main(["link", "--config", str(cfg)])
    out, err = capsys.readouterr()
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and out == "" and len(lines) == 1 and "broken.s2p" in lines[0], err
