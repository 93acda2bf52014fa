"""Digital (CPRI-style) fronthaul line rate versus the bandwidth an analog link needs.

This is the bandwidth argument for analog fronthaul: a digital link carries
quantised I/Q samples of every antenna, so its line rate grows with sample rate x
bit width x antennas x overheads, while an analog link carries the RF (or IF)
spectrum itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rof._validate import check_choice, check_int_range, check_range

__all__ = ["LINE_CODINGS", "FronthaulRate", "fronthaul_rate"]

#: Line-code expansion factors: CPRI options 1-7 use 8B/10B, options 7A-10 64B/66B.
LINE_CODINGS: dict[str, float] = {"8b10b": 10.0 / 8.0, "64b66b": 66.0 / 64.0}


@dataclass(frozen=True)
class FronthaulRate:
    """Digital and analog fronthaul bandwidth for one radio configuration.

    Attributes
    ----------
    sample_rate_hz : complex (I/Q) sample rate per antenna, Hz.
    iq_rate_bps : I/Q payload bit rate over all antennas, bit/s.
    line_rate_bps : CPRI line rate incl. control words and line coding, bit/s.
    digital_bandwidth_hz : electrical bandwidth of that line rate as NRZ (first spectral
        null at the bit rate), Hz.
    analog_bandwidth_hz : RF spectrum an analog (IF-over-fiber) link carries for the
        same antennas, ``antennas x bandwidth``, Hz.
    ratio : ``digital_bandwidth_hz / analog_bandwidth_hz``.
    """

    sample_rate_hz: float
    iq_rate_bps: float
    line_rate_bps: float
    digital_bandwidth_hz: float
    analog_bandwidth_hz: float
    ratio: float


def fronthaul_rate(
    bandwidth_hz: float,
    antennas: int = 1,
    bit_width: int = 15,
    oversampling: float = 1.2288,
    *,
    line_coding: str = "8b10b",
    control_overhead: float = 16.0 / 15.0,
) -> FronthaulRate:
    """CPRI line rate and the analog bandwidth for the same radio configuration.

    .. math::

        R_{line} = f_s \\cdot 2 N_{bit} \\cdot N_{ant} \\cdot \\tfrac{16}{15} \\cdot c_{line},
        \\qquad f_s = o \\cdot B,

    with one control word per 15 I/Q words (the 16/15 of a CPRI basic frame) and the
    line-code expansion :math:`c_{line}` (10/8 for 8B/10B, 66/64 for 64B/66B) (CPRI
    Specification V7.0, 2015, basic frame structure and line bit rate options). The
    oversampling :math:`o` is the sample rate over the channel bandwidth: 1.536 for LTE
    (30.72 Msample/s at 20 MHz), 1.2288 for NR 100 MHz at 30 kHz spacing
    (122.88 Msample/s). LTE 20 MHz, 2 antennas, 15-bit samples give 2457.6 Mbit/s,
    CPRI line bit rate option 3.

    Parameters
    ----------
    bandwidth_hz : float
        Channel bandwidth, Hz (> 0).
    antennas : int
        Antenna carriers (1 to 1024).
    bit_width : int
        Bits per I or Q sample (CPRI: 8 to 20).
    oversampling : float
        Sample rate over bandwidth (1 to 4).
    line_coding : {"8b10b", "64b66b"}
        Line code.
    control_overhead : float
        Control-word overhead factor (1 to 2), 16/15 in CPRI.

    Returns
    -------
    FronthaulRate
    """
    bw = check_range("fronthaul_rate bandwidth_hz", bandwidth_hz, 0.0, lo_open=True)
    n_ant = check_int_range("fronthaul_rate antennas", antennas, 1, 1024)
    bits = check_int_range("fronthaul_rate bit_width", bit_width, 8, 20)
    ovs = check_range("fronthaul_rate oversampling", oversampling, 1.0, 4.0)
    check_choice("fronthaul_rate line_coding", line_coding, tuple(LINE_CODINGS))
    ctrl = check_range("fronthaul_rate control_overhead", control_overhead, 1.0, 2.0)
    fs = ovs * bw
    iq = fs * 2.0 * bits * n_ant
    line = iq * ctrl * LINE_CODINGS[line_coding]
    analog = float(np.float64(n_ant) * bw)
    return FronthaulRate(
        sample_rate_hz=float(fs),
        iq_rate_bps=float(iq),
        line_rate_bps=float(line),
        digital_bandwidth_hz=float(line),
        analog_bandwidth_hz=analog,
        ratio=float(line / analog),
    )
