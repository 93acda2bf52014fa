"""Feature schema of a learnware task: names and the one fixed standardisation.

A fixed-width Gaussian kernel on raw units is meaningless (metres next to dB), so
every specification standardises its features first. The transform is fixed per
*task* and stored with the dock, never fitted per data set: scaling each data set to
zero mean and unit variance would erase exactly the differences (a higher mean gain, a
larger Doppler) that search must see.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from rof._validate import check_finite
from rof.errors import DataError, ParameterError

__all__ = ["FeatureSchema", "identity_schema"]


@dataclass(frozen=True)
class FeatureSchema:
    """Names, kernel width and fixed affine standardisation of one task's features.

    Parameters
    ----------
    task : str
        Task name, e.g. ``"channel_gain_ahead"``.
    feature_names : tuple of str
        One name per column, in order.
    loc, scale : tuple of float
        Standardised feature ``(x - loc) / scale``; ``scale > 0``.
    gamma : float
        Gaussian-kernel parameter ``k(x, y) = exp(-gamma ||x - y||^2)`` on the
        standardised features, shared by every specification of the task.
    """

    task: str
    feature_names: tuple[str, ...]
    loc: tuple[float, ...]
    scale: tuple[float, ...]
    gamma: float

    def __post_init__(self):
        if not isinstance(self.task, str) or not self.task:
            raise ParameterError(f"FeatureSchema.task = {self.task!r} must be a non-empty string")
        names = tuple(str(n) for n in self.feature_names)
        object.__setattr__(self, "feature_names", names)
        d = len(names)
        if d == 0 or len(set(names)) != d:
            raise ParameterError("FeatureSchema.feature_names must be non-empty and unique")
        loc = tuple(float(v) for v in check_finite("FeatureSchema.loc", self.loc).ravel())
        scale = tuple(float(v) for v in check_finite("FeatureSchema.scale", self.scale).ravel())
        if len(loc) != d or len(scale) != d:
            raise ParameterError(
                f"FeatureSchema.loc and .scale need {d} entries (one per feature), "
                f"got {len(loc)} and {len(scale)}"
            )
        if min(scale) <= 0:
            raise ParameterError(
                f"FeatureSchema.scale = {min(scale)!r} is out of range; allowed: > 0"
            )
        gamma = float(self.gamma)
        if not np.isfinite(gamma) or gamma <= 0:
            raise ParameterError(f"FeatureSchema.gamma = {gamma!r} is out of range; allowed: > 0")
        object.__setattr__(self, "loc", loc)
        object.__setattr__(self, "scale", scale)
        object.__setattr__(self, "gamma", gamma)

    @property
    def dim(self) -> int:
        """Number of features."""
        return len(self.feature_names)

    def transform(self, x) -> np.ndarray:
        """Standardise raw features, (n, d) -> (n, d) float64."""
        x = _as_matrix(x, self.dim)
        return (x - np.asarray(self.loc)) / np.asarray(self.scale)

    def inverse(self, xs) -> np.ndarray:
        """Raw features from standardised ones, (n, d) -> (n, d)."""
        xs = _as_matrix(xs, self.dim)
        return xs * np.asarray(self.scale) + np.asarray(self.loc)

    def to_dict(self) -> dict:
        """Plain-data form (JSON-safe)."""
        return {
            "task": self.task,
            "feature_names": list(self.feature_names),
            "loc": list(self.loc),
            "scale": list(self.scale),
            "gamma": self.gamma,
        }

    @classmethod
    def from_dict(cls, d: dict) -> FeatureSchema:
        """Inverse of :meth:`to_dict`; raises DataError on missing keys."""
        try:
            return cls(d["task"], tuple(d["feature_names"]), d["loc"], d["scale"], d["gamma"])
        except (KeyError, TypeError) as exc:
            raise DataError(f"feature schema is malformed: {exc}") from None

    @property
    def schema_id(self) -> str:
        """Content hash (16 hex digits) identifying this exact schema."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def identity_schema(dim: int, gamma: float | None = None, task: str = "generic") -> FeatureSchema:
    """Schema with no scaling (data already standardised); ``gamma`` defaults to ``1/dim``."""
    return FeatureSchema(
        task,
        tuple(f"x{i}" for i in range(dim)),
        (0.0,) * dim,
        (1.0,) * dim,
        1.0 / dim if gamma is None else gamma,
    )


def _as_matrix(x, d: int) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != d:
        raise DataError(f"features have shape {x.shape}; expected (n, {d})")
    return x
