"""Public names of ``rof.learnware``, loaded on first access (see ``__init__.py``)."""

from .ann import (
    SpecIndex as SpecIndex,
)
from .compiled import (
    CompiledModel as CompiledModel,
)
from .dock import (
    Dock as Dock,
)
from .records import (
    Learnware as Learnware,
)
from .records import (
    LearnwareInfo as LearnwareInfo,
)
from .reuse import (
    AveragingReuser as AveragingReuser,
)
from .reuse import (
    FeatureAugmentReuser as FeatureAugmentReuser,
)
from .reuse import (
    JobSelectorReuser as JobSelectorReuser,
)
from .schema import (
    FeatureSchema as FeatureSchema,
)
from .search import (
    MixtureResult as MixtureResult,
)
from .search import (
    SearchHit as SearchHit,
)
from .search import (
    SearchResult as SearchResult,
)
from .spec import (
    RKMESpecification as RKMESpecification,
)
from .verify import (
    verify_dock as verify_dock,
)
