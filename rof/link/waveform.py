"""Waveform-level link simulation: an RF waveform through the optical link, sample by sample.

:func:`simulate_link` builds the optical field from the link's transmitter
(:func:`~rof.photonics.timedomain.dml_field` for a :class:`~rof.photonics.DirectLaser`,
:func:`~rof.photonics.timedomain.mzm_field` for a
:class:`~rof.photonics.MachZehnderModulator`), propagates it through the fiber (the
dispersion filter, or the split-step solver when ``nonlinear=True``), applies the EDFA,
the extra passive loss and the WDM crosstalk channels, and detects it
(:func:`~rof.photonics.timedomain.detect`). The noise sources are those of the analytic
budget (:meth:`rof.link.RoFLink.budget`): input thermal noise :math:`2kT_0` per hertz
referred to the transmitter input, laser RIN and phase noise, ASE, shot, dark and
thermal noise. The received waveform is the voltage across the photodiode's load and
keeps the transmitted waveform's carrier metadata, so :func:`rof.signals.evm_percent`
measures it directly.

:func:`run_waveform_report` and :func:`plot_waveform_report` are what ``rof link
--waveform`` and ``--plot`` call.
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
)
from rof.photonics.timedomain import (
    detect,
    edfa_field,
    propagate_linear,
    ssfm,
)
from rof.signals import Waveform, combine_carriers, demodulate, nr_ofdm
from rof.units import K_B_J_PER_K, T0_K, db_to_lin

__all__ = [
    "FIELD_LEAKAGE",
    "MAX_OVERSAMPLING",
    "default_optical_oversampling",
    "default_scs_khz",
    "format_waveform_report",
    "plot_waveform_report",
    "run_waveform_report",
    "simulate_link",
]


def _transmit(link, drive, fs, rng, predistort, substeps):
    """The transmitter's sampled field (its contract's ``field`` method)."""
    return link.transmitter.field(drive, fs, rng, predistort=predistort, substeps=substeps)


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

    Memory: a run holds about 130 bytes per optical sample at its peak (the detection;
    about 75 in the DML's rate equations, 100 in the fiber), e.g. 10 GB for 14 symbols
    of a 20 MHz NR carrier at 3.5 GHz at :math:`q = 38` (7.86 GS/s drive, 75 M optical
    samples); the fiber's FFT operators stay cached for a rerun of the same length.

    Parameters
    ----------
    link : rof.link.RoFLink
        Transmitter (DirectLaser or MachZehnderModulator), fiber, optional EDFA,
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
        ``metadata`` holding the mean photocurrent, received optical power, fiber length
        and ``optical_oversampling``.
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
    if optical_oversampling is None:
        q = default_optical_oversampling(link, waveform, length_km=length_km)
    else:
        q = optical_oversampling
    q = check_int_range("simulate_link.optical_oversampling", q, 1, MAX_OVERSAMPLING)
    fs = waveform.sample_rate_hz
    tx = link.transmitter
    drive = waveform.samples * math.sqrt(tx.input_impedance_ohm / waveform.impedance_ohm)
    if rng is not None:
        # Source plus input-termination thermal noise, 2 k T0 per hertz (budget's input noise).
        drive = drive + rng.normal(
            0.0, math.sqrt(K_B_J_PER_K * T0_K * tx.input_impedance_ohm * fs), drive.size
        )
    n = drive.size
    fs_wave, fs = fs, fs * q
    if q > 1:  # band-limited interpolation of the drive
        drive = sfft.irfft(sfft.rfft(drive), n * q) * q
    field = _transmit(link, drive, fs, rng, predistort, substeps)
    del drive  # peak memory: the arrays below are each q * n long
    fiber = link.fiber
    if nonlinear:
        field = ssfm(field, fs, fiber, gamma_per_w_km=gamma_per_w_km, length_km=length_km)
    else:
        field = propagate_linear(field, fs, fiber, length_km=length_km)
    fields = [field]
    amp = link.amplifier
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
    p_sig = np.abs(fields[0]) ** 2
    p_rx_mean = float(np.mean(p_sig))
    powers = list(fields)
    del fields
    if not link.crosstalk_ratios:
        del p_sig
    else:
        gen = rng if rng is not None else np.random.default_rng(0)
        for x in link.crosstalk_ratios:
            shift = int(gen.integers(p_sig.size // 4, 3 * p_sig.size // 4))
            powers.append(x * np.roll(p_sig, shift))
    if extra_dc_w > 0.0:
        rho = amp.ase_psd_w_per_hz(tx.wavelength_nm) * t_loss
        resp = link.detector.responsivity_a_per_w
        missing = 4.0 * resp**2 * rho**2 * (amp.optical_bandwidth_hz - fs)  # A^2/Hz one-sided
        powers.append(
            np.full(n * q, extra_dc_w * t_loss)
            + rng.normal(0.0, math.sqrt(missing * fs / 2.0), n * q) / resp
        )
    v, i_mean = detect(link.detector, powers, fs, rng)
    if q > 1:  # ideal anti-alias filter back to the waveform's rate
        v = sfft.irfft(sfft.rfft(v)[: n // 2 + 1], n) / q
    fs = fs_wave
    meta = dict(waveform.metadata)
    meta |= {
        "photocurrent_a": i_mean,
        "received_optical_power_w": p_rx_mean,
        "length_km": float(fiber.length_km if length_km is None else length_km),
        "optical_oversampling": q,
    }
    return Waveform(v, fs, waveform.carriers, link.detector.load_ohm, meta)


def run_waveform_report(
    link,
    rf_hz,
    *,
    rf_in_dbm: float = 0.0,
    bandwidth_mhz: float = 100.0,
    scs_khz: float = 30.0,
    modulation: str = "256QAM",
    n_symbols: int = 14,
    seed: int = 0,
    length_km: float | None = None,
    predistort: bool = False,
    keep_waveforms: bool = False,
) -> dict:
    """Run NR carriers through the link and compare measured EVM with the analytic budget.

    Parameters
    ----------
    link : rof.link.RoFLink
        The link.
    rf_hz : float or sequence of float
        Carrier frequency of each NR carrier, Hz (several: IF-over-fiber on one laser).
    rf_in_dbm : float
        Mean input power per carrier, dBm.
    bandwidth_mhz, scs_khz, modulation, n_symbols :
        NR carrier settings (see :func:`rof.signals.nr_ofdm`).
    seed : int
        Seed of the ``numpy.random.Generator`` for data and noise.
    length_km : float, optional
        Overrides the fiber length.
    predistort : bool
        Arcsine predistortion of an MZM drive.
    keep_waveforms : bool
        Also return the transmitted and received :class:`Waveform` and the per-carrier
        :class:`~rof.signals.Demodulated` under ``"waveforms"`` (for
        :func:`plot_waveform_report`; not JSON-serialisable).

    Returns
    -------
    dict
        ``{"carriers": [{"rf_hz", "evm_percent", "evm_analytic_percent", "snr_equiv_db",
        "sndr_analytic_db", "max_modulation_analytic"}, ...], "length_km",
        "received_optical_power_dbm", "sample_rate_hz", "n_samples"}``.
    """
    rfs = np.atleast_1d(np.asarray(rf_hz, dtype=float))
    rng = np.random.default_rng(seed)
    f_top = float(rfs.max()) + bandwidth_mhz * 1e6
    from rof.signals.numerology import passband_fft_size

    fs = passband_fft_size(f_top, scs_khz * 1e3) * scs_khz * 1e3
    carriers = [
        nr_ofdm(
            bandwidth_mhz,
            scs_khz,
            modulation,
            n_symbols,
            rng,
            carrier_hz=f,
            sample_rate_hz=fs,
            power_dbm=rf_in_dbm,
            impedance_ohm=link.transmitter.input_impedance_ohm,
        )
        for f in rfs
    ]
    tx = carriers[0] if len(carriers) == 1 else combine_carriers(*carriers)
    rx = simulate_link(link, tx, rng, length_km=length_km, predistort=predistort)
    demods = [demodulate(rx, i) for i in range(len(tx.carriers))]
    out = []
    for c, d in zip(tx.carriers, demods, strict=True):
        b = link.budget(c.carrier_hz, rf_in_dbm, c.occupied_hz, length_km=length_km)
        evm = d.evm_percent
        out.append(
            {
                "rf_hz": c.carrier_hz,
                "evm_percent": evm,
                "evm_analytic_percent": float(b.evm_percent),
                "snr_equiv_db": -20.0 * math.log10(evm / 100.0),
                "sndr_analytic_db": float(b.sndr_db),
                "max_modulation_analytic": str(getattr(b, "max_modulation", "")),
            }
        )
    report = {
        "carriers": out,
        "length_km": rx.metadata["length_km"],
        "received_optical_power_dbm": 10.0
        * math.log10(rx.metadata["received_optical_power_w"] * 1e3),
        "sample_rate_hz": fs,
        "n_samples": int(tx.samples.size),
    }
    if keep_waveforms:
        report["waveforms"] = {"tx": tx, "rx": rx, "demodulated": demods}
    return report


def plot_waveform_report(report: dict, path_prefix: str) -> list[str]:
    """Write a constellation figure and a spectrum figure for a report with waveforms.

    Parameters
    ----------
    report : dict
        From :func:`run_waveform_report` with ``keep_waveforms=True``.
    path_prefix : str
        Files ``<prefix>_constellation.png`` and ``<prefix>_spectrum.png`` are written.

    Returns
    -------
    list of str
        The written paths.
    """
    if "waveforms" not in report:
        raise ParameterError(
            "plot_waveform_report.report has no waveforms; allowed: a report from "
            "run_waveform_report(..., keep_waveforms=True)"
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy import signal as ssig

    wf = report["waveforms"]
    demods = wf["demodulated"]
    fig, axes = plt.subplots(1, len(demods), figsize=(4.2 * len(demods), 4.2), squeeze=False)
    for ax, d, c in zip(axes[0], demods, report["carriers"], strict=True):
        z = d.symbols[d.data_mask]
        ax.plot(z.real, z.imag, ".", ms=1.0, alpha=0.4)
        ref = np.unique(np.round(d.reference[d.data_mask], 6))
        ax.plot(ref.real, ref.imag, "r+", ms=4)
        ax.set_aspect("equal")
        ax.set_title(
            f"{c['rf_hz'] / 1e9:.3f} GHz: EVM {c['evm_percent']:.2f} % "
            f"(analytic {c['evm_analytic_percent']:.2f} %)",
            fontsize=9,
        )
        ax.set_xlabel("I")
        ax.set_ylabel("Q")
    paths = [f"{path_prefix}_constellation.png"]
    fig.tight_layout()
    fig.savefig(paths[0], dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    for name in ("tx", "rx"):
        w = wf[name]
        nper = min(w.carriers[0].n_fft, w.samples.size)
        f, p = ssig.welch(w.samples, w.sample_rate_hz, nperseg=nper)
        ax.plot(
            f / 1e9,
            10 * np.log10(p * w.carriers[0].scs_hz / w.impedance_ohm * 1e3 + 1e-30),
            lw=0.8,
            label=name,
        )
    ax.set_xlabel("frequency (GHz)")
    ax.set_ylabel(f"power (dBm / {wf['tx'].carriers[0].scs_hz / 1e3:g} kHz)")
    ax.legend()
    ax.grid(True, alpha=0.3)
    paths.append(f"{path_prefix}_spectrum.png")
    fig.tight_layout()
    fig.savefig(paths[1], dpi=120)
    plt.close(fig)
    return paths


def default_scs_khz(rf_hz: float, bandwidth_mhz: float) -> float:
    """Subcarrier spacing for a carrier: 30 kHz in FR1 (<= 7.125 GHz), 120 kHz in FR2.

    Falls back to the other spacings of the TS 38.104 tables if the bandwidth is not
    defined for the preferred one; raises :class:`rof.errors.ParameterError` (naming
    ``bandwidth_mhz``) if none has it.
    """
    from rof.signals.numerology import nr_bandwidths_mhz

    order = (30, 15, 60) if rf_hz <= 7.125e9 else (120, 60)
    for scs in order:
        if float(bandwidth_mhz) in [float(b) for b in nr_bandwidths_mhz(scs)]:
            return float(scs)
    allowed = sorted({b for scs in order for b in nr_bandwidths_mhz(scs)})
    raise ParameterError(
        f"waveform bandwidth_mhz = {bandwidth_mhz!r} is not in TS 38.104 Table 5.3.2-1/-2 "
        f"for this band; allowed: {', '.join(map(str, allowed))}"
    )


def format_waveform_report(report: dict) -> str:
    """Plain-text table of :func:`run_waveform_report`'s result (one line per carrier)."""
    lines = [
        f"waveform: {report['n_samples']} samples at {report['sample_rate_hz'] / 1e9:.3f} GS/s, "
        f"{report['length_km']:g} km, received {report['received_optical_power_dbm']:.2f} dBm",
        f"{'carrier GHz':>12} {'EVM %':>9} {'analytic %':>11} {'SNR eq dB':>10} {'SNDR dB':>9}",
    ]
    for c in report["carriers"]:
        lines.append(
            f"{c['rf_hz'] / 1e9:12.4f} {c['evm_percent']:9.3f} {c['evm_analytic_percent']:11.3f} "
            f"{c['snr_equiv_db']:10.2f} {c['sndr_analytic_db']:9.2f}"
        )
    return "\n".join(lines) + "\n"
