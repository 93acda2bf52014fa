"""Results that travel (issue 13 item 4): reproducible KPIs, named dimensions, units,
integer dtypes, NetCDF output and provenance in every result file."""

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

import rof
import rof.cli
from rof.store import read_info, read_points, to_xarray, unit_of
from rof.store.provenance import dock_digest
from rof.sweep import InlineExecutor, probe_point, run_sweep

REPO = Path(__file__).resolve().parents[1]
#: A real (edge-simulated) sweep, small enough to run twice in a few seconds.
TINY = {
    "name": "tiny",
    "seed": 4,
    "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0, "ue_per_site": 2},
    "run": {"ttis": 12, "warmup_ttis": 2, "drops": 2},
    "sweep": {"deployment.ue_per_site": [1, 2]},
}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("export")
    a = run_sweep(TINY, d / "a.h5", InlineExecutor(), progress=False)
    b = run_sweep(TINY, d / "b.h5", InlineExecutor(), progress=False)
    return a, b


def test_two_runs_of_a_scenario_give_bit_identical_kpis(two_runs):
    # The wall-clock scheduler timings used to sit among the KPIs, so no two result
    # files ever compared equal.
    a, b = two_runs
    ra, rb = read_points(a), read_points(b)
    for pa, pb in zip(ra, rb, strict=True):
        assert pa.kpis == pb.kpis  # exact
        assert pa.arrays.keys() == pb.arrays.keys()
        assert all(np.array_equal(pa.arrays[k], pb.arrays[k]) for k in pa.arrays)
        assert not any("time" in k and k != "tti_s" for k in pa.kpis)
        assert {"scheduler_time_per_tti_s", "scheduler_time_per_tti_p95_s"} <= pa.timings.keys()
        assert pa.timings["scheduler_time_s"].shape == (20,)  # one per measured TTI and drop
    xa, xb = to_xarray(a), to_xarray(b)
    assert xa.equals(xb)  # values, dims and coordinates; attributes hold the creation time
    assert "scheduler_time_s" not in xa and "scheduler_time_s" in to_xarray(a, timings=True)


def test_dimensions_are_named_and_integer_dtypes_kept(two_runs):
    ds = to_xarray(two_runs[0])
    assert not [d for d in ds.dims if "_dim" in d]
    axis = "deployment.ue_per_site"
    assert ds["ue_throughput_bps"].dims == (axis, "ue")
    assert ds["link_cell"].dims == (axis, "ue", "link")
    assert ds["site_xy_m"].dims == (axis, "site", "xy")
    assert ds["cell_site"].dims == (axis, "cell") and ds["p_rb_w"].dims == (axis,)
    recs = read_points(two_runs[0])
    for name in ("cell_site", "ue_serving_cell", "link_cell"):
        assert ds[name].dtype == recs[0].arrays[name].dtype  # integers stay integers
    # Two drops: 14 users at one UE per site, 28 at two: the shorter point is padded.
    lc = ds["link_cell"].values
    fill = np.iinfo(lc.dtype).min
    assert ds["link_cell"].attrs["fill_value"] == fill
    assert np.array_equal(lc[0, :14], recs[0].arrays["link_cell"]) and np.all(lc[0, 14:] == fill)
    thr = ds["ue_throughput_bps"].values
    assert (
        np.array_equal(thr[1], recs[1].arrays["ue_throughput_bps"]) and np.isnan(thr[0, 14:]).all()
    )
    assert "fill_value" not in ds["ue_throughput_bps"].attrs  # floats pad with NaN


def test_units_on_every_variable_and_in_the_file(two_runs):
    ds = to_xarray(two_runs[0])
    assert all("units" in ds[v].attrs for v in ds.data_vars)
    expect = {
        "ue_throughput_mean_bps": "bit/s",
        "area_throughput_bps_per_km2": "bit/s/km2",
        "spectral_efficiency_bps_per_hz_per_cell": "bit/s/Hz",
        "site_density_per_km2": "1/km2",
        "sinr_db": "dB",
        "site_xy_m": "m",
        "latency_s": "s",
        "evm_percent": "%",
        "noise_w": "W",
        "fiber_km_mean": "km",
        "csi_delay_ttis_mean": "TTI",
        "jain_fairness": "1",
        "n_ue": "1",
    }
    assert {k: ds[k].attrs["units"] for k in expect} == expect
    stored = read_info(two_runs[0])["units"]
    assert {k: stored[k] for k in expect} == expect
    with h5py.File(two_runs[0]) as f:
        assert f["points/000000/latency_s"].attrs["units"] == "s"
    assert unit_of("scheduler_time_per_tti_p95_s") == "s" and unit_of("ue_speed_kmh") == "km/h"


def test_rof_export_writes_netcdf_that_reads_back(two_runs, tmp_path, capsys):
    src = tmp_path / "a.h5"
    shutil.copyfile(two_runs[0], src)
    assert rof.cli.main(["export", str(src), "-o", str(tmp_path / "x.nc")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"wrote {tmp_path / 'x.nc'}: NetCDF-4, 2 of 2 points (product sweep 2)")
    with xr.open_dataset(tmp_path / "x.nc", engine="h5netcdf") as back:
        back.load()
    ref = to_xarray(src)
    assert back.attrs == ref.attrs  # provenance and scenario travel with the data
    back.attrs, ref.attrs = {}, {}
    xr.testing.assert_identical(back, ref)  # values, dims, coordinates, variable units
    assert back["link_cell"].dtype == ref["link_cell"].dtype
    # the default output sits beside the result; an existing file needs --overwrite
    assert rof.cli.main(["export", str(src)]) == 0
    assert (tmp_path / "a.nc").is_file()
    assert rof.cli.main(["export", str(src), "--kpis-only"]) == 2
    assert "exists; allowed: --overwrite" in capsys.readouterr().err
    assert rof.cli.main(["export", str(src), "--kpis-only", "--overwrite"]) == 0
    with xr.open_dataset(tmp_path / "a.nc", engine="h5netcdf") as back:
        assert "ue_throughput_bps" not in back and "jain_fairness" in back
    # and xarray's own to_netcdf() finds a backend (it failed for lack of one)
    ref.to_netcdf(tmp_path / "plain.nc")
    with xr.open_dataset(tmp_path / "plain.nc") as back:
        assert back["link_cell"].dims == ("deployment.ue_per_site", "ue", "link")


def test_export_refuses_non_regular_outputs_and_unknown_formats(two_runs, tmp_path, capsys):
    os.mkfifo(tmp_path / "p.nc")
    assert rof.cli.main(["export", str(two_runs[0]), "-o", str(tmp_path / "p.nc")]) == 2
    assert "is a FIFO" in capsys.readouterr().err
    assert rof.cli.main(["export", str(two_runs[0]), "-o", str(tmp_path / "x.csv")]) == 2
    assert "allowed: .nc" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.nc"]


def test_provenance_in_every_result_file(two_runs, tmp_path):
    probe = run_sweep(TINY, tmp_path / "p.h5", InlineExecutor(), point_fn=probe_point)
    single = run_sweep({k: v for k, v in TINY.items() if k != "sweep"}, tmp_path / "s.h5")
    for path in (two_runs[0], probe, single):
        prov = read_info(path)["provenance"]
        created = datetime.strptime(prov["created_utc"], "%Y-%m-%dT%H:%M:%SZ")
        age = datetime.now(UTC).replace(tzinfo=None) - created
        assert 0 <= age.total_seconds() < 600
        versions = json.loads(prov["versions"])
        assert versions["rof"] == rof.__version__ and versions["numpy"] == np.__version__
        assert versions["h5py"] == h5py.__version__ and versions["xarray"] == xr.__version__
        assert Path(prov["dock_path"]).is_absolute()
        assert Path(prov["dock_path"]) == (REPO / "models" / "dock").resolve()
        assert len(prov["dock_sha256"]) == 64
        inside = subprocess.run(["git", "-C", str(REPO), "rev-parse"], capture_output=True)
        if inside.returncode == 0:  # run from a git checkout: the commit is HEAD or before it
            sha = prov["git_commit"].removesuffix("+dirty")
            assert len(sha) == 40
            ancestor = subprocess.run(
                ["git", "-C", str(REPO), "merge-base", "--is-ancestor", sha, "HEAD"]
            )
            assert ancestor.returncode == 0


def test_dock_digest_follows_the_dock_contents(tmp_path):
    dock = tmp_path / "dock"
    shutil.copytree(REPO / "models" / "dock", dock)
    first = dock_digest(dock)
    assert dock_digest(dock) == first
    victim = next(p for p in sorted(dock.rglob("*")) if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"\0")
    assert dock_digest(dock) != first
