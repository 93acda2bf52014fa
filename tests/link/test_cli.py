"""``rof link``: table, JSON, link files, flags, and one-line errors with exit 2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import rof.cli

ROOT = Path(__file__).resolve().parents[2]
MZM_FILE = ROOT / "scenarios" / "links" / "mzm_3p5ghz_20km.toml"
DML_FILE = ROOT / "scenarios" / "links" / "dml_3p5ghz_10km.toml"
RING_FILE = ROOT / "scenarios" / "links" / "ring_wdm_3p5ghz_5km.toml"


@pytest.fixture(autouse=True)
def _only_link_command(monkeypatch):
    # other layers register their own subcommands; this file tests `link` alone
    monkeypatch.setattr(rof.cli, "_COMMAND_MODULES", ("rof.link.cli",))


def _run(capsys, *argv):
    code = rof.cli.main(["link", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_with_defaults(capsys):
    code, out, _ = _run(capsys)
    assert code == 0
    for word in ("RF gain", "noise figure", "SFDR", "EVM", "max modulation", "CPRI line rate"):
        assert word in out


@pytest.mark.parametrize("path", [MZM_FILE, DML_FILE, RING_FILE])
def test_shipped_link_files_run_and_json(capsys, path):
    code, out, _ = _run(capsys, "--config", str(path), "--json")
    assert code == 0
    data = json.loads(out)
    b = data["budget"]
    assert b["max_modulation"] in ("QPSK", "16QAM", "64QAM", "256QAM")
    assert 0 < b["evm_percent"] < 17.5
    assert data["fronthaul"]["ratio"] > 10


def test_flags_override_config_and_match_library(capsys):
    from rof.link import RoFLink
    from rof.photonics import CWLaser, Fiber, MachZehnderModulator, Photodiode

    code, out, _ = _run(
        capsys, "--config", str(MZM_FILE), "--length-km", "5", "--v-pi", "5", "--json"
    )
    assert code == 0
    got = json.loads(out)["budget"]
    link = RoFLink(
        MachZehnderModulator(CWLaser(power_dbm=16.0), v_pi_v=5.0),
        Fiber(5.0),
        Photodiode(saturation_current_a=0.02),
    )
    ref = link.budget(3.5e9, 0.0, 100e6)
    assert got["gain_db"] == pytest.approx(ref.gain_db)
    assert got["evm_percent"] == pytest.approx(ref.evm_percent)
    assert got["iip3_dbm"] == pytest.approx(ref.iip3_dbm)


def test_dml_json_reports_the_dynamic_iip3(capsys):
    # A DML's L-I curve is linear above threshold, but its rate equations (and chirp with
    # dispersion) are not: the budget's IIP3 comes from the link describing function.
    code, out, _ = _run(capsys, "--transmitter", "dml", "--json")
    assert code == 0
    iip3 = json.loads(out)["budget"]["iip3_dbm"]
    assert isinstance(iip3, float) and 5.0 < iip3 < 40.0


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--v-pi", "-1"], "v_pi_v"),
        (["--length-km", "-3"], "length_km"),
        (["--length-km", "nan"], "length_km"),
        (["--rf-ghz", "0"], "rf_hz"),
        (["--wavelength-nm", "1200"], "wavelength_nm"),
        (["--transmitter", "dml", "--bias-ma", "5"], "bias_current_ma"),
        (["--config", "does/not/exist.toml"], "exist"),
        (["--laser-dbm", "29", "--length-km", "0"], "saturation"),
    ],
)
def test_bad_values_one_line_exit_2(capsys, argv, needle):
    code, _, err = _run(capsys, *argv)
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0], err
    assert "Traceback" not in err


def test_unknown_config_key_names_it(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[transmitter]\ntype = "mzm"\nv_pi = 3.0\n')
    code, _, err = _run(capsys, "--config", str(bad))
    assert code == 2
    assert "transmitter.v_pi" in err and "v_pi_v" in err
    bad.write_text("[fiber\n")
    code, _, err = _run(capsys, "--config", str(bad))
    assert code == 2 and "TOML" in err


def test_subprocess_bad_flag_exit_2_one_line():
    code = (
        "import sys, rof.cli as c; c._COMMAND_MODULES = ('rof.link.cli',); "
        "sys.exit(c.main(sys.argv[1:]))"
    )
    for argv in (
        ["link", "--no-such-flag"],
        ["link", "--transmitter", "laser"],
        ["link", "--v-pi", "0"],
    ):
        proc = subprocess.run(
            [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 2
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, proc.stderr
        assert "Traceback" not in proc.stderr


def test_ring_wdm_site_carries_node_loss_and_crosstalk(capsys, tmp_path):
    """A WDM-node site sees demux loss and finite crosstalk; a lone ring sees neither.

    With 0.5 K of chip heating, heater locking must give a better SNDR than leaving
    the rings detuned (the unlocked modulator slides off its bias point and the demux
    ring off its channel).
    """
    import tomllib

    cfg = tomllib.loads(RING_FILE.read_text())

    def sndr_sir(**tx):
        c = {**cfg, "transmitter": {**cfg["transmitter"], **tx}}
        path = tmp_path / "ring.toml"
        lines = []
        for table, body in c.items():
            if not isinstance(body, dict):
                lines.insert(0, f"{table} = {json.dumps(body)}")
                continue
            lines.append(f"[{table}]")
            lines += [f"{k} = {json.dumps(v)}" for k, v in body.items()]
        path.write_text("\n".join(lines) + "\n")
        code, out, err = _run(capsys, "--config", str(path), "--json")
        assert code == 0, err
        b = json.loads(out)["budget"]
        return b["sndr_db"], b["sir_db"], b["received_optical_power_dbm"]

    node_sndr, node_sir, node_rx = sndr_sir()
    _, lone_sir, lone_rx = sndr_sir(wdm_channels=1, wdm_site=0)
    assert node_sir is not None and node_sir < 60.0
    assert lone_sir is None  # infinite: no other channel
    assert node_rx < lone_rx - 1.0  # demux and gratings cost optical power
    unlocked_sndr, _, _ = sndr_sir(heater_locking=False)
    assert node_sndr > unlocked_sndr


def test_waveform_flag_measures_evm_near_the_budget(capsys, tmp_path):
    """--waveform runs an NR carrier through the sample-level model: its measured EVM
    must sit near the analytic budget's (independent models of the same link)."""
    prefix = tmp_path / "wf"
    code, out, err = _run(
        capsys,
        *("--config", str(MZM_FILE), "--bandwidth-mhz", "20", "--waveform-symbols", "4"),
        *("--waveform", "--plot", str(prefix), "--json"),
    )
    assert code == 0, err
    data = json.loads(out)
    analytic = data["budget"]["evm_percent"]
    measured = data["waveform"]["carriers"][0]["evm_percent"]
    assert measured == pytest.approx(analytic, rel=0.25)
    assert (tmp_path / "wf_constellation.png").stat().st_size > 0


def test_plot_without_waveform_is_user_error(capsys, tmp_path):
    code, _, err = _run(capsys, "--plot", str(tmp_path / "x"))
    assert code == 2 and "--waveform" in err
    assert not list(tmp_path.iterdir())
