"""Small records of the dock: index rows, loaded learnwares, NR frequency ranges."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rof.learnware.spec import RKMESpecification

__all__ = ["Learnware", "LearnwareInfo", "carrier_band"]


def carrier_band(carrier_ghz) -> str | None:
    """NR frequency range of a carrier: "FR1" (0.41-7.125 GHz), "FR2" (24.25-71 GHz).

    TS 38.104 V17 Sec. 5.1, Table 5.1-1; None for other or missing carriers.
    """
    if carrier_ghz is None:
        return None
    f = float(carrier_ghz)
    if 0.41 <= f <= 7.125:
        return "FR1"
    if 24.25 <= f <= 71.0:
        return "FR2"
    return None


@dataclass(frozen=True)
class LearnwareInfo:
    """A row of the index (no model loaded)."""

    id: str
    name: str
    task: str
    carrier_band: str | None
    meta: dict = field(compare=False)
    model_bytes: int = 0


@dataclass(frozen=True, eq=False)
class Learnware:
    """A loaded learnware: its model, specification and metadata."""

    id: str
    model: object
    spec: RKMESpecification
    meta: dict

    @property
    def name(self) -> str:
        """Metadata name (the id when none was given)."""
        return str(self.meta.get("name", self.id))

    def predict(self, X) -> np.ndarray:
        """Model output for raw features ``X`` (n, d) -> (n,)."""
        return np.asarray(self.model.predict(np.asarray(X, dtype=float)), dtype=float).ravel()
