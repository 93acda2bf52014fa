"""Where the shipped dock lives, and the defaults every dock user shares.

One default each (issue 14 item 5): the RKME reduced-set size, the number of hits a
search returns and the "no good match" threshold. A scenario's ``[edge.learnware]``
table (:mod:`rof.scenario.learnware`) starts from these values.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "DEFAULT_DOCK",
    "MMD_THRESHOLD",
    "REDUCED_SIZE",
    "TOP_K",
    "default_dock_path",
    "resolve_dock_path",
]

#: The dock path users get by default (scenario ``edge.dock``, ``rof dock --dock``).
DEFAULT_DOCK = "models/dock"
#: RKME reduced-set size m (``RKMESpecification.fit``, dock builds, user specs).
REDUCED_SIZE = 100
#: Hits a search returns (and single learnwares the mixture may start from).
TOP_K = 5
#: Squared-MMD threshold above which a search reports "no good match"; the
#: calibration is in :mod:`rof.learnware.search`.
MMD_THRESHOLD = 0.1


def default_dock_path() -> Path:
    """``models/dock`` of the source tree (the shipped dock)."""
    return Path(__file__).resolve().parents[2] / "models" / "dock"


def resolve_dock_path(path) -> Path:
    """``path``, except that the default ``models/dock`` falls back to the shipped dock
    when the working directory has none (so reading the dock works from anywhere)."""
    p = Path(path)
    if str(path) == DEFAULT_DOCK and not p.exists():
        return default_dock_path()
    return p
