"""Waveform-level link simulation: an RF waveform through the optical link, sample by sample.

:func:`simulate_link` builds the optical field by the transmitter's contract method
``field`` (:func:`~rof.photonics.timedomain.dml_field` for a
:class:`~rof.photonics.DirectLaser`, :func:`~rof.photonics.timedomain.mzm_field` for a
:class:`~rof.photonics.MachZehnderModulator`,
:func:`~rof.photonics.timedomain.ring.ring_field` for a
:class:`~rof.photonics.siph.MicroringModulator`), propagates it through the fiber (the
dispersion filter, or the split-step solver when ``nonlinear=True``), applies the EDFA,
the extra passive loss and the WDM crosstalk channels, and detects it
(:func:`~rof.photonics.timedomain.detect`). The noise sources are those of the analytic
budget (:meth:`rof.link.RoFLink.budget`): input thermal noise :math:`2kT_0` per hertz
referred to the transmitter input, laser RIN and phase noise, ASE, shot, dark and
thermal noise. The received waveform is the voltage across the photodiode's load and
keeps the transmitted waveform's carrier metadata, so :func:`rof.signals.evm_percent`
measures it directly.

The NR report of ``rof link --waveform`` (measured EVM beside the budget) and its plots
are in :mod:`rof.link.waveform_report`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft as sfft

from rof._validate import check_int_range, check_range
from rof.errors import ParameterError
from rof.link.sampling import (
    FIELD_LEAKAGE,
    MAX_OVERSAMPLING,
    default_optical_oversampling,
    optical_oversampling_from_spectrum,
)
from rof.photonics.timedomain import (
    edfa_field,
    scratch,
    ssfm,
)
from rof.photonics.timedomain.fiber_blocks import propagate_linear_blocks
from rof.photonics.timedomain.normals import fill_normals
from rof.photonics.timedomain.phase_fft import (
    deinterleave,
    interleave,
    irfft_rows,
    phase_count,
    rfft_head,
)
from rof.photonics.timedomain.photodiode import detect_band, mean_power
from rof.signals import Waveform
from rof.units import K_B_J_PER_K, T0_K, db_to_lin

__all__ = [
    "FIELD_LEAKAGE",
    "MAX_OVERSAMPLING",
    "default_optical_oversampling",
    "simulate_link",
]


def _transmit(link, drive, fs, rng, predistort, substeps):
    """The transmitter's sampled field (its contract's ``field`` method)."""
    return link.transmitter.field(drive, fs, rng, predistort=predistort, substeps=substeps)


def _interpolated_drive(spectrum, n: int, n_opt: int, scale: float, sigma: float, rng):
    """The drive at ``n_opt`` samples: ``scale`` times the waveform of spectrum ``spectrum``
    (``rfft`` of its ``n`` samples) plus white noise of variance ``sigma**2`` per waveform
    sample, band-limited (ideal, periodic) interpolation.

    The noise is drawn as the ``rfft`` bins of white noise, the same law as drawing it in
    time (DC and Nyquist real of variance :math:`n\\sigma^2`, the others complex of
    :math:`n\\sigma^2/2` per part), so the drive is transformed once; the spectrum,
    zero-padded to ``n_opt`` bins, goes back by phases in single precision
    (:func:`~rof.photonics.timedomain.phase_fft.irfft_rows`; rounding ~1e-7 of the drive,
    150 dB below it in band), and is returned as float32 (the values the single-precision
    transform made; every transmitter reads its drive as float64, the DML straight into its
    float32 current). NumPy reference: ``irfft(rfft(drive) * n_opt / n, n_opt)``
    (``tests/link/test_waveform_drive.py``).
    """
    spec = spectrum * (scale * n_opt / n)
    if rng is not None:
        z = np.empty((spec.size, 2))
        fill_normals(rng, z)
        z[0, 1] = 0.0
        z[0, 0] *= math.sqrt(2.0)
        if n % 2 == 0:
            z[-1, 1] = 0.0
            z[-1, 0] *= math.sqrt(2.0)
        spec += z.view(np.complex128)[:, 0] * (sigma * math.sqrt(0.5 * n) * n_opt / n)
        del z
    return interleave(irfft_rows(spec, n_opt, phase_count(n_opt)), dtype=np.float32)


def _photodiode_powers(link, carrier: list, fs: float, rng):
    """Optical powers at the photodiode, W, and the signal's mean received power.

    ``carrier`` holds the one reference to the field behind the fiber (popped, so that
    the arrays below, each as long as the field, do not all live at once). The EDFA
    splits it into two polarisations with ASE; the extra passive loss scales them; each
    WDM crosstalk channel is this channel's power at its ratio, shifted by a random
    quarter to three quarters of the record (uncorrelated modulation of equal
    statistics); ASE beyond the simulated band adds its DC power and the missing
    ASE-ASE beat density as white current.
    """
    field = carrier.pop()
    tx, amp = link.transmitter, link.amplifier
    fields = [field]
    extra_dc_w = 0.0
    if amp is not None:
        ex, ey = edfa_field(amp, field, fs, tx.wavelength_nm, rng)
        fields = [ex, ey]
        if rng is not None and amp.optical_bandwidth_hz > fs:
            # ASE outside the simulated band: its DC power (shot noise) and the missing part
            # of the ASE-ASE beat density 4 R^2 rho^2 (B_o - fs), added as white current.
            extra_dc_w = (
                2.0 * amp.ase_psd_w_per_hz(tx.wavelength_nm) * (amp.optical_bandwidth_hz - fs)
            )
    del field
    t_loss = float(db_to_lin(-link.optical_loss_db))
    if t_loss != 1.0:
        for f in fields:
            f *= math.sqrt(t_loss)
    p_rx_mean = mean_power(fields[0])
    size = fields[0].size
    powers = list(fields)
    del fields
    if link.crosstalk_ratios:
        p_sig = np.abs(powers[0]) ** 2
        gen = rng if rng is not None else np.random.default_rng(0)
        for x in link.crosstalk_ratios:
            shift = int(gen.integers(p_sig.size // 4, 3 * p_sig.size // 4))
            powers.append(x * np.roll(p_sig, shift))
    if extra_dc_w > 0.0:
        rho = amp.ase_psd_w_per_hz(tx.wavelength_nm) * t_loss
        resp = link.detector.responsivity_a_per_w
        missing = 4.0 * resp**2 * rho**2 * (amp.optical_bandwidth_hz - fs)  # A^2/Hz one-sided
        powers.append(
            np.full(size, extra_dc_w * t_loss)
            + rng.normal(0.0, math.sqrt(missing * fs / 2.0), size) / resp
        )
    return powers, p_rx_mean


def simulate_link(
    link,
    waveform: Waveform,
    rng: np.random.Generator | None,
    *,
    length_km: float | None = None,
    nonlinear: bool = False,
    gamma_per_w_km: float = 1.3,
    predistort: bool = False,
    substeps: int | None = None,
    optical_oversampling: int | None = None,
) -> Waveform:
    """Send a real passband waveform through an :class:`~rof.link.RoFLink`.

    The optical field is simulated at ``optical_oversampling`` times the waveform's
    rate. The drive needs only Nyquist for its carriers, but the field of a modulated
    (above all a chirped) transmitter carries every harmonic :math:`k f_c` of each
    carrier, and dispersion gives each its own phase :math:`\\beta_2 (2\\pi k f_c)^2 L/2`:
    a field harmonic aliased onto a lower frequency gets the wrong phase, and its beat
    with its neighbours lands in band as spurious distortion (a DML at 3.5 GHz over
    20 km sampled at 7.7 GS/s showed 12.7 % EVM instead of 1.2 %). The default rate
    holds the field's first five harmonics of the highest carrier edge
    (:math:`f_s q \\ge 10 f_{hi}`); the detected current is band-limited back to the
    waveform's rate by an ideal anti-alias filter. A directly modulated laser behind
    dispersive fiber needs more near clipping, where its chirp widens the field
    (:func:`default_optical_oversampling` picks the rate from the drive's envelope).

    The optical record is ``q`` times the waveform's length rounded up to a fast FFT
    length (its rate :math:`f_s N/n` is in the metadata): every transform is then fast
    (an NR slot's :math:`qn` has factors such as 19 and 101, three times slower). The
    chain is built for long records: a DML's rate equations run in overlapping chunks on
    threads (:mod:`rof.photonics.timedomain.laser_chunks`), the linear fiber by
    overlap-save blocks in single precision
    (:func:`~rof.photonics.timedomain.fiber_blocks.propagate_linear_blocks`, within 1e-6
    of the record-long transform), and detection, anti-alias filter and resampling in one
    optical-rate transform (:func:`~rof.photonics.timedomain.photodiode.detect_band`).
    The drive is transformed once, for the oversampling estimate and its interpolation
    (the input thermal noise drawn as its spectrum, :func:`_interpolated_drive`), and the
    record-long transforms run as 16 interleaved phases
    (:mod:`rof.photonics.timedomain.phase_fft`).

    Memory: a run holds about 80 bytes per optical sample at its peak (measured, in
    the DML's integration), e.g. 6 GB for 14 symbols of a 20 MHz NR carrier at 3.5 GHz
    at :math:`q = 38` (7.86 GS/s drive, 75 M optical samples).

    Parameters
    ----------
    link : rof.link.RoFLink
        Transmitter (any with the contract's ``field``), fiber, optional EDFA,
        photodiode, ``optical_loss_db`` and ``crosstalk_ratios``.
    waveform : rof.signals.Waveform
        Real passband drive (volts across ``waveform.impedance_ohm``; its power is the
        budget's ``rf_in_dbm``).
    rng : numpy.random.Generator or None
        Source of every noise; None gives the noiseless (distortion-only) link.
    length_km : float, optional
        Overrides ``link.fiber.length_km``.
    nonlinear : bool
        Use the split-step Fourier solver with Kerr non-linearity instead of the
        linear dispersion filter.
    gamma_per_w_km : float
        Fiber non-linear coefficient for ``nonlinear=True``, 1/(W km).
    predistort : bool
        Arcsine predistortion of the MZM drive.
    substeps : int, optional
        Rate-equation steps per optical sample for a DML (default see
        :func:`~rof.photonics.timedomain.dml_field`).
    optical_oversampling : int, optional
        Optical samples per waveform sample (1 to 64; default
        :func:`default_optical_oversampling`: ``q * fs >= 10 * f_hi``, ``f_hi`` the highest
        carrier edge, and for a DML behind dispersive fiber at most 1e-6 of the chirped
        field's energy beyond ``+-q * fs / 2``). Given, it is used as is.

    Returns
    -------
    rof.signals.Waveform
        Voltage across the photodiode load (same carriers, sample rate), with
        ``metadata`` holding the mean photocurrent, received optical power, fiber length,
        ``optical_oversampling`` and ``optical_sample_rate_hz``.
    """
    if not isinstance(waveform, Waveform):
        raise ParameterError(
            f"simulate_link.waveform = {type(waveform).__name__}; allowed: rof.signals.Waveform"
        )
    if not waveform.is_passband:
        raise ParameterError(
            "simulate_link.waveform is complex baseband; allowed: a real passband waveform "
            "(nr_ofdm(..., carrier_hz > 0))"
        )
    if length_km is not None:
        check_range("simulate_link.length_km", length_km, 0.0, 1000.0)
    fs = waveform.sample_rate_hz
    n = waveform.samples.size
    # The drive's spectrum, one transform for the oversampling estimate and the
    # interpolation (float64, by phases: phase_fft; an NR slot's length has factors 19, 101).
    spectrum = None
    if optical_oversampling != 1:
        p_in = phase_count(n)
        spectrum = rfft_head(deinterleave(waveform.samples, p_in), n // 2 + 1)
    if optical_oversampling is None:
        q = optical_oversampling_from_spectrum(
            link, waveform, spectrum, length_km=length_km, stacklevel=3
        )
    else:
        q = optical_oversampling
    q = check_int_range("simulate_link.optical_oversampling", q, 1, MAX_OVERSAMPLING)
    tx = link.transmitter
    scale = math.sqrt(tx.input_impedance_ohm / waveform.impedance_ohm)
    # Source plus input-termination thermal noise, 2 k T0 per hertz (budget's input noise).
    sigma = math.sqrt(K_B_J_PER_K * T0_K * tx.input_impedance_ohm * fs)
    # Optical record: q * n samples, rounded up to a fast FFT length (every transform below
    # is then fast; an NR slot's length has factors such as 19 and 101).
    n_opt = n if q == 1 else sfft.next_fast_len(n * q, real=True)
    fs_wave, fs = fs, fs * n_opt / n
    if n_opt == n:
        drive = waveform.samples * scale
        if rng is not None:
            drive = drive + rng.normal(0.0, sigma, n)
    else:
        drive = _interpolated_drive(spectrum, n, n_opt, scale, sigma, rng)
        del spectrum
    field = _transmit(link, drive, fs, rng, predistort, substeps)
    # The record-long arrays go back to the scratch pool as their stage ends (kept for the
    # next run; give() keeps only arrays the pool made and nothing else refers to)
    scratch.give(drive)
    del drive  # peak memory: the arrays below are each n_opt long
    fiber = link.fiber
    if nonlinear:
        out = ssfm(field, fs, fiber, gamma_per_w_km=gamma_per_w_km, length_km=length_km)
    else:
        out = propagate_linear_blocks(field, fs, fiber, length_km=length_km)
    scratch.give(field)
    carrier = [out]
    del field, out  # _photodiode_powers takes the only reference (peak memory)
    powers, p_rx_mean = _photodiode_powers(link, carrier, fs, rng)
    # detection, ideal anti-alias filter and resampling to the waveform's rate in one pass
    v, i_mean = detect_band(link.detector, powers, fs, n, rng)
    while powers:
        last = powers.pop()
        scratch.give(last)
        del last
    fs_opt = fs
    fs = fs_wave
    meta = dict(waveform.metadata)
    meta |= {
        "photocurrent_a": i_mean,
        "received_optical_power_w": p_rx_mean,
        "length_km": float(fiber.length_km if length_km is None else length_km),
        "optical_oversampling": q,
        "optical_sample_rate_hz": fs_opt,
    }
    return Waveform(v, fs, waveform.carriers, link.detector.load_ohm, meta)
