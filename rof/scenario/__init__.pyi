"""Public names of ``rof.scenario``, loaded on first access (see ``__init__.py``)."""

from .axes import (
    SweepPoint as SweepPoint,
)
from .axes import (
    axis_table as axis_table,
)
from .axes import (
    point_seed as point_seed,
)
from .axes import (
    sweep_points as sweep_points,
)
from .schema import (
    Scenario as Scenario,
)
from .schema import (
    SweepSpec as SweepSpec,
)
from .schema import (
    as_scenario as as_scenario,
)
from .schema import (
    field_paths as field_paths,
)
from .sections import (
    Deployment as Deployment,
)
from .sections import (
    Edge as Edge,
)
from .sections import (
    Fronthaul as Fronthaul,
)
from .sections import (
    Radio as Radio,
)
from .sections import (
    Run as Run,
)
