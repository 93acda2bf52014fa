"""The ``rof`` command.

Each layer contributes its subcommands through a ``register(subparsers)`` function
in its own ``cli`` module; this file only assembles them and turns user errors
into one line on stderr and exit status 2 (never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from rof.errors import RofError

__all__ = ["main"]

#: Modules whose ``register(subparsers)`` adds subcommands, in ``--help`` order.
_COMMAND_MODULES = (
    "rof.sweep.cli",
    "rof.link.cli",
    "rof.learnware.cli",
    "rof.scenario.cli",
    "rof.calibrate",
)


class _OneLineParser(argparse.ArgumentParser):
    """argparse parser whose usage errors are one line and exit status 2."""

    def error(self, message: str):
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """Assemble the ``rof`` parser from every layer's ``register``."""
    from rof import __version__

    parser = _OneLineParser(
        prog="rof",
        description="Analog radio-over-fiber fronthaul simulator for dense radio access networks.",
    )
    parser.add_argument("--version", action="version", version=f"rof {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_OneLineParser)
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    if "schedulers" not in sub.choices:
        p = sub.add_parser(
            "schedulers",
            help="list the smart-edge schedulers (values of edge.scheduler)",
            description="The schedulers edge.scheduler may name, from rof.edge.registry.",
        )
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(handler=_schedulers)
    return parser


def _schedulers(args) -> int:
    """``rof schedulers``: each registered scheduler's name and one line about it."""
    import json

    from rof.edge.fronthaul_aware import FronthaulAware
    from rof.edge.registry import SCHEDULERS

    rows = [(name, cls) for name, cls in SCHEDULERS.items()]
    rows.append(("fronthaul_aware", FronthaulAware))
    doc = {
        name: (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        for name, cls in rows
    }
    doc["fronthaul_aware"] += " (coordinated_pf inside; edge.fronthaul_aware = true wraps any)"
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    width = max(map(len, doc))
    for name, line in doc.items():
        print(f"{name:{width}s}  {line}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the ``rof`` command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except RofError as exc:
        sys.stderr.write(f"rof {args.command}: error: {_one_line(exc)}\n")
        return 2
    except BrokenPipeError:  # `rof ... | head`: the reader left; say nothing more
        # (before OSError, its base class); stdout to /dev/null so the exit flush is quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # missing or unreadable user files
        sys.stderr.write(f"rof {args.command}: error: {_one_line(exc)}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("rof: interrupted\n")
        return 130


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
