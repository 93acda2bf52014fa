"""Submission checker: a learnware must load safely and behave on its own specification."""

from __future__ import annotations

import hashlib
import logging

import numpy as np

from rof.learnware.compiled import CompiledModel
from rof.learnware.safe import MAX_MODEL_BYTES
from rof.learnware.sandbox import SandboxLimits, check_model
from rof.learnware.spec import RKMESpecification

__all__ = ["check_learnware"]

log = logging.getLogger(__name__)


def check_learnware(
    model_bytes: bytes,
    spec: RKMESpecification,
    *,
    n_probe: int = 64,
    max_bytes: int = MAX_MODEL_BYTES,
    limits: SandboxLimits | None = None,
) -> CompiledModel:
    """Run every submission check in the sandbox; return the compiled model.

    Checks, in order, all inside :func:`rof.learnware.sandbox.check_model`: size limit
    and safe loading (:func:`rof.learnware.safe.loads_model`, which rejects anything
    but a clean skops archive of trusted types, with every tree array validated
    against the specification's width, before anything in it runs); a ``predict``
    method; ``n_features_in_`` (when present) equal to the specification's dimension;
    a supported model type (exported to plain arrays); finite outputs of shape
    ``(n_probe,)`` on points sampled from the specification (seeded by the
    specification's hash, so the check is reproducible), reproduced by the compiled
    model.

    Raises
    ------
    SecurityError
        From the safe loader or the sandbox (crash, memory, time).
    ModelError
        Any behavioural check fails; the message says which.
    """
    seed = int.from_bytes(hashlib.sha256(spec.to_json_bytes()).digest()[:8], "little")
    probe = spec.sample(n_probe, np.random.default_rng(seed))
    compiled = check_model(model_bytes, probe, max_bytes=max_bytes, limits=limits)
    log.debug("checked %s on %d probe points", compiled.kind, n_probe)
    return compiled
