"""``rof dock``: list, search, submit, build, verify and serve a learnware dock.

Light module: everything heavy is imported inside the handlers. Every user error is
a :class:`~rof.errors.RofError` (one line, exit 2 through ``rof.cli``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

__all__ = ["read_rows", "register"]

_DEFAULT_DOCK = "models/dock"  # == rof.learnware.paths.DEFAULT_DOCK (kept light)
#: Largest feature-row file accepted by ``rof dock search``, bytes.
MAX_ROWS_BYTES = 256 * 2**20


def register(sub) -> None:
    """Add ``rof dock list | search | submit | build | verify | serve`` to the parser."""
    from rof.learnware.paths import REDUCED_SIZE, TOP_K

    p = sub.add_parser("dock", help="learnware dock: list, search, submit, build, verify, serve")
    dsub = p.add_subparsers(dest="dock_command", metavar="ACTION", parser_class=type(p))
    p.set_defaults(handler=lambda args: _usage(p))
    dock_help = f"dock directory (default {_DEFAULT_DOCK})"

    q = dsub.add_parser("list", help="list the learnwares of a dock")
    q.add_argument("--dock", default=_DEFAULT_DOCK, help=dock_help)
    q.add_argument("--url", default=None, help="a dock service instead of a directory")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(handler=_list)

    q = dsub.add_parser("search", help="rank learnwares for a data set or specification")
    q.add_argument(
        "data",
        help="specification (.json/.npz from RKMESpecification.save) or "
        "feature rows (.csv with a header of feature names, or .npy)",
    )
    q.add_argument("--dock", default=_DEFAULT_DOCK, help=dock_help)
    q.add_argument(
        "--url",
        default=None,
        help="search a dock service (rows are fitted here; only the spec is sent)",
    )
    q.add_argument(
        "--task", default=None, help="task whose schema fits DATA (default: the only one)"
    )
    q.add_argument("--top-k", type=int, default=TOP_K)
    q.add_argument(
        "--threshold", type=float, default=None, help="squared-MMD 'no good match' threshold"
    )
    q.add_argument("--reduced-size", type=int, default=REDUCED_SIZE)
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=_search)

    q = dsub.add_parser("submit", help="check and add a learnware")
    q.add_argument("model", help="model file (.skops)")
    q.add_argument("spec", help="specification file (.json or .npz)")
    q.add_argument("--meta", required=True, help="JSON metadata file (name, carrier_ghz, ...)")
    q.add_argument("--dock", default=_DEFAULT_DOCK, help=dock_help)
    q.add_argument("--url", default=None, help="submit to a dock service (token: ROF_DOCK_TOKEN)")
    q.set_defaults(handler=_submit)

    q = dsub.add_parser("build", help="simulate, train and write a task's dock")
    q.add_argument("--task", default="channel_gain_ahead", help="task builder (entry point)")
    q.add_argument(
        "--out", default=_DEFAULT_DOCK, help=f"output directory (default {_DEFAULT_DOCK})"
    )
    q.add_argument("--seed", type=int, default=None, help="root seed (default: the shipped one)")
    q.add_argument("--n-train", type=int, default=None, help="training rows per scenario")
    q.add_argument("--force", action="store_true", help="replace a non-empty non-dock directory")
    q.add_argument("--quiet", action="store_true")
    q.set_defaults(handler=_build)

    q = dsub.add_parser("verify", help="check the index against the objects; --repair rebuilds it")
    q.add_argument("--dock", default=_DEFAULT_DOCK, help=dock_help)
    q.add_argument("--repair", action="store_true", help="rebuild the index, remove old orphans")
    q.add_argument("--grace-s", type=float, default=3600.0, help="orphans younger than this stay")
    q.set_defaults(handler=_verify)

    q = dsub.add_parser("serve", help="serve the dock over HTTP (loopback by default)")
    q.add_argument("--dock", default=_DEFAULT_DOCK, help=dock_help)
    q.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    q.add_argument("--port", type=int, default=8765)
    q.add_argument(
        "--token-file",
        default=None,
        help="file holding the submit token (or ROF_DOCK_TOKEN); without one, read-only",
    )
    q.add_argument("--max-body-mb", type=float, default=32.0)
    q.add_argument("--rate", type=float, default=50.0, help="requests per second per client")
    q.add_argument("--burst", type=int, default=200)
    q.set_defaults(handler=_serve)


def _usage(parser) -> int:
    parser.print_help()
    return 2


def _read_path(path: str):
    """Dock to read: the default falls back to the shipped dock outside the source tree."""
    from rof.learnware.paths import resolve_dock_path

    return resolve_dock_path(path)


def _list(args) -> int:
    if args.url:
        from rof.learnware.client import DockClient

        with DockClient(args.url) as c:
            rows = c.list()
    else:
        from rof.learnware.dock import Dock

        with Dock(_read_path(args.dock), read_only=True) as dock:
            rows = [
                {
                    "id": i.id,
                    "name": i.name,
                    "task": i.task,
                    "carrier_band": i.carrier_band,
                    "meta": i.meta,
                    "model_bytes": i.model_bytes,
                }
                for i in dock.list()
            ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'id':<16s}  {'name':<24s}  {'task':<20s}  band  size_kB")
    for i in rows:
        print(
            f"{i['id']:<16s}  {i['name']:<24s}  {i['task']:<20s}  "
            f"{i['carrier_band'] or '-':<4s}  {i.get('model_bytes', 0) / 1e3:7.1f}"
        )
    print(f"{len(rows)} learnwares in {args.url or args.dock}")
    return 0


def read_rows(path: Path, feature_names: tuple[str, ...]):
    """Feature rows (n, d) from a ``.csv`` (header = feature names) or a numeric ``.npy``.

    Raises DataError (one line) for text, short or long rows, binary content, object
    arrays and anything that is not a finite numeric matrix of the task's width.
    """
    import numpy as np

    from rof.errors import DataError

    d = len(feature_names)
    if not path.is_file():
        raise DataError(f"{path} is not a readable file")
    if path.stat().st_size > MAX_ROWS_BYTES:
        raise DataError(f"{path} is {path.stat().st_size} bytes; the limit is {MAX_ROWS_BYTES}")
    if path.suffix == ".npy":
        try:
            x = np.load(path, allow_pickle=False)
        except ValueError as exc:
            why = "an object array" if "allow_pickle" in str(exc) else "not a NumPy array"
            raise DataError(f"{path} is {why}; allowed: a numeric (n, {d}) array") from None
        except OSError as exc:
            raise DataError(f"{path} is unreadable: {exc}") from None
        if x.dtype.kind not in "fiub":
            raise DataError(f"{path} holds {x.dtype} values; allowed: a numeric (n, {d}) array")
    elif path.suffix == ".csv":
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{path} is not UTF-8 text (byte {exc.start}); allowed: a CSV file"
            ) from None
        lines = text.splitlines()
        header = [h.strip() for h in (lines[0] if lines else "").split(",")]
        if tuple(header) != tuple(feature_names):
            shown = ",".join(header)[:120]
            raise DataError(
                f"{path}: header {shown!r} must be the task's feature names: "
                f"{','.join(feature_names)}"
            )
        rows = []
        for no, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            cells = line.split(",")
            if len(cells) != d:
                raise DataError(f"{path} line {no}: {len(cells)} values; allowed: {d}")
            try:
                rows.append([float(c) for c in cells])
            except ValueError:
                bad = next(c for c in cells if not _is_float(c))
                raise DataError(f"{path} line {no}: {bad.strip()[:40]!r} is not a number") from None
        x = np.array(rows, dtype=float).reshape(-1, d)
    else:
        raise DataError(f"{path}: unknown data format; allowed: .json, .npz, .npy, .csv")
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != d or x.shape[0] < 2:
        raise DataError(f"{path} holds an array of shape {x.shape}; allowed: (n >= 2, {d})")
    if not np.isfinite(x).all():
        raise DataError(f"{path} holds NaN or infinite values")
    return x


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _user_spec(args, schema_of):
    import numpy as np

    from rof.errors import DataError
    from rof.learnware.spec import RKMESpecification

    path = Path(args.data)
    if path.suffix in (".json", ".npz"):
        return RKMESpecification.load(path)
    schema = schema_of(args.task)
    if schema is None:
        raise DataError(f"the dock has no task {args.task!r}")
    x = read_rows(path, schema.feature_names)
    return RKMESpecification.fit(
        x, args.reduced_size, rng=np.random.default_rng(args.seed), schema=schema
    )


def _only_task(dock, task):
    from rof.errors import DataError

    if task is not None:
        return dock.schema(task)
    tasks = [r[0] for r in dock._q("SELECT task FROM tasks ORDER BY task")]
    if len(tasks) != 1:
        raise DataError(f"name the task with --task; the dock has {tasks or 'none'}")
    return dock.schema(tasks[0])


def _search(args) -> int:
    from rof.learnware.service import result_to_dict

    if args.url:
        from rof.errors import DataError
        from rof.learnware.client import DockClient

        with DockClient(args.url) as c:  # rows are fitted here; only the spec is sent
            schemas = c.schemas() if Path(args.data).suffix in (".csv", ".npy") else {}

            def schema_of(task):
                if task is None and len(schemas) != 1:
                    raise DataError(f"name the task with --task; the dock has {sorted(schemas)}")
                return schemas.get(task) if task else next(iter(schemas.values()))

            spec = _user_spec(args, schema_of)
            res = c.search(spec, top_k=args.top_k, mmd_threshold=args.threshold)
    else:
        from rof.learnware.dock import Dock

        with Dock(_read_path(args.dock), read_only=True) as dock:
            spec = _user_spec(args, lambda task: _only_task(dock, task))
            res = dock.search(spec, top_k=args.top_k, mmd_threshold=args.threshold)
    if args.json:
        print(json.dumps(result_to_dict(res), indent=2))
        return 0
    for rank, h in enumerate(res.hits, 1):
        print(f"{rank:2d}. {h.name:<24s} {h.id}  MMD^2 {h.mmd:.4f}")
    if res.mixture is not None:
        names = {h.id: h.name for h in res.hits}
        parts = ", ".join(
            f"{names.get(i, i)} {w:.2f}"
            for i, w in zip(res.mixture.ids, res.mixture.weights, strict=True)
            if w > 1e-3
        )
        print(f"mixture: {parts}  MMD^2 {res.mixture.mmd:.4f}")
    print(res.message)
    return 0


def _submit(args) -> int:
    from rof.errors import DataError

    try:
        meta = json.loads(Path(args.meta).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DataError(f"{args.meta}: not a readable JSON file ({type(exc).__name__})") from None
    if not isinstance(meta, dict):
        raise DataError(f"{args.meta}: metadata must be a JSON object")
    if args.url:
        from rof.learnware.client import DockClient
        from rof.learnware.spec import RKMESpecification

        model = Path(args.model)
        if not model.is_file():
            raise DataError(f"model file {model} is not a readable file")
        with DockClient(args.url, token=os.environ.get("ROF_DOCK_TOKEN")) as c:
            lw_id = c.submit(model.read_bytes(), RKMESpecification.load(args.spec), meta)
    else:
        from rof.learnware.dock import Dock

        with Dock(args.dock) as dock:
            lw_id = dock.submit(Path(args.model), Path(args.spec), meta)
    print(lw_id)
    return 0


def _build(args) -> int:
    import time

    from rof.errors import DataError
    from rof.learnware.build import builders

    found = builders()
    if args.task not in found:
        raise DataError(
            f"no dock builder for task {args.task!r} is installed; installed: "
            f"{sorted(found) or 'none'} (entry-point group rof.dock_builders)"
        )
    build = found[args.task].load()
    t0 = time.perf_counter()
    say = None if args.quiet else (lambda line: print(line, file=sys.stdout, flush=True))
    out = build(args.out, seed=args.seed, n_train=args.n_train, progress=say, force=args.force)
    size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
    print(f"wrote {out} ({size / 2**20:.1f} MiB) in {time.perf_counter() - t0:.1f} s")
    return 0


def _verify(args) -> int:
    from rof.learnware.verify import verify_dock

    rep = verify_dock(args.dock, repair=args.repair, grace_s=args.grace_s)
    for line in rep.problems[:50]:
        print(f"problem: {line}")
    for line in rep.orphans[:50]:
        print(f"orphan: {line}")
    state = "repaired" if rep.repaired else ("ok" if rep.ok else "needs --repair")
    print(
        f"{rep.learnwares} learnwares, {len(rep.problems)} problems, "
        f"{len(rep.orphans)} orphans: {state}"
    )
    return 0 if rep.ok or rep.repaired else 1


def _serve(args) -> int:
    from rof.errors import DataError
    from rof.learnware.service import serve

    token = os.environ.get("ROF_DOCK_TOKEN")
    if args.token_file:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"--token-file {args.token_file}: {exc}") from None
    if token is not None and len(token) < 16:
        raise DataError("the submit token must have at least 16 characters")
    if not 0 < args.port < 65536:
        raise DataError(f"--port {args.port} is out of range; allowed: 1 to 65535")
    path = _read_path(args.dock) if token is None else Path(args.dock)
    mode = "read-only" if token is None else "submissions with the token"
    print(f"serving dock {path} at http://{args.host}:{args.port} ({mode})", flush=True)
    serve(
        path,
        host=args.host,
        port=args.port,
        token=token,
        max_body_bytes=int(args.max_body_mb * 2**20),
        rate_per_s=args.rate,
        burst=args.burst,
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    from rof.cli import main

    raise SystemExit(main(["dock", *sys.argv[1:]]))
