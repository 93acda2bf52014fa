"""The learnware dock: an SQLite index plus a content-addressed file store.

Layout of a dock directory::

    index.sqlite          one row per learnware (metadata, reduced set as blobs)
    objects/ab/cdef...    model (.skops bytes) and specification (JSON) files, named
                          by the SHA-256 of their content

Many processes may submit and search at once: the index runs in WAL mode with a
busy timeout, every write is one ``BEGIN IMMEDIATE`` transaction, and object files
are written to a temporary name and renamed into place (atomic on POSIX), so no entry
is lost or half-written. Identifiers are content hashes of (model, specification,
metadata), so the same submission always gets the same id.

Example
-------
>>> dock = Dock("models/dock", read_only=True)            # doctest: +SKIP
>>> result = dock.search(user_spec, top_k=3)              # doctest: +SKIP
>>> result.matched, result.best.name, result.mixture.weights  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
import uuid
from pathlib import Path

import numpy as np

from rof._validate import check_int_range, check_range
from rof.errors import DataError, ModelError
from rof.learnware.checker import check_learnware
from rof.learnware.records import Learnware, LearnwareInfo, carrier_band
from rof.learnware.safe import MAX_MODEL_BYTES, dumps_model, loads_model
from rof.learnware.schema import FeatureSchema
from rof.learnware.search import (
    DEFAULT_MMD_THRESHOLD,
    MixtureResult,
    SearchHit,
    SearchResult,
    mixture_weights,
    rank_by_mmd,
)
from rof.learnware.spec import RKMESpecification

__all__ = ["Dock", "Learnware", "LearnwareInfo", "carrier_band"]

log = logging.getLogger(__name__)

_TABLES = """
CREATE TABLE IF NOT EXISTS tasks (
    task TEXT PRIMARY KEY, schema_id TEXT NOT NULL, schema_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS learnwares (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, task TEXT NOT NULL, schema_id TEXT NOT NULL,
    feature_names TEXT NOT NULL, carrier_band TEXT, meta TEXT NOT NULL,
    model_sha TEXT NOT NULL, spec_sha TEXT NOT NULL, model_bytes INTEGER NOT NULL,
    m INTEGER NOT NULL, d INTEGER NOT NULL, self_term REAL NOT NULL,
    z BLOB NOT NULL, beta BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS learnwares_schema ON learnwares (schema_id);
"""
_COLUMN_FILTERS = ("task", "carrier_band", "name")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canon(obj) -> str:
    try:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"learnware metadata must be plain JSON data: {exc}") from None


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
        mmd_threshold: float = DEFAULT_MMD_THRESHOLD,
    ):
        self.path = Path(path)
        self.read_only = bool(read_only)
        self.max_model_bytes = check_int_range("Dock.max_model_bytes", max_model_bytes, 1)
        self.mmd_threshold = check_range("Dock.mmd_threshold", mmd_threshold, 0.0)
        db = self.path / "index.sqlite"
        if self.read_only:
            if not db.is_file():
                raise DataError(f"{self.path} is not a learnware dock (no index.sqlite)")
            self._con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)
            self._con.execute("PRAGMA busy_timeout = 30000")
        else:
            (self.path / "objects").mkdir(parents=True, exist_ok=True)
            self._con = sqlite3.connect(db, isolation_level=None, timeout=30.0)
            self._con.execute("PRAGMA busy_timeout = 30000")
            # switching to WAL needs a moment of exclusive access: retry while several
            # processes open a new dock at once
            for attempt in range(60):
                try:
                    self._con.execute("PRAGMA journal_mode = WAL")
                    self._con.executescript(_TABLES)
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or attempt == 59:
                        raise
                    time.sleep(0.05 * (1 + attempt % 5))
            self._con.execute("PRAGMA synchronous = NORMAL")

    # ------------------------------------------------------------------ housekeeping
    def close(self) -> None:
        """Close the index connection."""
        self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __len__(self) -> int:
        return int(self._con.execute("SELECT COUNT(*) FROM learnwares").fetchone()[0])

    def _object_path(self, sha: str) -> Path:
        return self.path / "objects" / sha[:2] / sha[2:]

    def _write_object(self, data: bytes) -> str:
        sha = _sha(data)
        dest = self._object_path(sha)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, dest)
        return sha

    def _read_object(self, sha: str) -> bytes:
        data = self._object_path(sha).read_bytes()
        if _sha(data) != sha:
            raise DataError(f"dock object {sha[:12]} is corrupted (hash mismatch)")
        return data

    def schema(self, task: str) -> FeatureSchema | None:
        """The registered feature schema of ``task`` (None if the task is unknown)."""
        row = self._con.execute("SELECT schema_json FROM tasks WHERE task = ?", (task,)).fetchone()
        return None if row is None else FeatureSchema.from_dict(json.loads(row[0]))

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
            The model file is not a clean skops archive of trusted types.
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
        check_learnware(model_bytes, spec, max_bytes=self.max_model_bytes)
        spec_bytes = spec.to_json_bytes()
        model_sha, spec_sha = _sha(model_bytes), _sha(spec_bytes)
        lw_id = _sha(f"{model_sha}:{spec_sha}:{meta_text}".encode())[:16]
        schema = spec.schema
        con = self._con
        con.execute("BEGIN IMMEDIATE")
        try:
            row = con.execute(
                "SELECT schema_id FROM tasks WHERE task = ?", (schema.task,)
            ).fetchone()
            if row is None:
                con.execute(
                    "INSERT INTO tasks VALUES (?, ?, ?)",
                    (schema.task, schema.schema_id, _canon(schema.to_dict())),
                )
            elif row[0] != schema.schema_id:
                raise ModelError(
                    f"specification's feature schema {schema.schema_id} differs from the "
                    f"schema {row[0]} registered for task {schema.task!r}; fit the spec "
                    "with Dock.schema(task)"
                )
            self._write_object(model_bytes)
            self._write_object(spec_bytes)
            con.execute(
                "INSERT OR IGNORE INTO learnwares VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    lw_id,
                    str(meta.get("name", lw_id)),
                    schema.task,
                    schema.schema_id,
                    _canon(list(schema.feature_names)),
                    carrier_band(meta.get("carrier_ghz")),
                    meta_text,
                    model_sha,
                    spec_sha,
                    len(model_bytes),
                    spec.reduced_size,
                    spec.dim,
                    spec.self_term,
                    spec.z.astype("<f8").tobytes(),
                    spec.beta.astype("<f8").tobytes(),
                ),
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        log.info("submitted learnware %s (%s)", lw_id, meta.get("name", ""))
        return lw_id

    def _model_bytes(self, model) -> bytes:
        if isinstance(model, bytes | bytearray | memoryview):
            data = bytes(model)
        elif isinstance(model, str | os.PathLike):
            p = Path(model)
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
        return [
            LearnwareInfo(r[0], r[1], r[2], r[3], json.loads(r[4]), int(r[5]))
            for r in rows
            if _meta_ok(json.loads(r[4]), filters)
        ]

    def load(self, lw_id: str) -> Learnware:
        """Load one learnware (model through the safe loader, hashes verified)."""
        row = self._con.execute(
            "SELECT model_sha, spec_sha, meta FROM learnwares WHERE id = ?", (lw_id,)
        ).fetchone()
        if row is None:
            raise DataError(f"no learnware with id {lw_id!r} in dock {self.path}")
        model = loads_model(self._read_object(row[0]), max_bytes=self.max_model_bytes)
        spec = RKMESpecification.from_json_bytes(self._read_object(row[1]))
        return Learnware(lw_id, model, spec, json.loads(row[2]))

    def remove(self, lw_id: str) -> None:
        """Delete a learnware and any object files no other entry uses."""
        if self.read_only:
            raise ModelError(f"dock {self.path} is open read-only")
        con = self._con
        con.execute("BEGIN IMMEDIATE")
        try:
            row = con.execute(
                "SELECT model_sha, spec_sha FROM learnwares WHERE id = ?", (lw_id,)
            ).fetchone()
            if row is None:
                raise DataError(f"no learnware with id {lw_id!r} in dock {self.path}")
            con.execute("DELETE FROM learnwares WHERE id = ?", (lw_id,))
            for sha in set(row):
                used = con.execute(
                    "SELECT 1 FROM learnwares WHERE model_sha = ? OR spec_sha = ? LIMIT 1",
                    (sha, sha),
                ).fetchone()
                if used is None:
                    self._object_path(sha).unlink(missing_ok=True)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ search
    def search(
        self,
        user_spec: RKMESpecification,
        top_k: int = 5,
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
            Candidates (best single hits) in the mixture QP; default ``top_k``.
        mmd_threshold : float, optional
            "No good match" threshold; default the dock's.
        """
        top_k = check_int_range("Dock.search top_k", top_k, 1)
        k_mix = top_k if mixture_size is None else check_int_range("mixture_size", mixture_size, 1)
        thr = (
            self.mmd_threshold
            if mmd_threshold is None
            else check_range("mmd_threshold", mmd_threshold, 0.0)
        )
        schema = user_spec.schema
        rows = self._select("id, name, meta, m, d, self_term, z, beta", filters, schema.schema_id)
        rows = [r for r in rows if _meta_ok(json.loads(r[2]), filters)]
        if not rows:
            known = self.schema(schema.task)
            if known is not None and known.schema_id != schema.schema_id:
                raise ModelError(
                    f"the user specification's schema {schema.schema_id} differs from the "
                    f"dock's schema {known.schema_id} for task {schema.task!r}; fit it "
                    "with Dock.schema(task)"
                )
            return SearchResult((), None, thr)
        d = schema.dim
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([r[3] for r in rows])
        zs = np.frombuffer(b"".join(r[6] for r in rows), dtype="<f8").reshape(-1, d)
        bs = np.frombuffer(b"".join(r[7] for r in rows), dtype="<f8")
        self_terms = np.array([r[5] for r in rows])
        mmd = rank_by_mmd(
            user_spec.z,
            user_spec.beta,
            user_spec.self_term,
            zs,
            bs,
            offsets,
            self_terms,
            schema.gamma,
        )
        order = np.argsort(mmd, kind="stable")
        hits = tuple(
            SearchHit(rows[i][0], rows[i][1], float(mmd[i]), json.loads(rows[i][2]))
            for i in order[:top_k]
        )
        cand = order[: min(k_mix, len(rows))]
        w, mix_mmd = mixture_weights(
            [zs[offsets[i] : offsets[i + 1]] for i in cand],
            [bs[offsets[i] : offsets[i + 1]] for i in cand],
            user_spec.z,
            user_spec.beta,
            user_spec.self_term,
            schema.gamma,
        )
        mixture = MixtureResult(
            tuple(rows[i][0] for i in cand), tuple(float(v) for v in w), float(mix_mmd)
        )
        return SearchResult(hits, mixture, thr)

    def _select(self, columns: str, filters: dict | None, schema_id: str | None):
        where, args = [], []
        if schema_id is not None:
            where.append("schema_id = ?")
            args.append(schema_id)
        for key in _COLUMN_FILTERS:
            if filters and key in filters:
                where.append(f"{key} = ?")
                args.append(filters[key])
        if filters and "feature_names" in filters:
            where.append("feature_names = ?")
            args.append(_canon([str(n) for n in filters["feature_names"]]))
        sql = f"SELECT {columns} FROM learnwares"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self._con.execute(sql + " ORDER BY id", args).fetchall()


def _meta_ok(meta: dict, filters: dict | None) -> bool:
    if not filters:
        return True
    skip = {*_COLUMN_FILTERS, "feature_names"}
    return all(meta.get(k) == v for k, v in filters.items() if k not in skip)
