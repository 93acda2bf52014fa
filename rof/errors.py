"""Errors users can cause.

Every error a user can trigger (a bad parameter, a bad scenario file, a bad model
file) is a :class:`RofError`. The CLI catches ``RofError``, prints its message on one
line and exits with status 2; anything else is a bug and keeps its traceback.

``RofError`` subclasses :class:`ValueError`, so code that already guards against
``ValueError`` keeps working.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataError",
    "ModelError",
    "ParameterError",
    "RofError",
    "SecurityError",
]


class RofError(ValueError):
    """Base class of every error a user of ``rof`` can cause."""


class ParameterError(RofError):
    """A parameter value is outside its allowed range or of the wrong kind."""


class ConfigError(RofError):
    """A scenario or configuration file is malformed or names unknown keys."""


class DataError(RofError):
    """An input or result file cannot be read or has the wrong content."""


class ModelError(RofError):
    """A learnware model or specification is malformed or fails the checker."""


class SecurityError(ModelError):
    """A submitted file would execute code or escape its directory when loaded."""
