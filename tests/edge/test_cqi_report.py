"""Wideband and subband CQI reports (rof.edge.cqi_report): the UE's CQI against the
per-RB CQI and plain-NumPy effective SINRs, the edge's reconstruction against a
hand-built frequency-selective channel, and the option through the scenario and `rof run`."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rof.edge import simulate
from rof.edge.cqi_report import (
    CqiReport,
    KnownSinrCache,
    band_cqi,
    cqi_levels,
    full_power_sinr,
    reported_gain,
)
from rof.edge.link_adaptation import link_mcs
from rof.edge.percell import full_power_rate
from rof.edge.rate_model import rate_model, rate_se
from rof.errors import ConfigError, RofError
from rof.radio import bler_curves, rates
from rof.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]


def _lin(db):
    return 10.0 ** (np.asarray(db, dtype=float) / 10.0)


# ------------------------------------------------------------------ the UE's CQI


def test_wideband_cqi_of_a_flat_channel_is_the_per_rb_cqi_se_gap():
    s_db = np.arange(-12.0, 32.0, 0.173)
    rep = CqiReport.build("wideband", "se_gap", "qam256", 51)
    sinr = np.repeat(_lin(s_db)[:, None], 51, axis=1)
    wide, diff = rep.cqis(sinr)
    assert diff is None
    np.testing.assert_array_equal(wide, rates.select_cqi(s_db, "table2"))


@pytest.mark.parametrize("table", ["qam64", "qam256", "qam64lowse"])
def test_wideband_cqi_of_a_flat_channel_is_the_per_rb_cqi_eesm(table):
    # the existing path: link adaptation's MCS over the whole carrier at zero offset,
    # quantised through the CQI (rof.edge.link_adaptation.link_mcs)
    n = 51
    s_db = np.arange(-8.0, 30.0, 0.131)
    rep = CqiReport.build("wideband", "eesm", table, n)
    wide, _ = rep.cqis(np.repeat(_lin(s_db)[:, None], n, axis=1))
    n_mcs = rates.mcs_table(table).index.size
    mcs = link_mcs(np.tile(s_db, (n_mcs, 1)), np.full(s_db.size, n), np.zeros(s_db.size),
                   link_abstraction="eesm", table=table, n_rb_max=n)  # fmt: skip
    cqi_tab = rates.cqi_table({"qam64": "table1", "qam256": "table2"}.get(table, "table3"))
    mcs_tab = rates.mcs_table(table)
    in_range = wide >= 2  # CQI 1 of tables 1 and 2 lies below MCS 0
    assert in_range.sum() > 200
    np.testing.assert_array_equal(
        cqi_tab.spectral_efficiency[wide[in_range] - 1], mcs_tab.spectral_efficiency[mcs[in_range]]
    )


def test_eesm_band_cqi_against_plain_numpy_eesm():
    rng = np.random.default_rng(1)
    n_rb = 24
    mean_db = rng.uniform(-5.0, 28.0, size=(40, 1))
    sinr = _lin(mean_db + rng.uniform(-4.0, 4.0, size=(40, n_rb)))
    thr, beta = cqi_levels("eesm", "qam256", n_rb, n_rb)
    got = band_cqi(sinr, np.array([0, n_rb]), thr[None, :], beta)[:, 0]
    want = np.zeros(40, dtype=int)
    for u in range(40):
        for q in range(1, 16):  # the highest CQI whose block meets its BLER
            eff = -beta[q - 1] * np.log(np.mean(np.exp(-sinr[u] / beta[q - 1])))
            if 10 * np.log10(eff) >= thr[q - 1]:
                want[u] = q
    np.testing.assert_array_equal(got, want)
    assert len(set(got.tolist())) > 5


def test_cqi_1_below_mcs_0_uses_the_repetition_shift():
    thr, beta = cqi_levels("eesm", "qam256", 51, 51)
    mcs0 = bler_curves.tb_sinr_at_bler_db(0, rates.tb_bits(0, 51, 12, "qam256"), "qam256")
    assert thr[0] == pytest.approx(float(mcs0) + 10 * np.log10(78 / 120))
    assert beta[0] == bler_curves.eesm_beta("qam256")[0]
    assert np.all(np.diff(thr) >= 0)


# ------------------------------------------------------------------ the edge's knowledge


def test_subband_reconstruction_of_a_frequency_selective_channel():
    # 24 PRBs in subbands of 8; se_gap thresholds T_q = 10 log10(2^SE_q - 1) + 2 dB
    se = rates.cqi_table("table2").spectral_efficiency
    t = 10 * np.log10(2.0**se - 1.0) + 2.0
    sub_cqi = np.array([12, 5, 9])  # each subband flat 0.1 dB above its CQI's threshold
    per_rb_db = np.repeat(t[sub_cqi - 1] + 0.1, 8)
    per_rb = _lin(per_rb_db)[None, :]
    # wideband: capacity-mapped mean over the 24 RBs, then the highest CQI it reaches
    eff_db = 10 * np.log10(2.0 ** np.mean(np.log2(1.0 + per_rb)) - 1.0)
    wide = int(np.sum(eff_db >= t))
    assert wide == 8  # the hand-built case: between the subbands' 12 and 5
    rep = CqiReport.build("subband", "se_gap", "qam256", 24, 8)
    w, diff = rep.cqis(per_rb)
    assert w.tolist() == [wide]
    assert diff.tolist() == [[2, 3, 1]]  # +4 -> ">= +2", -3 -> "<= -1", +1
    known = rep.known_sinr_db(per_rb)[0]
    want = np.repeat([t[10 - 1], t[7 - 1], t[9 - 1]], 8)  # CQIs 8 + 2, 8 - 1, 8 + 1
    np.testing.assert_allclose(known, want)
    # wideband: every RB at the wideband CQI's threshold
    np.testing.assert_allclose(
        CqiReport.build("wideband", "se_gap", "qam256", 24).known_sinr_db(per_rb)[0],
        np.full(24, t[wide - 1]),
    )


def test_cqi_0_is_known_as_no_sinr():
    rep = CqiReport.build("wideband", "se_gap", "qam256", 24)
    known = rep.known_sinr_db(np.full((1, 24), _lin(-20.0)))
    assert np.all(np.isneginf(known))


def test_default_subband_size_is_the_larger_of_the_table():
    assert np.diff(CqiReport.build("subband", "eesm", "qam256", 51).bounds).max() == 8
    assert np.diff(CqiReport.build("subband", "eesm", "qam256", 273).bounds).max() == 32


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("subband", "eesm", "qam256", 11, None), "below 24 PRBs"),
        (("subband", "eesm", "qam256", 51, 16), "cqi_subband_size_prbs = 16; allowed .* 4 or 8"),
        (("per_rb", "eesm", "qam256", 51, None), "edge.cqi_report"),
    ],
)
def test_build_refuses_what_the_table_does_not_allow(args, match):
    with pytest.raises(RofError, match=match):
        CqiReport.build(*args)


def test_reported_gain_makes_the_full_power_sinr_the_known_one(instance):
    inst = instance(np.random.default_rng(7), n_ue=30, k=4, n_rb=24)
    rep = CqiReport.build("subband", "eesm", "qam256", 24, 4)
    args = (inst["link_cell"], inst["gain"], inst["serve_k"], inst["floor_w"], inst["p_w"])
    measured = full_power_sinr(*args)
    # plain loop: serving over the other top-K links at full power plus the floor
    for u in range(3):
        for b in range(24):
            g = inst["gain"][u, :, b] * inst["p_w"]
            assert measured[u, b] == pytest.approx(g[0] / (g[1:].sum() + inst["floor_w"][u]))
    out = reported_gain(*args, rep)
    known = _lin(rep.known_sinr_db(measured))
    np.testing.assert_allclose(
        full_power_sinr(inst["link_cell"], out, *args[2:]), known, rtol=1e-12
    )
    np.testing.assert_array_equal(out[:, 1:, :], inst["gain"][:, 1:, :])  # interferers as reported
    # per-cell PF then estimates every RB at the known SINR exactly
    rm = rate_model("eesm", "qam256", 24)
    r = full_power_rate(inst["link_cell"], out, inst["serve_k"], inst["floor_w"],
                        np.zeros(inst["n_cells"]), inst["p_w"], rm)  # fmt: skip
    np.testing.assert_array_equal(r, rate_se(known, rm))


def test_known_sinr_cache_matches_the_report():
    rng = np.random.default_rng(2)
    rep = CqiReport.build("subband", "eesm", "qam256", 51, 4)
    cache = KnownSinrCache(rep)
    s = _lin(rng.uniform(-5, 25, size=(20, 51)))
    for _ in range(4):
        np.testing.assert_array_equal(cache.known_sinr_db(s), rep.known_sinr_db(s))
        s = s.copy()
        s[rng.integers(0, 20, size=3)] *= 1.7  # a few UEs' reports change


# ------------------------------------------------------------------ scenario and `rof run`

BASE = {
    "name": "cqi-test",
    "seed": 3,
    "deployment": {
        "n_sites": 7,
        "inter_site_distance_m": 200.0,
        "wraparound": True,
        "ue_per_site": 6,
        "indoor_fraction": 0.5,
    },
    "radio": {"bandwidth_mhz": 10.0, "fading": "tdl", "top_k_links": 8},  # 24 PRBs at 30 kHz
    "edge": {"scheduler": "proportional_fair", "pf_window_ttis": 5},
    "run": {"ttis": 60, "warmup_ttis": 10, "drops": 1},
}


def scenario(**edge):
    d = copy.deepcopy(BASE)
    d["edge"].update(edge)
    return d


def test_subband_and_wideband_runs_complete_and_differ_from_per_rb():
    thr = {m: simulate(scenario(cqi_report=m)).ue_throughput_bps for m in
           ("per_rb", "wideband", "subband")}  # fmt: skip
    for m, x in thr.items():
        assert np.all(np.isfinite(x)) and x.sum() > 0, m
    assert not np.array_equal(thr["per_rb"], thr["subband"])
    assert not np.array_equal(thr["per_rb"], thr["wideband"])
    assert not np.array_equal(thr["wideband"], thr["subband"])


def test_per_rb_is_the_default_and_changes_nothing():
    a = simulate(scenario()).ue_throughput_bps
    b = simulate(scenario(cqi_report="per_rb")).ue_throughput_bps
    np.testing.assert_array_equal(a, b)


SUB = {"cqi_report": "subband"}
WIDE = {"cqi_report": "wideband"}


@pytest.mark.parametrize(
    ("edge", "radio", "match"),
    [
        ({**SUB, "cqi_subband_size_prbs": 16}, {}, r"cqi_subband_size_prbs = 16.*4 or 8"),
        (SUB, {"bandwidth_mhz": 5.0}, r"edge\.cqi_report = 'subband'.*below 24 PRBs"),
        ({**WIDE, "cqi_quantised": False}, {}, r"edge\.cqi_quantised"),
        ({**WIDE, "cqi_subband_size_prbs": 4}, {}, r"edge\.cqi_subband_size_prbs"),
        ({"cqi_report": "subband_cqi"}, {}, r"edge\.cqi_report"),
        ({**SUB, "cqi_subband_size_prbs": 5}, {}, r"edge\.cqi_subband_size_prbs"),
    ],
)
def test_scenario_refuses_bad_cqi_reports(edge, radio, match):
    d = scenario(**edge)
    d["radio"].update(radio)
    with pytest.raises(ConfigError, match=match):
        Scenario.from_dict(d)


def test_scenario_refuses_wideband_cqi_with_mimo():
    d = scenario(cqi_report="wideband")
    d["mimo"] = {"scheme": "jt_user"}
    with pytest.raises(ConfigError, match=r"edge\.cqi_report = 'wideband'.*\[mimo\]"):
        Scenario.from_dict(d)


def _rof(*args, cwd):
    return subprocess.run([sys.executable, "-m", "rof.cli", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)  # fmt: skip


def test_rof_run_in_subband_mode(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text(Scenario.from_dict(scenario(cqi_report="subband")).to_toml_text())
    proc = _rof("run", str(toml), "-o", str(tmp_path / "s.h5"), "--json", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    kpis = json.loads(proc.stdout)["kpis"]
    per_rb = simulate(scenario()).kpis
    assert kpis["ue_throughput_mean_bps"] != per_rb["ue_throughput_mean_bps"]
    sub = simulate(scenario(cqi_report="subband")).kpis
    assert kpis["ue_throughput_mean_bps"] == sub["ue_throughput_mean_bps"]


@pytest.mark.parametrize(
    "sets",
    [
        ["edge.cqi_report=subband", "edge.cqi_subband_size_prbs=16"],
        ["edge.cqi_report=narrowband"],
    ],
)
def test_rof_run_bad_cqi_report_exits_2_with_one_line(tmp_path, sets):
    out = tmp_path / "x.h5"
    argv = ["run", str(ROOT / "scenarios" / "coordination.toml"), "-o", str(out)]
    for s in sets:
        argv += ["--set", s]
    proc = _rof(*argv, cwd=tmp_path)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert "edge.cqi_" in lines[0] and "Traceback" not in proc.stderr
    assert not out.exists()


def test_schema_lists_the_reports_the_edge_knows():
    import typing

    from rof.edge.cqi_report import CQI_REPORTS
    from rof.scenario.sections import Edge

    assert typing.get_args(Edge.model_fields["cqi_report"].annotation) == CQI_REPORTS
    assert Edge().cqi_report == "per_rb"
