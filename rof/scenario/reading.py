"""Reading a scenario file: UTF-8 TOML of bounded size and nesting, every failure one line.

:func:`parse_file` turns undecodable bytes, a UTF-16/32 byte-order mark, an oversized
file, malformed TOML and over-deep nesting into one :class:`rof.errors.ConfigError`
naming the file; :func:`check_nesting` bounds a dict given in Python the same way.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomli_w

from rof.errors import ConfigError

__all__ = ["MAX_FILE_BYTES", "MAX_NESTING", "check_nesting", "parse_file", "show_text", "show_toml"]

#: Largest scenario file read, bytes (a scenario is a few kB; a long sweep a few 100 kB).
MAX_FILE_BYTES = 4 * 1024 * 1024
#: Deepest nesting of tables and arrays accepted (scenarios nest three levels).
MAX_NESTING = 8
#: Byte-order marks of encodings that are not UTF-8.
_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def parse_file(path: Path) -> dict:
    """Read ``path`` as UTF-8 TOML; every failure is one ``ConfigError`` naming the file."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read scenario file ({exc.strerror or type(exc).__name__})"
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(
            f"{path}: scenario file is over {MAX_FILE_BYTES // 1024**2} MiB; allowed: a TOML "
            "scenario of at most that size"
        )
    for bom, name in _BOMS.items():
        if raw.startswith(bom):
            raise ConfigError(f"{path}: the file is {name} text; allowed: UTF-8 (save it as UTF-8)")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: byte {raw[exc.start]:#04x} at line {line} is not UTF-8; allowed: UTF-8 "
            "text (TOML files are UTF-8)"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {show_text(str(exc))}") from None
    except RecursionError:
        raise ConfigError(
            f"{path}: arrays or tables nested too deeply to read; allowed: at most "
            f"{MAX_NESTING} levels"
        ) from None
    return data


def show_toml(value) -> str:
    """``value`` as written in a TOML file (``true``, ``"hex"``, ``[0.0, 0.0]``)."""
    return tomli_w.dumps({"v": value}).partition("=")[2].strip()


def show_text(text: str, limit: int = 200) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_nesting(data, source: str) -> None:
    """Refuse tables and arrays nested deeper than :data:`MAX_NESTING` (no recursion)."""
    stack = [(data, 1)]
    while stack:
        obj, depth = stack.pop()
        if depth > MAX_NESTING:
            raise ConfigError(
                f"{source}: arrays or tables nested {depth} levels deep; allowed: at most "
                f"{MAX_NESTING} levels"
            )
        if isinstance(obj, dict):
            stack += [(v, depth + 1) for v in obj.values()]
        elif isinstance(obj, list | tuple):
            stack += [(v, depth + 1) for v in obj]
