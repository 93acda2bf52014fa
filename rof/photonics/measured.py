"""Measured frequency responses from Touchstone files (read by scikit-rf).

A modulator's drive path (driver amplifier, electrode), an RF amplifier or a photodiode
measured on a network analyser is stored as a two-port Touchstone file (``.s2p``,
Touchstone 1.1/2.0 as read by :class:`skrf.network.Network`); its transmission
:math:`S_{21}(f)` is the response. :class:`MeasuredResponse` interpolates it linearly in
magnitude and in unwrapped phase on the file's grid and refuses frequencies outside the
measured band. It is used

* in front of any transmitter by :class:`MeasuredDrive` (budget: the response multiplies
  the transmitter's ``drive_response`` and slope, ahead of its non-linearity; waveform:
  the drive is filtered by :math:`S_{21}` before the transmitter's field), and
* as a photodiode's response by :class:`MeasuredPhotodiode` (budget and waveform).

Bad files raise :class:`rof.errors.DataError` naming the file and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rof.errors import DataError
from rof.photonics.photodiode import Photodiode

__all__ = ["MeasuredDrive", "MeasuredPhotodiode", "MeasuredResponse", "write_touchstone"]


@dataclass(frozen=True, eq=False)
class MeasuredResponse:
    """:math:`S_{21}(f)` of a measured two-port.

    Attributes
    ----------
    source : str
        The file it was read from (for messages).
    freq_hz : ndarray
        Measured frequencies, Hz, increasing.
    s21 : ndarray of complex
        Transmission at ``freq_hz``.
    """

    source: str
    freq_hz: np.ndarray = field(repr=False)
    s21: np.ndarray = field(repr=False)

    @classmethod
    def from_touchstone(cls, path) -> MeasuredResponse:
        """Read ``path`` (a 2-port Touchstone file) with scikit-rf.

        Raises
        ------
        DataError
            The file is missing or malformed, is not a 2-port, or has fewer than 2
            increasing frequencies.
        """
        import skrf

        p = Path(path)
        if not p.is_file():
            raise DataError(f"{p}: no such Touchstone file; allowed: a readable .s2p file")
        try:
            net = skrf.Network(str(p))
        except Exception as exc:  # scikit-rf raises many types on a malformed file
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise DataError(
                f"{p}: not a readable Touchstone file ({msg}); allowed: a Touchstone 1.1/2.0 "
                "two-port (.s2p)"
            ) from None
        if net.nports != 2:
            raise DataError(
                f"{p}: a {net.nports}-port network; allowed: a 2-port (.s2p) whose S21 is "
                "the response"
            )
        f = np.asarray(net.f, dtype=float)
        if f.size < 2 or np.any(np.diff(f) <= 0.0):
            raise DataError(f"{p}: {f.size} frequencies; allowed: at least 2, increasing")
        s21 = np.asarray(net.s[:, 1, 0], dtype=complex)
        if not np.all(np.isfinite(s21)):
            raise DataError(f"{p}: S21 has NaN or infinite values; allowed: finite numbers")
        return cls(str(p), f, s21)

    @property
    def band_hz(self) -> tuple[float, float]:
        """Lowest and highest measured frequency, Hz."""
        return float(self.freq_hz[0]), float(self.freq_hz[-1])

    def check_band(self, f_hz, what: str = "frequency") -> None:
        """Raise :class:`DataError` unless every ``f_hz`` lies in the measured band."""
        f = np.asarray(f_hz, dtype=float)
        lo, hi = self.band_hz
        bad = (f < lo * (1 - 1e-12)) | (f > hi * (1 + 1e-12))
        if np.any(bad):
            x = float(f[bad].flat[0])
            raise DataError(
                f"{self.source}: covers {lo / 1e9:g} to {hi / 1e9:g} GHz, not the {what} "
                f"{x / 1e9:g} GHz; allowed: a file whose band covers it"
            )

    def __call__(self, f_hz, *, extrapolate: bool = False) -> np.ndarray:
        """Complex :math:`S_{21}` at ``f_hz`` (linear in magnitude and unwrapped phase).

        Outside the band: :class:`DataError`, or with ``extrapolate`` the edge values
        (for the waveform model's out-of-band noise only).
        """
        f = np.asarray(f_hz, dtype=float)
        if not extrapolate:
            self.check_band(f)
        mag = np.interp(f, self.freq_hz, np.abs(self.s21))
        ph = np.interp(f, self.freq_hz, np.unwrap(np.angle(self.s21)))
        return mag * np.exp(1j * ph)

    def magnitude(self, f_hz) -> np.ndarray:
        """:math:`|S_{21}(f)|`, linear (band-checked)."""
        return np.abs(self(f_hz))


def write_touchstone(path, freq_hz, s21, *, s11=None) -> Path:
    """Write a 2-port ``.s2p`` with the given :math:`S_{21}` (others zero) via scikit-rf."""
    import skrf

    f = np.asarray(freq_hz, dtype=float)
    s = np.zeros((f.size, 2, 2), dtype=complex)
    s[:, 1, 0] = np.asarray(s21, dtype=complex)
    if s11 is not None:
        s[:, 0, 0] = np.asarray(s11, dtype=complex)
    net = skrf.Network(frequency=skrf.Frequency.from_f(f, unit="hz"), s=s)
    p = Path(path)
    stem = p.with_suffix("") if p.suffix == ".s2p" else p
    net.write_touchstone(str(stem))
    return stem.with_suffix(".s2p")


@dataclass(frozen=True, eq=False)
class MeasuredDrive:
    """A transmitter driven through a measured two-port (driver amplifier, electrode).

    Budget: :math:`|S_{21}(f)|` multiplies the transmitter's ``drive_response`` (ahead of
    its non-linearity, so distortion and IIP3 see the attenuated drive, as for an MZM's
    electrode; Cox, *Analog Optical Links*, 2004, ch. 2) and its slope. Waveform: the
    drive is filtered by :math:`S_{21}(f)` (edge values outside the measured band) before
    the transmitter's ``field``.
    """

    transmitter: object
    response: MeasuredResponse

    @property
    def wavelength_nm(self) -> float:
        return self.transmitter.wavelength_nm

    @property
    def input_impedance_ohm(self) -> float:
        return self.transmitter.input_impedance_ohm

    def small_signal(self):
        import dataclasses

        ss = self.transmitter.small_signal()
        h = self.response.magnitude
        pre, slope = ss.drive_response, ss.slope_w_per_v

        def drive(f):
            base = 1.0 if pre is None else np.asarray(pre(f), dtype=float)
            return base * h(f)

        return dataclasses.replace(
            ss, drive_response=drive, slope_w_per_v=lambda f: np.asarray(slope(f)) * h(f)
        )

    def field(self, drive_v, sample_rate_hz, rng, *, predistort=False, substeps=None):
        from scipy import fft as sfft

        v = np.asarray(drive_v, dtype=float)
        nf = sfft.next_fast_len(v.size, real=True)
        f = sfft.rfftfreq(nf, 1.0 / sample_rate_hz)
        v = sfft.irfft(sfft.rfft(v, n=nf) * self.response(f, extrapolate=True), n=nf)[: v.size]
        return self.transmitter.field(
            v, sample_rate_hz, rng, predistort=predistort, substeps=substeps
        )


@dataclass(frozen=True, eq=False)
class MeasuredPhotodiode(Photodiode):
    """A :class:`~rof.photonics.Photodiode` whose frequency response is measured.

    ``response`` (:math:`S_{21}` of the photodiode and its load network, normalised to
    the matched load's share) replaces the first-order roll-off in the budget
    (:meth:`response_sq`) and in the waveform model (:meth:`complex_response`);
    ``bandwidth_hz`` is then unused.
    """

    response: MeasuredResponse | None = None

    def __post_init__(self):
        super().__post_init__()
        if not isinstance(self.response, MeasuredResponse):
            raise DataError(
                "MeasuredPhotodiode.response is missing; allowed: a MeasuredResponse "
                "(MeasuredResponse.from_touchstone(path))"
            )

    def response_sq(self, rf_hz) -> np.ndarray:
        """:math:`|S_{21}(f)|^2` (band-checked), linear."""
        return self.response.magnitude(rf_hz) ** 2

    def complex_response(self, f_hz) -> np.ndarray:
        """:math:`S_{21}(f)`, edge values outside the band (out-of-band noise only)."""
        return self.response(f_hz, extrapolate=True)
