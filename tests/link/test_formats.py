"""The mm-wave transmitters through the link files, the CLI and the scenarios."""

import json
from pathlib import Path

import numpy as np
import pytest

import rof.cli
from rof.link import build_link
from rof.link.config import TRANSMITTERS

ROOT = Path(__file__).resolve().parents[2]
LINKS = ROOT / "scenarios" / "links"
NEW_FILES = ["ddmzm_dsb_28ghz_10km.toml", "ddmzm_ssb_28ghz_10km.toml", "heterodyne_28ghz_10km.toml"]


@pytest.fixture(autouse=True)
def _only_link_command(monkeypatch):
    monkeypatch.setattr(rof.cli, "_COMMAND_MODULES", ("rof.link.cli",))


def _run(capsys, *argv):
    code = rof.cli.main(["link", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_registry_names_the_new_types():
    assert {"ddmzm", "pm", "heterodyne"} <= set(TRANSMITTERS)


@pytest.mark.parametrize("name", NEW_FILES)
def test_mmwave_link_files_run(capsys, name):
    code, out, _ = _run(capsys, "--config", str(LINKS / name), "--json")
    assert code == 0
    b = json.loads(out)["budget"]
    assert np.isfinite(b["evm_percent"]) and b["evm_percent"] > 0


def test_ssb_flat_dsb_fades_heterodyne_flat_with_a_floor():
    lengths = np.linspace(0.0, 20.0, 81)
    evm = {}
    for name in NEW_FILES:
        import tomllib

        t = tomllib.loads((LINKS / name).read_text())
        link = build_link({k: v for k, v in t.items() if k not in ("name", "signal", "fronthaul")})
        b = link.budget(28e9, 0.0, 400e6, length_km=lengths)
        evm[name.split("_")[1]] = (np.asarray(b.gain_db), np.asarray(b.evm_percent))
    g_ssb = evm["ssb"][0] + 2 * 0.2 * lengths  # without the fiber loss (RF: twice optical)
    # at 30 dB extinction the arms are unequal and a weak lower sideband remains: its
    # ripple is (|u| + |w|)^2 / (|u| - |w|)^2 (sideband_fading; < 0.1 dB at 80 dB, see
    # tests/photonics/test_dualdrive.py)
    w_f, _, c_f = (
        build_link({"transmitter": {"type": "ddmzm"}}).transmitter.small_signal().fading_terms()
    )
    assert np.ptp(g_ssb) == pytest.approx(10 * np.log10((w_f + c_f) / c_f), abs=0.02)
    assert np.ptp(g_ssb) < 1.0
    g_dsb = evm["dsb"][0] + 2 * 0.2 * lengths
    assert np.ptp(g_dsb) > 20.0  # the nulls near 4.7 and 14.1 km
    assert lengths[np.argmin(g_dsb)] == pytest.approx(4.75, abs=0.3) or lengths[
        np.argmin(g_dsb)
    ] == pytest.approx(14.2, abs=0.3)
    g_het = evm["28ghz"][0] + 2 * 0.2 * lengths
    assert np.ptp(g_het) < 1e-6
    assert np.min(evm["28ghz"][1]) > 10.0  # 2 x 1 kHz lasers at 120 kHz SCS: an EVM floor


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ('type = "ddmzm"\nbias1_rad = 7.0\n', "transmitter.bias1_rad = 7.0"),
        ('type = "ddmzm"\ndrive_phase2_rad = -9.0\n', "transmitter.drive_phase2_rad"),
        ('type = "heterodyne"\nlo_linewidth_hz = -1.0\n', "transmitter.lo_linewidth_hz = -1.0"),
        ('type = "pm"\nlinewidth_hz = -2.0\n', "transmitter.linewidth_hz = -2.0"),
        ('type = "ddmzm"\nformat = "vsb"\n', "transmitter.format"),
    ],
)
def test_bad_values_exit_2_with_one_line(capsys, tmp_path, table, needle):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[transmitter]\n" + table)
    code, out, err = _run(capsys, "--config", str(cfg))
    assert code == 2 and out == ""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0], err


@pytest.mark.parametrize("name", ["mmwave_28ghz_dsb_ssb.toml", "mmwave_28ghz_heterodyne.toml"])
def test_mmwave_scenarios_validate(name):
    from rof.scenario import Scenario

    s = Scenario.from_toml(ROOT / "scenarios" / name)
    assert s is not None


def _waveform_vs_budget_db(tx, length_km, rf_in_dbm):
    import math

    from rof.link import RoFLink
    from rof.link.waveform_report import run_waveform_report
    from rof.photonics import Fiber, Photodiode

    link = RoFLink(tx, Fiber(length_km), Photodiode(bandwidth_hz=50e9))
    rep = run_waveform_report(
        link, 28e9, rf_in_dbm=rf_in_dbm, bandwidth_mhz=50, scs_khz=120, modulation="64QAM",
        n_symbols=4, seed=0,
    )  # fmt: skip
    c = rep["carriers"][0]
    return 20 * math.log10(c["evm_percent"] / c["evm_analytic_percent"])


def test_ssb_waveform_at_the_dsb_null_matches_the_budget():
    """4.7 km at 28 GHz is DSB's first null; SSB's sampled field through the waveform
    simulator gives the budget's EVM (noise-limited drive): 0.15 dB measured."""
    from rof.photonics import CWLaser, DualDriveMZM

    tx = DualDriveMZM.from_format("ssb", CWLaser(power_dbm=16.0))
    assert abs(_waveform_vs_budget_db(tx, 4.7, -10.0)) < 0.5


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["dsb", "pm"])
def test_dsb_and_pm_waveforms_match_the_budget(kind):
    from rof.photonics import CWLaser, DualDriveMZM, PhaseModulator

    if kind == "dsb":
        tx = DualDriveMZM.from_format("dsb", CWLaser(power_dbm=16.0))
    else:
        tx = PhaseModulator(CWLaser(power_dbm=10.0))
    assert abs(_waveform_vs_budget_db(tx, 2.0, -10.0)) < 0.5  # measured 0.20, 0.24 dB


@pytest.mark.slow
def test_ssb_behind_fiber_at_high_drive_short_record():
    """SSB at 28 GHz, 10 km, 0 dBm (distortion-dominated), one 4-symbol record (seed 0):
    the waveform reads +0.87 dB above the budget. Not a model error: that record's
    envelope is peakier than Gaussian (E|x|^6/Omega^3 = 6.61 against 6), and the
    closed-form third-order distortion of this very record gives 46.81 dB SDR against
    the simulator's 46.72 dB and the budget's Gaussian-average 47.70 dB; over 30 such
    records the SDR scatters 0.56 dB (standard deviation) about the budget, at 14
    symbols the gap is +0.11 dB (tests/link/test_ssb_distortion_record.py). Held to
    1.5 dB (2.7 standard deviations of a 4-symbol record) so a regression still fails."""
    from rof.photonics import CWLaser, DualDriveMZM

    tx = DualDriveMZM.from_format("ssb", CWLaser(power_dbm=16.0))
    assert abs(_waveform_vs_budget_db(tx, 10.0, 0.0)) < 1.5
