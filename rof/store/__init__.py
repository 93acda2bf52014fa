"""HDF5 result files: one file per sweep, crash-safe, resumable, exported to xarray/NetCDF.

Layout (``FORMAT = "rof-sweep"``, version 2; version-1 files are still read)::

    /                      attrs: format, format_version, rof_version, scenario_toml,
                                  scenario_name, sweep_mode, axis_names (JSON), n_points,
                                  point_function, units (JSON name -> unit),
                                  created_utc, versions (JSON), git_commit, dock_path,
                                  dock_sha256 (provenance: rof.store.provenance)
    /point_seed            (n_points,) int64   each point's seed
    /axes/<key>            (n_points,)         the axis value at every point
    /levels/<key>          (n_levels,)         the values listed for the axis
    /points/<index:06d>    attrs: the point's KPIs (float); datasets: its arrays
                           (each with a ``units`` attribute)
    /timing/<index:06d>    attrs and datasets: the point's wall-clock timings (s), kept
                           apart so the KPIs of two runs compare bit for bit

``point_function`` names what computed the points; ``rof.sweep.probe.probe_point``
marks the synthetic numbers of ``rof sweep --probe`` (``read_info(path)["probe"]``),
which ``--resume`` does not mix with simulated points and ``rof plot`` refuses.

Crash safety: only the parent process writes, and never in place; the file appears
with the first completed point (or at the end of a sweep with nothing to run).
Completed points are buffered and committed together (at most every ``checkpoint_s``
seconds): the committed file is loaded into memory, the new points are added there,
and the whole image is written to a temporary file beside the result, ``fsync``'d and
atomically renamed over it (POSIX ``rename``; :mod:`rof.store.paths`). At any instant
the result file is therefore a closed, complete HDF5 file, and a point is in it wholly
or not at all; ``kill -9`` loses at most the points of the last interval. A commit
holds the file in memory (about twice its size at the peak), and HDF5 never writes to
the disk itself, so a full disk is one clean error
(:class:`rof.errors.DataError`) with the committed file untouched and no temporary
file left. Only regular files are written (a symbolic link is written through to its
target; devices, FIFOs and directories are refused). A ``<file>.lock``
(``filelock.FileLock``) keeps two writers off the same result. Nothing is ever
pickled: KPIs are float attributes, arrays are numeric datasets.
"""

from __future__ import annotations

from rof.store.dataset import ARRAY_DIMS, export, to_xarray
from rof.store.paths import output_target, write_atomic
from rof.store.provenance import unit_of
from rof.store.reader import (
    FORMAT,
    FORMAT_VERSION,
    PROBE_FUNCTION,
    PointRecord,
    completed_points,
    read_info,
    read_point,
    read_points,
    read_scenario,
)
from rof.store.writer import SweepWriter

__all__ = [
    "ARRAY_DIMS",
    "FORMAT",
    "FORMAT_VERSION",
    "PROBE_FUNCTION",
    "PointRecord",
    "SweepWriter",
    "completed_points",
    "export",
    "output_target",
    "read_info",
    "read_point",
    "read_points",
    "read_scenario",
    "to_xarray",
    "unit_of",
    "write_atomic",
]
