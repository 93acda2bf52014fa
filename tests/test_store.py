"""HDF5 result store: round trip, layout, atomic commits, locking, xarray export."""

import json
import os

import h5py
import numpy as np
import pytest
import xarray as xr

import rof.store as store
from rof.errors import DataError
from rof.store import SweepWriter, read_info, read_point, read_points, read_scenario, to_xarray
from rof.sweep import InlineExecutor, Scenario, probe_point, run_sweep

SCN = {
    "name": "store-test",
    "seed": 3,
    "deployment": {"n_sites": 7, "inter_site_distance_m": 150.0, "ue_per_site": 2},
    "sweep": {"radio.ue_speed_kmh": [3.0, 30.0, 120.0], "edge.csi": ["perfect", "delayed"]},
}


def _writer(path, n=3, **kw):
    axes = {
        "fronthaul.fiber_length_km": [0.0, 5.0, 10.0][:n],
        "edge.scheduler": ["a", "b", "c"][:n],
    }
    return SweepWriter(
        path, 'name = "x"\n', axes, axes, list(range(10, 10 + n)), "zip", name="x", **kw
    )


def test_payload_round_trip_preserves_values_and_dtypes(tmp_path):
    rng = np.random.default_rng(0)
    payload = {
        "kpis": {"jain": 0.75, "tiny": 1e-300, "neg": -2.5, "nan_kpi": float("nan")},
        "arrays": {
            "f64": rng.standard_normal(5000),
            "f32": rng.standard_normal((3, 4)).astype(np.float32),
            "i32": np.arange(7, dtype=np.int32),
            "b": np.array([True, False, True]),
            "empty": np.zeros(0),
            "scalar": np.float64(2.0) * np.ones(()),
        },
    }
    with _writer(tmp_path / "r.h5") as w:
        w.add(1, payload)
    rec = read_point(tmp_path / "r.h5", 1)
    assert (
        rec.values == {"fronthaul.fiber_length_km": 5.0, "edge.scheduler": "b"} and rec.seed == 11
    )
    assert rec.kpis["jain"] == 0.75 and rec.kpis["tiny"] == 1e-300 and np.isnan(rec.kpis["nan_kpi"])
    for k, a in payload["arrays"].items():
        assert rec.arrays[k].dtype == a.dtype and np.array_equal(rec.arrays[k], a), k
    with pytest.raises(DataError, match="point 0 is not in the file"):
        read_point(tmp_path / "r.h5", 0)


def test_file_layout_attributes_and_no_pickles(tmp_path):
    out = run_sweep(SCN, tmp_path / "s.h5", InlineExecutor(), point_fn=probe_point, progress=False)
    from rof import __version__

    with h5py.File(out, "r") as f:
        assert f.attrs["format"] == "rof-sweep" and f.attrs["rof_version"] == __version__
        assert json.loads(f.attrs["axis_names"]) == ["radio.ue_speed_kmh", "edge.csi"]
        assert list(f["axes/edge.csi"].asstr()[()]) == ["perfect", "delayed"] * 3
        assert list(f["levels/radio.ue_speed_kmh"][()]) == [3.0, 30.0, 120.0]
        assert len(f["points"]) == 6 and f["point_seed"].shape == (6,)
        kinds = []
        f.visititems(
            lambda name, obj: (
                kinds.append(obj.dtype.kind) if isinstance(obj, h5py.Dataset) else None
            )
        )
        assert set(kinds) <= set("biufSO")  # numbers and strings only; no opaque blobs
    assert read_scenario(out) == Scenario.from_dict(SCN)


def test_failed_commit_leaves_previous_file_intact(tmp_path, monkeypatch):
    import errno

    import rof.store.paths

    path = tmp_path / "r.h5"
    w = _writer(path)
    w.add(0, {"kpis": {"a": 1.0}, "arrays": {}})
    w.flush()
    w.add(1, {"kpis": {"a": 2.0}, "arrays": {}})

    def broken(*a):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rof.store.paths.os, "replace", broken)
    with pytest.raises(DataError, match=r"cannot write \(the disk is full\); it still holds"):
        w.flush()
    monkeypatch.undo()
    assert store.completed_points(path) == {0}  # the committed file still opens
    assert not list(tmp_path.glob(".r.h5.*.tmp"))  # and no temporary file is left
    w.abandon()
    assert not (tmp_path / "r.h5.lock").exists()


def test_second_writer_is_locked_out(tmp_path):
    w = _writer(tmp_path / "r.h5")
    with pytest.raises(DataError, match="another sweep is writing"):
        _writer(tmp_path / "r.h5", resume=True)
    w.close()
    assert not (tmp_path / "r.h5.lock").exists()
    _writer(tmp_path / "r.h5", resume=True).close()
    assert store.completed_points(tmp_path / "r.h5") == set()  # an empty sweep file


def test_checkpoint_interval_batches_commits(tmp_path):
    path = tmp_path / "r.h5"
    w = _writer(path, checkpoint_s=3600.0)
    for i in range(3):
        w.add(i, {"kpis": {"a": float(i)}, "arrays": {}})
    assert not path.exists()  # buffered; the file appears with the first commit
    w.close()
    assert store.completed_points(path) == {0, 1, 2}
    inode = os.stat(path).st_ino
    w = _writer(path, resume=True, checkpoint_s=0.0)
    w.add(2, {"kpis": {"a": 5.0}, "arrays": {}})
    assert os.stat(path).st_ino != inode  # committed by atomic rename of a new file
    w.close()
    assert read_point(path, 2).kpis == {"a": 5.0}


def test_non_result_file_is_data_error(tmp_path):
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f["a"] = 1
    with pytest.raises(DataError, match="not a rof sweep result"):
        read_info(tmp_path / "x.h5")
    (tmp_path / "t.h5").write_text("not hdf5")
    with pytest.raises(DataError, match="cannot open"):
        read_info(tmp_path / "t.h5")


def test_xarray_product_axes_are_coordinates(tmp_path):
    out = run_sweep(SCN, tmp_path / "s.h5", InlineExecutor(), point_fn=probe_point, progress=False)
    with h5py.File(out, "a") as f:  # one point missing -> NaN in the grid
        del f["points/000003"]
    ds = to_xarray(out)
    assert isinstance(ds, xr.Dataset)
    assert list(ds["radio.ue_speed_kmh"].values) == [3.0, 30.0, 120.0]
    assert list(ds["edge.csi"].values) == ["perfect", "delayed"]
    mean = ds["ue_throughput_mean_bps"]
    assert mean.dims == ("radio.ue_speed_kmh", "edge.csi")
    recs = {r.index: r for r in read_points(out)}
    # Point 3 of the product is (30 km/h, delayed): last axis fastest.
    assert np.isnan(mean.sel({"radio.ue_speed_kmh": 30.0, "edge.csi": "delayed"}))
    got = float(mean.sel({"radio.ue_speed_kmh": 120.0, "edge.csi": "perfect"}))
    assert got == recs[4].kpis["ue_throughput_mean_bps"]
    thr = ds["ue_throughput_bps"].sel({"radio.ue_speed_kmh": 3.0, "edge.csi": "delayed"})
    assert np.array_equal(thr.values, recs[1].arrays["ue_throughput_bps"])
    assert int(ds["seed"].sel({"radio.ue_speed_kmh": 3.0, "edge.csi": "perfect"})) == recs[0].seed


def test_xarray_zip_and_ragged_arrays(tmp_path):
    path = tmp_path / "z.h5"
    with _writer(path) as w:
        for i, n in enumerate([2, 4, 3]):
            arrays = {
                "v": np.arange(n, dtype=float) + i,
                "cell_site": np.arange(n, dtype=np.int32),
                "u": np.arange(n, dtype=np.uint8),
            }
            w.add(i, {"kpis": {"k": float(i)}, "arrays": arrays})
    ds = to_xarray(path)
    # integers keep their dtype; padding uses a value the dtype cannot otherwise mean here
    assert ds["cell_site"].dtype == np.int32 and ds["cell_site"].dims == ("point", "cell")
    assert list(ds["cell_site"].values[0]) == [0, 1, -(2**31), -(2**31)]
    assert ds["cell_site"].attrs["fill_value"] == -(2**31)
    assert ds["u"].dtype == np.uint8 and list(ds["u"].values[2]) == [0, 1, 2, 255]
    assert ds["k"].dims == ("point",)
    assert list(ds["edge.scheduler"].values) == ["a", "b", "c"]
    assert list(ds["fronthaul.fiber_length_km"].values) == [0.0, 5.0, 10.0]
    v = ds["v"].values
    assert v.shape == (3, 4)
    assert np.array_equal(v[1], [1, 2, 3, 4]) and np.isnan(v[0, 2:]).all() and np.isnan(v[2, 3])


def test_version_1_files_are_read_and_resumed_into_version_2(tmp_path):
    out = run_sweep(SCN, tmp_path / "v1.h5", InlineExecutor(), point_fn=probe_point, progress=False)
    with h5py.File(out, "a") as f:  # what rof wrote before format version 2
        del f["timing"], f["points/000005"]
        for k in ("point_function", "units", "created_utc", "versions", "dock_path"):
            del f.attrs[k]
        f.attrs["format_version"] = 1
    info = read_info(out)
    assert info["format_version"] == 1 and not info["probe"] and info["units"] == {}
    assert len(read_points(out)) == 5 and read_points(out)[0].timings == {}
    run_sweep(SCN, out, InlineExecutor(), resume=True, point_fn=probe_point, progress=False)
    info = read_info(out)
    assert info["format_version"] == 2 and info["probe"] and info["completed"] == list(range(6))
    assert "created_utc" not in info["provenance"]  # unknown for the old file: not made up
    assert info["units"]["ue_throughput_bps"] == "bit/s"
