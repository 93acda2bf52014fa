"""Public names of ``rof.sweep``, loaded on first access (see ``__init__.py``)."""

from ._aliases import (
    Scenario as Scenario,
    SweepPoint as SweepPoint,
    SweepSpec as SweepSpec,
    axis_table as axis_table,
    field_paths as field_paths,
    point_seed as point_seed,
    sweep_points as sweep_points,
)
from .executors import (
    DaskExecutor as DaskExecutor,
    InlineExecutor as InlineExecutor,
    LocalExecutor as LocalExecutor,
    make_executor as make_executor,
)
from .payload import normalise_result as normalise_result
from .probe import probe_point as probe_point
from .run import (
    load_scenario as load_scenario,
    run_point as run_point,
    run_sweep as run_sweep,
    simulate_edge as simulate_edge,
)
