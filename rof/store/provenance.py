"""What a result file records about where it came from, and the unit of every quantity.

Provenance (root attributes of every result file, all strings):

* ``created_utc``: when the file was created, ISO 8601 in UTC (``2026-12-06T07:55:01Z``);
* ``versions``: JSON object of the Python, ``rof`` and dependency versions in use;
* ``git_commit``: the commit of the ``rof`` source checkout, with ``+dirty`` when
  tracked files differ from it (absent when ``rof`` is not run from a git checkout);
* ``dock_path``: the absolute path of the scenario's learnware dock (``edge.dock``,
  resolved as the simulator resolves it) and ``dock_sha256``: a SHA-256 over the
  dock's files (relative path and content of each, sorted), empty if it is missing.

Units follow the naming convention of the code base (DESIGN.md: units in names):
:func:`unit_of` reads them off a KPI's or array's name (``_bps`` -> ``bit/s``,
``_db`` -> ``dB``, ...), after dropping a trailing statistic (``_mean``, ``_p95``).
Names without a unit suffix are dimensionless (``"1"``: ratios, counts, indices).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

__all__ = ["collect", "dock_digest", "git_commit", "unit_of", "versions"]

#: Name suffix -> unit (UDUNITS spelling), longest suffixes first.
_UNITS = (
    ("_bps_per_hz_per_cell", "bit/s/Hz"),
    ("_bps_per_km2", "bit/s/km2"),
    ("_bps_per_hz", "bit/s/Hz"),
    ("_per_km2", "1/km2"),
    ("_percent", "%"),
    ("_kmh", "km/h"),
    ("_ttis", "TTI"),
    ("_ghz", "GHz"),
    ("_mhz", "MHz"),
    ("_dbm", "dBm"),
    ("_dbi", "dBi"),
    ("_km2", "km2"),
    ("_deg", "degree"),
    ("_bps", "bit/s"),
    ("_db", "dB"),
    ("_hz", "Hz"),
    ("_km", "km"),
    ("_nm", "nm"),
    ("_m", "m"),
    ("_s", "s"),
    ("_w", "W"),
    ("_v", "V"),
)
_STATS = ("_mean", "_median", "_min", "_max", "_std", "_p5", "_p50", "_p95")
#: Distributions whose versions are recorded (those present are listed).
_PACKAGES = (
    "numpy",
    "scipy",
    "numba",
    "h5py",
    "pydantic",
    "scikit-learn",
    "skops",
    "xarray",
    "matplotlib",
    "filelock",
    "h5netcdf",
    "distributed",
)


def unit_of(name: str) -> str:
    """The unit of a KPI or array named by the code base's convention (``"1"`` if none)."""
    n = name.lower()
    for stat in _STATS:
        if n.endswith(stat) and len(n) > len(stat):
            n = n[: -len(stat)]
            break
    return next((u for suffix, u in _UNITS if n.endswith(suffix)), "1")


def versions() -> dict[str, str]:
    """Python, ``rof`` and dependency versions (distributions not installed are left out)."""
    import platform

    from rof import __version__

    out = {"python": platform.python_version(), "rof": __version__}
    for pkg in _PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out


def git_commit() -> str | None:
    """Commit of the git checkout ``rof`` runs from (``+dirty`` if changed), else None."""
    import rof

    pkg = Path(rof.__file__).resolve().parent

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(pkg), *args], capture_output=True, text=True, timeout=10, check=False
        )

    try:
        top = git("rev-parse", "--show-toplevel")
        if top.returncode or Path(top.stdout.strip()).resolve() / "rof" != pkg:
            return None  # not run from a checkout, or rof sits inside someone else's repo
        head = git("rev-parse", "HEAD")
        if head.returncode:
            return None
        dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+dirty" if dirty else "")


def dock_digest(path: Path) -> str:
    """SHA-256 over a dock directory: each file's relative path and content, sorted."""
    h = hashlib.sha256()
    files = sorted(p for p in Path(path).rglob("*") if p.is_file() and not p.is_symlink())
    for p in files:
        h.update(p.relative_to(path).as_posix().encode() + b"\0")
        with open(p, "rb") as f:
            h.update(hashlib.file_digest(f, "sha256").digest())
    return h.hexdigest()


def _dock_path(dock: str) -> Path:
    try:
        from rof.learnware.paths import resolve_dock_path
    except ImportError:  # pragma: no cover - the dock defaults moved elsewhere
        return Path(dock).resolve()
    return Path(resolve_dock_path(dock)).resolve()


def collect(dock: str | None = None) -> dict[str, str]:
    """The provenance attributes of a new result file (see the module docstring)."""
    attrs = {
        "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": json.dumps(versions(), sort_keys=True),
    }
    commit = git_commit()
    if commit:
        attrs["git_commit"] = commit
    if dock is not None:
        path = _dock_path(dock)
        attrs["dock_path"] = str(path)
        attrs["dock_sha256"] = dock_digest(path) if path.is_dir() else ""
    return attrs
