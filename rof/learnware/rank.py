"""First stage of :meth:`rof.learnware.dock.Dock.search`: bounded index rows, best candidates.

Every row is bounded before a compiled kernel sees it: ``d`` equal to the schema's
width, ``m`` within :func:`rof.learnware.spec.check_spec_size`, blobs of exactly
``8 m d`` and ``8 m`` bytes, a finite self term. A row that fails is an edited or
damaged index: one :class:`~rof.errors.DataError` line naming the row and the repair.
Up to :data:`rof.learnware.dock.EXACT_LIMIT` rows (or with filters) the ranking is
exact; above, a cached :class:`rof.learnware.ann.SpecIndex` proposes the candidates.
The caller checks each returned candidate against its specification object.
"""

from __future__ import annotations

import json
import math

import numpy as np

from rof._validate import check_int_range, check_range
from rof.errors import DataError, ModelError
from rof.learnware import _kernels as kn
from rof.learnware.search import MixtureResult, SearchHit, SearchResult, greedy_mixture
from rof.learnware.spec import RKMESpecification, check_spec_size

__all__ = ["rank_rows", "search_dock", "stack_rows"]

_COLS = "id, name, meta, m, d, self_term, z, beta, spec_sha, schema_id"


def stack_rows(rows, dim: int):
    """Bounded stacked arrays ``(zs, bs, offsets, self_terms)`` of index rows."""
    sizes = []
    for r in rows:
        m, d, st, z, b = r[3], r[4], r[5], r[6], r[7]
        ok = isinstance(m, int) and isinstance(d, int) and d == dim
        if ok:
            try:
                check_spec_size(m, d)
            except ModelError:
                ok = False
        ok = (
            ok
            and isinstance(z, bytes)
            and isinstance(b, bytes)
            and len(z) == 8 * m * d
            and len(b) == 8 * m
            and isinstance(st, float)
            and math.isfinite(st)
        )
        if not ok:
            raise DataError(
                f"index row {r[0]} is malformed (m = {m!r}, d = {d!r}, {len(z or b'')} bytes "
                "of z); run `rof dock verify --repair`"
            )
        sizes.append(m)
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(sizes)
    zs = np.frombuffer(b"".join(r[6] for r in rows), dtype="<f8").reshape(-1, dim)
    bs = np.frombuffer(b"".join(r[7] for r in rows), dtype="<f8")
    st = np.array([r[5] for r in rows], dtype=np.float64)
    if not (np.isfinite(zs).all() and np.isfinite(bs).all()):
        raise DataError(
            "an index row holds NaN or infinite numbers; run `rof dock verify --repair`"
        )
    return zs, bs, offsets, st


def _candidate(r, z: bytes | None = None, b: bytes | None = None) -> dict:
    try:
        meta = json.loads(r[2])
    except (ValueError, RecursionError):
        raise DataError(f"index row {r[0]} holds malformed metadata") from None
    return {
        "id": r[0],
        "name": r[1],
        "meta": meta,
        "self_term": r[5],
        "z": r[6] if z is None else z,
        "beta": r[7] if b is None else b,
        "spec_sha": r[8],
        "schema_id": r[9],
    }


def rank_rows(dock, user_spec, filters, n: int) -> list[dict]:
    """The ``n`` rows nearest ``user_spec`` (candidates for the exact check), best first."""
    from rof.learnware.dock import EXACT_LIMIT, _meta_ok

    schema = user_spec.schema
    if not filters:
        count, top = dock._q(
            "SELECT COUNT(*), MAX(rowid) FROM learnwares WHERE schema_id = ?",
            (schema.schema_id,),
            one=True,
        )
        if count > EXACT_LIMIT:
            return _ann_rank(dock, user_spec, (schema.schema_id, count, top), n)
    rows = dock._select(_COLS, filters, schema.schema_id)
    if filters:
        rows = [r for r in rows if _meta_ok(_candidate(r)["meta"], filters)]
    if not rows:
        return []
    zs, bs, off, st = stack_rows(rows, schema.dim)
    cross = kn.mmd_cross_many(user_spec.z, user_spec.beta, zs, bs, off, schema.gamma)
    mmd = np.maximum(user_spec.self_term + st - 2.0 * cross, 0.0)
    return [_candidate(rows[i]) for i in np.argsort(mmd, kind="stable")[:n]]


def _ann_rank(dock, user_spec, key, n: int) -> list[dict]:
    from rof.learnware.ann import SpecIndex

    cached = dock._ann.get(key[0])
    if cached is None or cached[0] != key:
        rows = dock._select(_COLS, None, key[0])
        zs, bs, off, st = stack_rows(rows, user_spec.dim)
        index = SpecIndex(zs, bs, off, st, user_spec.gamma)
        light = [(r[0], r[1], r[2], None, None, r[5], None, None, r[8], r[9]) for r in rows]
        cached = (key, index, light)
        dock._ann[key[0]] = cached
    _, index, light = cached
    idx, _ = index.search(user_spec.z, user_spec.beta, user_spec.self_term, n)
    out = []
    for i in idx:
        a, b = index.offsets[i], index.offsets[i + 1]
        out.append(_candidate(light[i], index.zs[a:b].tobytes(), index.bs[a:b].tobytes()))
    return out


def search_dock(dock, user_spec, top_k, filters, mixture_size, mmd_threshold) -> SearchResult:
    """:meth:`rof.learnware.dock.Dock.search` (see there): rank, check, mix."""
    top_k = check_int_range("Dock.search top_k", top_k, 1, 1000)
    k_mix = top_k if mixture_size is None else check_int_range("mixture_size", mixture_size, 1, 32)
    thr = (
        dock.mmd_threshold
        if mmd_threshold is None
        else check_range("mmd_threshold", mmd_threshold, 0.0)
    )
    if not isinstance(user_spec, RKMESpecification):
        raise ModelError("Dock.search needs an RKMESpecification")
    schema = user_spec.schema
    check_spec_size(user_spec.reduced_size, user_spec.dim, "user specification")
    n_cand = max(top_k, k_mix * k_mix)
    cand = rank_rows(dock, user_spec, filters, n_cand)
    if not cand:
        known = dock.schema(schema.task)
        if known is not None and known.schema_id != schema.schema_id:
            raise ModelError(
                f"the user specification's schema {schema.schema_id} differs from the "
                f"dock's schema {known.schema_id} for task {schema.task!r}; fit it "
                "with Dock.schema(task)"
            )
        return SearchResult((), None, thr)
    # every reported row is checked against its hashed specification object
    specs = [_checked(dock, c) for c in cand]
    mmd = np.array([user_spec.mmd(s) for s in specs])
    order = np.argsort(mmd, kind="stable")
    hits = tuple(
        SearchHit(cand[i]["id"], cand[i]["name"], float(mmd[i]), cand[i]["meta"])
        for i in order[:top_k]
    )
    pool = order[:n_cand]
    members, w, mix_mmd = greedy_mixture(
        [specs[i].z for i in pool],
        [specs[i].beta for i in pool],
        user_spec.z,
        user_spec.beta,
        user_spec.self_term,
        schema.gamma,
        k_mix,
    )
    mixture = MixtureResult(
        tuple(cand[pool[j]]["id"] for j in members),
        tuple(float(v) for v in w),
        float(mix_mmd),
    )
    return SearchResult(hits, mixture, thr)


def _checked(dock, c: dict) -> RKMESpecification:
    """The specification object of candidate ``c``, checked against its index row."""
    spec = dock.verified_spec(c["spec_sha"])
    same = (
        spec.schema.schema_id == c["schema_id"]
        and spec.z.astype("<f8").tobytes() == c["z"]
        and spec.beta.astype("<f8").tobytes() == c["beta"]
        and abs(spec.self_term - c["self_term"]) <= 1e-9 * max(1.0, abs(spec.self_term))
    )
    if not same:
        raise DataError(
            f"index row {c['id']} disagrees with its specification object "
            f"{c['spec_sha'][:12]} (edited index?); run `rof dock verify --repair`"
        )
    return spec
