"""The dock's content-addressed object store and its SQLite index connection.

Objects live at ``objects/ab/cdef...``, named by the SHA-256 of their content, written
to a temporary name and renamed into place (atomic on POSIX); reading one checks its
hash. The index is opened through an escaped ``file:`` URI (a dock path may contain
``?`` or ``#``), and every SQLite failure (a corrupt or truncated file, a directory in
its place) becomes one :class:`~rof.errors.DataError` line.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
import urllib.parse
import uuid
from pathlib import Path

from rof.errors import DataError

__all__ = ["ObjectStore", "connect_index", "sha256"]

#: Index format written by this version.
FORMAT = "rof.dock/2"


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


class ObjectStore:
    """Content-addressed files under ``root`` (``objects/``)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        """File of object ``sha``."""
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise DataError(f"dock object name {sha[:80]!r} is not a SHA-256 hex digest")
        return self.root / sha[:2] / sha[2:]

    def write(self, data: bytes) -> str:
        """Store ``data``; return its hash (no-op when present)."""
        sha = sha256(data)
        dest = self.path(sha)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, dest)
        return sha

    def read(self, sha: str, limit: int = 64 * 2**20) -> bytes:
        """Content of ``sha``, hash verified; DataError when missing or corrupt."""
        p = self.path(sha)
        try:
            if p.stat().st_size > limit:
                raise DataError(f"dock object {sha[:12]} is larger than {limit} bytes")
            data = p.read_bytes()
        except OSError:
            raise DataError(
                f"dock object {sha[:12]} is missing; run `rof dock verify --repair`"
            ) from None
        if sha256(data) != sha:
            raise DataError(
                f"dock object {sha[:12]} is corrupted (hash mismatch); run "
                "`rof dock verify --repair`"
            )
        return data

    def remove(self, sha: str) -> None:
        """Delete one object file (nothing else)."""
        self.path(sha).unlink(missing_ok=True)

    def scan(self):
        """Yield ``(sha, path, age_s)`` of every stored object and ``(None, path, age_s)`` of
        every leftover temporary file."""
        now = time.time()
        if not self.root.is_dir():
            return
        for sub in sorted(self.root.iterdir()):
            if not sub.is_dir() or len(sub.name) != 2:
                continue
            for f in sorted(sub.iterdir()):
                if not f.is_file() or f.is_symlink():
                    continue
                age = now - f.stat().st_mtime
                if f.name.endswith(".tmp") and f.name.startswith("."):
                    yield None, f, age
                elif len(f.name) == 62:
                    yield sub.name + f.name, f, age


def connect_index(db: Path, *, read_only: bool) -> sqlite3.Connection:
    """Open the index at ``db``; read-only through an escaped URI (nothing is created)."""
    try:
        if read_only:
            uri = "file:" + urllib.parse.quote(str(Path(db).resolve())) + "?mode=ro"
            con = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        else:
            con = sqlite3.connect(db, isolation_level=None, timeout=30.0, check_same_thread=False)
        con.execute("PRAGMA busy_timeout = 30000")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise DataError(
            f"dock index {db} is not a readable SQLite database ({exc}); rebuild it with "
            "`rof dock verify --repair`"
        ) from None
    return con
