"""The analog radio-over-fiber link: transmitter, fiber, optional EDFA, photodiode."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_choice, check_range
from rof.errors import ParameterError
from rof.link.analytic import assemble_budget
from rof.link.budget import LinkBudget
from rof.link.limits import LaunchLimits
from rof.photonics.amplifier import EDFA
from rof.photonics.fiber import Fiber
from rof.photonics.photodiode import Photodiode
from rof.photonics.protocols import Transmitter
from rof.units import db_to_lin, lin_to_db

__all__ = ["RoFLink"]


@dataclass(frozen=True)
class RoFLink:
    """An intensity-modulated, directly detected analog link (A-RoF).

    transmitter -> fiber -> [EDFA pre-amplifier] -> extra passive loss -> photodiode.

    Parameters
    ----------
    transmitter : Transmitter
        :class:`~rof.photonics.DirectLaser`, :class:`~rof.photonics.MachZehnderModulator`
        or any object implementing :class:`rof.photonics.protocols.Transmitter`.
    fiber : Fiber
        The span; ``budget(length_km=...)`` overrides its length.
    detector : Photodiode
        The receiver with its matched load.
    amplifier : EDFA or None
        Optical pre-amplifier at the fiber output.
    optical_loss_db : float
        Extra passive optical loss between fiber (or EDFA) and photodiode, dB (0-60),
        e.g. a WDM demultiplexer.
    crosstalk_ratios : sequence of float
        Per interfering WDM channel, its received optical power relative to this
        channel's (linear, 0-1e3). Each carries an uncorrelated RF signal of the same
        statistics: it adds DC photocurrent (shot noise, its own RIN) and in-band RF
        interference of relative power ``ratio**2``.
    limits : LaunchLimits or None
        SBS depletion and backscatter noise (:mod:`rof.link.limits`); None: neither
        (a launch power below the SBS threshold on a unidirectional fiber).
    """

    transmitter: Transmitter
    fiber: Fiber
    detector: Photodiode
    amplifier: EDFA | None = None
    optical_loss_db: float = field(default=0.0, kw_only=True)
    crosstalk_ratios: tuple[float, ...] = field(default=(), kw_only=True)
    limits: LaunchLimits | None = field(default=None, kw_only=True)

    def __post_init__(self):
        if not isinstance(self.transmitter, Transmitter):
            raise ParameterError(
                f"RoFLink.transmitter = {type(self.transmitter).__name__} is not known; "
                "allowed: an object implementing rof.photonics.Transmitter"
            )
        for name, cls in (("fiber", Fiber), ("detector", Photodiode)):
            if not isinstance(getattr(self, name), cls):
                raise ParameterError(
                    f"RoFLink.{name} = {type(getattr(self, name)).__name__} is not known; "
                    f"allowed: a {cls.__name__}"
                )
        if self.amplifier is not None and not isinstance(self.amplifier, EDFA):
            raise ParameterError(
                f"RoFLink.amplifier = {type(self.amplifier).__name__} is not known; "
                "allowed: an EDFA or None"
            )
        check_range("RoFLink.optical_loss_db", self.optical_loss_db, 0.0, 60.0)
        if self.limits is not None and not isinstance(self.limits, LaunchLimits):
            raise ParameterError(
                f"RoFLink.limits = {type(self.limits).__name__} is not known; "
                "allowed: a LaunchLimits or None"
            )
        ratios = np.atleast_1d(np.asarray(self.crosstalk_ratios, dtype=float)).ravel()
        if ratios.size:
            check_range("RoFLink.crosstalk_ratios", ratios, 0.0, 1e3)
        object.__setattr__(self, "crosstalk_ratios", tuple(float(x) for x in ratios))

    # ------------------------------------------------------------------ helpers
    @property
    def latency_s(self) -> float:
        """One-way fiber delay of the configured length, s."""
        return self.fiber.latency_s

    def optical_transmission(self, length_km) -> np.ndarray:
        """Optical power transmission from transmitter output to photodiode, linear."""
        loss_db = self.fiber.attenuation_db_per_km * np.asarray(length_km, dtype=float)
        t = db_to_lin(-(loss_db + self.optical_loss_db))
        return t * (self.amplifier.gain if self.amplifier is not None else 1.0)

    def iip3_dbm(self, rf_hz=None):
        """Two-tone input IP3 from the transmitter's Taylor coefficients, dBm.

        Equal-amplitude tones of amplitude :math:`A` give fundamentals :math:`a_1 A` and
        IMD3 products :math:`\\tfrac34 a_3 A^3`; they meet at
        :math:`A^2 = \\tfrac43 |a_1/a_3|`, i.e. per-tone available power
        :math:`P_{IIP3} = \\tfrac23 |a_1/a_3| / R_{in}` (Cox 2004, ch. 6). For a
        quadrature MZM this is :math:`4 V_\\pi^2/(\\pi^2 R_{in})`. Infinite if
        :math:`a_3 = 0` (a DML's linear L-I curve). A frequency response ahead of the
        non-linearity (the transmitter's ``drive_response``, e.g. an MZM electrode,
        :math:`|H_e(f)|`) attenuates the drive before the transfer, so referred to the
        input the intercept is :math:`P_{IIP3}/|H_e(f)|^2`; responses after it (the
        photodiode, fading, a DML's rate-equation response) scale fundamentals and
        products alike and leave IIP3 unchanged.

        Parameters
        ----------
        rf_hz : array_like, optional
            Tone frequency, Hz; default: low frequency (no drive response).

        Returns
        -------
        float or ndarray
            dBm, shape of ``rf_hz``.
        """
        ss = self.transmitter.small_signal()
        a1, _, a3 = ss.taylor_w_per_vn
        if a3 == 0.0:
            base = math.inf
        else:
            p_w = (2.0 / 3.0) * abs(a1 / a3) / ss.input_impedance_ohm
            base = 10.0 * math.log10(p_w) + 30.0
        if rf_hz is None:
            return base
        return base - lin_to_db(ss.drive_response_sq(rf_hz))

    # ------------------------------------------------------------------ budget
    def budget(
        self,
        rf_hz,
        rf_in_dbm=0.0,
        bandwidth_hz=100e6,
        *,
        length_km=None,
        engine: str = "numba",
        subcarrier_spacing_hz=None,
    ) -> LinkBudget:
        """Analytic RF link budget, broadcast over every argument.

        Intrinsic gain with a resistively matched transmitter input (:math:`R_S`) and
        photodiode load (:math:`R_L`) (Cox, *Analog Optical Links*, 2004, ch. 2-3;
        Ackerman & Cox, "RF fiber-optic link performance", IEEE Microwave Mag. 2(4),
        50-58, 2001):

        .. math::

            g = \\frac{R_S R_L}{4}\\,\\left(s(f)\\,T\\,\\mathcal{R}\\right)^2 |H_{pd}(f)|^2 F(L, f),

        with the transmitter slope :math:`s(f)` (W/V), optical transmission :math:`T`
        (fiber, EDFA, extra loss), responsivity :math:`\\mathcal{R}` and the power
        fading :math:`F` (:meth:`rof.photonics.Fiber.power_fading`, chirp of the
        transmitter: ``chirp_alpha``, or where the transmitter has
        ``small_signal_chirp()`` (a DML) its transient factor and adiabatic-chirp
        corner; the phase uses the transmitter's wavelength with the fiber's
        :math:`D`, so give :math:`D` at that wavelength). The output noise density (W/Hz) is

        .. math::

            N_{out} = 2 g k T_0 + k T_{pd} + \\frac{R_L}{4}|H_{pd}|^2\\big(2q(I + I_d)
            + \\mathrm{RIN}_{det}\\,I_s^2 (1 + X) + S_{s\\text{-}sp} + S_{sp\\text{-}sp}\\big),

        where :math:`2gkT_0` is the source and input-termination noise, :math:`kT_{pd}`
        the matched load's, :math:`I` the mean photocurrent (signal, crosstalk channels
        and ASE), :math:`X = \\sum x_c^2` and the beat terms are those of
        :class:`rof.photonics.EDFA`. :math:`NF = N_{out}/(g k T_0)`; a thermal-limited
        link therefore has :math:`NF = 2 + 1/g` (Cox 2004, ch. 5, resistive match).
        The laser noise at the detector is, for a transmitter whose ``rin_fades`` (an
        external modulator: the laser's intensity noise carries no phase, so it fades
        like a chirp-free modulation, and its phase noise converts to intensity noise),

        .. math::

            \\mathrm{RIN}_{det} = \\mathrm{RIN}\\cos^2\\theta
            + 4\\sin^2\\theta\\,\\frac{\\Delta\\nu}{\\pi f^2},

        :math:`\\theta` the dispersion phase, :math:`\\Delta\\nu` the transmitter's
        ``linewidth_hz`` (:func:`rof.photonics.fiber.pm_to_im_rin`; Wang & Petermann,
        J. Lightwave Technol. 10(1), 1992); otherwise (a DML) :math:`\\mathrm{RIN}` as given.
        OFDM distortion comes from :func:`rof.link.budget.ofdm_distortion` at the drive
        power that reaches the non-linearity, :math:`|H_{pre}(f)|^2 P_{in}` with the
        transmitter's ``drive_response`` (an MZM's electrode; 1 if it has none), and
        scales after it with the same response as the signal; behind fiber, a
        transmitter with a rate model and ``tone_field`` (a DML) uses the link's
        describing function instead (:func:`rof.link.describing.link_distortion`), and
        one whose ``dispersion_scales_drive`` (a chirp-free MZM) the back-to-back
        distortion at the drive power times :math:`\\cos^2\\theta`
        (:func:`rof.link.dispersed.dispersed_drive_distortion`); crosstalk adds
        interference :math:`X` times signal-plus-distortion.

        Parameters
        ----------
        rf_hz : array_like
            RF carrier frequency, Hz (> 0).
        rf_in_dbm : array_like
            Mean RF input (OFDM) power, dBm (-150 to 60).
        bandwidth_hz : array_like
            Signal bandwidth for SNR and EVM, Hz (> 0); the noise density is taken at
            ``rf_hz`` across it.
        length_km : array_like, optional
            Fiber length(s), km (0 to 1000), replacing ``fiber.length_km``.
        engine : {"numba", "numpy"}
            Grid kernel; ``"numpy"`` is the plain reference.
        subcarrier_spacing_hz : array_like, optional
            OFDM subcarrier spacing, Hz (1e3 to 1e6), for a transmitter whose RF carrier
            has its own phase noise (``SmallSignal.ofdm_inv_sdr``, an optical
            heterodyne); default 30 kHz in FR1, 120 kHz in FR2.

        Returns
        -------
        LinkBudget
            Fields of the broadcast shape of the four inputs.

        Examples
        --------
        >>> from rof.photonics import CWLaser, MachZehnderModulator, Fiber, Photodiode
        >>> link = RoFLink(MachZehnderModulator(CWLaser(power_dbm=16.0), v_pi_v=3.5),
        ...                Fiber(20.0), Photodiode())
        >>> b = link.budget([3.5e9, 28e9], rf_in_dbm=0.0, bandwidth_hz=100e6)
        >>> b.gain_db.shape
        (2,)
        """
        check_choice("RoFLink.budget engine", engine, ("numba", "numpy"))
        rf = np.asarray(check_range("RoFLink.budget rf_hz", rf_hz, 0.0, lo_open=True))
        pin = np.asarray(check_range("RoFLink.budget rf_in_dbm", rf_in_dbm, -150.0, 60.0))
        bw = np.asarray(check_range("RoFLink.budget bandwidth_hz", bandwidth_hz, 0.0, lo_open=True))
        if length_km is None:
            length = np.asarray(float(self.fiber.length_km))
        else:
            length = np.asarray(check_range("RoFLink.budget length_km", length_km, 0.0, 1000.0))
        scs = None
        if subcarrier_spacing_hz is not None:
            scs = np.asarray(
                check_range("RoFLink.budget subcarrier_spacing_hz", subcarrier_spacing_hz, 1e3, 1e6)
            )
        return assemble_budget(self, rf, pin, bw, length, engine, scs)

    def simulate(self, waveform, rng):
        """Send a waveform through the link sample by sample; see :mod:`rof.link.waveform`."""
        from rof.link.waveform import simulate_link

        return simulate_link(self, waveform, rng)
