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

import numba
import numpy as np
from scipy import fft as sfft

from rof._validate import check_range
from rof.photonics.timedomain import scratch
from rof.photonics.timedomain.normals import add_normals, fill_normals
from rof.photonics.timedomain.phase_fft import (
    interleave,
    irfft_rows,
    over_threads,
    phase_count,
    rfft_head,
)
from rof.units import K_B_J_PER_K, Q_C

__all__ = ["detect", "detect_band", "mean_power"]


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
    i = _total_current(detector, fields)
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


def _total_current(detector, fields) -> np.ndarray:
    """:math:`\\mathcal{R}\\sum|A|^2 + I_d`, A (a new float64 array)."""
    power = None
    for f in fields:
        if np.iscomplexobj(f):
            p = np.square(f.real, dtype=np.float64)
            p += np.square(f.imag, dtype=np.float64)
        else:
            p = np.array(f, dtype=np.float64)
        if power is None:
            power = p
        else:
            power += p
    power *= detector.responsivity_a_per_w
    power += detector.dark_current_a
    return power


def detect_band(
    detector, fields, sample_rate_hz: float, n_out: int, rng
) -> tuple[np.ndarray, float]:
    """:func:`detect` followed by an ideal anti-alias filter and resampling, in one pass.

    The same model as :func:`detect` and the same result in distribution, for a record
    of ``n`` samples at :math:`f_s` resampled to ``n_out`` samples over the same time
    (rate :math:`f_o = f_s n_{out}/n`): the photocurrent's spectrum is computed once at
    :math:`f_s`, only its bins :math:`|f| \\le f_o/2` are kept (the first
    ``n_out // 2 + 1``), the diode response is applied there and the inverse transform
    is taken at :math:`f_o`. White noise ideally low-passed to :math:`f_o/2` and
    sampled at :math:`f_o` is white noise of that rate, so the shot noise (one-sided
    density :math:`2q\\bar I`) is drawn in the kept bins at variance
    :math:`q\\bar I f_o` per output sample, before the response, and the thermal noise of
    the matched load (:math:`kT` per hertz) at :math:`kTR_Lf_o/2`, after it (Cox,
    *Analog Optical Links*, 2004, ch. 3 and 5). Equivalent to
    ``v = detect(...)[0]`` followed by ``irfft(rfft(v)[: n_out // 2 + 1], n_out) *
    n_out / n``, which transformed the noisy current three times at :math:`f_s`.

    The AC current is formed in one pass straight into single precision, split into its
    phases, and only the kept bins of its transform are formed
    (:func:`~rof.photonics.timedomain.phase_fft.rfft_head`); the inverse transform is in
    single precision too, by phases
    (:func:`~rof.photonics.timedomain.phase_fft.irfft_rows`). Rounding: about 2e-7 (rms)
    of the AC current's rms at the load, white, 130 dB below a signal of 8 % modulation in
    a 100 MHz channel
    (``tests/photonics/timedomain/test_detect_band.py`` against a double-precision NumPy
    reference). The noise draws are those of ``rng.standard_normal`` and ``rng.normal``
    in the same order (:mod:`rof.photonics.timedomain.normals`).

    Parameters
    ----------
    detector : rof.photonics.Photodiode
        As :func:`detect`.
    fields : sequence of ndarray, each shape (n,)
        As :func:`detect` (complex fields or real powers, W).
    sample_rate_hz : float
        Sample rate :math:`f_s` of ``fields``, Hz.
    n_out : int
        Output samples (1 <= n_out <= n).
    rng : numpy.random.Generator or None
        Noise source; None for noiseless detection.

    Returns
    -------
    (ndarray of float, float)
        Load voltage, V, shape (n_out,), at :math:`f_s n_{out}/n`, and the mean
        photocurrent, A.
    """
    fs = check_range("detect_band.sample_rate_hz", sample_rate_hz, 0.0, lo_open=True)
    fields = [np.asarray(f) for f in fields]
    n = fields[0].size
    if any(f.size != n for f in fields):
        sizes = sorted({f.size for f in fields})
        raise ValueError(f"detect_band.fields have sizes {sizes}; allowed: one size")
    if not 1 <= n_out <= n:
        raise ValueError(f"detect_band.n_out = {n_out}; allowed: 1 to {n}")
    resp = detector.responsivity_a_per_w
    means = [mean_power(f) for f in fields]
    i_mean = resp * math.fsum(means) + detector.dark_current_a
    detector.check_saturation(i_mean)
    # The AC current R(sum|A|^2 - mean) in single precision, split into its phases for the
    # transform (phase_fft): its rounding, white over the optical band at ~3e-8 of the AC
    # current's rms, lies far below a signal of 8 % modulation in a 100 MHz channel.
    # 16 rows: each row transform in cache, twice as fast as 8 (the 3.5 GHz slot's 2e7
    # samples: 49 against 96 ms), for a combination twice as long (still ahead)
    p_count = phase_count(n)
    rows = scratch.take((p_count, n // p_count), np.float32)
    for j, (f, m) in enumerate(zip(fields, means, strict=True)):
        _ac_rows(f, resp, m, j > 0, rows)
    k = n_out // 2 + 1
    spec = rfft_head(rows, k)
    scratch.give(rows)
    del rows
    spec *= n_out / n
    fs_out = fs * n_out / n
    if rng is not None:
        # white shot noise of variance q I fs_out per output sample, as its rfft bins
        sigma2 = Q_C * i_mean * fs_out * n_out
        noise = np.empty((k, 2))
        fill_normals(rng, noise)  # rng.standard_normal((k, 2)), the same numbers
        noise = noise.view(np.complex128)[:, 0]
        noise *= math.sqrt(0.5 * sigma2)
        noise[0] = noise[0].real * math.sqrt(2.0)
        if n_out % 2 == 0:
            noise[-1] = noise[-1].real * math.sqrt(2.0)
        spec += noise
        del noise
    spec *= _response(n_out, float(fs_out), detector)
    # back by phases on threads (an NR slot's length, 2^11 x 19 x 101 at 3.5 GHz, took 64 ms
    # as one transform on one core, 45 ms so)
    v32 = interleave(irfft_rows(spec, n_out, phase_count(n_out, most=4)), dtype=np.float32)
    del spec
    v = np.empty(n_out)
    if rng is not None:
        kt = K_B_J_PER_K * detector.temperature_k
        # v32 + rng.normal(0, sigma, n_out), the same numbers as that call
        add_normals(v32, rng, math.sqrt(kt * detector.load_ohm * fs_out / 2.0), v)
    else:
        v[:] = v32
    scratch.give(v32)
    return v, i_mean


_SUM_MATH = {"reassoc", "nsz", "contract"}


@numba.njit(cache=True, nogil=True, fastmath=_SUM_MATH)
def _sum_abs2(f, i0, i1):
    """Sum of :math:`|f_i|^2`, ``i0 <= i < i1``, over a complex array, float64."""
    acc = 0.0
    for i in range(i0, i1):
        acc += float(f[i].real) ** 2 + float(f[i].imag) ** 2
    return acc


@numba.njit(cache=True, nogil=True, fastmath=_SUM_MATH)
def _sum_real(f, i0, i1):
    """Sum of ``f[i0:i1]`` (real), float64."""
    acc = 0.0
    for i in range(i0, i1):
        acc += float(f[i])
    return acc


def mean_power(f) -> float:
    """Mean of :math:`|f|^2` (complex field) or of a real power ``f``, W: one pass (on
    threads), accumulated in double precision (``np.mean(np.abs(f) ** 2)`` without the
    array)."""
    f = f.ravel()
    kernel = _sum_abs2 if np.iscomplexobj(f) else _sum_real
    return math.fsum(over_threads(lambda i0, i1: kernel(f, i0, i1), f.size)) / f.size


@numba.njit(cache=True, nogil=True)
def _ac_rows_abs2(f, resp, mean, add, rows, j0, j1):
    """``rows[p, j] (+)= R (|f[P j + p]|^2 - mean)``, ``j0 <= j < j1``: the AC current of
    one complex field, split into ``P`` phases, single precision."""
    p_count = rows.shape[0]
    for j in range(j0, j1):
        for p in range(p_count):
            x = f[j * p_count + p]
            c = resp * (float(x.real) ** 2 + float(x.imag) ** 2 - mean)
            if add:
                rows[p, j] += c
            else:
                rows[p, j] = c


@numba.njit(cache=True, nogil=True)
def _ac_rows_real(f, resp, mean, add, rows, j0, j1):
    """``rows[p, j] (+)= R (f[P j + p] - mean)`` for a real optical power ``f``."""
    p_count = rows.shape[0]
    for j in range(j0, j1):
        for p in range(p_count):
            c = resp * (float(f[j * p_count + p]) - mean)
            if add:
                rows[p, j] += c
            else:
                rows[p, j] = c


def _ac_rows(f, resp, mean, add, rows):
    f = f.ravel()
    kernel = _ac_rows_abs2 if np.iscomplexobj(f) else _ac_rows_real
    over_threads(
        lambda j0, j1: kernel(f, resp, mean, add, rows, j0, j1), rows.shape[1], weight=rows.shape[0]
    )


@lru_cache(maxsize=8)
def _response(nf: int, fs: float, detector) -> np.ndarray:
    """The diode's response (:meth:`~rof.photonics.Photodiode.complex_response`: first
    order, or measured) times the load's share, on the ``rfft`` grid of ``nf`` points
    (read-only, cached)."""
    h = (detector.load_ohm / 2.0) * detector.complex_response(sfft.rfftfreq(nf, 1.0 / fs))
    h.setflags(write=False)
    return h
