"""The TR 38.901 scenario registry: one object per scenario, read by every code path."""

import dataclasses
import typing

import numpy as np
import pytest

import rof.radio.tr38901 as tr
from rof.errors import RofError
from rof.radio._tables import read_table
from rof.radio.deployment import make_deployment
from rof.radio.linktable import build_link_table
from rof.radio.linktable_reference import link_table_reference
from rof.radio.pathloss import pathloss_38901
from rof.radio.tr38901.model import SF_TABLE, TABLE


def test_registry_lists_the_scenarios_of_table_7_4_1_1():
    names = list(dict.fromkeys(r["scenario"] for r in read_table(TABLE)))
    assert list(tr.SCENARIOS) == names == ["UMa", "UMi", "InH", "RMa"]
    for name, sc in tr.SCENARIOS.items():
        assert sc.name == name
        assert sc.limits(True)["los"] == "LOS" and sc.limits(False)["los"] == "NLOS"
        states = sc.sf_states()
        assert states[:2] == ("LOS", "NLOS")
        # an O2I shadowing state (Table 7.5-6) exactly where there is an O2I loss
        assert ("O2I" in states) == sc.has_o2i
        assert sc.h_bs_m == float(sc.limits(True)["h_bs_nominal_m"])
    sf_names = {r["scenario"] for r in read_table(SF_TABLE)}
    assert sf_names == set(tr.SCENARIOS)


def test_unknown_scenario_names_the_allowed_ones():
    with pytest.raises(RofError, match="'UMa', 'UMi', 'InH', 'RMa'"):
        tr.get_scenario("UMx")


def test_schema_choices_are_the_registry_and_the_power_law():
    from rof.scenario.sections import Radio

    choices = typing.get_args(Radio.model_fields["scenario"].annotation)
    assert choices == (*tr.SCENARIO_NAMES, "power_law")


def _tweaked(monkeypatch, name, **changes):
    sc = tr.SCENARIOS[name]
    new = dataclasses.replace(sc, formulas=sc.formulas._replace(**changes))
    monkeypatch.setitem(tr.SCENARIOS, name, new)
    return new


def test_numpy_models_and_kernel_read_the_same_object(monkeypatch):
    """Change UMi's LOS intercept and NLOS slope in the registry only: the NumPy path
    loss moves by exactly that, and the kernel's link table still equals the NumPy
    reference built from the public functions (before issue 14 the kernel had its own
    copy of every coefficient, keyed by an integer code)."""
    d2d = np.array([30.0, 150.0])
    d3d = np.hypot(d2d, 8.5)
    before = pathloss_38901("UMi", d2d, d3d, 3.5, 10.0, 1.5, True)
    sc = _tweaked(monkeypatch, "UMi", los_a=32.4 + 7.0, nlos_b=45.0)
    after = pathloss_38901("UMi", d2d, d3d, 3.5, 10.0, 1.5, True)
    np.testing.assert_allclose(after - before, 7.0, rtol=0, atol=1e-12)
    nlos = pathloss_38901("UMi", d2d, d3d, 3.5, 10.0, 1.5, False)
    f = sc.formulas
    want = f.nlos_a + 45.0 * np.log10(d3d) + f.nlos_c * np.log10(3.5) - f.nlos_e * 0.0
    np.testing.assert_allclose(nlos, np.maximum(after, want), rtol=1e-12)
    dep = make_deployment(
        "hex", rng=np.random.default_rng(1), n_sites=7, wraparound=True, indoor_fraction=0.5,
        ue_per_site=10, scenario="UMi",
    )  # fmt: skip
    kw = dict(scenario="UMi", fc_ghz=3.5, k=5)
    a = build_link_table(dep, rng=np.random.default_rng(2), **kw)
    b = link_table_reference(dep, rng=np.random.default_rng(2), **kw)
    np.testing.assert_array_equal(a.cell, b.cell)
    np.testing.assert_allclose(a.gain_db, b.gain_db, atol=1e-4)
    monkeypatch.undo()
    c = build_link_table(dep, rng=np.random.default_rng(2), **kw)
    assert np.mean(c.gain_db) > np.mean(a.gain_db) + 1.0  # the tweak lowered every gain


def test_o2i_and_floors_follow_the_registry(monkeypatch):
    """O2I range and building types, and indoor floors, come from the scenario object."""
    from rof.radio.o2i import draw_o2i_loss

    indoor = np.ones(2000, bool)
    umi = draw_o2i_loss("UMi", indoor, 3.5, np.random.default_rng(0))
    assert umi.d2d_in_m.max() <= 25.0 and umi.high_loss.any()
    rma = draw_o2i_loss("RMa", indoor, 3.5, np.random.default_rng(0))
    assert rma.d2d_in_m.max() <= 10.0 and not rma.high_loss.any()
    monkeypatch.setitem(
        tr.SCENARIOS, "UMi", dataclasses.replace(tr.SCENARIOS["UMi"], o2i_d_in_max_m=5.0)
    )
    assert draw_o2i_loss("UMi", indoor, 3.5, np.random.default_rng(0)).d2d_in_m.max() <= 5.0


def test_a_new_scenario_is_a_module_and_its_table_rows(monkeypatch):
    """Adding a scenario: rows in Tables 7.4.1-1 and 7.5-6 and a module with SCENARIO;
    nothing else (the registry, the NumPy models, the kernel and the O2I draws pick it
    up). Here 'UMi-B' is UMi with another NLOS intercept, in a module made on the fly."""
    import sys
    import types

    import rof.radio.tr38901.model as model

    def rows(name):
        extra = [dict(r, scenario="UMi-B") for r in read_table(name) if r["scenario"] == "UMi"]
        return (*read_table(name), *extra)

    tables = {n: rows(n) for n in (TABLE, SF_TABLE)}
    monkeypatch.setattr(model, "read_table", lambda n: tables.get(n) or read_table(n))
    monkeypatch.setattr(tr, "read_table", lambda n: tables.get(n) or read_table(n))
    umi = tr.SCENARIOS["UMi"]
    new = dataclasses.replace(
        umi, name="UMi-B", formulas=umi.formulas._replace(nlos_a=umi.formulas.nlos_a + 5.0)
    )
    module = types.ModuleType("rof.radio.tr38901.umi_b")
    module.SCENARIO = new
    monkeypatch.setitem(sys.modules, "rof.radio.tr38901.umi_b", module)
    registry = tr._load()
    assert list(registry) == ["UMa", "UMi", "InH", "RMa", "UMi-B"]
    # what importing the package would now build: the same dict every module holds
    monkeypatch.setitem(tr.SCENARIOS, "UMi-B", registry["UMi-B"])
    monkeypatch.setattr(tr, "SCENARIO_NAMES", tuple(registry))
    d = np.array([300.0, 900.0])
    nlos = {
        n: pathloss_38901(n, d, np.hypot(d, 8.5), 3.5, 10.0, 1.5, False) for n in ("UMi", "UMi-B")
    }
    np.testing.assert_allclose(nlos["UMi-B"] - nlos["UMi"], 5.0, atol=1e-9)  # NLOS-bound here
    import rof.radio._linktable_inputs as inputs

    monkeypatch.setattr(inputs, "MODELS", (*registry, "power_law"))
    dep = make_deployment(
        "hex", rng=np.random.default_rng(4), n_sites=7, wraparound=True, indoor_fraction=0.5,
        ue_per_site=8, scenario="UMi-B",
    )  # fmt: skip
    kw = dict(scenario="UMi-B", fc_ghz=3.5, k=4)
    a = build_link_table(dep, rng=np.random.default_rng(5), **kw)
    b = link_table_reference(dep, rng=np.random.default_rng(5), **kw)
    np.testing.assert_array_equal(a.cell, b.cell)
    np.testing.assert_allclose(a.gain_db, b.gain_db, atol=1e-4)
