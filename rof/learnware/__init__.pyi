"""Public names of ``rof.learnware``, loaded on first access (see ``__init__.py``)."""

from .reuse import (
    AveragingReuser as AveragingReuser,
    FeatureAugmentReuser as FeatureAugmentReuser,
    JobSelectorReuser as JobSelectorReuser,
)
from .dock import (
    Dock as Dock,
)
from .schema import (
    FeatureSchema as FeatureSchema,
)
from .records import (
    Learnware as Learnware,
    LearnwareInfo as LearnwareInfo,
)
from .search import (
    MixtureResult as MixtureResult,
    SearchHit as SearchHit,
    SearchResult as SearchResult,
)
from .spec import (
    RKMESpecification as RKMESpecification,
)
