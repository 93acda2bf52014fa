"""``rof dock verify [--repair]``: check the index against the objects, rebuild it from them.

The objects are the truth: each learnware's record object names its model,
specification and compiled model by hash, and its id is the hash of (model,
specification, metadata). :func:`verify_dock` re-derives every index row from the
records whose objects are all present, hash-clean and valid (the specification
parses within its limits, the compiled model validates against its width), and
compares the index with that. ``repair`` writes a fresh index from the records
(atomic rename; an unreadable index is replaced) and removes objects no valid
record uses (a submission killed before its record was written leaves such
orphans) and stale temporary files, both only when older than ``grace_s`` so that
submissions in flight are left alone.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from rof.errors import DataError, ModelError
from rof.learnware.compiled import CompiledModel
from rof.learnware.objects import FORMAT, ObjectStore, sha256

__all__ = ["VerifyReport", "verify_dock"]

_RECORD_PREFIX = b'{"compiled_sha":"'


@dataclass
class VerifyReport:
    """Outcome of :func:`verify_dock`."""

    learnwares: int = 0
    problems: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    repaired: bool = False

    @property
    def ok(self) -> bool:
        """No problem found (orphans older than the grace period count as problems)."""
        return not self.problems and not self.orphans


def _records(store: ObjectStore, report: VerifyReport):
    """Valid records: id -> (row values, schema, used object hashes)."""
    from rof.learnware.dock import RECORD_FORMAT, row_values
    from rof.learnware.spec import RKMESpecification

    found, all_objects = {}, {}
    for sha, path, age in store.scan():
        all_objects[sha if sha else str(path)] = (path, age)
        if sha is None or path.stat().st_size > 1 << 20:
            continue
        with open(path, "rb") as f:
            if f.read(len(_RECORD_PREFIX)) != _RECORD_PREFIX:
                continue
        try:
            rec = json.loads(store.read(sha))
            if rec.get("format") != RECORD_FORMAT:
                continue
            spec = RKMESpecification.from_json_bytes(store.read(rec["spec_sha"]))
            model = store.read(rec["model_sha"])
            CompiledModel.from_bytes(store.read(rec["compiled_sha"]), spec.dim)
            meta_text = json.dumps(rec["meta"], sort_keys=True, separators=(",", ":"))
            lw_id = sha256(f"{rec['model_sha']}:{rec['spec_sha']}:{meta_text}".encode())[:16]
            if lw_id != rec["id"] or len(model) != rec["model_bytes"]:
                raise DataError("record id or size does not match its objects")
        except (DataError, ModelError, KeyError, TypeError, ValueError, RecursionError) as exc:
            report.problems.append(f"record {sha[:12]} is unusable: {exc}")
            continue
        shas = (rec["model_sha"], rec["spec_sha"], rec["compiled_sha"], sha)
        row = row_values(lw_id, rec["meta"], shas, len(model), spec)
        found[lw_id] = (row, spec.schema, set(shas))
    return found, all_objects


def _index_rows(db: Path, report: VerifyReport):
    from rof.learnware.objects import connect_index

    if not db.is_file():
        report.problems.append(f"index {db} is missing")
        return None
    try:
        con = connect_index(db, read_only=True)
        try:
            return {r[0]: tuple(r) for r in con.execute("SELECT * FROM learnwares")}
        finally:
            con.close()
    except (DataError, sqlite3.Error) as exc:
        report.problems.append(f"index {db} is unreadable: {str(exc)[:200]}")
        return None


def _write_index(path: Path, records: dict) -> None:
    from rof.learnware.dock import _TABLES

    tmp = path.with_name(f".{path.name}.repair-{uuid.uuid4().hex[:8]}")
    con = sqlite3.connect(tmp, isolation_level=None)
    try:
        con.executescript(_TABLES)
        con.execute("INSERT INTO info VALUES ('format', ?)", (FORMAT,))
        tasks = {}
        con.execute("BEGIN")
        for lw_id in sorted(records):
            row, schema, _ = records[lw_id]
            if tasks.setdefault(schema.task, schema.schema_id) != schema.schema_id:
                continue
            con.execute(
                "INSERT OR IGNORE INTO tasks VALUES (?, ?, ?)",
                (schema.task, schema.schema_id, json.dumps(schema.to_dict(), sort_keys=True)),
            )
            con.execute("INSERT INTO learnwares VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
        con.execute("COMMIT")
    finally:
        con.close()
    for side in ("-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)
    os.replace(tmp, path)


def verify_dock(path, *, repair: bool = False, grace_s: float = 3600.0) -> VerifyReport:
    """Check (and with ``repair`` rebuild) the dock at ``path`` (module docstring)."""
    root = Path(path)
    if not root.is_dir() or not (root / "objects").is_dir():
        raise DataError(f"{root} is not a learnware dock (no objects/ directory)")
    report = VerifyReport()
    store = ObjectStore(root / "objects")
    records, all_objects = _records(store, report)
    report.learnwares = len(records)
    db = root / "index.sqlite"
    rows = _index_rows(db, report)
    if rows is not None:
        for lw_id, row in sorted(rows.items()):
            want = records.get(lw_id)
            if want is None:
                report.problems.append(f"index row {lw_id} has no valid record object")
            elif tuple(want[0]) != row:
                report.problems.append(f"index row {lw_id} differs from its objects (edited)")
        for lw_id in sorted(set(records) - set(rows)):
            report.problems.append(f"learnware {lw_id} is missing from the index")
    used = set().union(*(r[2] for r in records.values())) if records else set()
    for name, (p, age) in sorted(all_objects.items()):
        if name not in used and age >= grace_s:
            report.orphans.append(str(p.relative_to(root)))
    if repair:
        _write_index(db, records)
        for rel in report.orphans:
            (root / rel).unlink(missing_ok=True)
        report.repaired = True
    return report
