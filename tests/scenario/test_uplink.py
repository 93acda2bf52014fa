"""The [uplink] table: TS 38.213/38.331 ranges, one-line errors, the CLI's exit 2."""

from __future__ import annotations

import pytest

from rof.errors import RofError
from rof.scenario import Scenario


def _scn(uplink):
    return Scenario.from_dict({"name": "u", "uplink": uplink}, source="u.toml")


@pytest.mark.parametrize("alpha", [0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
def test_alpha_in_the_ts38331_set(alpha):
    assert _scn({"alpha": alpha}).uplink.alpha == alpha


@pytest.mark.parametrize(
    ("table", "start", "allowed"),
    [
        (
            {"alpha": 0.3},
            "uplink.alpha = 0.3 is not allowed",
            "one of 0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1",
        ),
        ({"alpha": 1.2}, "uplink.alpha = 1.2 is not allowed", "one of 0, 0.4"),
        ({"p0_dbm": -203.0}, "uplink.p0_dbm = -203.0 is out of range", ">= -202 and <= 24"),
        ({"p0_dbm": 25}, "uplink.p0_dbm = 25 is out of range", ">= -202 and <= 24"),
        ({"lna_gain_db": -0.5}, "uplink.lna_gain_db = -0.5 is out of range", ">= 0"),
        ({"combining": "zf"}, "uplink.combining = 'zf' is not a known choice", "'mrc', 'mmse'"),
        ({"cluster_size": 0}, "uplink.cluster_size = 0 is out of range", ">= 1"),
    ],
)
def test_bad_values_name_key_and_range(table, start, allowed):
    with pytest.raises(RofError) as err:
        _scn(table)
    msg = str(err.value)
    assert msg.startswith(f"u.toml: {start}; allowed:") and allowed in msg and "\n" not in msg


def test_scenarios_without_uplink_are_unchanged():
    scn = Scenario.from_dict({"name": "d"})
    assert scn.uplink is None and "uplink" not in scn.to_dict()
    up = scn.with_overrides({"uplink.alpha": 0.5})
    assert up.uplink.alpha == 0.5
    assert Scenario.from_dict(up.to_dict()) == up


def test_amplifier_tables():
    tables = _scn({"lna_gain_db": 25.0, "post_gain_db": 0.0, "post_noise_figure_db": 0.0})
    out = tables.uplink.amplifier_tables()
    assert out == {"lna": {"gain_db": 25.0, "noise_figure_db": 1.5, "p1db_in_dbm": -30.0}}


def test_cli_exits_2_with_one_line(tmp_path, capsys):
    from rof.cli import main

    path = tmp_path / "bad.toml"
    path.write_text('name = "u"\n[uplink]\nalpha = 0.3\n')
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "uplink.alpha = 0.3" in lines[0] and "allowed:" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]
