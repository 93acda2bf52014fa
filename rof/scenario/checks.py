"""Checks that need more than one table: site geometry, fiber lengths, the sites file.

They run at validation, so an impossible layout fails in milliseconds with the
scenario key named, not seconds later inside the engine with an internal name:

* a hexagonal layout must fill complete rings (1, 7, 19, 37, ... sites), as
  :func:`rof.radio.deployment.hex_sites` builds them;
* a sites file is read (and cached by path, size and modification time) and every
  bad row is reported with its file and line (:func:`rof.radio.deployment.sites_from_csv`);
* the fiber to the farthest site must stay within the range of
  ``fronthaul.fiber_length_km`` (``fiber_route_factor`` times the straight-line distance
  from ``edge_location``);
* the optical power that reaches the photodiode must give a photocurrent above the
  photodiode's dark current, or no signal gets through at all.
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path

from rof.errors import DataError
from rof.scenario.section import CrossFieldError

__all__ = [
    "hex_count_ok",
    "hex_rings",
    "max_site_distance_m",
    "received_power_dbm",
    "sites_xy",
]

#: Unit vectors of the six hexagon corners, as in :func:`rof.radio.deployment.hex_sites`.
_CORNERS = [(math.cos(math.radians(60 * k)), math.sin(math.radians(60 * k))) for k in range(6)]


def hex_rings(n: int) -> int | None:
    """Rings ``k`` of a complete hexagonal layout of ``n = 1 + 3 k (k + 1)`` sites, else None."""
    k = (math.isqrt(12 * n - 3) - 3) // 6 if n >= 1 else -1
    return k if k >= 0 and 1 + 3 * k * (k + 1) == n else None


def hex_count_ok(n: int) -> bool:
    """Whether ``n`` sites fill complete hexagonal rings."""
    return hex_rings(n) is not None


@lru_cache(maxsize=16)
def _read_sites(path: str, size: int, mtime_ns: int):
    from rof.radio.deployment import sites_from_csv

    try:
        Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: byte {exc.start} is not UTF-8 text") from None
    try:
        xy, _ = sites_from_csv(path)
    except csv.Error as exc:
        raise DataError(f"{path}: not a CSV file ({exc})") from None
    return xy


def sites_xy(path: str):
    """Site positions (n, 2) in metres from a sites CSV; ``CrossFieldError`` naming the row."""
    p = Path(path)
    try:
        st = p.stat()
        return _read_sites(str(p), st.st_size, st.st_mtime_ns)
    except (OSError, DataError) as exc:
        text = str(exc) if isinstance(exc, DataError) else f"{p}: {exc.strerror}"
        raise CrossFieldError(
            "deployment",
            "sites_file",
            path,
            "a CSV file of x_m,y_m[,height_m] rows (header optional)",
            problem=f"cannot be used ({text})",
        ) from None


def max_site_distance_m(dep, edge_location) -> tuple[float, str]:
    """Largest straight-line distance from the edge node to a site, m, and how it was found.

    Hex: the farthest site is a corner of the outer ring (the sites' convex hull), and
    the centroid of complete rings is the centre site. PPP: the farthest corner of the
    square area (its centre for ``"centroid"``). File: every listed site.
    """
    centroid = isinstance(edge_location, str)
    ex, ey = (0.0, 0.0) if centroid else (float(edge_location[0]), float(edge_location[1]))
    if dep.layout == "hex":
        radius = hex_rings(dep.n_sites) * dep.inter_site_distance_m
        pts = [(radius * cx, radius * cy) for cx, cy in _CORNERS]
        how = "the outer ring's corner"
    elif dep.layout == "ppp":
        half = math.sqrt(dep.area_km2) * 1e3 / 2.0
        pts = [(sx * half, sy * half) for sx in (-1, 1) for sy in (-1, 1)]
        how = "the corner of the PPP area"
    else:
        import numpy as np

        xy = sites_xy(dep.sites_file)
        edge = xy.mean(axis=0) if centroid else np.array([ex, ey])
        return float(np.max(np.hypot(*(xy - edge).T))), "the farthest listed site"
    return max(math.hypot(x - ex, y - ey) for x, y in pts), how


def launch_power_dbm(fh) -> float:
    """Mean optical power launched into the fiber, dBm: the transmitter's contract
    (:class:`rof.photonics.protocols.SmallSignal`, ``mean_power_w``) for the link that
    the ``[fronthaul]`` tables build (:func:`rof.link.build_link`)."""
    return 10.0 * math.log10(fh.rof_link().transmitter.small_signal().mean_power_w) + 30.0


def received_power_dbm(fh, length_km: float) -> float:
    """Optical power at the photodiode, dBm (fiber loss only; an upper bound)."""
    return launch_power_dbm(fh) - fh.rof_link().fiber.attenuation_db_per_km * length_km
