"""`rof run`, `rof sweep`, result files and rof.edge.simulate on a [mimo] scenario (issue 19)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from rof.cli import main
from rof.edge import simulate, stats
from rof.edge.result import Result
from rof.scenario import Scenario
from rof.store import read_points

SHIPPED = Path(__file__).resolve().parents[3] / "scenarios" / "joint_transmission.toml"
SMALL = {
    "deployment.n_sites": 1,
    "deployment.ue_per_site": 12,
    "radio.bandwidth_mhz": 5.0,
    "run.ttis": 8,
    "run.warmup_ttis": 4,
    "run.drops": 2,
    "edge.pf_window_ttis": 4,
    "mimo.n_ant": 4,
    "mimo.streams_per_cell": 2,
}


def _small():
    return Scenario.from_toml(SHIPPED).with_overrides(SMALL)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_simulate_dispatches_mimo_and_off_is_the_single_antenna_run():
    scn = _small()
    res = simulate(scn)
    assert isinstance(res, Result)
    assert res.kpis["n_ant"] == 4.0 and 0 < res.kpis["streams_per_cell_rb"] <= 2
    for k in stats.KPIS:
        lo, hi = res.kpis[f"{k}_ci_low"], res.kpis[f"{k}_ci_high"]
        assert lo <= res.kpis[k] <= hi or np.isnan(lo), k
    assert res.kpis["bler"] == 0.0  # the Shannon rate never fails a block
    assert res.ue_throughput_bps.shape == (2 * 12,) and res.sinr_db.size > 0
    assert res.ci("ue_throughput_mean_bps") == (
        res.kpis["ue_throughput_mean_bps_ci_low"],
        res.kpis["ue_throughput_mean_bps_ci_high"],
    )
    off = simulate(scn.with_overrides({"mimo.scheme": "off"}))
    assert "n_ant" not in off.kpis  # the single-antenna loop ran
    base = simulate(scn.model_copy(update={"mimo": None}))
    np.testing.assert_array_equal(off.ue_throughput_bps, base.ue_throughput_bps)
    # same drops, same users: the paired comparison lines them up
    np.testing.assert_array_equal(res.arrays["ue_xy_m"], off.arrays["ue_xy_m"])
    g, (lo, hi) = stats.paired_gain(res.samples, off.samples, "ue_throughput_mean_bps")
    assert lo <= g <= hi


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_rof_run_stores_the_mimo_result(tmp_path, capsys):
    out = tmp_path / "jt.h5"
    sets = [x for k, v in SMALL.items() for x in ("--set", f"{k}={v}")]
    rc = main(["run", str(SHIPPED), "-o", str(out), "--json", "-q", *sets])
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["scheduler"] == "mimo jt_user (4 antennas, rzf)"  # not edge.scheduler
    (rec,) = read_points(out)
    direct = simulate(_small())
    for k in ("ue_throughput_mean_bps", "ue_throughput_p5_bps_ci_low", "n_ant"):
        assert rec.kpis[k] == direct.kpis[k] == doc["kpis"][k]
    np.testing.assert_array_equal(rec.arrays["ue_throughput_bps"], direct.ue_throughput_bps)
    assert rec.arrays["ue_drop"].tolist() == [0] * 12 + [1] * 12


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_rof_sweep_over_schemes(tmp_path):
    d = _small().to_dict()
    d["sweep"] = {"mimo.scheme": ["off", "jt_user"], "common_seed": True}
    src = tmp_path / "s.toml"
    import tomli_w

    src.write_bytes(tomli_w.dumps(d).encode())
    assert tomllib.loads(src.read_text())["sweep"]["mimo.scheme"] == ["off", "jt_user"]
    out = tmp_path / "s.h5"
    assert main(["sweep", str(src), "-o", str(out), "-q"]) == 0
    recs = read_points(out)
    assert [r.values["mimo.scheme"] for r in recs] == ["off", "jt_user"]
    assert "n_ant" not in recs[0].kpis and recs[1].kpis["n_ant"] == 4.0
    assert recs[0].seed == recs[1].seed  # common_seed: paired points
    direct = simulate(_small().model_copy(update={"seed": recs[1].seed}))
    assert recs[1].kpis["ue_throughput_mean_bps"] == direct.kpis["ue_throughput_mean_bps"]


@pytest.mark.parametrize(
    ("sets", "words"),
    [
        (["mimo.scheme=jt_all"], ["mimo.scheme", "'jt_user'", "'off'"]),
        (["mimo.cluster_size=40"], ["mimo.cluster_size = 40", "1 to 8", "top-K = 8"]),
        (["mimo.n_ant=2", "mimo.streams_per_cell=4"], ["streams_per_cell", "1 to mimo.n_ant = 2"]),
        (["mimo.precoder=svd"], ["mimo.precoder", "'mrt', 'zf', 'rzf'"]),
    ],
)
def test_cli_bad_mimo_input_exits_2_with_one_line(tmp_path, capsys, sets, words):
    out = tmp_path / "x.h5"
    flags = [x for s in sets for x in ("--set", s)]
    small = ["--set", "run.ttis=12", "--set", "run.warmup_ttis=2", "--set", "run.drops=1"]
    rc = main(["run", str(SHIPPED), "-o", str(out), *flags, *small, "-q"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1, err
    for w in words:
        assert w in err[0]
    assert not out.exists()
