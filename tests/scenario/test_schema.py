"""Scenario schema: the shared example loads as is; TOML round trips; overrides; errors."""

import copy
import math
import tomllib
from pathlib import Path

import pytest
from tomli_w import dumps

from rof.errors import ConfigError
from rof.signals.numerology import nrb_table
from rof.sweep import Scenario, field_paths

REPO = Path(__file__).resolve().parents[2]
#: The design's example scenario, in ``../shared`` beside the checkout (as in CI).
SHARED_EXAMPLE = REPO.parent / "shared" / "examples" / "scenario.toml"
#: Base scenario of the other tests: the shared example, else a shipped scenario.
EXAMPLE = SHARED_EXAMPLE if SHARED_EXAMPLE.exists() else REPO / "scenarios" / "coordination.toml"


@pytest.mark.skipif(not SHARED_EXAMPLE.exists(), reason="../shared is not beside this checkout")
def test_shared_example_is_accepted_exactly():
    raw = tomllib.loads(EXAMPLE.read_text())
    scn = Scenario.from_toml(EXAMPLE)
    assert scn.name == raw["name"] and scn.seed == raw["seed"]
    from rof.scenario.fronthaul import LEGACY_KEYS

    for table in ("deployment", "radio", "fronthaul", "edge", "run"):
        for key, value in raw[table].items():
            if table == "fronthaul" and key == "transmitter" and isinstance(value, str):
                assert scn.fronthaul.transmitter.type == value  # the flat form, deprecated
            elif table == "fronthaul" and key in LEGACY_KEYS:
                where, new, _ = LEGACY_KEYS[key]
                assert scn.get(f"fronthaul.{where}.{new}") == value, (table, key)
            else:
                assert scn.get(f"{table}.{key}") == value, (table, key)
    if "sweep" in raw:
        assert scn.sweep.axes == {k: v for k, v in raw["sweep"].items() if k != "mode"}


def test_contract_attribute_names():
    scn = Scenario.from_toml(EXAMPLE)
    for attr in (
        "deployment.n_sites",
        "radio.carrier_ghz",
        "fronthaul.fiber_route_factor",
        "edge.scheduler",
        "run.ttis",
    ):
        table, key = attr.split(".")
        assert getattr(getattr(scn, table), key) == scn.get(attr)
    assert isinstance(scn.name, str) and isinstance(scn.seed, int)


@pytest.mark.parametrize("path", sorted((REPO / "scenarios").glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_scenarios_are_valid_and_round_trip(path):
    scn = Scenario.from_toml(path)
    text = scn.to_toml_text()
    # The standard library's parser is the independent reference for the writer.
    assert Scenario.from_dict(tomllib.loads(text)) == scn


def test_to_toml_text_round_trips_awkward_values():
    # Strings that need escapes, dotted sweep keys, lists and a sub-metre float: the
    # standard library's parser reads the text back to an equal scenario.
    scn = Scenario.from_dict(
        {
            "name": 'quote " back \\ tab \t newline \n unicode µ',
            "seed": 2**63 - 1,
            "fronthaul": {"edge_location": [12.5, -3e-7]},
            "sweep": {"edge.csi": ["perfect", "delayed"], "radio.carrier_ghz": [3.5, 3.75]},
        }
    )
    text = scn.to_toml_text()
    assert Scenario.from_dict(tomllib.loads(text)) == scn
    assert '"edge.csi" = [' in text


def test_defaults_optional_keys_and_units():
    scn = Scenario.from_dict(
        {"name": "d", "deployment": {"n_sites": 7, "inter_site_distance_m": 100.0}}
    )
    assert scn.radio.pathloss_exponent == 3.76 and scn.radio.reference_loss_db == 128.1
    assert scn.edge.bler_target == 0.1 and scn.edge.wmmse_iterations == 20
    assert scn.fronthaul.fiber_length_km is None and scn.fronthaul.transmitter.type == "mzm"
    assert scn.edge.fronthaul_noise is True and scn.edge.csi_ageing is True
    # Hexagonal cell of inter-site distance D has area sqrt(3)/2 D^2.
    assert scn.deployment.site_density_per_km2 == pytest.approx(1e6 / (math.sqrt(3) / 2 * 1e4))


@pytest.mark.parametrize(
    ("bw", "scs", "carrier", "nrb"),
    [
        (100.0, 30, 3.5, 273),
        (20.0, 15, 2.0, 106),
        (5.0, 15, 0.7, 25),
        (40.0, 60, 3.5, 51),
        (100.0, 120, 28.0, 66),
        (400.0, 120, 28.0, 264),
        (50.0, 60, 39.0, 66),
    ],
)
def test_resource_blocks_follow_ts38104_tables(bw, scs, carrier, nrb):
    # Published N_RB values of TS 38.104 Tables 5.3.2-1 (FR1) and 5.3.2-2 (FR2).
    scn = Scenario.from_dict(
        {
            "name": "n",
            "radio": {"carrier_ghz": carrier, "bandwidth_mhz": bw, "subcarrier_spacing_khz": scs},
        }
    )
    assert scn.radio.resource_blocks == nrb
    assert "resource_blocks" not in scn.to_dict()["radio"]  # re-derived, not pinned


def test_nrb_tables_match_channel_bandwidth_occupancy():
    # N_RB * 12 * SCS never exceeds the channel bandwidth (TS 38.104 clause 5.3.3 guard bands).
    for fr in ("FR1", "FR2"):
        for (bw, scs), nrb in nrb_table(fr).items():
            assert nrb * 12 * scs * 1e3 < bw * 1e6
            assert nrb * 12 * scs * 1e3 > 0.75 * bw * 1e6


def test_with_overrides_returns_validated_copy():
    scn = Scenario.from_toml(EXAMPLE).without_sweep()
    new = scn.with_overrides({"fronthaul.fiber_route_factor": 2.0, "radio.carrier_ghz": 3.7})
    assert new.fronthaul.fiber_route_factor == 2.0 and new.radio.carrier_ghz == 3.7
    assert scn.fronthaul.fiber_route_factor == 1.5  # original untouched
    with pytest.raises(ConfigError, match=r"fronthaul\.fiber_route_factor = 0\.5"):
        scn.with_overrides({"fronthaul.fiber_route_factor": 0.5})
    with pytest.raises(ConfigError, match=r"did you mean 'radio\.carrier_ghz'"):
        scn.with_overrides({"radio.carrier_gz": 3.0})


def test_layout_switch_with_key_removal():
    scn = Scenario.from_toml(EXAMPLE).without_sweep()
    ppp = scn.with_overrides(
        {
            "deployment.layout": "ppp",
            "deployment.n_sites": None,
            "deployment.inter_site_distance_m": None,
            "deployment.wraparound": False,
            "deployment.density_per_km2": 30.0,
            "deployment.area_km2": 0.5,
        }
    )
    assert ppp.deployment.site_density_per_km2 == 30.0
    assert ppp.deployment.area_m2 == pytest.approx(0.5e6)


def test_frozen():
    scn = Scenario.from_toml(EXAMPLE)
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        scn.seed = 3


def test_field_paths_cover_every_table_key():
    raw = tomllib.loads(EXAMPLE.read_text())
    for table in ("deployment", "radio", "fronthaul", "edge", "run"):
        for key in raw[table]:
            assert f"{table}.{key}" in field_paths()


def _example_dict():
    return copy.deepcopy(tomllib.loads(EXAMPLE.read_text()))


def test_sites_file_resolved_relative_to_scenario(tmp_path):
    (tmp_path / "sites.csv").write_text("x_m,y_m\n0,0\n")
    d = _example_dict()
    d.pop("sweep", None)
    dep = d["deployment"]
    for k in ("n_sites", "inter_site_distance_m"):
        dep.pop(k)
    dep.update(layout="file", sites_file="sites.csv", wraparound=False)
    (tmp_path / "s.toml").write_text(dumps(d))
    scn = Scenario.from_toml(tmp_path / "s.toml")
    assert Path(scn.deployment.sites_file) == (tmp_path / "sites.csv").resolve()
