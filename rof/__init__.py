"""rof: analog radio-over-fiber fronthaul simulator for dense radio access networks.

Subpackages are imported lazily (``rof.photonics``, ``rof.link``, ``rof.radio``, ...),
so ``import rof`` stays fast.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from rof.errors import ConfigError, DataError, ModelError, ParameterError, RofError, SecurityError

try:
    __version__ = version("rof")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = [
    "ConfigError",
    "DataError",
    "ModelError",
    "ParameterError",
    "RofError",
    "SecurityError",
    "__version__",
]
