"""HDF5 result files: one file per sweep, crash-safe, resumable, exported to xarray.

Layout (``FORMAT = "rof-sweep"``, version 1)::

    /                      attrs: format, format_version, rof_version, scenario_toml,
                                  scenario_name, sweep_mode, axis_names (JSON), n_points
    /point_seed            (n_points,) int64   each point's seed
    /axes/<key>            (n_points,)         the axis value at every point
    /levels/<key>          (n_levels,)         the values listed for the axis
    /points/<index:06d>    attrs: the point's KPIs (float); datasets: its arrays

Crash safety: only the parent process writes, and never in place; the file appears
with the first completed point (or at the end of a sweep with nothing to run). Completed points
are buffered and committed together (at most every ``checkpoint_s`` seconds): the
committed file is copied to a temporary file beside it, the new points are written
into the copy, the copy is closed and ``fsync``'d, then atomically renamed over the
result file (POSIX ``rename``). At any instant the result file is therefore a closed,
complete HDF5 file, and a point is in it wholly or not at all; ``kill -9`` loses at
most the points of the last interval. Files are opened with HDF5 file locking, and a
``<file>.lock`` advisory lock keeps two writers off the same result. Nothing is ever
pickled: KPIs are float attributes, arrays are numeric datasets.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from rof.errors import DataError

__all__ = [
    "FORMAT",
    "PointRecord",
    "SweepWriter",
    "completed_points",
    "read_info",
    "read_point",
    "read_points",
    "read_scenario",
    "to_xarray",
]

FORMAT = "rof-sweep"
FORMAT_VERSION = 1
_STR = h5py.string_dtype()


def _open(path, mode="r") -> h5py.File:
    try:
        return h5py.File(path, mode, locking=True)
    except OSError as exc:
        raise DataError(f"{path}: cannot open as HDF5 ({exc})") from None


def _axis_array(values: list):
    if all(isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=bool)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.int64)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.float64)
    return np.asarray([str(v) for v in values], dtype=object)


def _fsync(path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class PointRecord:
    """One stored point: its index, axis values, seed, KPIs and arrays."""

    index: int
    values: dict
    seed: int
    kpis: dict[str, float]
    arrays: dict[str, np.ndarray]


class SweepWriter:
    """Parent-side writer of one sweep's result file (see the module docstring).

    Parameters
    ----------
    path : path-like
        The result file.
    scenario_toml : str
        The sweep's scenario as TOML text (stored as an attribute).
    axes : dict[str, list]
        Axis key -> value at each point (point order).
    levels : dict[str, list]
        Axis key -> the values listed for it in ``[sweep]``.
    seeds : list[int]
        Each point's seed.
    mode : str
        ``"product"``, ``"zip"`` or ``"single"``.
    resume : bool
        Keep the committed points of an existing file instead of creating it.
    checkpoint_s : float
        Minimum seconds between commits; grows to 5x the last commit's duration so
        copying a large file never takes more than ~20% of the time.
    """

    def __init__(
        self,
        path,
        scenario_toml,
        axes,
        levels,
        seeds,
        mode,
        *,
        name="",
        resume=False,
        checkpoint_s=1.0,
    ):
        from rof import __version__

        self.path = Path(path)
        self._lock = _Lock(self.path)
        self.checkpoint_s = float(checkpoint_s)
        self._interval = self.checkpoint_s
        self._pending: dict[int, dict] = {}
        self._last = time.monotonic()
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            stale.unlink(missing_ok=True)
        self._created = resume and self.path.exists()
        self._meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "rof_version": __version__,
            "scenario_toml": scenario_toml,
            "scenario_name": name,
            "sweep_mode": mode,
            "axis_names": json.dumps(list(axes)),
            "n_points": len(seeds),
        }
        self._tables = (np.asarray(seeds, dtype=np.int64), axes, levels)

    def _new_file(self, tmp: Path) -> None:
        """Write a file holding the metadata and no points (created at the first commit)."""
        seeds, axes, levels = self._tables
        with _open(tmp, "w") as f:
            f.attrs.update(self._meta)
            f.create_dataset("point_seed", data=seeds)
            for group, table in (("axes", axes), ("levels", levels)):
                g = f.create_group(group)
                for k, vals in table.items():
                    arr = _axis_array(vals)
                    g.create_dataset(k, data=arr, dtype=_STR if arr.dtype == object else None)
            f.create_group("points")

    def _tmp(self) -> Path:
        return self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")

    def _commit(self, tmp: Path) -> None:
        _fsync(tmp)
        os.replace(tmp, self.path)
        with contextlib.suppress(OSError):  # make the rename itself durable
            _fsync(self.path.parent)

    def add(self, index: int, payload: dict) -> None:
        """Buffer a completed point; commit if the checkpoint interval has passed."""
        self._pending[int(index)] = payload
        if time.monotonic() - self._last >= self._interval:
            self.flush()

    def flush(self) -> None:
        """Commit every buffered point (copy, write, fsync, rename).

        The file itself is created by the first commit, so a sweep that fails before
        any point completes leaves no file (and does not replace one it would overwrite).
        """
        if not self._pending and self._created:
            return
        t0 = time.monotonic()
        tmp = self._tmp()
        if self._created:
            shutil.copyfile(self.path, tmp)
        else:
            self._new_file(tmp)
        with _open(tmp, "a") as f:
            pts = f["points"]
            for index, payload in sorted(self._pending.items()):
                name = f"{index:06d}"
                if name in pts:
                    del pts[name]
                g = pts.create_group(name)
                for k, v in payload["kpis"].items():
                    g.attrs[k] = np.float64(v)
                for k, a in payload["arrays"].items():
                    big = a.size > 4096
                    g.create_dataset(k, data=a, compression="gzip" if big else None)
        self._commit(tmp)
        self._created = True
        self._pending.clear()
        self._last = time.monotonic()
        self._interval = max(self.checkpoint_s, 5.0 * (self._last - t0))

    def close(self) -> None:
        """Commit what is buffered and release the lock."""
        try:
            self.flush()
        finally:
            self._lock.release()

    def abandon(self) -> None:
        """Release the lock without committing (after an error)."""
        self._tmp().unlink(missing_ok=True)
        self._lock.release()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.close()
        else:  # keep what was computed (but create no empty file), then re-raise
            try:
                if self._pending:
                    self.flush()
            finally:
                self._tmp().unlink(missing_ok=True)
                self._lock.release()


class _Lock:
    """Advisory exclusive lock on ``<file>.lock`` (POSIX ``flock``; none elsewhere)."""

    def __init__(self, path: Path):
        self.lock_path = path.with_name(path.name + ".lock")
        self._fh = None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - non-POSIX
            return
        self._fh = open(self.lock_path, "w")
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._fh.close()
            self._fh = None
            raise DataError(f"{path}: another sweep is writing this file") from None

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            self.lock_path.unlink(missing_ok=True)


# ------------------------------------------------------------------- reading
def _check(f: h5py.File, path) -> None:
    if f.attrs.get("format") != FORMAT:
        raise DataError(f"{path}: not a rof sweep result (no format = {FORMAT!r} attribute)")


def read_info(path) -> dict:
    """Metadata: ``scenario_toml``, ``rof_version``, ``mode``, ``n_points``, ``axes``,
    ``levels`` (dicts key -> list), ``seeds`` and the sorted ``completed`` indices."""
    with _open(path) as f:
        _check(f, path)
        names = json.loads(f.attrs["axis_names"])

        def table(group):
            return {k: _decode(f[group][k][()]) for k in names}

        return {
            "scenario_toml": str(f.attrs["scenario_toml"]),
            "scenario_name": str(f.attrs["scenario_name"]),
            "rof_version": str(f.attrs["rof_version"]),
            "mode": str(f.attrs["sweep_mode"]),
            "n_points": int(f.attrs["n_points"]),
            "axes": table("axes"),
            "levels": table("levels"),
            "seeds": [int(s) for s in f["point_seed"][()]],
            "completed": sorted(int(k) for k in f["points"]),
        }


def _decode(arr: np.ndarray) -> list:
    return [v.decode() if isinstance(v, bytes) else v.item() for v in arr]


def completed_points(path) -> set[int]:
    """Indices of the points committed to the file."""
    return set(read_info(path)["completed"])


def read_scenario(path):
    """The sweep's :class:`rof.sweep.Scenario` as stored in the file."""
    import tomllib

    from rof.scenario.schema import Scenario

    return Scenario.from_dict(tomllib.loads(read_info(path)["scenario_toml"]), source=str(path))


def read_point(path, index: int) -> PointRecord:
    """One committed point; :class:`rof.errors.DataError` if it is not in the file."""
    info = read_info(path)
    with _open(path) as f:
        name = f"{int(index):06d}"
        if name not in f["points"]:
            raise DataError(f"{path}: point {index} is not in the file")
        return _record(f["points"][name], int(index), info)


def _record(g: h5py.Group, index: int, info: dict) -> PointRecord:
    return PointRecord(
        index=index,
        values={k: v[index] for k, v in info["axes"].items()},
        seed=info["seeds"][index],
        kpis={k: float(v) for k, v in g.attrs.items()},
        arrays={k: g[k][()] for k in g},
    )


def read_points(path) -> list[PointRecord]:
    """Every committed point, in index order."""
    info = read_info(path)
    with _open(path) as f:
        pts = f["points"]
        return [_record(pts[f"{i:06d}"], i, info) for i in info["completed"]]


def to_xarray(path, *, arrays: bool = True):
    """The results as an ``xarray.Dataset`` with the sweep axes as coordinates.

    A ``product`` sweep has one dimension per axis (its listed values as the
    coordinate); a ``zip`` sweep or a single run has a ``point`` dimension with the
    axis values as coordinates along it. KPIs become float variables over those
    dimensions (NaN for points not yet run). With ``arrays``, each stored array
    becomes a float variable with extra dimensions ``<name>_dim0, ...``, padded with
    NaN where points differ in length (e.g. user counts).
    """
    import xarray as xr

    info = read_info(path)
    recs = read_points(path)
    if info["mode"] == "product":
        dims = list(info["levels"])
        shape = tuple(len(info["levels"][d]) for d in dims)
        coords = {d: info["levels"][d] for d in dims}
    else:
        dims, shape = ["point"], (info["n_points"],)
        coords = {"point": np.arange(info["n_points"])}
        coords.update({k: ("point", v) for k, v in info["axes"].items()})
    seeds = np.asarray(info["seeds"], dtype=np.int64).reshape(shape)
    coords["seed"] = (dims, seeds)
    data = {}
    for name in sorted({k for r in recs for k in r.kpis}):
        grid = np.full(shape, np.nan)
        for r in recs:
            grid[np.unravel_index(r.index, shape)] = r.kpis.get(name, np.nan)
        data[name] = (dims, grid)
    if arrays:
        for name in sorted({k for r in recs for k in r.arrays}):
            present = [r for r in recs if name in r.arrays]
            nd = max(r.arrays[name].ndim for r in present)
            full = [
                np.reshape(r.arrays[name], r.arrays[name].shape + (1,) * (nd - r.arrays[name].ndim))
                for r in present
            ]
            ext = tuple(max(a.shape[i] for a in full) for i in range(nd))
            grid = np.full(shape + ext, np.nan)
            for r, a in zip(present, full, strict=True):
                grid[np.unravel_index(r.index, shape) + tuple(slice(0, s) for s in a.shape)] = a
            data[name] = ([*dims, *(f"{name}_dim{i}" for i in range(nd))], grid)
    attrs = {k: info[k] for k in ("scenario_toml", "scenario_name", "rof_version", "mode")}
    return xr.Dataset(data, coords=coords, attrs=attrs)
