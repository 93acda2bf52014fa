"""The NR waveform report of ``rof link --waveform``: measured EVM beside the budget.

:func:`run_waveform_report` sends NR carriers through :func:`rof.link.waveform.simulate_link`
and sets the measured EVM per carrier beside the analytic budget's;
:func:`format_waveform_report` prints it and :func:`plot_waveform_report` draws the
constellations and spectra (``--plot``); :func:`default_scs_khz` picks the NR
numerology the report uses.
"""

from __future__ import annotations

import math

import numpy as np

from rof.errors import ParameterError
from rof.link.waveform import simulate_link
from rof.signals import combine_carriers, demodulate, nr_ofdm

__all__ = [
    "default_scs_khz",
    "format_waveform_report",
    "plot_waveform_report",
    "run_waveform_report",
]


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
