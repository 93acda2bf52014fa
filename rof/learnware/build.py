"""Write a dock deterministically and safely (what every task's ``rof dock build`` uses).

:func:`write_dock` lets a task fill a fresh dock in a work directory beside the
target, then copies the objects and compacts the index with ``VACUUM INTO`` (a
rollback-journal file), so the same entries give the same files byte for byte, and
renames the result into place. It never touches what the user did not name: a
target that exists and is not a dock (a non-empty directory with other files, a file,
a symbolic link) is refused unless ``force`` is given, and then the message lists
what is removed. Task builders are found by the ``rof.dock_builders`` entry-point
group (the channel task registers :func:`rof.edge.chanpred.build.build_channel_dock`),
so the dock itself names no task.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

from rof.errors import DataError
from rof.learnware.dock import Dock

__all__ = ["builders", "check_target", "write_dock"]

log = logging.getLogger(__name__)

_DOCK_ENTRIES = {"index.sqlite", "index.sqlite-wal", "index.sqlite-shm", "objects"}


def check_target(out: Path, force: bool = False) -> list[str]:
    """What writing a dock at ``out`` would remove; DataError if that needs ``force``.

    Returns the entries of ``out`` that a forced build removes (empty for a dock, an
    empty directory or a new path).
    """
    out = Path(out)
    if out.is_symlink():
        raise DataError(f"--out {out} is a symbolic link; name the directory itself")
    if not out.exists():
        return []
    if not out.is_dir():
        raise DataError(f"--out {out} is a file, not a directory; choose another path")
    entries = sorted(p.name for p in out.iterdir())
    is_dock = (out / "index.sqlite").is_file() and set(entries) <= _DOCK_ENTRIES
    if not entries or is_dock:
        return []
    if not force:
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        what = "entry" if len(entries) == 1 else "entries"
        raise DataError(
            f"--out {out} is a non-empty directory that is not a dock ({len(entries)} "
            f"{what}: {shown}); refusing to replace it. Choose an empty or new directory, "
            "or pass --force to remove those entries"
        )
    return entries


def write_dock(
    out_dir, fill: Callable[[Dock], None], *, force: bool = False, progress=None
) -> Path:
    """Build a dock with ``fill(dock)`` and move it to ``out_dir`` (module docstring)."""
    out = Path(out_dir)
    removed = check_target(out, force)
    if removed and progress is not None:
        progress(f"--force: removing {len(removed)} entries of {out}: {', '.join(removed)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / f".{out.name}.build-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    final = out.parent / f".{out.name}.final-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        with Dock(work) as dock:
            fill(dock)
        final.mkdir(parents=True)
        shutil.copytree(work / "objects", final / "objects")
        con = sqlite3.connect(work / "index.sqlite")
        try:
            con.execute("VACUUM INTO ?", (str(final / "index.sqlite"),))
        finally:
            con.close()
        check_target(out, force)  # unchanged since the start?
        if out.exists():
            trash = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(out, trash)
            shutil.rmtree(trash)
        os.replace(final, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(final, ignore_errors=True)
    return out


def builders() -> dict:
    """Installed task builders: task name -> entry point (group ``rof.dock_builders``)."""
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group="rof.dock_builders")}
