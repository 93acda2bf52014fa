"""Public names of ``rof.link``, loaded on first access (see ``__init__.py``)."""

from .budget import (
    EVM_LIMITS_PERCENT as EVM_LIMITS_PERCENT,
    LinkBudget as LinkBudget,
    max_modulation as max_modulation,
    ofdm_distortion as ofdm_distortion,
)
from .fronthaul_rate import (
    FronthaulRate as FronthaulRate,
    fronthaul_rate as fronthaul_rate,
)
from .link import (
    RoFLink as RoFLink,
)
