"""The parent-side writer of a sweep's result file (crash safety: :mod:`rof.store`)."""

from __future__ import annotations

import contextlib
import json
import os
import time

import h5py
import numpy as np
from filelock import FileLock, Timeout

from rof.errors import DataError
from rof.store.paths import check_regular_or_absent, output_target, write_atomic
from rof.store.provenance import collect, unit_of
from rof.store.reader import FORMAT, FORMAT_VERSION, _check

__all__ = ["SweepWriter"]

_STR = h5py.string_dtype()


def _axis_array(values: list):
    if all(isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=bool)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.int64)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.float64)
    return np.asarray([str(v) for v in values], dtype=object)


class SweepWriter:
    """Parent-side writer of one sweep's result file (see :mod:`rof.store`).

    Parameters
    ----------
    path : path-like
        The result file; a symbolic link is written through to its target, and
        anything but a regular file is refused (:func:`rof.store.paths.output_target`).
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
    name : str
        The scenario's name.
    resume : bool
        Keep the committed points of an existing file instead of creating it.
    checkpoint_s : float
        Minimum seconds between commits; grows to 5x the last commit's duration so
        copying a large file never takes more than ~20% of the time.
    point_function : str
        Dotted name of the function that computes the points (``rof sweep --probe``
        files are recognised by it).
    provenance : dict, optional
        Provenance attributes (default: :func:`rof.store.provenance.collect` without a
        dock).

    Raises
    ------
    DataError
        Another process holds the file's lock (``<file>.lock``, a ``filelock`` lock).
    ConfigError
        The path, or its lock file, is not a regular file.
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
        point_function="",
        provenance=None,
    ):
        from rof import __version__

        self.path = output_target(path)
        lock_path = self.path.with_name(self.path.name + ".lock")
        check_regular_or_absent(lock_path, "lock file")
        self._lock = FileLock(lock_path, timeout=0)
        try:
            self._lock.acquire()
        except Timeout:
            raise DataError(f"{path}: another sweep is writing this file") from None
        self.checkpoint_s = float(checkpoint_s)
        self._interval = self.checkpoint_s
        self._pending: dict[int, dict] = {}
        self._failed = False
        self.n_committed = 0
        self._last = time.monotonic()
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            if stale.is_file() and not stale.is_symlink():
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
            "point_function": point_function,
            **(collect() if provenance is None else provenance),
        }
        self._tables = (np.asarray(seeds, dtype=np.int64), axes, levels)

    def _new_file(self) -> h5py.File:
        """An in-memory file holding the metadata and no points."""
        seeds, axes, levels = self._tables
        f = h5py.File.in_memory()
        f.attrs.update(self._meta)
        f.create_dataset("point_seed", data=seeds)
        for group, table in (("axes", axes), ("levels", levels)):
            g = f.create_group(group)
            for k, vals in table.items():
                arr = _axis_array(vals)
                g.create_dataset(k, data=arr, dtype=_STR if arr.dtype == object else None)
        f.create_group("points")
        f.create_group("timing")
        return f

    def _committed(self) -> h5py.File:
        """The committed file, loaded into memory."""
        try:
            image = self.path.read_bytes()
        except OSError as exc:
            raise DataError(f"{self.path}: cannot read the result file ({exc.strerror})") from None
        try:
            f = h5py.File.in_memory(file_image=image)
        except OSError as exc:
            raise DataError(f"{self.path}: cannot open as HDF5 ({exc})") from None
        _check(f, self.path)
        if "timing" not in f:  # a version-1 file: bring it to this layout
            f.create_group("timing")
            for k, v in self._meta.items():
                if k not in f.attrs and k != "created_utc":  # its creation time is unknown
                    f.attrs[k] = v
            f.attrs["format_version"] = FORMAT_VERSION
        return f

    def add(self, index: int, payload: dict) -> None:
        """Buffer a completed point; commit if the checkpoint interval has passed."""
        self._pending[int(index)] = payload
        if time.monotonic() - self._last >= self._interval:
            self.flush()

    def flush(self) -> None:
        """Commit every buffered point.

        The new file is built in memory (the committed file plus the new points) and
        then written by :func:`rof.store.paths.write_atomic`: temporary file, fsync,
        rename. A failed write (full disk) raises :class:`DataError` and leaves the
        committed file as it was. The file itself is created by the first commit, so a
        sweep that fails before any point completes leaves no file (and does not
        replace one it would overwrite).
        """
        if not self._pending and self._created:
            return
        t0 = time.monotonic()
        f = self._committed() if self._created else self._new_file()
        try:
            units = json.loads(f.attrs.get("units", "{}"))
            n_before = len(f["points"])
            for index, payload in sorted(self._pending.items()):
                units.update(_write_point(f, f"{index:06d}", payload))
            f.attrs["units"] = json.dumps(dict(sorted(units.items())))
            n_after = len(f["points"])
            f.flush()
            image = f.id.get_file_image()
        finally:
            f.close()
        keep = (
            f"it still holds the {n_before} points saved before; free space and run again "
            "with --resume"
            if self._created
            else "nothing was saved; free space and run again"
        )
        try:
            write_atomic(self.path, image, keep=keep)
        except DataError as exc:
            self._failed = True
            raise DataError(f"{exc} ({len(self._pending)} finished points not saved)") from None
        self._created = True
        self._pending.clear()
        self._last = time.monotonic()
        self._interval = max(self.checkpoint_s, 5.0 * (self._last - t0))
        self.n_committed = n_after

    def _unlock(self) -> None:
        """Remove the lock file while still holding the lock, then release it.

        ``filelock`` re-checks after ``flock`` that the inode it locked is still linked,
        so a waiting writer that opened the removed file simply tries again.
        """
        if self._lock.is_locked:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._lock.lock_file)
            self._lock.release()

    def close(self) -> None:
        """Commit what is buffered and release the lock."""
        try:
            self.flush()
        finally:
            self._unlock()

    def abandon(self) -> None:
        """Release the lock without committing (after an error)."""
        self._unlock()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.close()
        else:  # keep what was computed (but create no empty file), then re-raise
            try:
                if self._pending and not self._failed:
                    with contextlib.suppress(DataError):  # the original error says more
                        self.flush()
            finally:
                self._unlock()


def _write_point(f: h5py.File, name: str, payload: dict) -> dict[str, str]:
    """Write one point's KPIs, arrays and timings; return name -> unit of each."""
    units = {}
    for group, kpis, arrays in (
        ("points", payload["kpis"], payload["arrays"]),
        ("timing", *_split(payload.get("timings", {}))),
    ):
        grp = f[group]
        if name in grp:
            del grp[name]
        if group == "timing" and not (kpis or arrays):
            continue
        g = grp.create_group(name)
        for k, v in kpis.items():
            g.attrs[k] = np.float64(v)
            units[k] = unit_of(k)
        for k, a in arrays.items():
            big = a.size > 4096
            ds = g.create_dataset(k, data=a, compression="gzip" if big else None)
            ds.attrs["units"] = units[k] = unit_of(k)
    return units


def _split(timings: dict) -> tuple[dict, dict]:
    scalars = {k: float(v) for k, v in timings.items() if np.ndim(v) == 0}
    arrays = {k: np.asarray(v) for k, v in timings.items() if np.ndim(v) > 0}
    return scalars, arrays
