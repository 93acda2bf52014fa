"""Gray-mapped QAM per 3GPP TS 38.211 V17 clause 5.1.

The bit-to-symbol maps of clauses 5.1.3 (QPSK), 5.1.4 (16QAM), 5.1.5 (64QAM),
5.1.6 (256QAM) and 5.1.7 (1024QAM) share one nested form. With
:math:`k = Q_m/2` bits per axis, in-phase bits :math:`b_0, b_2, \\dots` and
quadrature bits :math:`b_1, b_3, \\dots`,

.. math:: d = \\frac{1}{\\sqrt{2(M-1)/3}}\\Big[(1-2b_0)\\big(2^{k-1} - (1-2b_2)
          (2^{k-2} - \\dots)\\big) + j (1-2b_1)\\big(2^{k-1} - (1-2b_3)(\\dots)\\big)\\Big],

e.g. 16QAM: :math:`\\frac{1}{\\sqrt{10}}\\{(1-2b_0)[2-(1-2b_2)] + j(1-2b_1)[2-(1-2b_3)]\\}`.
The normalisation gives unit average power.
"""

from __future__ import annotations

import numpy as np

from rof._validate import check_choice

__all__ = ["MODULATIONS", "bits_per_symbol", "qam_constellation", "qam_map"]

#: Modulation names and their bits per symbol Q_m (TS 38.211 Table 5.1-ish naming).
MODULATIONS = {"QPSK": 2, "16QAM": 4, "64QAM": 6, "256QAM": 8, "1024QAM": 10}


def bits_per_symbol(modulation: str) -> int:
    """Bits per symbol :math:`Q_m` of an NR modulation name ("QPSK" .. "1024QAM")."""
    return MODULATIONS[check_choice("modulation", modulation, tuple(MODULATIONS))]


def _axis_levels(bits: np.ndarray) -> np.ndarray:
    """Nested TS 38.211 5.1 level of one axis; ``bits`` shape (..., k)."""
    k = bits.shape[-1]
    s = 1.0 - 2.0 * bits.astype(np.float64)
    a = np.ones(bits.shape[:-1])
    for i in range(k - 1, 0, -1):
        a = 2.0 ** (k - i) - s[..., i] * a
    return s[..., 0] * a


def qam_map(bits: np.ndarray, modulation: str) -> np.ndarray:
    """Map bits to complex symbols of unit average power (TS 38.211 clause 5.1).

    Parameters
    ----------
    bits : array_like of {0, 1}, shape (n * Q_m,)
        Bit sequence :math:`b(0), b(1), \\dots`.
    modulation : {"QPSK", "16QAM", "64QAM", "256QAM", "1024QAM"}

    Returns
    -------
    ndarray of complex128, shape (n,)

    Examples
    --------
    >>> qam_map(np.array([0, 0, 1, 1]), "QPSK") * np.sqrt(2)
    array([ 1.+1.j, -1.-1.j])
    """
    q = bits_per_symbol(modulation)
    b = np.asarray(bits).reshape(-1, q)
    m = 2**q
    i_part = _axis_levels(b[:, 0::2])
    q_part = _axis_levels(b[:, 1::2])
    return (i_part + 1j * q_part) / np.sqrt(2.0 * (m - 1) / 3.0)


def qam_constellation(modulation: str) -> np.ndarray:
    """All :math:`2^{Q_m}` points, index = bits read MSB-first as ``b(0) b(1) ...``."""
    q = bits_per_symbol(modulation)
    idx = np.arange(2**q)
    bits = (idx[:, None] >> np.arange(q - 1, -1, -1)[None, :]) & 1
    return qam_map(bits.ravel(), modulation)
