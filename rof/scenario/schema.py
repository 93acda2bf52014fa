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

import functools
import math
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rof.errors import ConfigError
from rof.scenario.axes import AxisValue, sweep_points
from rof.scenario.cross import check_fiber, check_mimo_channel, check_model_validity
from rof.scenario.messages import (
    allowed,
    describe,
    near_key,
    show,
    wrong_literal_type,
)
from rof.scenario.mimo import Mimo
from rof.scenario.reading import (
    MAX_FILE_BYTES,
    MAX_NESTING,
    check_nesting,
    parse_file,
    show_toml,
)
from rof.scenario.sections import CrossFieldError, Deployment, Edge, Fronthaul, Radio, Run
from rof.scenario.uplink import Uplink

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_NESTING",
    "MAX_SWEEP_POINTS",
    "SWEEP_MODES",
    "Scenario",
    "SweepSpec",
    "as_scenario",
    "field_paths",
    "key_rows",
]

SWEEP_MODES = ("product", "zip")
#: Most points one sweep may have (one result file; split larger studies).
MAX_SWEEP_POINTS = 100_000
_SECTIONS: dict[str, type[BaseModel]] = {
    "deployment": Deployment,
    "radio": Radio,
    "fronthaul": Fronthaul,
    "edge": Edge,
    "run": Run,
    "uplink": Uplink,
    "mimo": Mimo,
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
    mimo: Mimo | None = None  # multi-antenna cells (rof.edge.mimo), absent: one antenna
    uplink: Uplink | None = None  # [uplink]: an uplink run (rof.edge.uplink)
    sweep: SweepSpec | None = None

    @model_validator(mode="after")
    def _fiber_reach(self):
        check_model_validity(self.deployment, self.radio)
        check_fiber(self.deployment, self.fronthaul)
        check_mimo_channel(self.mimo, self.radio)
        self.edge.check_cqi_report(self.radio.resource_blocks, self.mimo, self.uplink)
        return self

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Read and validate a scenario file; raise ``ConfigError`` naming the file.

        The file must be UTF-8 TOML (a UTF-8 byte-order mark is skipped) of at most
        :data:`MAX_FILE_BYTES`, nested at most :data:`MAX_NESTING` levels.
        """
        path = Path(path)
        data = parse_file(path)
        dep = data.get("deployment")
        sites = dep.get("sites_file") if isinstance(dep, dict) else None
        if isinstance(sites, str) and sites and not Path(sites).is_absolute():
            dep["sites_file"] = str((path.parent / sites).resolve())
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "scenario") -> Scenario:
        """Validate a dict shaped like the TOML file; ``source`` prefixes error messages."""
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: a scenario is a table of keys, not {type(data).__name__}")
        check_nesting(data, source)
        data = dict(data)
        sweep = data.pop("sweep", None)
        try:
            scn = cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"{source}: {_first_error(exc)}") from None
        except CrossFieldError as exc:
            if exc.value is None:
                raise ConfigError(
                    f"{source}: {exc.section}.{exc.key} is missing; allowed: {exc.allowed}"
                ) from None
            raise ConfigError(
                f"{source}: {exc.section}.{exc.key} = {show(exc.value)} {exc.problem}; "
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
    return list(_field_paths())


@functools.cache
def _field_paths() -> tuple[str, ...]:
    # the schema is static: computed once, not on every override's key check
    out = ["name", "seed"]
    for sec, model in _SECTIONS.items():
        out += [f"{sec}.{f}" for f in model.key_paths()]
    return tuple(out)


@functools.cache
def _field_path_set() -> frozenset[str]:
    return frozenset(_field_paths())


def key_rows() -> list[tuple[str, str, str]]:
    """``(dotted key, type and range, default)`` for every settable key, in schema order.

    The default of a key left unset is ``-`` (``radio.resource_blocks`` is then taken
    from the NR table, a link component's key from the component, and a layout's own
    keys are required by that layout). Deprecated flat ``[fronthaul]`` keys are marked.
    """
    rows = [
        ("name", allowed(Scenario, "name"), "(required)"),
        ("seed", allowed(Scenario, "seed"), show_toml(Scenario.model_fields["seed"].default)),
    ]
    for sec, model in _SECTIONS.items():
        default = Scenario.model_fields[sec].default
        for path in model.key_paths():
            found = _resolve(model, default, path.split("."))
            if found is None and sec == "fronthaul":
                from rof.scenario.fronthaul import LEGACY_KEYS

                table, new, _ = LEGACY_KEYS[path]
                text = f"deprecated: use fronthaul.{table}.{new}"
                rows.append((f"{sec}.{path}", text, "-"))
                continue
            owner, field, value = found
            if sec == "radio" and field == "resource_blocks":
                value = None
            shown = "-" if value is None or isinstance(value, BaseModel) else show_toml(value)
            text = allowed(owner, field)
            if sec == "fronthaul" and path == "transmitter":
                text = "a table: type and that device's keys (fronthaul.transmitter.*)"
            if path == "transmitter.type":  # the discriminator: one value per table
                from rof.link.config import TRANSMITTERS

                text = "one of " + ", ".join(repr(t) for t in TRANSMITTERS)
            rows.append((f"{sec}.{path}", text, shown))
    return rows


def _models_in(ann) -> list[type[BaseModel]]:
    """The pydantic models an annotation may hold (through Optional, Union, Annotated)."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [ann]
    return [m for a in typing.get_args(ann) for m in _models_in(a)]


def _resolve(model, inst, parts):
    """``(model owning the key, field name, default value)`` of a nested key path."""
    name = parts[0]
    if name not in model.model_fields:
        return None
    if len(parts) == 1:
        default = model.model_fields[name].default
        return model, name, getattr(inst, name, default) if inst is not None else default
    sub = getattr(inst, name, None) if inst is not None else None
    for cls in _models_in(model.model_fields[name].annotation):
        found = _resolve(cls, sub if isinstance(sub, cls) else None, parts[1:])
        if found is not None:
            return found
    return None


def _check_path(key: str, source: str) -> list[str]:
    if not isinstance(key, str) or key not in _field_path_set():
        known = field_paths()
        below = [k for k in known if isinstance(key, str) and k.startswith(key + ".")]
        near = near_key(str(key), known)
        if below:  # a table named as if it were a key
            hint = f"; name a key of [{key}], e.g. {below[0]!r}"
        else:
            hint = f"; did you mean {near!r}?" if near else ""
        raise ConfigError(
            f"{source}: unknown key {show(key)}{hint} (keys are dotted, e.g. 'radio.carrier_ghz')"
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
    sizes = [len(v) if isinstance(v, list) else 1 for v in axes.values()]
    n_points = math.prod(sizes) if mode == "product" else max(sizes)
    if n_points > MAX_SWEEP_POINTS:
        raise ConfigError(
            f"{source}: sweep has {n_points:,} points ({' x '.join(map(str, sizes))}); allowed: "
            f"at most {MAX_SWEEP_POINTS:,} points per sweep: fewer values per axis, "
            "mode = 'zip', or several sweeps into several files"
        )
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


def _first_error(exc: ValidationError) -> str:
    """The message of the most useful pydantic error: a wrong type before a range."""
    errors = exc.errors()

    def rank(e) -> int:
        if e["type"] in ("model_type", "dict_type", "model_attributes_type"):
            return 0  # a table given as a value
        if e["type"].endswith(("_type", "_parsing")) or wrong_literal_type(e):
            return 1
        return 2

    best = min(errors, key=rank)  # min keeps the first of equal rank
    return describe(best, _SECTIONS, Scenario, field_paths())
