"""Output safety (issue 13 item 1): only regular files, no mixed or half-written results.

Each test names the defect it guards against; each failed on the tree before the fix.
"""

import functools
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import h5py
import pytest
from tomli_w import dumps

import rof.cli
from rof.errors import ConfigError, DataError
from rof.store import completed_points, read_info
from rof.sweep import InlineExecutor, Scenario, probe_point, run_sweep
from rof.sweep.executors import DaskExecutor, make_executor, max_workers

SCN = {
    "name": "safety",
    "seed": 5,
    "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0, "ue_per_site": 2},
    "sweep": {"fronthaul.fiber_length_km": [0.0, 5.0, 10.0]},
}


def _run(out, **kw):
    return run_sweep(SCN, out, InlineExecutor(), point_fn=probe_point, progress=False, **kw)


def _cli(tmp_path, *args):
    src = tmp_path / "s.toml"
    src.write_text(dumps(SCN))
    return rof.cli.main(["sweep", str(src), *args])


# ------------------------------------------------------------ regular files only
def test_fifo_and_directory_are_refused_even_with_overwrite(tmp_path):
    fifo = tmp_path / "pipe.h5"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match=r"is a FIFO .*allowed: a regular file"):
        _run(fifo, overwrite=True)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # untouched
    (tmp_path / "d.h5").mkdir()
    with pytest.raises(ConfigError, match="is a directory"):
        _run(tmp_path / "d.h5", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.h5", "pipe.h5"]


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root")
def test_character_device_is_refused_not_replaced(tmp_path, capsys):
    # `rof sweep s.toml -o /dev/null --overwrite` replaced /dev/null by an HDF5 file when
    # run as root. A private copy of the null device stands in for it here.
    dev = tmp_path / "null"
    os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    assert _cli(tmp_path, "-o", str(dev), "--overwrite", "--probe") == 2
    err = capsys.readouterr().err
    assert "is a character device" in err and len(err.strip().splitlines()) == 1
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


def test_symlinked_output_is_written_through_to_its_target(tmp_path, capsys):
    real = tmp_path / "store"
    real.mkdir()
    link = tmp_path / "link.h5"
    link.symlink_to(real / "target.h5")  # dangling until the first write
    _run(link)
    assert link.is_symlink() and (real / "target.h5").is_file()
    assert completed_points(link) == {0, 1, 2}
    _run(link, overwrite=True)  # replacing keeps the link and replaces the target
    assert link.is_symlink() and os.readlink(link) == str(real / "target.h5")
    assert _cli(tmp_path, "-o", str(link), "--overwrite", "--probe") == 0
    out = capsys.readouterr().out
    assert f"wrote {real / 'target.h5'} (through the symbolic link {link})" in out
    assert link.is_symlink()
    assert sorted(p.name for p in real.iterdir()) == ["target.h5"]  # no lock, no temp left


def test_resume_and_overwrite_together_are_refused(tmp_path, capsys):
    out = _run(tmp_path / "r.h5")
    before = out.read_bytes()
    with pytest.raises(ConfigError, match="--resume and --overwrite exclude each other"):
        _run(out, resume=True, overwrite=True)
    assert _cli(tmp_path, "-o", str(out), "--resume", "--overwrite", "--probe") == 2
    assert "exclude each other" in capsys.readouterr().err
    assert out.read_bytes() == before


# ------------------------------------------------------------- SIGTERM, full disk
_SLOW_DRIVER = textwrap.dedent("""
    import functools, sys
    from rof.sweep import InlineExecutor, probe_point, run_sweep

    def progress(done, total):
        print(done, flush=True)

    try:
        run_sweep(sys.argv[1], sys.argv[2], InlineExecutor(), checkpoint_s=3600.0,
                  progress=progress, point_fn=functools.partial(probe_point, cpu_s=0.3))
    except KeyboardInterrupt:
        sys.exit(130)
""")


def test_sigterm_saves_finished_points_and_releases_the_lock(tmp_path):
    # SIGTERM used to kill the sweep outright: the buffered points were lost and the
    # lock file stayed. Now it is handled like Ctrl-C.
    scn = dict(SCN, sweep={"radio.ue_speed_kmh": [float(v) for v in range(1, 13)]})
    src, out, driver = tmp_path / "s.toml", tmp_path / "t.h5", tmp_path / "driver.py"
    src.write_text(dumps(scn))
    driver.write_text(_SLOW_DRIVER)
    proc = subprocess.Popen(
        [sys.executable, str(driver), str(src), str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        done = 0
        while done < 2:
            line = proc.stdout.readline()
            assert line, "the sweep ended before it could be terminated"
            done = int(line)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    saved = completed_points(out)  # nothing had been committed before SIGTERM
    assert 2 <= len(saved) < 12
    assert sorted(p.name for p in tmp_path.iterdir()) == ["driver.py", "s.toml", "t.h5"]


def test_abort_stops_local_worker_processes_at_once():
    # After SIGTERM or Ctrl-C the workers must not run on: the sweep used to wait for
    # every running point (minutes for real points) before exiting.
    from rof.sweep import LocalExecutor

    ex = LocalExecutor(1)
    try:
        results = ex.run(time.sleep, [(0.0,), (60.0,)])
        next(results)  # the worker is up; it now sleeps for a minute
        procs = list(ex._pool._processes.values())
        t0 = time.monotonic()
        ex.abort()
        for proc in procs:
            proc.join(timeout=10)
        assert not any(p.is_alive() for p in procs) and time.monotonic() - t0 < 10
    finally:
        ex.close()


_CLI_DRIVER = textwrap.dedent("""
    import sys
    import rof.cli, rof.sweep.executors as ex, rof.sweep.probe as pr
    ex.LocalExecutor = ex.InlineExecutor
    fast = pr.probe_point
    def slow(scenario, cpu_s=0.0):  # the probe, at 0.3 s of CPU per point
        return fast(scenario, cpu_s=0.3)
    slow.__module__, slow.__qualname__ = fast.__module__, fast.__qualname__
    pr.probe_point = slow
    sys.exit(rof.cli.main(["sweep", sys.argv[1], "-o", sys.argv[2], "--probe"]))
""")


def test_rof_sweep_on_sigterm_says_what_is_saved_and_exits_130(tmp_path):
    scn = dict(SCN, sweep={"radio.ue_speed_kmh": [float(v) for v in range(1, 21)]})
    src, out, driver = tmp_path / "s.toml", tmp_path / "c.h5", tmp_path / "driver.py"
    src.write_text(dumps(scn))
    driver.write_text(_CLI_DRIVER)
    proc = subprocess.Popen(
        [sys.executable, str(driver), str(src), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not out.exists() and time.monotonic() < deadline:  # the first commit
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    saved = len(completed_points(out))
    assert proc.returncode == 130 and 1 <= saved < 20
    assert err == (
        f"rof sweep: interrupted; {saved} of 20 points are saved in {out}; "
        "run again with --resume to finish\n"
    )
    assert not (tmp_path / "c.h5.lock").exists()


_FULL_DISK_DRIVER = textwrap.dedent("""
    import resource, signal, sys
    import rof.cli, rof.sweep.executors as ex
    ex.LocalExecutor = ex.InlineExecutor          # one process: the limit applies to it
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
    limit = int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    sys.exit(rof.cli.main(["sweep", sys.argv[1], "-o", sys.argv[2], "--probe", "--resume"]))
""")


def test_full_disk_during_save_is_one_line_and_keeps_the_old_file(tmp_path):
    # A write failure inside HDF5 used to segfault (exit 139) and leave a temp file.
    scn = dict(SCN, deployment={**SCN["deployment"], "ue_per_site": 300})
    scn["sweep"] = {"fronthaul.fiber_length_km": [0.0, 5.0, 10.0, 20.0, 30.0, 40.0]}
    src, out, driver = tmp_path / "s.toml", tmp_path / "big.h5", tmp_path / "driver.py"
    src.write_text(dumps(scn))
    driver.write_text(_FULL_DISK_DRIVER)
    run_sweep(src, out, InlineExecutor(), point_fn=functools.partial(probe_point, cpu_s=0.0))
    with h5py.File(out, "a") as f:  # drop half the points, as if the sweep had stopped
        for i in (3, 4, 5):
            del f["points"][f"{i:06d}"]
    before = out.read_bytes()
    limit = len(before)  # the file cannot grow: saving the missing points fails
    proc = subprocess.run(
        [sys.executable, str(driver), str(src), str(out), str(limit)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "cannot write (the file-size limit of this process is reached)" in lines[0]
    assert "still holds the 3 points saved before" in lines[0]
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.h5", "driver.py", "s.toml"]


# ------------------------------------------------------------------ probe files
def _other_point(scenario):
    """A point function that is not the probe (stands in for the simulator)."""
    return probe_point(scenario)


def test_probe_files_are_marked_and_never_mixed_with_simulated_points(tmp_path):
    probe = _run(tmp_path / "p.h5")
    info = read_info(probe)
    assert info["probe"] and info["point_function"] == "rof.sweep.probe.probe_point"
    with h5py.File(probe, "a") as f:
        del f["points/000001"]
    with pytest.raises(ConfigError, match="holds probe points and this run would add simulated"):
        run_sweep(SCN, probe, InlineExecutor(), resume=True, point_fn=_other_point)
    real = run_sweep(SCN, tmp_path / "r.h5", InlineExecutor(), point_fn=_other_point)
    assert not read_info(real)["probe"]
    with h5py.File(real, "a") as f:
        del f["points/000001"]
    with pytest.raises(ConfigError, match="holds simulated points and this run would add probe"):
        run_sweep(SCN, real, InlineExecutor(), resume=True, point_fn=probe_point)
    assert completed_points(real) == {0, 2}


# ------------------------------------------------------------------- sweep axes
@pytest.mark.parametrize("values", [[1, 1.0], [0.0, -0.0], [2.0, 5, 2]])
def test_axis_values_equal_as_numbers_are_refused(values):
    # Compared as text, [1, 1.0] ran one setting twice under two seeds.
    d = dict(SCN, sweep={"fronthaul.fiber_length_km": values})
    with pytest.raises(ConfigError, match="the same value twice"):
        Scenario.from_dict(d)


# ----------------------------------------------------------------- executors
def test_workers_beyond_the_machine_are_refused_with_the_range(tmp_path, capsys):
    hi = max_workers()
    with pytest.raises(ConfigError, match=rf"allowed: an integer from 1 to {hi}"):
        make_executor(workers=100000)
    t0 = time.monotonic()
    assert _cli(tmp_path, "-o", str(tmp_path / "w.h5"), "--workers", "100000", "--probe") == 2
    assert time.monotonic() - t0 < 30  # used to hang starting 100000 processes
    assert "--workers = 100000 is out of range" in capsys.readouterr().err
    assert not (tmp_path / "w.h5").exists()


def test_dask_cluster_without_workers_fails_after_a_bounded_wait(tmp_path):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        ex = DaskExecutor(client=client, no_worker_timeout_s=1.0, poll_s=0.2)
        t0 = time.monotonic()
        with pytest.raises(DataError, match=r"no workers for 1 s with 3 points left"):
            run_sweep(SCN, tmp_path / "d.h5", ex, point_fn=probe_point, progress=False)
        assert time.monotonic() - t0 < 20
    assert not (tmp_path / "d.h5").exists() and not (tmp_path / "d.h5.lock").exists()


def test_dask_sweep_whose_workers_leave_keeps_the_finished_points(tmp_path):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        ex = DaskExecutor(client=client, no_worker_timeout_s=1.0, poll_s=0.2)

        def leave(done, total):  # the only worker goes away after the first point
            if done == 1:
                cluster.scale(0)

        with pytest.raises(DataError, match=r"no workers for 1 s with \d points left"):
            run_sweep(
                SCN,
                tmp_path / "d.h5",
                ex,
                point_fn=functools.partial(probe_point, cpu_s=0.5),
                progress=leave,
            )
    assert 1 <= len(completed_points(tmp_path / "d.h5")) < 3
    assert not (tmp_path / "d.h5.lock").exists()
