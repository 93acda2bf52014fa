"""Write the TOML subset scenarios use (no extra dependency).

Scenario files hold strings, booleans, integers, finite floats, flat arrays of those,
and tables nested one or two levels deep. :func:`dumps` writes exactly that subset;
``tomllib.loads(dumps(d)) == d`` for every such ``d`` (tested against the standard
library's parser).
"""

from __future__ import annotations

import json
import math
import re

from rof.errors import ConfigError

__all__ = ["dumps"]

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k, ensure_ascii=False)


def _value(v, path: str) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ConfigError(f"{path} = {v!r} cannot be written; allowed: finite numbers")
        return repr(v)
    if isinstance(v, str):
        # JSON string escapes (\" \\ \n \t \uHHHH ...) are all valid TOML basic-string escapes.
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x, f"{path}[{i}]") for i, x in enumerate(v)) + "]"
    raise ConfigError(f"{path} = {v!r} cannot be written to TOML; allowed: str, bool, int, float")


def dumps(data: dict) -> str:
    """Return TOML text for a dict of scalars, flat lists and (nested) tables.

    ``None`` values are left out (TOML has no null). Scalars of a table come before its
    sub-tables, as TOML requires.
    """
    lines: list[str] = []
    _table(data, [], lines)
    return "\n".join(lines).strip() + "\n"


def _table(d: dict, prefix: list[str], lines: list[str]) -> None:
    scalars = [(k, v) for k, v in d.items() if v is not None and not isinstance(v, dict)]
    tables = [(k, v) for k, v in d.items() if isinstance(v, dict)]
    if prefix and (scalars or not tables):
        lines.append("")
        lines.append("[" + ".".join(_key(p) for p in prefix) + "]")
    for k, v in scalars:
        lines.append(f"{_key(k)} = {_value(v, '.'.join([*prefix, k]))}")
    for k, v in tables:
        _table(v, [*prefix, k], lines)
