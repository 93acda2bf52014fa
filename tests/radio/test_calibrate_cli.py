"""`rof calibrate`, the calibration scenarios and the antenna/calibration keys of the
scenario schema (issue 16 items 2-3)."""

import json
import tomllib
from pathlib import Path

import pytest

from rof.cli import main
from rof.errors import RofError
from rof.radio.arrays import PanelArray
from rof.scenario import Scenario

REPO = Path(__file__).resolve().parents[2]
UMA = REPO / "scenarios" / "calibration_uma.toml"


def _dict():
    return tomllib.loads(UMA.read_text())


def test_calibration_scenario_declares_configuration_1():
    scn = Scenario.from_toml(UMA)
    ant = scn.radio.bs_antenna_model()
    assert isinstance(ant, PanelArray) and (ant.rows, ant.cols, ant.tilt_deg) == (10, 1, 102.0)
    assert scn.deployment.min_ue_distance_m == 35.0 and scn.radio.effective_height == "random"


def test_custom_array_keys_build_a_panel():
    d = _dict()
    d["radio"].update(bs_array_rows=4, bs_array_cols=8, bs_array_tilt_deg=100.0)
    ant = Scenario.from_dict(d).radio.bs_antenna_model()
    assert (ant.rows, ant.cols, ant.tilt_deg, ant.spacing_wavelengths) == (4, 8, 100.0, 0.5)


@pytest.mark.parametrize(
    "section, key, value, match",
    [
        ("radio", "bs_antenna", "dipole", "radio.bs_antenna .*config1_10x1"),
        ("radio", "bs_array_rows", 0, "radio.bs_array_rows .*>= 1"),
        ("radio", "bs_array_rows", 2.5, "radio.bs_array_rows"),
        ("radio", "bs_array_spacing_wavelengths", 0.0, "radio.bs_array_spacing_wavelengths"),
        ("radio", "bs_array_tilt_deg", 181.0, "radio.bs_array_tilt_deg .*180"),
        ("radio", "bs_array_tilt_deg", -1.0, "radio.bs_array_tilt_deg"),
        ("deployment", "min_ue_distance_m", 500.0, r"deployment.min_ue_distance_m .*\[0, 500\)"),
        ("radio", "o2i_high_loss_fraction", 1.5, "radio.o2i_high_loss_fraction"),
    ],
)
def test_bad_keys_name_key_and_range(section, key, value, match):
    d = _dict()
    d[section][key] = value
    with pytest.raises(RofError, match=match):
        Scenario.from_dict(d)


def test_cli_bad_input_exits_2_with_one_line(tmp_path, capsys):
    d = UMA.read_text().replace('bs_antenna = "config1_10x1"', 'bs_antenna = "dipole"')
    bad = tmp_path / "bad.toml"
    bad.write_text(d)
    out = tmp_path / "cal.png"
    assert main(["calibrate", str(bad), "--drops", "1", "--plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bs_antenna" in err
    assert not out.exists()


def test_cli_json_and_plot(tmp_path, capsys):
    out = tmp_path / "cal.png"
    assert main(["calibrate", str(UMA), "--drops", "2", "--json", "--plot", str(out)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r["metric"], r["percentile"]) for r in rows} == {
        (m, p) for m in ("coupling_loss_db", "geometry_db") for p in (5, 50, 95)
    }
    for r in rows:  # 1,140 UTs: within 2 dB of the published median
        assert abs(r["difference_db"]) < 2.0, r
    assert out.stat().st_size > 1000
