"""Submission checker: a learnware must load safely and behave on its own specification."""

from __future__ import annotations

import hashlib
import logging

import numpy as np

from rof.errors import ModelError
from rof.learnware.safe import MAX_MODEL_BYTES, loads_model
from rof.learnware.spec import RKMESpecification

__all__ = ["check_learnware"]

log = logging.getLogger(__name__)


def check_learnware(
    model_bytes: bytes,
    spec: RKMESpecification,
    *,
    n_probe: int = 64,
    max_bytes: int = MAX_MODEL_BYTES,
):
    """Run every submission check; return the loaded model.

    Checks, in order: size limit and safe loading (:func:`rof.learnware.safe.loads_model`,
    which rejects anything but a clean skops archive of trusted types before anything
    in it runs); a ``predict`` method; ``n_features_in_`` (when present) equal to the
    specification's dimension; finite outputs of shape ``(n_probe,)`` on points sampled
    from the specification (seeded by the specification's hash, so the check is
    reproducible).

    Raises
    ------
    SecurityError
        From the safe loader.
    ModelError
        Any behavioural check fails; the message says which.
    """
    model = loads_model(model_bytes, max_bytes=max_bytes)
    if not callable(getattr(model, "predict", None)):
        raise ModelError(f"model {type(model).__name__} has no predict method")
    n_in = getattr(model, "n_features_in_", None)
    if n_in is not None and int(n_in) != spec.dim:
        raise ModelError(
            f"model expects {int(n_in)} features but the specification has {spec.dim} "
            f"({', '.join(spec.schema.feature_names)})"
        )
    seed = int.from_bytes(hashlib.sha256(spec.to_json_bytes()).digest()[:8], "little")
    probe = spec.sample(n_probe, np.random.default_rng(seed))
    try:
        out = np.asarray(model.predict(probe), dtype=float)
    except Exception as exc:
        raise ModelError(
            f"model failed to predict on points sampled from its spec: {exc}"
        ) from None
    if out.shape not in ((n_probe,), (n_probe, 1)):
        raise ModelError(f"model output has shape {out.shape}; expected ({n_probe},)")
    if not np.all(np.isfinite(out)):
        raise ModelError("model gives NaN or infinite outputs on points sampled from its spec")
    log.debug("checked %s on %d probe points", type(model).__name__, n_probe)
    return model
