"""The [mimo] scenario table (issue 19)."""

from __future__ import annotations

import pytest

from rof.errors import ConfigError
from rof.scenario import Scenario


def test_absent_by_default_and_overridable():
    scn = Scenario.from_dict({"name": "x"})
    assert scn.mimo is None and "mimo" not in scn.to_dict()
    m = scn.with_overrides({"mimo.scheme": "cb", "mimo.n_ant": 4, "mimo.streams_per_cell": 2})
    assert (m.mimo.scheme, m.mimo.n_ant, m.mimo.precoder) == ("cb", 4, "rzf")
    assert Scenario.from_dict(m.to_dict()) == m


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"n_ant": 2, "streams_per_cell": 3}, ["mimo.streams_per_cell = 3", "1 to mimo.n_ant = 2"]),
        ({"scheme": "comp"}, ["mimo.scheme", "'single', 'cb', 'jt_static', 'jt_user'"]),
        ({"precoder": "svd"}, ["mimo.precoder", "'mrt', 'zf', 'rzf'"]),
        ({"cluster_size": 0}, ["mimo.cluster_size", ">= 1"]),
        ({"sus_epsilon": 0.0}, ["mimo.sus_epsilon", "> 0"]),
        ({"n_ant": 1, "streams_per_cell": 1, "branch_crosstalk": "wdm"}, ["n_ant >= 2"]),
        ({"antennas": 4}, ["antennas"]),
    ],
)
def test_bad_values_name_the_key(table, words):
    with pytest.raises(ConfigError) as exc:
        Scenario.from_dict({"name": "x", "mimo": table})
    msg = str(exc.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg
