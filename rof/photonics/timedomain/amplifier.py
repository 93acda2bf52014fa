"""EDFA on the optical field: gain plus amplified spontaneous emission (time domain).

:math:`A_{out} = \\sqrt{G} A_{in} + n_x(t)`, with a second, orthogonally polarised ASE
field :math:`n_y(t)`. Each is circular complex Gaussian noise of one-sided density
:math:`\\rho = n_{sp} h\\nu (G-1)` per polarisation (Desurvire, *Erbium-Doped Fiber
Amplifiers*, Wiley 1994, ch. 2; Olsson, J. Lightwave Technol. 7(7), 1989), i.e.
variance :math:`\\rho f_s` per sample, band-limited by a rectangular optical filter of
width ``optical_bandwidth_hz`` (when narrower than the simulation band :math:`f_s`).
Square-law detection of both polarisations then yields the signal-ASE and ASE-ASE beat
noise of :class:`rof.photonics.EDFA`'s analytic densities.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft as sfft

from rof._validate import check_range

__all__ = ["edfa_field"]


def edfa_field(amplifier, field, sample_rate_hz: float, wavelength_nm: float, rng):
    """Amplify a field and add ASE in two polarisations.

    Parameters
    ----------
    amplifier : rof.photonics.EDFA
        Gain, noise figure (through ``ase_psd_w_per_hz``) and optical filter width.
    field : ndarray of complex, shape (n,)
        Input field, sqrt(W) (one polarisation).
    sample_rate_hz : float
        Sample rate (the simulated optical bandwidth), Hz.
    wavelength_nm : float
        Signal wavelength, nm.
    rng : numpy.random.Generator or None
        ASE source; None gives the noiseless gain.

    Returns
    -------
    (ndarray, ndarray)
        Co-polarised field (signal + ASE) and orthogonal ASE field, sqrt(W).
    """
    fs = check_range("edfa_field.sample_rate_hz", sample_rate_hz, 0.0, lo_open=True)
    a = np.asarray(field, dtype=np.complex128) * math.sqrt(amplifier.gain)
    if rng is None:
        return a, np.zeros_like(a)
    rho = amplifier.ase_psd_w_per_hz(wavelength_nm)
    sig = math.sqrt(rho * fs / 2.0)
    nx = rng.normal(0.0, sig, a.size) + 1j * rng.normal(0.0, sig, a.size)
    ny = rng.normal(0.0, sig, a.size) + 1j * rng.normal(0.0, sig, a.size)
    if amplifier.optical_bandwidth_hz < fs:
        keep = np.abs(sfft.fftfreq(a.size, 1.0 / fs)) <= amplifier.optical_bandwidth_hz / 2.0
        nx = sfft.ifft(sfft.fft(nx) * keep)
        ny = sfft.ifft(sfft.fft(ny) * keep)
    return a + nx, ny
