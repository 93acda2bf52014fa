"""The ``[edge.learnware]`` table: how ``csi = "learnware"`` uses the dock.

One default each, taken from the dock's own (:mod:`rof.learnware.paths`), so a
function, the CLI and a scenario cannot disagree.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from rof.learnware.paths import MMD_THRESHOLD, REDUCED_SIZE, TOP_K
from rof.scenario.section import Section

__all__ = ["SPEC_ROWS", "EdgeLearnware"]

#: Feature rows fitted into the specification sent to the dock.
SPEC_ROWS = 2000


class EdgeLearnware(Section):
    """Search settings of the learnware CSI predictor.

    ``reduced_size`` points summarise ``spec_rows`` feature rows in the specification
    sent to the dock; the search returns ``top_k`` hits and mixes up to ``top_k``
    learnwares; a best squared MMD above ``mmd_threshold`` is "no good match" and the
    edge falls back to the delayed report.
    """

    section: ClassVar[str] = "edge.learnware"
    reduced_size: Annotated[int, Field(ge=2, le=1000)] = REDUCED_SIZE
    spec_rows: Annotated[int, Field(ge=10, le=100_000)] = SPEC_ROWS
    top_k: Annotated[int, Field(ge=1, le=32)] = TOP_K
    mmd_threshold: Annotated[float, Field(ge=0.0, le=4.0)] = MMD_THRESHOLD
