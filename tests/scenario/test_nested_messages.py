"""Errors in nested scenario tables name the inner key, and the key list shows every
nested key (before: 'edge.learnware = 0 is out of range; allowed: a table', 'unknown key
edge.learnware; did you mean edge.learnware?', 'allowed: see the docs')."""

import pytest

from rof.errors import ConfigError
from rof.scenario import Scenario
from rof.scenario.schema import field_paths, key_rows

BASE = {"name": "nested"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"edge": {"learnware": {"top_k": 0}}},
            "edge.learnware.top_k = 0 is out of range; allowed: an integer >= 1 and <= 32",
        ),
        (
            {"edge": {"learnware": {"topk": 3}}},
            "unknown key 'edge.learnware.topk'; did you mean 'edge.learnware.top_k'?",
        ),
        (
            {"edge": {"learnware": 3}},
            "edge.learnware = 3 is not allowed; allowed: a table [edge.learnware] with keys "
            "reduced_size, spec_rows, top_k, mmd_threshold",
        ),
        (
            {"fronthaul": {"fiber": {"lenght_km": 3.0}}},
            "fronthaul.fiber.lenght_km = 3.0 is not a known key (did you mean 'length_km'?); "
            "allowed: length_km,",
        ),
    ],
)
def test_nested_table_errors_name_the_inner_key(data, expected):
    with pytest.raises(ConfigError) as exc:
        Scenario.from_dict(BASE | data)
    assert expected in str(exc.value)


def test_overriding_a_table_names_its_keys():
    scn = Scenario.from_dict(BASE)
    with pytest.raises(ConfigError, match=r"name a key of \[fronthaul.fiber\], e.g. "):
        scn.with_overrides({"fronthaul.fiber": 3})
    with pytest.raises(ConfigError, match=r"name a key of \[edge.learnware\]"):
        scn.with_overrides({"edge.learnware": 0})
    assert scn.with_overrides({"edge.learnware.top_k": 3}).edge.learnware.top_k == 3


def test_key_list_expands_nested_tables_and_says_what_lists_are():
    paths = field_paths()
    assert "edge.learnware.mmd_threshold" in paths and "edge.learnware" not in paths
    rows = {k: t for k, t, _ in key_rows()}
    assert rows["fronthaul.link.crosstalk_ratios"] == "a list of numbers"
    assert not [k for k, t in rows.items() if t == "a table"]
