"""Public names of ``rof.link``, loaded on first access (see ``__init__.py``)."""

from .budget import (
    EVM_LIMITS_PERCENT as EVM_LIMITS_PERCENT,
)
from .budget import (
    LinkBudget as LinkBudget,
)
from .budget import (
    max_modulation as max_modulation,
)
from .budget import (
    ofdm_distortion as ofdm_distortion,
)
from .build import (
    build_link as build_link,
)
from .build import (
    site_budgets as site_budgets,
)
from .config import (
    TRANSMITTERS as TRANSMITTERS,
)
from .config import (
    LinkTable as LinkTable,
)
from .fronthaul_rate import (
    FronthaulRate as FronthaulRate,
)
from .fronthaul_rate import (
    fronthaul_rate as fronthaul_rate,
)
from .link import (
    RoFLink as RoFLink,
)
from .remote_lo import (
    RemoteLoLink as RemoteLoLink,
)
