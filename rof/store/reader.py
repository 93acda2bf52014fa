"""Reading result files (layout: :mod:`rof.store`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import h5py
import numpy as np

from rof.errors import DataError

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "PROBE_FUNCTION",
    "PointRecord",
    "completed_points",
    "read_info",
    "read_point",
    "read_points",
    "read_scenario",
]

FORMAT = "rof-sweep"
#: 2: provenance, units, point function and the timing group (1 is still read).
FORMAT_VERSION = 2
#: ``point_function`` of files written by ``rof sweep --probe`` (synthetic numbers).
PROBE_FUNCTION = "rof.sweep.probe.probe_point"
_PROVENANCE = ("created_utc", "versions", "git_commit", "dock_path", "dock_sha256")


def _open(path, mode="r") -> h5py.File:
    try:
        return h5py.File(path, mode, locking=True)
    except OSError as exc:
        raise DataError(f"{path}: cannot open as HDF5 ({exc})") from None


@dataclass(frozen=True)
class PointRecord:
    """One stored point: its index, axis values, seed, KPIs, arrays and wall-clock timings.

    ``timings`` (floats and arrays, seconds) are kept apart from ``kpis``: they vary
    from run to run, while the KPIs of a scenario are reproducible bit for bit.
    """

    index: int
    values: dict
    seed: int
    kpis: dict[str, float]
    arrays: dict[str, np.ndarray]
    timings: dict = field(default_factory=dict)


def _check(f: h5py.File, path) -> None:
    if f.attrs.get("format") != FORMAT:
        raise DataError(f"{path}: not a rof sweep result (no format = {FORMAT!r} attribute)")
    version = int(f.attrs.get("format_version", 0))
    if version > FORMAT_VERSION:
        raise DataError(
            f"{path}: result format version {version}; allowed: <= {FORMAT_VERSION} "
            "(written by a newer rof: upgrade rof to read it)"
        )


def _str(v) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def read_info(path) -> dict:
    """Metadata of a result file.

    Keys: ``scenario_toml``, ``scenario_name``, ``rof_version``, ``mode``, ``n_points``,
    ``axes`` and ``levels`` (dicts key -> list), ``seeds``, the sorted ``completed``
    indices, ``point_function`` (dotted name, empty if not recorded), ``probe`` (True
    for synthetic ``rof sweep --probe`` files), ``units`` (name -> unit) and
    ``provenance`` (the attributes of :mod:`rof.store.provenance` that are present).
    """
    with _open(path) as f:
        _check(f, path)
        names = json.loads(f.attrs["axis_names"])

        def table(group):
            return {k: _decode(f[group][k][()]) for k in names}

        point_fn = _str(f.attrs.get("point_function", ""))
        return {
            "scenario_toml": _str(f.attrs["scenario_toml"]),
            "scenario_name": _str(f.attrs["scenario_name"]),
            "rof_version": _str(f.attrs["rof_version"]),
            "format_version": int(f.attrs.get("format_version", 1)),
            "mode": _str(f.attrs["sweep_mode"]),
            "n_points": int(f.attrs["n_points"]),
            "axes": table("axes"),
            "levels": table("levels"),
            "seeds": [int(s) for s in f["point_seed"][()]],
            "completed": sorted(int(k) for k in f["points"]),
            "point_function": point_fn,
            "probe": point_fn == PROBE_FUNCTION,
            "units": json.loads(_str(f.attrs.get("units", "{}"))),
            "provenance": {k: _str(f.attrs[k]) for k in _PROVENANCE if k in f.attrs},
        }


def _decode(arr: np.ndarray) -> list:
    return [v.decode() if isinstance(v, bytes) else v.item() for v in arr]


def completed_points(path) -> set[int]:
    """Indices of the points committed to the file."""
    return set(read_info(path)["completed"])


def read_scenario(path):
    """The sweep's :class:`rof.scenario.Scenario` as stored in the file."""
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
        return _record(f, name, int(index), info)


def _record(f: h5py.File, name: str, index: int, info: dict) -> PointRecord:
    g = f["points"][name]
    t = f["timing"][name] if "timing" in f and name in f["timing"] else None
    timings = {}
    if t is not None:
        timings = {k: float(v) for k, v in t.attrs.items()} | {k: t[k][()] for k in t}
    return PointRecord(
        index=index,
        values={k: v[index] for k, v in info["axes"].items()},
        seed=info["seeds"][index],
        kpis={k: float(v) for k, v in g.attrs.items()},
        arrays={k: g[k][()] for k in g},
        timings=timings,
    )


def read_points(path) -> list[PointRecord]:
    """Every committed point, in index order."""
    info = read_info(path)
    with _open(path) as f:
        return [_record(f, f"{i:06d}", i, info) for i in info["completed"]]
