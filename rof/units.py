"""Unit conversions and physical constants.

All conversions between logarithmic and linear units live here so that kernels
work in SI units only. Constants come from :mod:`scipy.constants` (CODATA).

Conventions
-----------
* ``db`` is a power ratio in decibels: ``10 log10(ratio)``.
* ``dbm`` is a power in decibels relative to 1 mW; ``w`` is watts.
* Functions accept scalars or arrays and broadcast.
"""

from __future__ import annotations

import numpy as np
from scipy import constants as _c

__all__ = [
    "C_M_PER_S",
    "H_J_S",
    "K_B_J_PER_K",
    "Q_C",
    "T0_K",
    "THERMAL_NOISE_DBM_PER_HZ",
    "db_to_lin",
    "dbm_to_w",
    "lin_to_db",
    "nm_to_m",
    "w_to_dbm",
]

#: Speed of light in vacuum, m/s.
C_M_PER_S: float = _c.c
#: Elementary charge, C.
Q_C: float = _c.e
#: Boltzmann constant, J/K.
K_B_J_PER_K: float = _c.k
#: Planck constant, J s.
H_J_S: float = _c.h
#: IEEE standard noise temperature for noise figures, K.
T0_K: float = 290.0
#: Thermal noise density k T0 in dBm/Hz (-173.98 dBm/Hz, the "-174 dBm/Hz" of the field).
THERMAL_NOISE_DBM_PER_HZ: float = float(10.0 * np.log10(_c.k * 290.0 * 1e3))


def db_to_lin(x_db):
    """Power ratio from decibels: ``10 ** (x_db / 10)``."""
    return np.power(10.0, np.asarray(x_db, dtype=float) / 10.0)


def lin_to_db(x):
    """Decibels from a power ratio: ``10 log10(x)``; ``-inf`` for 0."""
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(np.asarray(x, dtype=float))


def dbm_to_w(p_dbm):
    """Watts from dBm: ``1e-3 * 10 ** (p_dbm / 10)``."""
    return 1e-3 * db_to_lin(p_dbm)


def w_to_dbm(p_w):
    """dBm from watts: ``10 log10(p_w / 1 mW)``; ``-inf`` for 0 W."""
    return lin_to_db(np.asarray(p_w, dtype=float) * 1e3)


def nm_to_m(x_nm):
    """Metres from nanometres."""
    return np.asarray(x_nm, dtype=float) * 1e-9
