"""One-line messages for scenario errors, and the key listing of ``rof scenario keys``.

Every message names the scenario key (``radio.carrier_ghz``), never an internal
name; shows the offending value cut to :data:`MAX_SHOWN` characters; and ends with
what is allowed, ranges included (``allowed: an integer >= 1 and <= 10000``). The
type and range text comes from the schema's own annotations, so it cannot drift
from what validation enforces.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Annotated, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

__all__ = [
    "MAX_SHOWN",
    "allowed",
    "bound",
    "describe",
    "near_key",
    "show",
    "wrong_literal_type",
]

#: Longest value representation a message echoes; longer ones are cut.
MAX_SHOWN = 60


def show(value) -> str:
    """``repr(value)``, cut to :data:`MAX_SHOWN` characters with the full length stated."""
    try:
        text = repr(value)
    except RecursionError:  # a self-referencing container
        return f"<{type(value).__name__}>"
    if len(text) <= MAX_SHOWN:
        return text
    return f"{text[: MAX_SHOWN - 20]}... ({len(text)} characters)"


def _bounds(metadata) -> list[str]:
    ops = []
    for m in metadata:
        if isinstance(m, FieldInfo):  # Annotated[int, Field(ge=...)] nests its bounds
            ops += _bounds(m.metadata)
            continue
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            bound = getattr(m, attr, None)  # annotated_types.Ge/Gt/Le/Lt carry one each
            if bound is not None:
                ops.append(f"{sym} {bound}" if isinstance(bound, int) else f"{sym} {bound:g}")
        if getattr(m, "min_length", None):
            ops.append(f"of at least {m.min_length} character(s)")
        if getattr(m, "max_length", None):
            ops.append(f"of at most {m.max_length} characters")
    return ops


def _kind(tp) -> str:
    origin = typing.get_origin(tp)
    if origin is Annotated:
        base, *meta = typing.get_args(tp)
        ops = _bounds(meta)
        return _kind(base) + (" " + " and ".join(ops) if ops else "")
    if origin is Literal:
        return "one of " + ", ".join(repr(x) for x in typing.get_args(tp))
    if origin is list:
        return "[x_m, y_m] (two numbers, metres)"
    if origin is tuple:
        return "a list of numbers" if float in typing.get_args(tp) else "a list"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(
        tp, "a table"
    )


def allowed(model: type[BaseModel] | None, field: str) -> str:
    """The type and range of ``model.field`` in words, e.g. ``a number >= 0.5 and <= 100``."""
    if model is None or field not in model.model_fields:
        return "see `rof scenario keys`"
    info = model.model_fields[field]
    ann = info.annotation
    union = typing.get_origin(ann) in (typing.Union, types.UnionType)
    args = [a for a in typing.get_args(ann) if a is not type(None)] if union else [ann]
    text = " or ".join(dict.fromkeys(_kind(a) for a in args))
    ops = _bounds(info.metadata)
    return text + (" " + " and ".join(ops) if ops else "")


def bound(model: type[BaseModel], field: str, which: str):
    """The ``which`` (``"ge"``, ``"gt"``, ``"le"``, ``"lt"``) bound of ``model.field``, or None."""

    def walk(meta):
        for m in meta:
            if isinstance(m, FieldInfo):
                yield from walk(m.metadata)
            elif getattr(m, which, None) is not None:
                yield getattr(m, which)

    info = model.model_fields[field]
    ann = info.annotation
    union = typing.get_origin(ann) in (typing.Union, types.UnionType)
    found = list(walk(info.metadata))
    for a in typing.get_args(ann) if union else [ann]:
        if typing.get_origin(a) is Annotated:
            found += list(walk(typing.get_args(a)[1:]))
    return found[0] if found else None


def _nested(model: type[BaseModel], parts: list[str]):
    """``(model owning the last key, key names)`` along a nested error location
    (union tags that are not keys skipped), or ``(None, [])``."""
    names = []
    for i, part in enumerate(parts):
        if i == len(parts) - 1:  # the key itself (an unknown one for extra_forbidden)
            return model, [*names, part]
        if part not in model.model_fields:
            continue  # a union member's tag in pydantic's location
        names.append(part)
        held = _models_of(model.model_fields[part].annotation)
        found = [m for m in held if any(p in m.model_fields for p in parts[i + 1 :])]
        if not found and len(held) != 1:
            return None, []
        model = (found or held)[0]
    return None, []


def _models_of(ann) -> list[type[BaseModel]]:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [ann]
    return [m for a in typing.get_args(ann) for m in _models_of(a)]


def _table_keys(model: type[BaseModel] | None, field: str) -> list[str]:
    """The keys of the one table ``model.field`` holds ([] for none or a union)."""
    if model is None or field not in model.model_fields:
        return []
    found = _models_of(model.model_fields[field].annotation)
    return list(found[0].model_fields) if len(found) == 1 else []


def near_key(key: str, known: list[str], *, exclude: str = "") -> str | None:
    """The known key a mistyped ``key`` most likely means (never ``exclude`` itself)."""
    candidates = [k for k in known if k != exclude]
    norm = key.strip().lower().replace("-", "_").replace(" ", "_")
    for k in candidates:
        if k.lower() == norm:
            return k
    near = difflib.get_close_matches(norm, candidates, n=1, cutoff=0.6)
    if near:
        return near[0]
    parts = [k for k in candidates if k in norm.split("_")]  # "random-seed" -> "seed"
    return parts[0] if len(parts) == 1 else None


def wrong_literal_type(err: dict) -> bool:
    """Whether a choice error's value has another type than every choice (5 for a name)."""
    if err["type"] != "literal_error":
        return False
    expected = str(err.get("ctx", {}).get("expected", ""))
    value = err.get("input")
    quoted = "'" in expected
    return isinstance(value, str) != quoted or isinstance(value, bool | list | dict)


def describe(
    err: dict, sections: dict[str, type[BaseModel]], top: type[BaseModel], field_paths: list[str]
) -> str:
    """One line for one pydantic error of a scenario (no source prefix)."""
    loc = [str(p) for p in err["loc"]]
    in_table = len(loc) >= 2 and loc[0] in sections
    model, field = (sections[loc[0]], loc[1]) if in_table else (top, loc[0] if loc else "")
    if in_table and len(loc) > 2:  # a key of a nested table: name it, not the table
        inner, names = _nested(model, loc[1:])
        if inner is not None:
            model, field, loc = inner, names[-1], [loc[0], *names]
    path = ".".join(loc[:2]) if in_table and len(loc) == 2 else field
    if in_table and len(loc) > 2:
        path = ".".join(loc)
        loc = [".".join(loc[:-1]), loc[-1]]
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        known = list(model.model_fields)
        where = f"[{loc[0]}]" if in_table else "the top level"
        hint = ""
        if not in_table and field in field_paths:
            table, _, key = field.partition(".")
            hint = f"; write {key} = ... under [{table}]"
        else:
            near = near_key(field, known, exclude=loc[0] if in_table else "")
            if near is not None:
                hint = f"; did you mean {(loc[0] + '.' if in_table else '') + near!r}?"
        shown = show(f"{loc[0]}.{field}" if in_table else field)
        if hint:
            return f"unknown key {shown}{hint}"
        listed = ", ".join(known)
        if len(listed) > 300:  # a long table: its first keys, and where to find all
            listed = ", ".join(known[:8]) + f", ... ({len(known)} keys: rof scenario keys)"
        return f"unknown key {shown} (keys of {where}: {listed})"
    if kind == "missing":
        return f"{path} is required; allowed: {allowed(model, field)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        keys = _table_keys(model, field) if len(loc) == 2 else []
        listed = f" with keys {', '.join(keys)}" if keys else " of keys"
        return f"{path} = {show(value)} is not allowed; allowed: a table [{path}]{listed}"
    if kind.startswith(("greater", "less")):
        problem = "is out of range"
    elif wrong_literal_type(err):
        problem = f"has the wrong type ({type(value).__name__})"
    elif kind in ("literal_error", "enum"):
        problem = "is not a known choice"
    elif kind == "finite_number":
        problem = "is not finite"
    elif kind.startswith(("string_too", "too_")):
        problem = "has the wrong length"
    elif kind.endswith(("_type", "_parsing")):
        problem = f"has the wrong type ({type(value).__name__})"
    else:
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        if msg.startswith("allowed: "):
            return f"{path} = {show(value)} is not allowed; {msg}"
        problem = "is not allowed"
    return f"{path} = {show(value)} {problem}; allowed: {allowed(model, field)}"
