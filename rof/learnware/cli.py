"""``rof dock``: list, search, submit to and build a learnware dock.

Light module: everything heavy is imported inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["register"]

_DEFAULT_DOCK = "models/dock"  # == rof.learnware.predict.DEFAULT_DOCK (kept light)


def register(sub) -> None:
    """Add ``rof dock list | search | submit | build`` to the ``rof`` parser."""
    p = sub.add_parser("dock", help="learnware dock: list, search, submit, build")
    dsub = p.add_subparsers(dest="dock_command", metavar="ACTION", parser_class=type(p))
    p.set_defaults(handler=lambda args: _usage(p))

    q = dsub.add_parser("list", help="list the learnwares of a dock")
    q.add_argument(
        "--dock", default=_DEFAULT_DOCK, help=f"dock directory (default {_DEFAULT_DOCK})"
    )
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(handler=_list)

    q = dsub.add_parser("search", help="rank learnwares for a data set or specification")
    q.add_argument(
        "data",
        help="specification (.json/.npz from RKMESpecification.save) or "
        "feature rows (.csv with a header of feature names, or .npy)",
    )
    q.add_argument("--dock", default=_DEFAULT_DOCK)
    q.add_argument("--task", default="channel_gain_ahead", help="task whose schema fits DATA")
    q.add_argument("--top-k", type=int, default=5)
    q.add_argument(
        "--threshold", type=float, default=None, help="squared-MMD 'no good match' threshold"
    )
    q.add_argument("--reduced-size", type=int, default=50)
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=_search)

    q = dsub.add_parser("submit", help="check and add a learnware")
    q.add_argument("model", help="model file (.skops)")
    q.add_argument("spec", help="specification file (.json or .npz)")
    q.add_argument("--meta", required=True, help="JSON metadata file (name, carrier_ghz, ...)")
    q.add_argument("--dock", default=_DEFAULT_DOCK)
    q.set_defaults(handler=_submit)

    q = dsub.add_parser(
        "build", help="simulate, train and write the shipped channel-predictor dock"
    )
    q.add_argument(
        "--out", default=_DEFAULT_DOCK, help=f"output directory (default {_DEFAULT_DOCK})"
    )
    q.add_argument("--seed", type=int, default=None, help="root seed (default: the shipped one)")
    q.add_argument("--n-train", type=int, default=6000, help="training rows per scenario")
    q.add_argument("--quiet", action="store_true")
    q.set_defaults(handler=_build)


def _usage(parser) -> int:
    parser.print_help()
    return 2


def _list(args) -> int:
    from rof.learnware.dock import Dock

    with Dock(_read_path(args.dock), read_only=True) as dock:
        infos = dock.list()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": i.id,
                        "name": i.name,
                        "task": i.task,
                        "carrier_band": i.carrier_band,
                        "meta": i.meta,
                    }
                    for i in infos
                ],
                indent=2,
            )
        )
        return 0
    print(f"{'id':<16s}  {'name':<24s}  {'task':<20s}  band  size_kB")
    for i in infos:
        print(
            f"{i.id:<16s}  {i.name:<24s}  {i.task:<20s}  {i.carrier_band or '-':<4s}  "
            f"{i.model_bytes / 1e3:7.1f}"
        )
    print(f"{len(infos)} learnwares in {args.dock}")
    return 0


def _user_spec(args, dock):
    import numpy as np

    from rof.errors import DataError
    from rof.learnware.spec import RKMESpecification

    path = Path(args.data)
    if path.suffix in (".json", ".npz"):
        return RKMESpecification.load(path)
    schema = dock.schema(args.task)
    if schema is None:
        raise DataError(f"dock {args.dock} has no task {args.task!r}")
    if path.suffix == ".npy":
        x = np.load(path, allow_pickle=False)
    elif path.suffix == ".csv":
        with path.open() as f:
            header = [h.strip() for h in f.readline().split(",")]
        if tuple(header) != schema.feature_names:
            raise DataError(
                f"{path}: header must be the task's feature names: {','.join(schema.feature_names)}"
            )
        x = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    else:
        raise DataError(f"{path}: unknown data format; allowed: .json, .npz, .npy, .csv")
    return RKMESpecification.fit(
        x, args.reduced_size, rng=np.random.default_rng(args.seed), schema=schema
    )


def _search(args) -> int:
    from rof.learnware.dock import Dock

    with Dock(_read_path(args.dock), read_only=True) as dock:
        spec = _user_spec(args, dock)
        res = dock.search(spec, top_k=args.top_k, mmd_threshold=args.threshold)
    if args.json:
        print(
            json.dumps(
                {
                    "matched": res.matched,
                    "message": res.message,
                    "threshold": res.threshold,
                    "hits": [{"id": h.id, "name": h.name, "mmd": h.mmd} for h in res.hits],
                    "mixture": None
                    if res.mixture is None
                    else {
                        "ids": res.mixture.ids,
                        "weights": res.mixture.weights,
                        "mmd": res.mixture.mmd,
                    },
                },
                indent=2,
            )
        )
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
    from rof.learnware.dock import Dock

    try:
        meta = json.loads(Path(args.meta).read_text())
    except json.JSONDecodeError as exc:
        raise DataError(f"{args.meta}: not valid JSON: {exc}") from None
    with Dock(args.dock) as dock:
        lw_id = dock.submit(Path(args.model), Path(args.spec), meta)
    print(lw_id)
    return 0


def _build(args) -> int:
    import time

    from rof.learnware.build import DEFAULT_SEED, build_dock

    t0 = time.perf_counter()
    say = None if args.quiet else (lambda line: print(line, file=sys.stdout, flush=True))
    out = build_dock(
        args.out,
        seed=DEFAULT_SEED if args.seed is None else args.seed,
        n_train=args.n_train,
        progress=say,
    )
    size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
    print(f"wrote {out} ({size / 2**20:.1f} MiB) in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    from rof.cli import main

    raise SystemExit(main(["dock", *sys.argv[1:]]))


_ = argparse  # parser classes come from the caller's subparsers


def _read_path(path: str):
    """Dock to read: the default falls back to the shipped dock outside the source tree."""
    from rof.learnware.predict import resolve_dock_path

    return resolve_dock_path(path)
