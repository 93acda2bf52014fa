"""The scenario schema: one TOML file describing one simulation (and optionally a sweep).

A scenario mirrors its TOML file table for table: ``scn.deployment.n_sites``,
``scn.radio.carrier_ghz``, ``scn.fronthaul.fiber_route_factor``, ``scn.edge.scheduler``,
``scn.run.ttis``, ``scn.name``, ``scn.seed``. Validation is pydantic v2 (strict types,
unknown keys forbidden); every error becomes one :class:`rof.errors.ConfigError` line
naming the file, the key path, the value and what is allowed, e.g.::

    scenario.toml: radio.carrier_ghz = 200.0 is out of range; allowed: a number >= 0.5 and <= 100

Example
-------
>>> from rof.scenario import Scenario
>>> scn = Scenario.from_dict({"name": "demo", "seed": 1,
...                           "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0}})
>>> scn.with_overrides({"fronthaul.fiber_route_factor": 2.0}).fronthaul.fiber_route_factor
2.0
"""

from __future__ import annotations

import difflib
import tomllib
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rof.errors import ConfigError
from rof.scenario.axes import AxisValue, sweep_points
from rof.scenario.sections import CrossFieldError, Deployment, Edge, Fronthaul, Radio, Run

__all__ = ["SWEEP_MODES", "Scenario", "SweepSpec", "as_scenario", "field_paths"]

SWEEP_MODES = ("product", "zip")
_SECTIONS: dict[str, type[BaseModel]] = {
    "deployment": Deployment,
    "radio": Radio,
    "fronthaul": Fronthaul,
    "edge": Edge,
    "run": Run,
}


class SweepSpec(BaseModel):
    """The ``[sweep]`` table: ``axes`` maps dotted key paths to value lists.

    ``mode = "product"`` (default) runs the cartesian product of the axes, the last
    axis varying fastest; ``mode = "zip"`` pairs the i-th values of equally long axes.
    ``common_seed = true`` gives every point the same seed (the first spawned child)
    instead of one child each: common random numbers, so that points differ only in
    their axis values, not in their user drop and fading (Law, *Simulation Modeling
    and Analysis*, 5th ed., sec. 11.2).
    """

    model_config = ConfigDict(frozen=True, strict=True)
    mode: Literal["product", "zip"] = "product"
    common_seed: bool = False
    axes: dict[str, list[AxisValue]]


class Scenario(BaseModel):
    """A validated scenario; see the module docstring and ``shared/examples/scenario.toml``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    name: Annotated[str, Field(min_length=1, max_length=200)]
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    deployment: Deployment = Deployment(n_sites=19, inter_site_distance_m=200.0)
    radio: Radio = Radio()
    fronthaul: Fronthaul = Fronthaul()
    edge: Edge = Edge()
    run: Run = Run()
    sweep: SweepSpec | None = None

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Read and validate a scenario file; raise ``ConfigError`` naming the file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read scenario file ({exc.strerror})") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        sites = data.get("deployment", {}).get("sites_file")
        if isinstance(sites, str) and not Path(sites).is_absolute():
            data["deployment"]["sites_file"] = str((path.parent / sites).resolve())
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "scenario") -> Scenario:
        """Validate a dict shaped like the TOML file; ``source`` prefixes error messages."""
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: a scenario is a table of keys, not {type(data).__name__}")
        data = dict(data)
        sweep = data.pop("sweep", None)
        try:
            scn = cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"{source}: {_describe(exc.errors()[0])}") from None
        except CrossFieldError as exc:
            if exc.value is None:
                raise ConfigError(
                    f"{source}: {exc.section}.{exc.key} is missing; allowed: {exc.allowed}"
                ) from None
            raise ConfigError(
                f"{source}: {exc.section}.{exc.key} = {exc.value!r} is not allowed; "
                f"allowed: {exc.allowed}"
            ) from None
        if sweep is None:
            return scn
        spec = _parse_sweep(sweep, source)
        scn = scn.model_copy(update={"sweep": spec})
        sweep_points(scn, source=source)  # validates every point's values
        return scn

    # ----------------------------------------------------------------- writing
    def to_dict(self) -> dict[str, Any]:
        """Plain dict that :meth:`from_dict` accepts (``None`` fields left out)."""
        d = self.model_dump(exclude_none=True, exclude={"sweep"})
        if "resource_blocks" not in self.radio.model_fields_set:
            d["radio"].pop("resource_blocks", None)  # derived from the table; re-derive
        if self.sweep is not None:
            d["sweep"] = {
                "mode": self.sweep.mode,
                "common_seed": self.sweep.common_seed,
                **self.sweep.axes,
            }
        return d

    def to_toml_text(self) -> str:
        """TOML text that :meth:`from_toml` reads back to an equal scenario."""
        return tomli_w.dumps(self.to_dict())

    def with_overrides(self, overrides: dict[str, Any], *, source: str = "override") -> Scenario:
        """Return a copy with dotted keys replaced, e.g. ``{"radio.carrier_ghz": 28.0}``.

        A value of ``None`` removes the key (its default applies). The result is
        validated again; the ``[sweep]`` table is kept only if no override touches it.
        """
        d = self.to_dict()
        for key, value in overrides.items():
            parts = _check_path(key, source)
            table = d
            for p in parts[:-1]:
                table = table.setdefault(p, {})
            if value is None:
                table.pop(parts[-1], None)
            else:
                table[parts[-1]] = value
        return Scenario.from_dict(d, source=source)

    def without_sweep(self) -> Scenario:
        """The base scenario of a sweep (its ``[sweep]`` table removed)."""
        return self.model_copy(update={"sweep": None})

    def get(self, key: str):
        """Value at a dotted key path, e.g. ``scn.get("radio.carrier_ghz")``."""
        obj = self
        for p in _check_path(key, "get"):
            obj = getattr(obj, p)
        return obj


def as_scenario(scenario) -> Scenario:
    """A :class:`Scenario` from a ``Scenario``, a TOML path or a dict shaped like the file.

    The one converter every entry point (:func:`rof.edge.simulate`, the sweep, the CLI)
    uses; anything else is a ``ConfigError``.
    """
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | Path):
        return Scenario.from_toml(scenario)
    if isinstance(scenario, dict):
        return Scenario.from_dict(scenario)
    raise ConfigError(
        f"scenario = {type(scenario).__name__} object is not allowed; "
        "allowed: a rof.scenario.Scenario, a TOML path or a dict"
    )


# ---------------------------------------------------------------------- helpers
def field_paths() -> list[str]:
    """Every settable dotted key path, in schema order."""
    out = ["name", "seed"]
    for sec, model in _SECTIONS.items():
        out += [f"{sec}.{f}" for f in model.model_fields]
    return out


def _check_path(key: str, source: str) -> list[str]:
    if not isinstance(key, str) or key not in field_paths():
        near = difflib.get_close_matches(str(key), field_paths(), n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ConfigError(
            f"{source}: unknown key {key!r}{hint} (keys are dotted, e.g. 'radio.carrier_ghz')"
        )
    return key.split(".")


def _parse_sweep(sweep, source: str) -> SweepSpec:
    if not isinstance(sweep, dict):
        raise ConfigError(f"{source}: sweep = {sweep!r} is not allowed; allowed: a table")
    mode = sweep.get("mode", "product")
    if mode not in SWEEP_MODES:
        raise ConfigError(
            f"{source}: sweep.mode = {mode!r} is not known; allowed: 'product', 'zip'"
        )
    common = sweep.get("common_seed", False)
    if not isinstance(common, bool):
        raise ConfigError(
            f"{source}: sweep.common_seed = {common!r} has the wrong type; allowed: true or false"
        )
    axes = {k: v for k, v in sweep.items() if k not in ("mode", "common_seed")}
    if not axes:
        raise ConfigError(f'{source}: sweep has no axes; allowed: "table.key" = [values, ...]')
    for key, values in axes.items():
        _check_path(key, f"{source}: sweep")
        if key in ("name", "seed"):
            raise ConfigError(
                f"{source}: sweep.{key!r} cannot be swept; allowed: keys of the tables "
                "(every point already gets its own seed from SeedSequence(seed).spawn)"
            )
        if not isinstance(values, list) or not values:
            raise ConfigError(
                f"{source}: sweep.{key!r} = {values!r} is not allowed; allowed: a non-empty list"
            )
        for i, v in enumerate(values):
            if not isinstance(v, str | bool | int | float):
                raise ConfigError(
                    f"{source}: sweep.{key!r}[{i}] = {v!r} is not allowed; "
                    "allowed: a string, boolean or number"
                )
        if len({repr(v) for v in values}) != len(values):
            raise ConfigError(
                f"{source}: sweep.{key!r} = {values!r} repeats a value; allowed: distinct values"
            )
    if mode == "zip" and len({len(v) for v in axes.values()}) > 1:
        lens = {k: len(v) for k, v in axes.items()}
        raise ConfigError(
            f"{source}: sweep axes have lengths {lens}; allowed: equal lengths with mode = 'zip'"
        )
    return SweepSpec(mode=mode, common_seed=common, axes=axes)


def _model_at(loc: tuple) -> tuple[type[BaseModel] | None, str]:
    """The model class holding the field at ``loc`` and the field name."""
    names = [p for p in loc if isinstance(p, str)]
    if len(names) >= 2 and names[0] in _SECTIONS:
        return _SECTIONS[names[0]], names[1]
    return (Scenario, names[0]) if names else (None, "")


def _allowed(model: type[BaseModel] | None, field: str) -> str:
    """Describe a field's type and range, e.g. ``a number >= 0.5 and <= 100``."""
    if model is None or field not in model.model_fields:
        return "see the documentation"
    info = model.model_fields[field]
    ann = info.annotation
    union = typing.get_origin(ann) in (typing.Union, types.UnionType)
    args = [a for a in typing.get_args(ann) if a is not type(None)] if union else [ann]
    kinds = []
    for a in args:
        origin = typing.get_origin(a)
        if origin is Literal:
            kinds.append("one of " + ", ".join(repr(x) for x in typing.get_args(a)))
        elif a is bool:
            kinds.append("true or false")
        elif a is int:
            kinds.append("an integer")
        elif a is float:
            kinds.append("a number")
        elif a is str:
            kinds.append("a non-empty string")
        elif origin is list:
            kinds.append("[x_m, y_m]")
        elif origin is Annotated:
            base, *meta = typing.get_args(a)
            kinds.append(
                _with_bounds({int: "an integer", float: "a number"}.get(base, "a string"), meta)
            )
    text = " or ".join(kinds)
    return _with_bounds(text, info.metadata)


def _with_bounds(text: str, metadata) -> str:
    ops = []
    for m in metadata:
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            bound = getattr(m, attr, None)  # annotated_types.Ge/Gt/Le/Lt carry one each
            if bound is not None:
                ops.append(f"{sym} {bound}" if isinstance(bound, int) else f"{sym} {bound:g}")
    return text + (" " + " and ".join(ops) if ops else "")


def _describe(err: dict) -> str:
    names = [p for p in err["loc"] if isinstance(p, str) and p.isidentifier()]
    model, field = _model_at(tuple(names))
    path = ".".join(names[:2])
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        table = _SECTIONS.get(names[0]) if len(names) > 1 else Scenario
        known = list(table.model_fields) if table else []
        near = difflib.get_close_matches(names[-1], known, n=1, cutoff=0.6)
        prefix = f"{names[0]}." if len(names) > 1 else ""
        hint = f"; did you mean {prefix + near[0]!r}?" if near else ""
        where = f"[{names[0]}]" if len(names) > 1 else "the top level"
        return f"unknown key {'.'.join(names)!r}{hint} (keys of {where}: {', '.join(known)})"
    if kind == "missing":
        return f"{path} is required; allowed: {_allowed(model, field)}"
    if kind in ("model_type", "dict_type"):
        return f"{path} = {value!r} is not allowed; allowed: a table [{path}]"
    if kind.startswith(("greater", "less")):
        problem = "is out of range"
    elif kind in ("literal_error", "enum"):
        problem = "is not a known choice"
    elif kind.endswith("_type") or kind.endswith("_parsing") or kind == "bool_parsing":
        problem = f"has the wrong type ({type(value).__name__})"
    elif kind == "finite_number":
        problem = "is not finite"
    else:
        msg = err.get("msg", "").removeprefix("Value error, ")
        if msg.startswith("allowed: "):
            return f"{path} = {value!r} is not allowed; {msg}"
        problem = f"is not allowed ({msg})"
    return f"{path} = {value!r} {problem}; allowed: {_allowed(model, field)}"
