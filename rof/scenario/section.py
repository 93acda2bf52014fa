"""The base of every scenario table: strict pydantic, frozen, unknown keys refused.

Each table names itself in ``section`` so that a cross-field error can say its key
path; :class:`CrossFieldError` carries that path to :meth:`rof.scenario.Scenario.from_dict`.
"""

from __future__ import annotations

import typing
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["HC_OVER_Q_UM", "CrossFieldError", "Pos", "Section"]

#: Photon energy constant h*c/q in W/A * um: responsivity limit = lambda_um / 1.23984.
HC_OVER_Q_UM = 1.239841984


class CrossFieldError(Exception):
    """A value that is valid alone but not together with others in its table.

    Deliberately not a ``ValueError``, so pydantic lets it through unchanged and the
    scenario loader can name the offending key path itself. ``problem`` says what is
    wrong with the value (default ``"is not allowed"``); ``value=None`` means missing.
    """

    def __init__(self, section: str, key: str, value, allowed: str, problem: str = ""):
        super().__init__(f"{section}.{key} = {value!r}; allowed: {allowed}")
        self.section, self.key, self.value, self.allowed = section, key, value, allowed
        self.problem = problem or "is not allowed"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
    section: ClassVar[str] = ""

    @classmethod
    def key_paths(cls) -> list[str]:
        """The settable keys of this table, dotted below it: a nested table's keys
        each (``learnware.threshold``), not the table itself (a table whose keys are
        not one fixed model, like ``[fronthaul]``'s, overrides this)."""
        return _paths(cls)

    def _bad(self, key: str, allowed: str, problem: str = ""):
        raise CrossFieldError(self.section, key, getattr(self, key), allowed, problem)


Pos = Annotated[float, Field(gt=0)]


def _paths(model: type[BaseModel]) -> list[str]:
    out = []
    for name, info in model.model_fields.items():
        nested = _models(info.annotation)
        if len(nested) == 1:
            out += [f"{name}.{k}" for k in _paths(nested[0])]
        else:
            out.append(name)
    return out


def _models(ann) -> list[type[BaseModel]]:
    """The pydantic models an annotation may hold (through Optional, Union, Annotated)."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [ann]
    return [m for a in typing.get_args(ann) for m in _models(a)]
