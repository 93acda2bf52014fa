"""Sweeps: identical results on every executor; SIGKILL then resume equals an uninterrupted run."""

import functools
import os
import signal
import subprocess
import sys
import textwrap
import time

import h5py
import numpy as np
import pytest
from tomli_w import dumps

from rof.store import completed_points, read_info, read_points
from rof.sweep import (
    DaskExecutor,
    InlineExecutor,
    LocalExecutor,
    Scenario,
    probe_point,
    run_sweep,
)
from rof.sweep.payload import normalise_result

SCN = {
    "name": "run-test",
    "seed": 99,
    "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0, "ue_per_site": 3},
    "sweep": {
        "fronthaul.fiber_length_km": [0.0, 5.0, 10.0, 20.0],
        "edge.scheduler": ["proportional_fair", "coordinated_pf", "wmmse"],
    },
}


def assert_same_points(path_a, path_b):
    ra, rb = read_points(path_a), read_points(path_b)
    assert [r.index for r in ra] == [r.index for r in rb]
    for a, b in zip(ra, rb, strict=True):
        assert a.values == b.values and a.seed == b.seed
        assert a.kpis == b.kpis  # exact, bit for bit
        assert a.arrays.keys() == b.arrays.keys()
        for k in a.arrays:
            assert a.arrays[k].dtype == b.arrays[k].dtype
            assert np.array_equal(a.arrays[k], b.arrays[k])
    ia, ib = read_info(path_a), read_info(path_b)
    assert ia["axes"] == ib["axes"] and ia["seeds"] == ib["seeds"]
    assert ia["scenario_toml"] == ib["scenario_toml"]


def test_probe_result_reference(tmp_path):
    # The stored KPIs are the closed-form statistics of the point's arrays.
    out = run_sweep(SCN, tmp_path / "a.h5", InlineExecutor(), point_fn=probe_point, progress=False)
    for r in read_points(out):
        thr = r.arrays["ue_throughput_bps"]
        assert r.kpis["ue_throughput_mean_bps"] == pytest.approx(thr.sum() / thr.size, rel=1e-12)
        srt = np.sort(thr)
        pos = 0.05 * (thr.size - 1)
        lo = int(np.floor(pos))
        p5 = srt[lo] + (pos - lo) * (srt[lo + 1] - srt[lo])
        assert r.kpis["ue_throughput_p5_bps"] == pytest.approx(p5, rel=1e-12)
        area_km2 = 7 * np.sqrt(3) / 2 * 0.2**2
        assert r.kpis["area_throughput_bps_per_km2"] == pytest.approx(thr.sum() / area_km2)


def test_local_processes_and_dask_cluster_identical(tmp_path):
    distributed = pytest.importorskip("distributed")
    ref = run_sweep(
        SCN, tmp_path / "inline.h5", InlineExecutor(), point_fn=probe_point, progress=False
    )
    with LocalExecutor(2) as ex:
        loc = run_sweep(SCN, tmp_path / "local.h5", ex, point_fn=probe_point, progress=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        das = run_sweep(
            SCN,
            tmp_path / "dask.h5",
            DaskExecutor(client=client),
            point_fn=probe_point,
            progress=False,
        )
    assert len(read_points(ref)) == 12
    assert_same_points(ref, loc)
    assert_same_points(ref, das)


def test_progress_callback_and_resume_runs_only_missing(tmp_path):
    out = tmp_path / "r.h5"
    calls = []
    run_sweep(
        SCN, out, InlineExecutor(), point_fn=probe_point, progress=lambda d, t: calls.append(d)
    )
    assert calls == list(range(1, 13))
    # Drop four committed points as if they had never run, then resume.
    with h5py.File(out, "a") as f:
        for i in (1, 4, 5, 11):
            del f["points"][f"{i:06d}"]
    calls.clear()
    run_sweep(
        SCN,
        out,
        InlineExecutor(),
        resume=True,
        point_fn=probe_point,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(9, 12), (10, 12), (11, 12), (12, 12)]
    ref = run_sweep(
        SCN, tmp_path / "ref.h5", InlineExecutor(), point_fn=probe_point, progress=False
    )
    assert_same_points(ref, out)


def test_resume_refuses_a_different_sweep(tmp_path):
    out = run_sweep(SCN, tmp_path / "r.h5", InlineExecutor(), point_fn=probe_point, progress=False)
    other = Scenario.from_dict(SCN).with_overrides({"radio.ue_speed_kmh": 30.0})
    with pytest.raises(ValueError, match="different sweep"):
        run_sweep(other, out, InlineExecutor(), resume=True, point_fn=probe_point)


_DRIVER = textwrap.dedent("""
    import functools, sys
    from rof.sweep import LocalExecutor, probe_point, run_sweep
    if __name__ == "__main__":
        with LocalExecutor(2) as ex:
            run_sweep(sys.argv[1], sys.argv[2], ex, progress=False, checkpoint_s=0.0,
                      resume=len(sys.argv) > 4,
                      point_fn=functools.partial(probe_point, cpu_s=float(sys.argv[3])))
""")


def test_sigkill_then_resume_equals_uninterrupted(tmp_path):
    scn = tmp_path / "s.toml"
    scn.write_text(dumps(SCN))
    driver = tmp_path / "driver.py"
    driver.write_text(_DRIVER)
    out = tmp_path / "killed.h5"
    proc = subprocess.Popen(
        [sys.executable, str(driver), str(scn), str(out), "0.04"], start_new_session=True
    )
    deadline = time.monotonic() + 60
    n_before = 0
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists():
                try:
                    n_before = len(completed_points(out))
                except ValueError:  # the file must always open: fail loudly below
                    raise
                if n_before >= 3:
                    break
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    done = completed_points(out)  # the killed file opens
    assert 3 <= len(done) < 12
    for r in read_points(out):  # every committed point is whole
        assert {"ue_throughput_bps", "sinr_db"} <= r.arrays.keys()
        assert "ue_throughput_mean_bps" in r.kpis
    fn = functools.partial(probe_point, cpu_s=0.0)
    ran = []
    run_sweep(
        scn, out, InlineExecutor(), resume=True, point_fn=fn, progress=lambda d, t: ran.append(d)
    )
    assert len(ran) == 12 - len(done)
    ref = run_sweep(scn, tmp_path / "ref.h5", InlineExecutor(), point_fn=fn, progress=False)
    assert_same_points(ref, out)
    assert not list(tmp_path.glob(".killed.h5.*.tmp"))  # stale temp copies cleaned up


def test_point_fn_returning_object_arrays_is_rejected():
    with pytest.raises(ValueError, match="dtype object"):
        normalise_result({"kpis": {}, "arrays": {"x": np.array([{}, 1], dtype=object)}})
    with pytest.raises(ValueError, match="real number"):
        normalise_result({"kpis": {"x": "fast"}, "arrays": {}})


def test_result_objects_with_attributes_are_accepted():
    class Result:
        def __init__(self):
            self.kpis = {"jain_fairness": np.float32(0.5)}
            self.arrays = {"fiber_km": np.arange(3.0)}
            self.ue_throughput_bps = np.array([1.0, 3.0])
            self.sinr_db = np.array([0.0, 10.0, 20.0])

    p = normalise_result(Result())
    assert p["kpis"]["jain_fairness"] == 0.5
    assert p["kpis"]["ue_throughput_mean_bps"] == 2.0
    assert p["kpis"]["sinr_median_db"] == 10.0
    assert set(p["arrays"]) == {"fiber_km", "ue_throughput_bps", "sinr_db"}


@pytest.mark.slow
def test_repeated_random_kills_never_corrupt(tmp_path):
    """Kill at random instants (start-up, compute, commit) until done; compare at the end."""
    scn = tmp_path / "s.toml"
    scn.write_text(dumps(SCN))
    driver = tmp_path / "driver.py"
    driver.write_text(_DRIVER)
    out = tmp_path / "k.h5"
    rng = np.random.default_rng(5)
    kills = 0
    for attempt in range(16):
        proc = subprocess.Popen(
            [sys.executable, str(driver), str(scn), str(out), "0.25", "resume"],
            start_new_session=True,
        )
        if attempt < 15:  # the last attempt runs to completion
            time.sleep(rng.uniform(0.3, 1.5))
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                kills += 1
        proc.wait(timeout=60)
        if out.exists():
            read_points(out)  # must always open and read
            if len(completed_points(out)) == 12:
                break
    assert kills >= 3
    assert len(completed_points(out)) == 12
    ref = run_sweep(
        scn,
        tmp_path / "ref.h5",
        InlineExecutor(),
        point_fn=functools.partial(probe_point, cpu_s=0.0),
        progress=False,
    )
    assert_same_points(ref, out)


def test_progress_bar_only_on_a_terminal(tmp_path, capsys):
    run_sweep(SCN, tmp_path / "a.h5", InlineExecutor(), point_fn=probe_point)
    assert capsys.readouterr().err == ""  # stderr is captured, not a terminal: quiet
    run_sweep(SCN, tmp_path / "b.h5", InlineExecutor(), point_fn=probe_point, progress=True)
    assert "12/12" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_workers_local_dask_cluster_matches_inline(tmp_path, monkeypatch):
    import rof.cli

    monkeypatch.setattr(rof.cli, "_COMMAND_MODULES", ("rof.sweep.cli",))
    src = tmp_path / "s.toml"
    src.write_text(dumps(SCN))
    assert (
        rof.cli.main(["sweep", str(src), "-o", str(tmp_path / "d.h5"), "--workers", "2", "--probe"])
        == 0
    )
    ref = run_sweep(
        SCN,
        tmp_path / "ref.h5",
        InlineExecutor(),
        point_fn=functools.partial(probe_point, cpu_s=0.0),
        progress=False,
    )
    assert_same_points(ref, tmp_path / "d.h5")


def _failing_point(scenario):
    from rof.errors import ConfigError

    raise ConfigError("edge.scheduler = 'x' is not supported by this simulator")


def test_failure_before_any_point_leaves_no_file(tmp_path):
    with pytest.raises(ValueError, match="not supported"):
        run_sweep(SCN, tmp_path / "f.h5", InlineExecutor(), point_fn=_failing_point)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
