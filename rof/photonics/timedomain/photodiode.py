"""Photodiode square law with shot, dark and thermal noise (time domain).

Photocurrent :math:`i(t) = \\mathcal{R}(|A_x|^2 + |A_y|^2) + I_d + i_{sh}(t)` with white
shot noise of one-sided density :math:`2q\\bar I` (:math:`\\bar I` including the dark
current), i.e. variance :math:`q \\bar I f_s` per sample; the diode's first-order
response :math:`1/(1 + j f/f_{pd})` filters it. The resistive match of
:class:`rof.photonics.Photodiode` passes half of the RF photocurrent to the load,
:math:`v = (i - \\bar i) R_L/2`, and the matching resistor adds thermal noise of
available power :math:`kT` per hertz, variance :math:`kT R_L f_s/2` per sample
(Cox, *Analog Optical Links*, 2004, ch. 3 and 5). The DC is blocked (bias tee).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import fft as sfft

from rof._validate import check_range
from rof.units import K_B_J_PER_K, Q_C

__all__ = ["detect"]


def detect(detector, fields, sample_rate_hz: float, rng) -> tuple[np.ndarray, float]:
    """Detect optical fields; return the RF voltage across the load and the mean photocurrent.

    Parameters
    ----------
    detector : rof.photonics.Photodiode
        Responsivity, dark current, bandwidth, load, temperature, saturation.
    fields : sequence of ndarray of complex, each shape (n,)
        Orthogonal field components (polarisations) or intensities of other WDM
        channels given as real arrays of power, W.
    sample_rate_hz : float
        Sample rate, Hz.
    rng : numpy.random.Generator or None
        Noise source; None for noiseless detection.

    Returns
    -------
    (ndarray of float, float)
        Load voltage, V, shape (n,), and the mean photocurrent, A.
    """
    fs = check_range("detect.sample_rate_hz", sample_rate_hz, 0.0, lo_open=True)
    power = None
    for f in fields:
        if np.iscomplexobj(f):
            p = np.square(f.real)
            p += np.square(f.imag)
        else:
            p = np.array(f, dtype=float)
        if power is None:
            power = p
        else:
            power += p
    i = power
    i *= detector.responsivity_a_per_w
    i += detector.dark_current_a
    i_mean = float(np.mean(i))
    detector.check_saturation(i_mean)
    if rng is not None:
        i += rng.normal(0.0, math.sqrt(Q_C * i_mean * fs), i.size)
    i -= i_mean
    nf = sfft.next_fast_len(i.size, real=True)  # zero-padded (AC part) to a fast length
    spec = sfft.rfft(i, n=nf, workers=-1)
    spec *= _response(nf, float(fs), detector)
    v = sfft.irfft(spec, n=nf, overwrite_x=True, workers=-1)[: i.size]
    if rng is not None:
        kt = K_B_J_PER_K * detector.temperature_k
        v += rng.normal(0.0, math.sqrt(kt * detector.load_ohm * fs / 2.0), v.size)
    return v, i_mean


@lru_cache(maxsize=8)
def _response(nf: int, fs: float, detector) -> np.ndarray:
    """The diode's response (:meth:`~rof.photonics.Photodiode.complex_response`: first
    order, or measured) times the load's share, on the ``rfft`` grid of ``nf`` points
    (read-only, cached)."""
    h = (detector.load_ohm / 2.0) * detector.complex_response(sfft.rfftfreq(nf, 1.0 / fs))
    h.setflags(write=False)
    return h
