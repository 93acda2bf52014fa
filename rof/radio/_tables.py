"""Reader of the standards' tables shipped as CSV files in ``rof/radio/tables``.

Each file holds one table of one release, named by document, table number and
release (``tr38901_table7.4.1-1_r17.csv``); lines starting with ``#`` are comments
that cite the source.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

__all__ = ["TABLES", "read_table"]

#: Folder of the shipped tables.
TABLES = Path(__file__).with_name("tables")


@functools.cache
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a CSV table shipped in ``rof/radio/tables`` (``#`` lines are comments)."""
    with open(TABLES / name, newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
    return tuple(dict(row) for row in csv.DictReader(lines))
