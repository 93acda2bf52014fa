"""Result files as labelled ``xarray`` datasets, and NetCDF files for other tools.

:func:`to_xarray` turns a result file into an ``xarray.Dataset``:

* **dimensions**: a ``product`` sweep has one dimension per axis (its listed values as
  the coordinate); a ``zip`` sweep or a single run has a ``point`` dimension with the
  axis values as coordinates along it; ``seed`` is a coordinate over the same dims;
* **KPIs** become float64 variables over those dimensions (NaN for points not yet run);
* **arrays** get named extra dimensions: ``ue``, ``site``, ``cell``, ``link`` (a UE's
  K strongest cells), ``xy`` (x, y in m), ``sinr_sample`` for the arrays the edge
  simulator writes (:data:`ARRAY_DIMS`); an array ``rof`` does not know gets
  ``<name>_dim0, ...``. Arrays that differ in length between points (e.g. the UE count
  along a density axis) are padded: floats with NaN, signed integers with the dtype's
  most negative value, unsigned ones with its largest, booleans with False (the
  ``fill_value`` attribute says which; a padded boolean cannot be told from a stored
  False, so compare with the point's own counts such as ``n_ue``); the stored dtype
  is kept;
* **timings** (wall-clock seconds, which differ from run to run) are left out unless
  ``timings=True``; they then carry the attribute ``timing = 1``;
* **attributes**: every variable has ``units`` (:func:`rof.store.provenance.unit_of`);
  the dataset has the scenario (TOML text and name), sweep mode, point function,
  ``probe`` (1 for synthetic ``rof sweep --probe`` files), ``rof_version`` and the file's
  provenance (creation time in UTC, versions, git commit, dock path and hash).

:func:`export` writes that dataset as NetCDF-4 (through ``h5netcdf``; ``rof export
x.h5 -o x.nc``), atomically and only to a regular file, so that tools outside Python
(ncdump, Panoply, MATLAB's ``ncread``, R's ``ncdf4``) read the results with their
units. Booleans are stored as ``int8`` with the CF ``dtype = "bool"`` attribute that
xarray decodes back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rof.errors import ConfigError
from rof.store.paths import output_target, write_atomic
from rof.store.provenance import unit_of
from rof.store.reader import read_info, read_points

__all__ = ["ARRAY_DIMS", "export", "to_xarray"]

#: Dimension names of the arrays the edge simulator stores (``()``: a scalar stored
#: as a length-1 array). Per-site arrays come before the per-cell ``cell_site``.
ARRAY_DIMS: dict[str, tuple[str, ...]] = {
    "ue_throughput_bps": ("ue",),
    "sinr_db": ("sinr_sample",),
    "ue_sinr_db": ("ue",),
    "ue_drop": ("ue",),
    "ue_xy_m": ("ue", "xy"),
    "ue_serving_cell": ("ue",),
    "background_gain": ("ue",),
    "noise_w": ("ue",),
    "link_cell": ("ue", "link"),
    "link_gain_db": ("ue", "link"),
    "site_xy_m": ("site", "xy"),
    "edge_xy_m": ("xy",),
    "fiber_km": ("site",),
    "snr_fh_db": ("site",),
    "evm_percent": ("site",),
    "latency_s": ("site",),
    "cell_site": ("cell",),
    "csi_delay_ttis": ("cell",),
    "p_rb_w": (),
    "scheduler_time_s": ("tti",),
}
_FORMATS = (".nc", ".nc4", ".netcdf")


def _fill(dtype: np.dtype):
    if dtype.kind == "f":
        return np.nan
    if dtype.kind == "b":
        return False
    if dtype.kind == "i":
        return np.iinfo(dtype).min
    if dtype.kind == "u":
        return np.iinfo(dtype).max
    raise ConfigError(f"array dtype {dtype}; allowed: boolean, integer or float")


def _dims(name: str, ndim: int) -> list[str]:
    dims = ARRAY_DIMS.get(name)
    if dims is not None and len(dims) == ndim:
        return list(dims)
    return [f"{name}_dim{i}" for i in range(ndim)]


def _stack(name: str, per_point: dict[int, np.ndarray], shape: tuple, n_points: int):
    """One variable from each point's array: (dims, values, attrs)."""
    arrays = dict(per_point)
    known = ARRAY_DIMS.get(name)
    if known == () and all(a.size == 1 for a in arrays.values()):
        arrays = {i: a.reshape(()) for i, a in arrays.items()}
    nd = max(a.ndim for a in arrays.values())
    arrays = {i: a.reshape(a.shape + (1,) * (nd - a.ndim)) for i, a in arrays.items()}
    dtype = np.result_type(*arrays.values())
    ext = tuple(max(a.shape[d] for a in arrays.values()) for d in range(nd))
    ragged = len(arrays) < n_points or any(a.shape != ext for a in arrays.values())
    grid = np.empty(shape + ext, dtype=dtype)
    attrs = {"units": unit_of(name)}
    if ragged:
        fill = _fill(dtype)
        grid.fill(fill)
        if dtype.kind != "f":
            attrs["fill_value"] = int(fill)
    for i, a in arrays.items():
        grid[np.unravel_index(i, shape) + tuple(slice(0, s) for s in a.shape)] = a
    return _dims(name, nd), grid, attrs


def to_xarray(path, *, arrays: bool = True, timings: bool = False):
    """The results as an ``xarray.Dataset`` (layout: the module docstring).

    Parameters
    ----------
    path : path-like
        A result file of ``rof run`` / ``rof sweep``.
    arrays : bool
        Include the per-point arrays (default) or only the KPIs.
    timings : bool
        Include the wall-clock timings (they differ between runs of the same scenario).
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
        data[name] = (dims, grid, {"units": unit_of(name)})
    tables = [("arrays", lambda r: r.arrays)] if arrays else []
    tables += [("timings", lambda r: r.timings)] if timings else []
    for kind, table in tables:
        for name in sorted({k for r in recs for k in table(r)}):
            per_point = {r.index: np.asarray(table(r)[name]) for r in recs if name in table(r)}
            extra, grid, attrs = _stack(name, per_point, shape, info["n_points"])
            if kind == "timings":
                attrs["timing"] = 1
            data[name] = ([*dims, *extra], grid, attrs)
    attrs = {
        "title": f"rof results: {info['scenario_name']}",
        "scenario_name": info["scenario_name"],
        "scenario_toml": info["scenario_toml"],
        "sweep_mode": info["mode"],
        "point_function": info["point_function"],
        "probe": int(info["probe"]),
        "rof_version": info["rof_version"],
        "source_file": str(Path(path).resolve()),
        **info["provenance"],
    }
    ds = xr.Dataset(data, coords=coords, attrs=attrs)
    ds["seed"].attrs["units"] = "1"
    for k in info["axes"]:
        ds[k].attrs["units"] = unit_of(k.rsplit(".", 1)[-1])
    return ds


def export(path, out_path, *, overwrite: bool = False, arrays: bool = True) -> Path:
    """Write a result file as NetCDF-4 (``.nc``) through ``h5netcdf``; return the target.

    The output is checked first (a regular file or a symbolic link to one; it must not
    exist unless ``overwrite``), written to a temporary file beside it and renamed
    over it, so a failed export changes nothing.
    """
    out = Path(out_path)
    if out.suffix.lower() not in _FORMATS:
        raise ConfigError(
            f"-o {out}: unknown export format {out.suffix or '(no suffix)'!r}; "
            "allowed: .nc (NetCDF-4)"
        )
    target = output_target(out)
    if target.exists() and not overwrite:
        raise ConfigError(f"-o {out}: exists; allowed: --overwrite or a new file")
    ds = to_xarray(path, arrays=arrays)
    try:
        image = ds.to_netcdf(None, engine="h5netcdf")
    except ValueError as exc:  # pragma: no cover - a variable NetCDF cannot hold
        raise ConfigError(f"{path}: cannot be written as NetCDF ({exc})") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, image)
    return target
