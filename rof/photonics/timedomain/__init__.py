"""Time-domain (sample-by-sample) models of the link's components.

They take the same parameter dataclasses as the analytic models in
:mod:`rof.photonics` (``DirectLaser``, ``MachZehnderModulator``, ``Fiber``, ``EDFA``,
``Photodiode``) and act on sampled optical fields (sqrt(W), Agrawal's
:math:`e^{-i\\omega_0 t}` convention) and RF voltages.
"""

from rof.photonics.timedomain.amplifier import edfa_field
from rof.photonics.timedomain.dualdrive import dual_drive_field, pm_field
from rof.photonics.timedomain.fiber import (
    beta2_s2_per_m,
    dispersion_operator,
    propagate_linear,
    ssfm,
    ssfm_local_error,
)
from rof.photonics.timedomain.laser import dml_field
from rof.photonics.timedomain.modulator import arcsine_predistort, mzm_field
from rof.photonics.timedomain.photodiode import detect
from rof.photonics.timedomain.rate_constants import RateConstants, rate_constants

__all__ = [
    "RateConstants",
    "arcsine_predistort",
    "beta2_s2_per_m",
    "detect",
    "dispersion_operator",
    "dml_field",
    "dual_drive_field",
    "edfa_field",
    "mzm_field",
    "pm_field",
    "propagate_linear",
    "rate_constants",
    "ssfm",
    "ssfm_local_error",
]
