"""The learnware dock: an SQLite index plus a content-addressed object store.

Layout of a dock directory::

    index.sqlite          one row per learnware (metadata, reduced set as blobs)
    objects/ab/cdef...    per learnware: the submitted model (.skops bytes), its
                          specification (JSON), its compiled model (plain arrays,
                          :mod:`rof.learnware.compiled`) and a record (JSON) tying them
                          together, each named by the SHA-256 of its content

Submitted models are checked and compiled in a sandboxed child process
(:mod:`rof.learnware.sandbox`); the host only ever runs validated arrays. Many
processes may submit and search at once: the index runs in WAL mode with a busy
timeout, every write is one ``BEGIN IMMEDIATE`` transaction, and objects are renamed
into place, so no entry is lost or half-written. Identifiers are content hashes of
(model, specification, metadata). The index is a cache of the objects: every search
bounds each row before a kernel reads it and checks the rows it reports against the
hashed specification objects, and ``rof dock verify --repair``
(:mod:`rof.learnware.verify`) rebuilds it from the records.

Example
-------
>>> dock = Dock("models/dock", read_only=True)            # doctest: +SKIP
>>> result = dock.search(user_spec, top_k=3)              # doctest: +SKIP
>>> result.matched, result.best.name, result.mixture.weights  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

from rof._validate import check_int_range, check_range
from rof.errors import DataError, ModelError
from rof.learnware.checker import check_learnware
from rof.learnware.compiled import CompiledModel
from rof.learnware.objects import FORMAT, ObjectStore, connect_index, sha256
from rof.learnware.paths import MMD_THRESHOLD, TOP_K
from rof.learnware.records import Learnware, LearnwareInfo, carrier_band
from rof.learnware.safe import MAX_MODEL_BYTES, dumps_model
from rof.learnware.schema import FeatureSchema
from rof.learnware.search import SearchResult
from rof.learnware.spec import RKMESpecification

__all__ = ["Dock", "Learnware", "LearnwareInfo", "carrier_band"]

log = logging.getLogger(__name__)

_TABLES = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    task TEXT PRIMARY KEY, schema_id TEXT NOT NULL, schema_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS learnwares (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, task TEXT NOT NULL, schema_id TEXT NOT NULL,
    feature_names TEXT NOT NULL, carrier_band TEXT, meta TEXT NOT NULL,
    model_sha TEXT NOT NULL, spec_sha TEXT NOT NULL, compiled_sha TEXT NOT NULL,
    record_sha TEXT NOT NULL, model_bytes INTEGER NOT NULL,
    m INTEGER NOT NULL, d INTEGER NOT NULL, self_term REAL NOT NULL,
    z BLOB NOT NULL, beta BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS learnwares_schema ON learnwares (schema_id);
"""
_COLUMN_FILTERS = ("task", "carrier_band", "name")
#: Record format (ties a learnware's objects together; the index is rebuilt from these).
RECORD_FORMAT = "rof.learnware/1"
#: Above this many learnwares of one schema, search uses the approximate index.
EXACT_LIMIT = 5000


def _canon(obj) -> str:
    try:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ModelError(f"learnware metadata must be plain JSON data: {exc}") from None


def row_values(lw_id, meta, shas, model_len, spec: RKMESpecification) -> tuple:
    """The index row of a learnware, in column order."""
    schema = spec.schema
    return (
        lw_id,
        str(meta.get("name", lw_id))[:200],
        schema.task,
        schema.schema_id,
        _canon(list(schema.feature_names)),
        carrier_band(meta.get("carrier_ghz")),
        _canon(meta),
        *shas,
        model_len,
        spec.reduced_size,
        spec.dim,
        spec.self_term,
        spec.z.astype("<f8").tobytes(),
        spec.beta.astype("<f8").tobytes(),
    )


class Dock:
    """A learnware dock in directory ``path`` (created unless ``read_only``).

    Parameters
    ----------
    path : str or Path
        Dock directory.
    read_only : bool
        Open the index read-only (nothing in ``path`` is modified; for shipped docks).
    max_model_bytes : int
        Size limit for submitted model files.
    mmd_threshold : float
        Default squared-MMD threshold of :meth:`search` ("no good match" above it).
    """

    def __init__(
        self,
        path,
        *,
        read_only: bool = False,
        max_model_bytes: int = MAX_MODEL_BYTES,
        mmd_threshold: float = MMD_THRESHOLD,
    ):
        self.path = Path(path)
        self.read_only = bool(read_only)
        self.max_model_bytes = check_int_range("Dock.max_model_bytes", max_model_bytes, 1)
        self.mmd_threshold = check_range("Dock.mmd_threshold", mmd_threshold, 0.0)
        self.objects = ObjectStore(self.path / "objects")
        self._lock = threading.RLock()
        self._ann: dict = {}
        db = self.path / "index.sqlite"
        if self.path.exists() and not self.path.is_dir():
            raise DataError(f"dock path {self.path} is a file, not a dock directory")
        if db.exists() and not db.is_file():
            raise DataError(f"dock index {db} is not a regular file")
        if self.read_only:
            if not db.is_file():
                raise DataError(f"{self.path} is not a learnware dock (no index.sqlite)")
            self._con = connect_index(db, read_only=True)
            self._check_format()
            return
        try:
            (self.path / "objects").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataError(f"cannot create dock {self.path}: {exc.strerror}") from None
        self._con = connect_index(db, read_only=False)
        # switching to WAL needs a moment of exclusive access: retry while several
        # processes open a new dock at once
        for attempt in range(60):
            try:
                self._con.execute("PRAGMA journal_mode = WAL")
                self._con.executescript(_TABLES)
                self._con.execute("INSERT OR IGNORE INTO info VALUES ('format', ?)", (FORMAT,))
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 59:
                    raise DataError(f"dock index {db}: {exc}") from None
                time.sleep(0.05 * (1 + attempt % 5))
            except sqlite3.DatabaseError as exc:
                raise DataError(
                    f"dock index {db} is not a readable SQLite database ({exc}); rebuild "
                    "it with `rof dock verify --repair`"
                ) from None
        self._q("PRAGMA synchronous = NORMAL")
        self._check_format()

    def _check_format(self) -> None:
        row = self._q("SELECT value FROM info WHERE key = 'format'", one=True, missing_ok=True)
        if row is None or row[0] != FORMAT:
            raise DataError(
                f"dock {self.path} has index format {row[0] if row else 'rof.dock/1'}; this "
                f"version reads {FORMAT}: rebuild it (`rof dock build`) or resubmit"
            )

    def _q(self, sql: str, args=(), *, one: bool = False, missing_ok: bool = False):
        """Run one statement; every SQLite failure is one DataError line."""
        try:
            with self._lock:
                cur = self._con.execute(sql, args)
                return cur.fetchone() if one else cur.fetchall()
        except sqlite3.OperationalError as exc:
            if missing_ok and "no such table" in str(exc):
                return None
            raise DataError(f"dock index {self.path / 'index.sqlite'}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise DataError(
                f"dock index {self.path / 'index.sqlite'} is unreadable ({exc}); rebuild it "
                "with `rof dock verify --repair`"
            ) from None

    # ------------------------------------------------------------------ housekeeping
    def close(self) -> None:
        """Close the index connection."""
        self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __len__(self) -> int:
        return int(self._q("SELECT COUNT(*) FROM learnwares", one=True)[0])

    def schema(self, task: str) -> FeatureSchema | None:
        """The registered feature schema of ``task`` (None if the task is unknown)."""
        row = self._q("SELECT schema_json FROM tasks WHERE task = ?", (task,), one=True)
        if row is None:
            return None
        try:
            return FeatureSchema.from_dict(json.loads(row[0]))
        except (ValueError, TypeError, RecursionError) as exc:
            raise DataError(
                f"dock {self.path}: schema of task {task!r} is malformed: {exc}"
            ) from None

    # ------------------------------------------------------------------ submit
    def submit(self, model, spec, meta: dict | None = None) -> str:
        """Check and store a learnware; return its id (content hash, 16 hex digits).

        Parameters
        ----------
        model : estimator, bytes or path
            A scikit-learn-style model (serialised here with skops), or the bytes or
            path of a ``.skops`` file.
        spec : RKMESpecification or path
            The model's training-data specification (or a file written by ``save``).
        meta : dict, optional
            Plain JSON metadata; ``name``, ``carrier_ghz``, ``scenario`` are indexed.

        Raises
        ------
        SecurityError
            The model file is refused by the safe loader or crashed its sandbox.
        ModelError
            The checker rejects the model, or the spec's schema differs from the
            schema already registered for its task.
        """
        if self.read_only:
            raise ModelError(f"dock {self.path} is open read-only")
        model_bytes = self._model_bytes(model)
        if not isinstance(spec, RKMESpecification):
            spec = RKMESpecification.load(spec)
        meta = dict(meta or {})
        meta_text = _canon(meta)
        schema = spec.schema
        known = self.schema(schema.task)
        if known is not None and known.schema_id != schema.schema_id:
            raise ModelError(
                f"specification's feature schema {schema.schema_id} differs from the "
                f"schema {known.schema_id} registered for task {schema.task!r}; fit the "
                "spec with Dock.schema(task)"
            )
        compiled = check_learnware(model_bytes, spec, max_bytes=self.max_model_bytes)
        spec_bytes = spec.to_json_bytes()
        model_sha, spec_sha = sha256(model_bytes), sha256(spec_bytes)
        lw_id = sha256(f"{model_sha}:{spec_sha}:{meta_text}".encode())[:16]
        self.objects.write(model_bytes)
        self.objects.write(spec_bytes)
        compiled_sha = self.objects.write(compiled.to_bytes())
        record = {
            "format": RECORD_FORMAT,
            "id": lw_id,
            "meta": meta,
            "model_sha": model_sha,
            "spec_sha": spec_sha,
            "compiled_sha": compiled_sha,
            "model_bytes": len(model_bytes),
        }
        record_sha = self.objects.write(_canon(record).encode())
        shas = (model_sha, spec_sha, compiled_sha, record_sha)
        self._insert(schema, row_values(lw_id, meta, shas, len(model_bytes), spec))
        log.info("submitted learnware %s (%s)", lw_id, meta.get("name", ""))
        return lw_id

    def _insert(self, schema: FeatureSchema, row: tuple) -> None:
        with self._lock:
            con = self._con
            try:
                con.execute("BEGIN IMMEDIATE")
                try:
                    got = con.execute(
                        "SELECT schema_id FROM tasks WHERE task = ?", (schema.task,)
                    ).fetchone()
                    if got is None:
                        con.execute(
                            "INSERT INTO tasks VALUES (?, ?, ?)",
                            (schema.task, schema.schema_id, _canon(schema.to_dict())),
                        )
                    elif got[0] != schema.schema_id:
                        raise ModelError(
                            f"specification's feature schema {schema.schema_id} differs from "
                            f"the schema {got[0]} registered for task {schema.task!r}"
                        )
                    con.execute(
                        "INSERT OR IGNORE INTO learnwares VALUES "
                        "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        row,
                    )
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise DataError(f"dock index {self.path / 'index.sqlite'}: {exc}") from None

    def _model_bytes(self, model) -> bytes:
        if isinstance(model, bytes | bytearray | memoryview):
            data = bytes(model)
        elif isinstance(model, str | os.PathLike):
            p = Path(model)
            if not p.is_file():
                raise DataError(f"model file {p} is not a readable file")
            size = p.stat().st_size
            if size > self.max_model_bytes:
                raise ModelError(
                    f"model file {p} is {size} bytes; the limit is {self.max_model_bytes}"
                )
            data = p.read_bytes()
        else:
            data = dumps_model(model)
        if len(data) > self.max_model_bytes:
            raise ModelError(f"model is {len(data)} bytes; the limit is {self.max_model_bytes}")
        return data

    # ------------------------------------------------------------------ read
    def list(self, filters: dict | None = None) -> list[LearnwareInfo]:
        """Index rows (sorted by id) passing the metadata ``filters``."""
        rows = self._select("id, name, task, carrier_band, meta, model_bytes", filters, None)
        out = []
        for r in rows:
            meta = _json(r[4], r[0])
            if _meta_ok(meta, filters):
                out.append(LearnwareInfo(r[0], r[1], r[2], r[3], meta, int(r[5])))
        return out

    def _row(self, lw_id: str, columns: str):
        row = self._q(f"SELECT {columns} FROM learnwares WHERE id = ?", (str(lw_id),), one=True)
        if row is None:
            raise DataError(f"no learnware with id {str(lw_id)[:40]!r} in dock {self.path}")
        return row

    def load(self, lw_id: str) -> Learnware:
        """Load one learnware: its compiled model (validated arrays) and specification."""
        compiled_sha, spec_sha, meta = self._row(lw_id, "compiled_sha, spec_sha, meta")
        spec = self.verified_spec(spec_sha)
        model = CompiledModel.from_bytes(self.objects.read(compiled_sha), spec.dim)
        return Learnware(lw_id, model, spec, _json(meta, lw_id))

    def model_file(self, lw_id: str) -> bytes:
        """The submitted ``.skops`` bytes of a learnware (hash verified; never loaded)."""
        (model_sha,) = self._row(lw_id, "model_sha")
        return self.objects.read(model_sha, limit=self.max_model_bytes)

    def verified_spec(self, spec_sha: str) -> RKMESpecification:
        """The specification object ``spec_sha``, its hash checked."""
        return RKMESpecification.from_json_bytes(self.objects.read(spec_sha))

    def remove(self, lw_id: str) -> None:
        """Delete a learnware and any object files no other entry uses."""
        if self.read_only:
            raise ModelError(f"dock {self.path} is open read-only")
        cols = "model_sha, spec_sha, compiled_sha, record_sha"
        with self._lock:
            con = self._con
            con.execute("BEGIN IMMEDIATE")
            try:
                row = con.execute(
                    f"SELECT {cols} FROM learnwares WHERE id = ?", (lw_id,)
                ).fetchone()
                if row is None:
                    raise DataError(f"no learnware with id {lw_id!r} in dock {self.path}")
                con.execute("DELETE FROM learnwares WHERE id = ?", (lw_id,))
                for sha in set(row):
                    used = con.execute(
                        "SELECT 1 FROM learnwares WHERE ? IN (model_sha, spec_sha, compiled_sha,"
                        " record_sha) LIMIT 1",
                        (sha,),
                    ).fetchone()
                    if used is None:
                        self.objects.remove(sha)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    # ------------------------------------------------------------------ search
    def search(
        self,
        user_spec: RKMESpecification,
        top_k: int = TOP_K,
        filters: dict | None = None,
        *,
        mixture_size: int | None = None,
        mmd_threshold: float | None = None,
    ) -> SearchResult:
        """Rank learnwares by squared MMD to ``user_spec`` and find the best mixture.

        Parameters
        ----------
        user_spec : RKMESpecification
            The user's specification, fitted under the task's schema
            (:meth:`schema`); only learnwares of the same schema are compared.
        top_k : int
            Number of hits returned.
        filters : dict, optional
            ``task``, ``carrier_band``, ``name`` and ``feature_names`` (list) filter
            the index; any other key must equal the learnware's metadata value.
        mixture_size : int, optional
            Most members of the mixture, searched greedily over the best
            ``mixture_size**2`` single hits; default ``top_k``.
        mmd_threshold : float, optional
            "No good match" threshold; default the dock's.
        """
        from rof.learnware.rank import search_dock

        return search_dock(self, user_spec, top_k, filters, mixture_size, mmd_threshold)

    def _select(self, columns: str, filters: dict | None, schema_id: str | None):
        where, args = [], []
        if schema_id is not None:
            where.append("schema_id = ?")
            args.append(schema_id)
        for key in _COLUMN_FILTERS:
            if filters and key in filters:
                where.append(f"{key} = ?")
                args.append(str(filters[key]))
        if filters and "feature_names" in filters:
            where.append("feature_names = ?")
            args.append(_canon([str(n) for n in filters["feature_names"]]))
        sql = f"SELECT {columns} FROM learnwares"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self._q(sql + " ORDER BY id", args)


def _json(text: str, lw_id: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise DataError(
            f"index row {lw_id} holds malformed metadata; run `rof dock verify --repair`"
        ) from None


def _meta_ok(meta: dict, filters: dict | None) -> bool:
    if not filters:
        return True
    skip = {*_COLUMN_FILTERS, "feature_names"}
    return all(meta.get(k) == v for k, v in filters.items() if k not in skip)
