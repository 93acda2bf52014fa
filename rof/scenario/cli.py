"""``rof scenario keys``: every scenario key with its type, range and default.

Light module: the schema is imported inside the handler, so ``rof --help`` stays fast.
"""

from __future__ import annotations

import json

__all__ = ["register"]


def register(sub) -> None:
    """Add ``rof scenario keys`` to the ``rof`` subparsers."""
    p = sub.add_parser(
        "scenario",
        help="list the scenario keys with their types, ranges and defaults",
        description="Help with scenario files.",
    )
    ssub = p.add_subparsers(dest="scenario_command", metavar="ACTION", parser_class=type(p))
    p.set_defaults(handler=lambda args: _usage(p))
    q = ssub.add_parser(
        "keys",
        help="every key: dotted name, type and allowed range, default",
        description="Every key a scenario file may set, as used by --set KEY=VALUE and "
        "[sweep] axes: its type and allowed range, and its default.",
    )
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(handler=_keys)


def _usage(p) -> int:
    p.print_help()
    return 2


def _keys(args) -> int:
    from rof.scenario.schema import key_rows

    rows = key_rows()
    if args.json:
        doc = [{"key": k, "allowed": a, "default": d} for k, a, d in rows]
        print(json.dumps(doc, indent=2))
        return 0
    width = max(len(k) for k, _, _ in rows)
    dwidth = max(len(d) for _, _, d in rows)
    print(f"{'key':{width}s}  {'default':{dwidth}s}  allowed")
    for key, allowed, default in rows:
        print(f"{key:{width}s}  {default:{dwidth}s}  {allowed}")
    return 0
