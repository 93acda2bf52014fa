"""`rof run / sweep / plot`: bad scenarios exit 2 with one line naming the key, and no file."""

import copy
import json
import tomllib
from pathlib import Path

import h5py
import pytest
from tomli_w import dumps

import rof.cli
from rof.store import read_info, read_points

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO.parent / "shared" / "examples" / "scenario.toml"
if not EXAMPLE.exists():  # ../shared is not beside this checkout
    EXAMPLE = REPO / "scenarios" / "coordination.toml"
BASE = tomllib.loads(EXAMPLE.read_text())


@pytest.fixture(autouse=True)
def _only_sweep_commands(monkeypatch):
    # Other layers register their own commands; these tests need only this layer's.
    monkeypatch.setattr(rof.cli, "_COMMAND_MODULES", ("rof.sweep.cli",))


def _set(d, key, value):
    table, _, name = key.rpartition(".")
    (d[table] if table else d)[name] = value


def _mutate(key, value=None, drop=()):
    d = copy.deepcopy(BASE)
    for k in drop:
        table, _, name = k.rpartition(".")
        (d[table] if table else d).pop(name)
    if key is not None:
        _set(d, key, value)
    return dumps(d)


# (id, TOML text, substring the one-line message must contain)
MALFORMED = [
    ("carrier_high", _mutate("radio.carrier_ghz", 200.0), "radio.carrier_ghz = 200.0"),
    ("carrier_low", _mutate("radio.carrier_ghz", 0.1), "radio.carrier_ghz = 0.1"),
    ("carrier_str", _mutate("radio.carrier_ghz", "3.5"), "radio.carrier_ghz = '3.5'"),
    ("bandwidth", _mutate("radio.bandwidth_mhz", 110.0), "radio.bandwidth_mhz = 110.0"),
    ("scs", _mutate("radio.subcarrier_spacing_khz", 45), "radio.subcarrier_spacing_khz = 45"),
    ("n_rb", _mutate("radio.resource_blocks", 270), "radio.resource_blocks = 270"),
    ("pl_scenario", _mutate("radio.scenario", "urban"), "radio.scenario = 'urban'"),
    ("fading", _mutate("radio.fading", "fast"), "radio.fading = 'fast'"),
    ("tdl", _mutate("radio.delay_profile", "TDL-X"), "radio.delay_profile"),
    ("speed", _mutate("radio.ue_speed_kmh", -3.0), "radio.ue_speed_kmh = -3.0"),
    ("top_k", _mutate("radio.top_k_links", 0), "radio.top_k_links = 0"),
    ("power", _mutate("radio.site_power_dbm", 80.0), "radio.site_power_dbm = 80.0"),
    ("nf", _mutate("radio.ue_noise_figure_db", -1.0), "radio.ue_noise_figure_db"),
    ("layout", _mutate("deployment.layout", "grid"), "deployment.layout = 'grid'"),
    ("hex_rings", _mutate("deployment.n_sites", 20), "deployment.n_sites = 20"),
    ("isd", _mutate("deployment.inter_site_distance_m", 1.0), "deployment.inter_site_distance_m"),
    ("sectors", _mutate("deployment.sectors", 2), "deployment.sectors = 2"),
    ("indoor", _mutate("deployment.indoor_fraction", 1.5), "deployment.indoor_fraction = 1.5"),
    ("ue_per_site", _mutate("deployment.ue_per_site", 0), "deployment.ue_per_site = 0"),
    ("wrap_type", _mutate("deployment.wraparound", "yes"), "deployment.wraparound = 'yes'"),
    ("ppp_key_on_hex", _mutate("deployment.density_per_km2", 10.0), "deployment.density_per_km2"),
    ("route_factor", _mutate("fronthaul.fiber_route_factor", 0.5), "fronthaul.fiber_route_factor"),
    ("transmitter", _mutate("fronthaul.transmitter", "vcsel"), "fronthaul.transmitter = 'vcsel'"),
    (
        "responsivity",
        _mutate("fronthaul.photodiode_responsivity_a_per_w", 2.0),
        "fronthaul.photodiode_responsivity_a_per_w = 2.0",
    ),
    ("wavelength", _mutate("fronthaul.wavelength_nm", 850.0), "fronthaul.wavelength_nm = 850.0"),
    ("edge_loc_str", _mutate("fronthaul.edge_location", "middle"), "fronthaul.edge_location"),
    ("edge_loc_len", _mutate("fronthaul.edge_location", [1.0]), "fronthaul.edge_location = [1.0]"),
    ("fiber_len", _mutate("fronthaul.fiber_length_km", -1.0), "fronthaul.fiber_length_km = -1.0"),
    ("rin", _mutate("fronthaul.rin_db_per_hz", -90.0), "fronthaul.rin_db_per_hz = -90.0"),
    ("bias", _mutate("fronthaul.bias_current_ma", 5.0), "fronthaul.bias_current_ma = 5.0"),
    ("scheduler", _mutate("edge.scheduler", "max_cqi"), "edge.scheduler = 'max_cqi'"),
    ("csi", _mutate("edge.csi", "oracle"), "edge.csi = 'oracle'"),
    ("proc_delay", _mutate("edge.processing_delay_ms", -0.5), "edge.processing_delay_ms = -0.5"),
    ("bler", _mutate("edge.bler_target", 0.9), "edge.bler_target = 0.9"),
    ("ttis", _mutate("run.ttis", 0), "run.ttis = 0"),
    ("warmup", _mutate("run.warmup_ttis", 500), "run.warmup_ttis = 500"),
    ("ttis_float", _mutate("run.ttis", 100.5), "run.ttis = 100.5"),
    ("seed", _mutate("seed", -1), "seed = -1"),
    ("name", _mutate("name", ""), "name = ''"),
    ("missing_name", _mutate(None, drop=["name"]), "name is required"),
    ("unknown_key", _mutate("radio.carrier_gz", 3.5), "did you mean 'radio.carrier_ghz'"),
    ("unknown_table", _mutate("radoi", {"x": 1}), "did you mean 'radio'"),
    (
        "sweep_unknown",
        _mutate("sweep", {"radio.carier_ghz": [3.5]}),
        "did you mean 'radio.carrier_ghz'",
    ),
    (
        "sweep_bad_value",
        _mutate("sweep", {"fronthaul.fiber_route_factor": [1.0, 0.5]}),
        "fronthaul.fiber_route_factor = 0.5",
    ),
    (
        "sweep_zip",
        _mutate("sweep", {"mode": "zip", "radio.carrier_ghz": [3.5, 3.6], "edge.csi": ["perfect"]}),
        "equal lengths",
    ),
    (
        "sweep_mode",
        _mutate("sweep", {"mode": "grid", "radio.carrier_ghz": [3.5]}),
        "sweep.mode = 'grid'",
    ),
    ("sweep_empty", _mutate("sweep", {"radio.carrier_ghz": []}), "'radio.carrier_ghz'"),
    ("sweep_seed", _mutate("sweep", {"seed": [1, 2]}), "'seed' cannot be swept"),
    (
        "nan",
        EXAMPLE.read_text().replace("carrier_ghz = 3.5", "carrier_ghz = nan"),
        "radio.carrier_ghz = nan",
    ),
    ("not_toml", "name = [unclosed", "not valid TOML"),
]


@pytest.mark.parametrize("command", ["run", "sweep"])
@pytest.mark.parametrize(
    ("text", "needle"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_scenario_exits_2_one_line_no_file(tmp_path, capsys, command, text, needle):
    src = tmp_path / "bad.toml"
    src.write_text(text)
    out = tmp_path / "results" / "out.h5"
    assert rof.cli.main([command, str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert str(src) in lines[0] and needle in lines[0], lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]  # nothing written


def test_at_least_30_malformed_cases():
    assert len(MALFORMED) >= 30


def test_sweep_probe_json_and_plot(tmp_path, capsys):
    src = tmp_path / "s.toml"
    d = copy.deepcopy(BASE)
    d["sweep"] = {
        "fronthaul.fiber_length_km": [0.0, 10.0],
        "edge.scheduler": ["wmmse", "round_robin"],
    }
    src.write_text(dumps(d))
    out = tmp_path / "s.h5"
    assert rof.cli.main(["sweep", str(src), "-o", str(out), "--probe", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["points"] == 4 and len(doc["point_kpis"]) == 4
    assert len(read_points(out)) == 4
    # Existing output without --resume/--overwrite is a user error and keeps the file intact.
    assert rof.cli.main(["sweep", str(src), "-o", str(out), "--probe"]) == 2
    assert "exists" in capsys.readouterr().err
    assert rof.cli.main(["sweep", str(src), "-o", str(out), "--probe", "--resume"]) == 0
    capsys.readouterr()
    # Probe points are synthetic: rof plot refuses them (tests/test_plot.py plots real files).
    assert rof.cli.main(["plot", str(out), "-o", str(tmp_path / "png"), "--json"]) == 2
    assert "synthetic probe points" in capsys.readouterr().err
    assert not (tmp_path / "png").exists()


def test_plot_rejects_non_result_file(tmp_path, capsys):
    bad = tmp_path / "x.h5"
    with h5py.File(bad, "w") as f:
        f["a"] = 1
    assert rof.cli.main(["plot", str(bad), "-o", str(tmp_path / "png")]) == 2
    assert "not a rof sweep result" in capsys.readouterr().err
    assert not (tmp_path / "png").exists()


def test_unreachable_scheduler_is_user_error_without_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("rof.sweep.executors.CONNECT_TIMEOUT_S", 1.0)
    src = tmp_path / "s.toml"
    src.write_text(EXAMPLE.read_text())
    out = tmp_path / "o.h5"
    rc = rof.cli.main(["sweep", str(src), "-o", str(out), "--scheduler", "tcp://127.0.0.1:9"])
    assert rc == 2 and "cannot connect" in capsys.readouterr().err
    assert not out.exists()


def test_run_never_overwrites_a_sweep_file(tmp_path, capsys, monkeypatch):
    src = tmp_path / "s.toml"
    src.write_text(EXAMPLE.read_text())
    out = tmp_path / "s.h5"
    assert rof.cli.main(["sweep", str(src), "-o", str(out), "--probe"]) == 0
    before = out.read_bytes()
    assert rof.cli.main(["run", str(src), "-o", str(out)]) == 2
    assert "holds a sweep" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_sweep_on_an_existing_scheduler_address(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    src = tmp_path / "s.toml"
    src.write_text(EXAMPLE.read_text())
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        argv = ["sweep", str(src), "-o", str(tmp_path / "d.h5"), "--probe", "--json"]
        assert rof.cli.main([*argv, "--scheduler", cluster.scheduler_address]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["points"] == doc["of"] == len(read_points(tmp_path / "d.h5"))


def test_sweep_table_lists_every_point_with_its_axis_values(tmp_path, capsys):
    """The human summary is one row per point (axis values, then KPIs), not a mean
    across points that differ by scheduler or fiber length."""
    src = tmp_path / "s.toml"
    base = copy.deepcopy(BASE)
    base["sweep"] = {"edge.scheduler": ["round_robin", "proportional_fair"]}
    base["run"] = {"ttis": 20, "warmup_ttis": 5}
    src.write_text(dumps(base))
    rc = rof.cli.main(["sweep", str(src), "-o", str(tmp_path / "o.h5")])
    out = capsys.readouterr().out
    assert rc == 0
    rows = [ln for ln in out.splitlines() if ln.strip().startswith(("round_robin", "proportional"))]
    assert len(rows) == 2
    recs = {r.values["edge.scheduler"]: r.kpis for r in read_points(tmp_path / "o.h5")}
    for row in rows:
        name, mean_mbps = row.split()[0], float(row.split()[1])
        assert mean_mbps == pytest.approx(recs[name]["ue_throughput_mean_bps"] * 1e-6, rel=5e-3)


def test_workers_must_be_positive(tmp_path, capsys):
    out = tmp_path / "o.h5"
    rc = rof.cli.main(["sweep", str(EXAMPLE), "-o", str(out), "--workers", "0"])
    err = capsys.readouterr().err
    assert rc == 2 and "--workers" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


SHIPPED = REPO / "scenarios" / "coordination.toml"


def test_run_overrides_reach_the_file_and_the_summary(tmp_path, capsys):
    out = tmp_path / "o.h5"
    argv = ["run", str(SHIPPED), "-o", str(out), "--ttis", "12", "--seed", "3"]
    argv += ["--set", "edge.scheduler=round_robin", "--set", 'edge.csi="perfect"', "--json"]
    assert rof.cli.main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["seed"], doc["ttis"], doc["scheduler"], doc["csi"]) == (
        3,
        12,
        "round_robin",
        "perfect",
    )
    assert doc["files"] == [str(out)]
    stored = tomllib.loads(read_info(out)["scenario_toml"])
    assert stored["seed"] == 3 and stored["run"]["ttis"] == 12
    assert stored["run"]["warmup_ttis"] == 1  # the file's 100 does not fit 12 TTIs: 12 // 10
    assert stored["edge"]["scheduler"] == "round_robin"


def test_run_summary_groups_kpis_under_a_header(tmp_path, capsys):
    out = tmp_path / "o.h5"
    assert rof.cli.main(["run", str(SHIPPED), "-o", str(out), "--ttis", "12"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0].startswith("scenario coordination: scheduler coordinated_pf, CSI delayed")
    assert "seed 5, 4 drops x 12 TTIs (1 warm-up); [95 % interval]" in lines[0]
    groups = [ln.strip() for ln in lines if ln.startswith("  ") and not ln.startswith("    ")]
    assert groups == ["throughput", "radio", "fronthaul", "fairness and scheduling"]
    assert "Mbit/s" in text and "Gbit/s/km2" in text and " dB" in text
    assert lines[-1].startswith(f"wrote {out} (HDF5 result file)")
    (rec,) = read_points(out)
    row = next(ln for ln in lines if "user mean" in ln).split()
    assert float(row[2]) == pytest.approx(rec.kpis["ue_throughput_mean_bps"] / 1e6, abs=0.006)
    # the 95 % interval beside the value, as stored in the file
    lo, hi = (float(v.strip("[],")) for v in row[-2:])
    assert lo == pytest.approx(rec.kpis["ue_throughput_mean_bps_ci_low"] / 1e6, abs=0.006)
    assert hi == pytest.approx(rec.kpis["ue_throughput_mean_bps_ci_high"] / 1e6, abs=0.006)


def test_status_lines_on_request_and_quiet(tmp_path, capsys, monkeypatch):
    import rof._status

    monkeypatch.setattr(rof._status, "_QUIET", False)  # as at a terminal
    monkeypatch.setattr(rof._status, "kernels_cold", lambda *a: True)
    monkeypatch.setattr("rof.sweep.cli_run.kernels_cold", lambda *a: True)
    out = tmp_path / "o.h5"
    assert rof.cli.main(["run", str(SHIPPED), "-o", str(out), "--ttis", "12"]) == 0
    err = capsys.readouterr().err
    assert "rof run: coordination: 7 sites, 42 users, 12 TTIs" in err
    assert "compiling kernels (first run only" in err
    monkeypatch.setattr(rof._status, "_QUIET", None)
    assert rof.cli.main(["run", str(SHIPPED), "-o", str(out), "--ttis", "12", "-q"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--set", "radio.carrier_ghz"], "has no '='"),
        (["--set", "radio.carrier=3.5"], "did you mean 'radio.carrier_ghz'"),
        (["--set", "radio.carrier_ghz=500"], "radio.carrier_ghz = 500"),
        (["--ttis", "0"], "run.ttis = 0"),
        (["--seed", "-1"], "seed = -1"),
        (["--ttis", "10000000", "--set", "deployment.ue_per_site=1000"], "TTIs"),
    ],
)
def test_bad_overrides_exit_2_one_line_no_file(tmp_path, capsys, extra, needle):
    out = tmp_path / "o.h5"
    assert rof.cli.main(["run", str(SHIPPED), "-o", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and needle in err, err
    assert not out.exists()


def test_sweep_takes_the_same_overrides(tmp_path, capsys):
    out = tmp_path / "s.h5"
    argv = ["sweep", str(SHIPPED), "-o", str(out), "--probe", "--ttis", "30", "--seed", "9"]
    assert rof.cli.main([*argv, "--json"]) == 0
    stored = tomllib.loads(read_info(out)["scenario_toml"])
    assert stored["seed"] == 9 and stored["run"]["ttis"] == 30


def test_link_waveform_plot_names_its_files(tmp_path, capsys, monkeypatch):
    import rof.link.waveform_report as wf

    png = tmp_path / "w_constellation.png"

    def fake_plot(report, prefix):
        png.write_bytes(b"png")
        return [png]

    monkeypatch.setattr(wf, "run_waveform_report", lambda *a, **k: {"waveforms": []})
    monkeypatch.setattr(wf, "plot_waveform_report", fake_plot)
    monkeypatch.setattr(wf, "format_waveform_report", lambda report: "waveform report")
    monkeypatch.setattr(rof.cli, "_COMMAND_MODULES", ("rof.link.cli",))
    assert rof.cli.main(["link", "--waveform", "--plot", str(tmp_path / "w")]) == 0
    assert f"wrote {png}" in capsys.readouterr().out
