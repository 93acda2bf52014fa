"""Millimetre waves by IF-over-fiber with a remote LO: the edge's LO reaches the site.

The alternative to optical heterodyne (:class:`rof.photonics.OpticalHeterodyne`) for
a millimetre-wave site: the data crosses the fiber at an intermediate frequency on an
analog link (any :class:`~rof.link.RoFLink`: DML, MZM, ...), where dispersion fading and
laser phase noise are mild, and the site mixes it up to the RF carrier with an LO whose
reference the edge sends over a second analog link (its own wavelength or fiber) at
:math:`f_{ref}`, multiplied by :math:`N` at the site (a frequency multiplier), so that
:math:`f_{RF} = f_{IF} + N f_{ref}` (Kuri & Kitayama, "Optical heterodyne detection
technique for densely multiplexed millimeter-wave-band radio-on-fiber systems", J.
Lightwave Technol. 21(12), 3167-3179, 2003, for remote LO delivery; Novak et al.,
"Radio-over-fiber technologies for emerging wireless systems", IEEE JQE 52(1), 2016,
Sec. IV, for the architecture's place among mm-wave fronthaul schemes). An IM/DD link
carries no optical phase, so the RF carrier inherits only the LO's phase noise, not the
lasers' linewidths. The budget at :math:`f_{RF}`:

* **IF link**: :meth:`RoFLink.budget` at :math:`f_{IF}` (gain, noise, distortion,
  crosstalk; SNDR :math:`\\gamma_{IF}`).
* **Mixer** of conversion gain :math:`G_c` and single-sideband noise figure
  :math:`F_m`, Friis's cascade (Friis, Proc. IRE 32(7), 419-422, 1944): its input noise
  :math:`(F_m - 1)kT_0` adds to the IF link's output noise over the bandwidth
  :math:`B`.
* **LO phase noise**: the reference arrives with the LO link's additive output noise
  :math:`N_0` on a carrier of power :math:`P_c`; half of it is phase noise, of
  single-sided phase PSD :math:`S_\\varphi = N_0/P_c` rad^2/Hz (:math:`\\mathcal L =
  N_0/2P_c`; Rubiola, *Phase Noise and Frequency Stability in Oscillators*, Cambridge
  2009, Sec. 1.3), to which the edge synthesizer's white floor
  :math:`\\mathcal L_{ref}` adds :math:`2\\cdot10^{\\mathcal L_{ref}/10}`. Multiplication
  by :math:`N` multiplies the phase, so its PSD by :math:`N^2` (Rubiola 2009, Sec.
  1.6). For OFDM, white phase noise :math:`\\varphi` (flat over at least
  :math:`\\pm B` around the carrier: no narrowband filter or PLL at the site) turns
  :math:`s(1 + j\\varphi)` into an error :math:`js\\varphi` whose in-band power, the
  convolution of the flat signal spectrum with the phase spectrum, is
  :math:`P S_\\varphi B/2`: :math:`\\gamma_{PN,w}^{-1} = N^2 S_\\varphi B/2`
  (:func:`white_phase_noise_inv_sdr`; its common phase error, the spectrum within one
  subcarrier, is negligible). A Lorentzian reference of linewidth
  :math:`\\Delta\\nu_{ref}` becomes one of :math:`N^2\\Delta\\nu_{ref}`, whose ICI
  after CPE removal is :func:`rof.photonics.heterodyne.phase_noise_inv_sdr`.

So :math:`\\gamma_{RF}^{-1} = \\gamma_{IF}^{-1} + (F_m - 1)kT_0B/S_{IF} +
\\gamma_{PN,w}^{-1} + \\gamma_{PN,L}^{-1}`, :math:`S_{IF}` the IF link's output signal
power; the gain is the IF link's plus :math:`G_c`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError
from rof.link.link import RoFLink
from rof.photonics.heterodyne import phase_noise_inv_sdr
from rof.units import K_B_J_PER_K, T0_K

__all__ = ["RemoteLoBudget", "RemoteLoLink", "white_phase_noise_inv_sdr"]


def white_phase_noise_inv_sdr(phase_psd_rad2_hz, bandwidth_hz) -> np.ndarray:
    """In-band error over signal of OFDM under white phase noise, linear.

    :math:`S_\\varphi B/2`, :math:`S_\\varphi` the single-sided phase PSD (rad^2/Hz) flat
    over at least :math:`\\pm B` around the carrier, :math:`B` the occupied bandwidth
    (module docstring: the flat signal spectrum convolved with the phase spectrum).
    """
    return np.asarray(phase_psd_rad2_hz, float) * np.asarray(bandwidth_hz, float) / 2.0


@dataclass(frozen=True)
class RemoteLoBudget:
    """The remote-LO link's figures at the RF carrier (broadcast shapes of the inputs).

    Attributes
    ----------
    rf_hz, if_hz : the RF carrier and the IF, Hz.
    if_budget : :class:`~rof.link.budget.LinkBudget` of the IF link.
    lo_budget : the LO reference link's budget at :math:`f_{ref}`.
    gain_db : IF link gain plus the mixer's conversion gain, dB.
    mixer_inv_snr : the mixer's added noise over signal, linear.
    lo_phase_psd_rad2_hz : white phase PSD of the multiplied LO, rad^2/Hz.
    lo_linewidth_hz : Lorentzian linewidth of the multiplied LO, Hz.
    pn_inv_sdr : the LO phase noise's OFDM error over signal, linear.
    sndr_db, evm_percent : at the RF carrier.
    """

    rf_hz: float
    if_hz: float
    if_budget: object
    lo_budget: object
    gain_db: np.ndarray
    mixer_inv_snr: np.ndarray
    lo_phase_psd_rad2_hz: np.ndarray
    lo_linewidth_hz: float
    pn_inv_sdr: np.ndarray
    sndr_db: np.ndarray
    evm_percent: np.ndarray


@dataclass(frozen=True)
class RemoteLoLink:
    """IF-over-fiber with the LO delivered over a second analog link (module docstring).

    Parameters
    ----------
    data_link : RoFLink
        Carries the data at ``if_hz``.
    lo_link : RoFLink
        Carries the LO reference (its own wavelength or fiber, same length by default).
    if_hz : float
        Intermediate frequency, Hz (> 0, up to 20 GHz).
    lo_reference_hz : float
        LO reference sent over the fiber, Hz (> 0, up to 40 GHz).
    multiplication : int
        Frequency multiplication at the site, N (1 to 64); RF = IF + N x reference.
    lo_reference_dbm : float
        RF power of the reference at the LO link's input, dBm (-60 to 30; kept below
        the link's 1 dB compression, IIP3 - 9.6 dB for a third-order non-linearity).
    reference_floor_dbc_hz : float
        The edge synthesizer's white phase-noise floor L(f), dBc/Hz (-200 to -60).
    reference_linewidth_hz : float
        Its Lorentzian linewidth, Hz (0 to 1e6).
    mixer_conversion_gain_db : float
        The site mixer's conversion gain, dB (-30 to 30; a passive mixer about -7).
    mixer_noise_figure_db : float
        Its single-sideband noise figure, dB (0 to 30).
    """

    data_link: RoFLink
    lo_link: RoFLink
    if_hz: float = 3.5e9
    lo_reference_hz: float = 6.125e9
    multiplication: int = 4
    lo_reference_dbm: float = 0.0
    reference_floor_dbc_hz: float = -150.0
    reference_linewidth_hz: float = 0.0
    mixer_conversion_gain_db: float = -7.0
    mixer_noise_figure_db: float = 8.0

    def __post_init__(self):
        for k in ("data_link", "lo_link"):
            if not isinstance(getattr(self, k), RoFLink):
                raise ParameterError(
                    f"RemoteLoLink.{k} = {type(getattr(self, k)).__name__} is not known; "
                    "allowed: a RoFLink"
                )
        check_range("RemoteLoLink.if_hz", self.if_hz, 0.0, 20e9, lo_open=True)
        check_range("RemoteLoLink.lo_reference_hz", self.lo_reference_hz, 0.0, 40e9, lo_open=True)
        n = self.multiplication
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= 64:
            raise ParameterError(
                f"RemoteLoLink.multiplication = {n!r} is out of range; allowed: an integer 1..64"
            )
        check_range("RemoteLoLink.lo_reference_dbm", self.lo_reference_dbm, -60.0, 30.0)
        check_range(
            "RemoteLoLink.reference_floor_dbc_hz", self.reference_floor_dbc_hz, -200.0, -60.0
        )
        check_range("RemoteLoLink.reference_linewidth_hz", self.reference_linewidth_hz, 0.0, 1e6)
        check_range(
            "RemoteLoLink.mixer_conversion_gain_db", self.mixer_conversion_gain_db, -30.0, 30.0
        )
        check_range("RemoteLoLink.mixer_noise_figure_db", self.mixer_noise_figure_db, 0.0, 30.0)

    @property
    def rf_hz(self) -> float:
        """The RF carrier, :math:`f_{IF} + N f_{ref}`, Hz."""
        return self.if_hz + self.multiplication * self.lo_reference_hz

    @property
    def latency_s(self) -> float:
        """One-way delay of the data link, s."""
        return self.data_link.latency_s

    def budget(
        self, rf_in_dbm=0.0, bandwidth_hz=400e6, *, length_km=None, subcarrier_spacing_hz=120e3
    ) -> RemoteLoBudget:
        """The budget at :attr:`rf_hz` (module docstring), broadcast over the inputs.

        Parameters
        ----------
        rf_in_dbm : array_like
            Mean IF input power of the data link, dBm.
        bandwidth_hz : array_like
            Occupied bandwidth, Hz.
        length_km : array_like, optional
            Fiber length of both links, km (default: each link's own).
        subcarrier_spacing_hz : float
            OFDM subcarrier spacing for the Lorentzian part, Hz (1e3 to 1e6).
        """
        scs = check_range(
            "RemoteLoLink.budget subcarrier_spacing_hz", subcarrier_spacing_hz, 1e3, 1e6
        )
        bw = np.asarray(bandwidth_hz, float)
        b_if = self.data_link.budget(
            self.if_hz, rf_in_dbm, bw, length_km=length_km, subcarrier_spacing_hz=scs
        )
        b_lo = self.lo_link.budget(
            self.lo_reference_hz, self.lo_reference_dbm, 1.0, length_km=length_km
        )
        p1db = np.asarray(b_lo.iip3_dbm, float) - 9.6
        if np.any(self.lo_reference_dbm > p1db):
            raise ParameterError(
                f"RemoteLoLink.lo_reference_dbm = {self.lo_reference_dbm:g} compresses the LO "
                f"link; allowed: up to its 1 dB compression, {float(np.min(p1db)):.1f} dBm"
            )
        kt0 = K_B_J_PER_K * T0_K
        s_if = 10.0 ** ((np.asarray(b_if.rf_out_dbm, float) - 30.0) / 10.0)
        f_mix = 10.0 ** (self.mixer_noise_figure_db / 10.0)
        mixer_inv_snr = (f_mix - 1.0) * kt0 * bw / s_if
        n0_lo = 10.0 ** ((np.asarray(b_lo.noise_dbm_hz, float) - 30.0) / 10.0)
        p_c = 10.0 ** ((np.asarray(b_lo.rf_out_dbm, float) - 30.0) / 10.0)
        s_phi = n0_lo / p_c + 2.0 * 10.0 ** (self.reference_floor_dbc_hz / 10.0)
        n2 = float(self.multiplication) ** 2
        psd = n2 * s_phi
        linewidth = n2 * self.reference_linewidth_hz
        pn = white_phase_noise_inv_sdr(psd, bw) + phase_noise_inv_sdr(linewidth, scs)
        inv = 10.0 ** (-np.asarray(b_if.sndr_db, float) / 10.0) + mixer_inv_snr + pn
        return RemoteLoBudget(
            rf_hz=self.rf_hz,
            if_hz=self.if_hz,
            if_budget=b_if,
            lo_budget=b_lo,
            gain_db=np.asarray(b_if.gain_db, float) + self.mixer_conversion_gain_db,
            mixer_inv_snr=mixer_inv_snr,
            lo_phase_psd_rad2_hz=psd,
            lo_linewidth_hz=linewidth,
            pn_inv_sdr=pn,
            sndr_db=-10.0 * np.log10(inv),
            evm_percent=100.0 * np.sqrt(inv),
        )
