"""NR uplink DFT-s-OFDM: PUSCH transform precoding and its complex-baseband symbols.

Transform precoding (TS 38.211 V17 clause 6.3.1.4) spreads each OFDM symbol's
:math:`M_{sc} = 12 M_{RB}` modulation symbols with a unitary DFT before the subcarrier
mapping:

.. math::

    y(l M_{sc} + k) = \\frac{1}{\\sqrt{M_{sc}}} \\sum_{i=0}^{M_{sc}-1}
    x(l M_{sc} + i)\\, e^{-j 2\\pi i k / M_{sc}}, \\qquad k = 0, \\dots, M_{sc} - 1,

with :math:`M_{RB} = 2^{\\alpha_2} 3^{\\alpha_3} 5^{\\alpha_5}` (clause 6.3.1.4). The
precoded block occupies :math:`M_{sc}` contiguous subcarriers (localised mapping), so
each symbol is a single-carrier signal whose peak-to-average power ratio stays close to
its constellation's (Myung, Lim & Goodman, "Single carrier FDMA for uplink wireless
transmission", IEEE Veh. Technol. Mag. 1(3), 30-38, 2006), unlike CP-OFDM's Gaussian
envelope. :func:`dfts_ofdm_symbols` builds the sampled symbols with the normal cyclic
prefix of TS 38.211 clause 5.3.1 (:func:`rof.signals.numerology.cp_lengths`).
"""

from __future__ import annotations

import numpy as np
from scipy import fft as sfft

from rof._validate import check_int_range
from rof.errors import ParameterError
from rof.signals.numerology import cp_lengths
from rof.signals.qam import bits_per_symbol, qam_map

__all__ = [
    "allowed_n_rb",
    "dfts_ofdm_symbols",
    "papr_db",
    "transform_deprecode",
    "transform_precode",
]


def allowed_n_rb(n_rb: int) -> bool:
    """True if ``n_rb`` is :math:`2^a 3^b 5^c` (TS 38.211 clause 6.3.1.4)."""
    n = int(n_rb)
    if n < 1:
        return False
    for p in (2, 3, 5):
        while n % p == 0:
            n //= p
    return n == 1


def _m_sc(n_rb: int) -> int:
    n = check_int_range("transform_precode.n_rb", n_rb, 1, 275)
    if not allowed_n_rb(n):
        raise ParameterError(
            f"transform_precode.n_rb = {n_rb!r} is not allowed; allowed: 2^a 3^b 5^c "
            "(TS 38.211 clause 6.3.1.4), e.g. 1-6, 8, 9, 10, 12, 15, 16, 18, 20, 24, 25"
        )
    return 12 * n


def transform_precode(x, n_rb: int) -> np.ndarray:
    """TS 38.211 clause 6.3.1.4: the unitary DFT of each block of :math:`12 M_{RB}` symbols.

    Parameters
    ----------
    x : complex array (n_symbols * 12 n_rb,)
        Modulation symbols in order.
    n_rb : int
        Allocated RBs, :math:`2^a 3^b 5^c`.

    Returns
    -------
    ndarray, complex128, shape (n_symbols, 12 n_rb)
    """
    m = _m_sc(n_rb)
    x = np.asarray(x, dtype=np.complex128)
    if x.size % m:
        raise ParameterError(
            f"transform_precode.x has {x.size} symbols; allowed: a multiple of 12 n_rb = {m}"
        )
    return sfft.fft(x.reshape(-1, m), axis=1, norm="ortho")


def transform_deprecode(y, n_rb: int) -> np.ndarray:
    """Inverse of :func:`transform_precode` (the receiver's IDFT), flattened symbols."""
    m = _m_sc(n_rb)
    return sfft.ifft(
        np.asarray(y, dtype=np.complex128).reshape(-1, m), axis=1, norm="ortho"
    ).ravel()


def dfts_ofdm_symbols(
    n_rb: int,
    modulation: str,
    n_symbols: int,
    rng: np.random.Generator,
    *,
    n_fft: int = 2048,
    scs_khz: float = 30.0,
    rb_start: int = 0,
    transform_precoding: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Complex-baseband PUSCH symbols, DFT-s-OFDM (or CP-OFDM without precoding).

    Parameters
    ----------
    n_rb : int
        Allocated RBs (contiguous), :math:`2^a 3^b 5^c` when precoded.
    modulation : {"QPSK", "16QAM", "64QAM", "256QAM"}
    n_symbols : int
        OFDM symbols.
    rng : numpy.random.Generator
        Source of the data bits.
    n_fft : int
        FFT size (a multiple of 128, > 12 ``n_rb``).
    scs_khz : float
        Subcarrier spacing (sets the cyclic prefix pattern).
    rb_start : int
        First allocated RB, counted from the band's lower edge of the FFT's
        :math:`\\lfloor N_{FFT}/12 \\rfloor` RBs around DC.
    transform_precoding : bool
        False gives CP-OFDM with the same allocation.

    Returns
    -------
    samples : ndarray, complex128, shape (sum of CP + n_fft,)
        Unit mean power.
    symbols : ndarray, complex128, shape (n_symbols * 12 n_rb,)
        The modulation symbols before precoding (the receiver's reference).
    """
    n_symbols = check_int_range("dfts_ofdm_symbols.n_symbols", n_symbols, 1, 14 * 160)
    q = bits_per_symbol(modulation)
    m = 12 * check_int_range("dfts_ofdm_symbols.n_rb", n_rb, 1, 275)
    if n_fft % 128 or n_fft <= m:
        raise ParameterError(
            f"dfts_ofdm_symbols.n_fft = {n_fft!r} is not allowed; allowed: a multiple of 128 "
            f"above 12 n_rb = {m}"
        )
    rb_start = check_int_range("dfts_ofdm_symbols.rb_start", rb_start, 0, n_fft // 12 - n_rb)
    x = qam_map(rng.integers(0, 2, n_symbols * m * q), modulation)
    grid = transform_precode(x, n_rb) if transform_precoding else x.reshape(n_symbols, m)
    k = np.arange(m) + 12 * rb_start - 12 * (n_fft // 12) // 2
    spec = np.zeros((n_symbols, n_fft), dtype=np.complex128)
    spec[:, np.mod(k, n_fft)] = grid
    body = sfft.ifft(spec, axis=1) * np.sqrt(n_fft * n_fft / m)
    cp = cp_lengths(n_symbols, n_fft, scs_khz)
    parts = []
    for i in range(n_symbols):
        parts += [body[i, n_fft - cp[i] :], body[i]]
    return np.concatenate(parts), x


def papr_db(samples, n_fft: int | None = None) -> np.ndarray:
    """Peak-to-average power ratio, dB: of the whole array, or of each block of ``n_fft``."""
    p = np.abs(np.asarray(samples)) ** 2
    if n_fft is None:
        return np.asarray(10.0 * np.log10(p.max() / p.mean()))
    blocks = p[: p.size // n_fft * n_fft].reshape(-1, n_fft)
    return 10.0 * np.log10(blocks.max(axis=1) / blocks.mean(axis=1))
