"""The analog radio-over-fiber link: transmitter, fiber, optional EDFA, photodiode."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_choice, check_range
from rof.errors import ParameterError
from rof.link.budget import LinkBudget, ofdm_distortion
from rof.link.describing import (
    dispersed_drive_distortion,
    drive_table,
    has_tone_model,
    link_distortion,
    tone_iip3_dbm,
)
from rof.link.kernels import FIELDS, INPUTS, budget_grid_numba, budget_grid_numpy
from rof.photonics.amplifier import EDFA
from rof.photonics.fiber import Fiber, theta_per_hz2
from rof.photonics.photodiode import Photodiode
from rof.photonics.protocols import Transmitter
from rof.units import C_M_PER_S, K_B_J_PER_K, Q_C, T0_K, db_to_lin, dbm_to_w, lin_to_db

__all__ = ["RoFLink"]


def _dbm(x):
    return lin_to_db(x) + 30.0


def _drive_response_sq(tx, rf_hz) -> np.ndarray:
    """:math:`|H_{pre}(f)|^2` of the transmitter's response ahead of its non-linearity."""
    fn = getattr(tx, "drive_response", None)
    rf = np.asarray(rf_hz, dtype=float)
    if fn is None:
        return np.ones_like(rf)
    return np.asarray(fn(rf), dtype=float) ** 2


#: Above this many distinct drive levels the OFDM distortion is tabulated and
#: interpolated (log-log, 0.01 dB steps; see :func:`_distortion`).
_MAX_EXACT_LEVELS = 2048


def _distortion(tx, p_w):
    """Bussgang compression and in-band distortion at each drive power ``p_w`` (W).

    Exact (:func:`ofdm_distortion`) per distinct level; with more than
    ``_MAX_EXACT_LEVELS`` distinct levels (an RF axis times a drive axis through an
    electrode response) both are evaluated on a 0.01 dB grid over the range and
    interpolated linearly in dB: both are smooth in the drive in dB, and the
    interpolation error is below 1e-4 dB (second difference over 0.01 dB steps).
    """
    p = np.asarray(p_w, dtype=float)
    levels, inverse = np.unique(p, return_inverse=True)
    if levels.size <= _MAX_EXACT_LEVELS:
        comp2, inv_sdr = ofdm_distortion(tx, levels)
    else:
        lo, hi = lin_to_db(levels[0]), lin_to_db(levels[-1])
        grid_db = np.linspace(lo, hi, max(math.ceil((hi - lo) / 0.01) + 1, 2))
        c_g, i_g = ofdm_distortion(tx, db_to_lin(grid_db))
        x = lin_to_db(levels)
        comp2 = np.interp(x, grid_db, c_g)
        with np.errstate(divide="ignore"):
            inv_sdr = db_to_lin(np.interp(x, grid_db, lin_to_db(np.maximum(i_g, 1e-300))))
    return comp2[inverse].reshape(p.shape), inv_sdr[inverse].reshape(p.shape)


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
    """

    transmitter: Transmitter
    fiber: Fiber
    detector: Photodiode
    amplifier: EDFA | None = None
    optical_loss_db: float = field(default=0.0, kw_only=True)
    crosstalk_ratios: tuple[float, ...] = field(default=(), kw_only=True)

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
        a1, _, a3 = self.transmitter.taylor_w_per_vn()
        if a3 == 0.0:
            base = math.inf
        else:
            p_w = (2.0 / 3.0) * abs(a1 / a3) / self.transmitter.input_impedance_ohm
            base = 10.0 * math.log10(p_w) + 30.0
        if rf_hz is None:
            return base
        return base - lin_to_db(_drive_response_sq(self.transmitter, rf_hz))

    # ------------------------------------------------------------------ budget
    def budget(
        self,
        rf_hz,
        rf_in_dbm=0.0,
        bandwidth_hz=100e6,
        *,
        length_km=None,
        engine: str = "numba",
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
        (:func:`rof.link.describing.dispersed_drive_distortion`); crosstalk adds
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
        shape = np.broadcast_shapes(rf.shape, pin.shape, bw.shape, length.shape)

        tx, pd, amp = self.transmitter, self.detector, self.amplifier
        r_s, r_l, resp = tx.input_impedance_ohm, pd.load_ohm, pd.responsivity_a_per_w
        xs = float(sum(self.crosstalk_ratios))
        xt = float(sum(x * x for x in self.crosstalk_ratios))
        quarter_rl = r_l / 4.0

        # --- length-dependent factors (shape of length) ---------------------------
        t_opt = self.optical_transmission(length)
        p_pd = tx.mean_power_w() * t_opt
        i_sig = resp * p_pd
        if amp is not None:
            rho = amp.ase_psd_w_per_hz(tx.wavelength_nm) * float(db_to_lin(-self.optical_loss_db))
            b_o = amp.optical_bandwidth_hz
        else:
            rho, b_o = 0.0, 0.0
        i_dc = i_sig * (1.0 + xs) + resp * 2.0 * rho * b_o
        pd.check_saturation(i_dc + pd.dark_current_a)
        shot = 2.0 * Q_C * i_dc * quarter_rl
        rin_lin = float(db_to_lin(tx.rin_db_per_hz))
        rin = rin_lin * i_sig**2 * (1.0 + xt) * quarter_rl
        sase = 4.0 * resp**2 * p_pd * (1.0 + xs) * rho * quarter_rl
        lin = {
            "theta_l": theta_per_hz2(length, self.fiber.dispersion_ps_per_nm_km, tx.wavelength_nm),
            "gain_l": (resp * t_opt) ** 2 * r_s * r_l / 4.0,
            "noise_l": shot + sase,
            "rin_l": rin,
        }
        # --- frequency-dependent factors (shape of rf) ----------------------------
        hpd = pd.response_sq(rf)
        asase = 4.0 * resp**2 * rho * rho * np.maximum(b_o - rf, 0.0) * quarter_rl * hpd
        dark = pd.dark_noise_a2_per_hz * quarter_rl * hpd
        lin |= {
            "f_hz": rf,
            "slope_f": np.asarray(tx.slope_w_per_v(rf), dtype=float) ** 2 * hpd,
            "noise_f": dark + asase,
            "hpd_f": hpd,
        }
        # --- drive-dependent factors (once per distinct drive at the non-linearity) -
        h_pre2 = _drive_response_sq(tx, rf)
        p_in_w = dbm_to_w(pin)
        rate_model = getattr(tx, "has_rate_model", lambda: True)()
        tone = has_tone_model(tx)
        scaled = not tone and bool(getattr(tx, "dispersion_scales_drive", False))
        p_nl = p_in_w * h_pre2
        table = None
        if tone:  # link-level describing function (DML: dynamics, chirp x dispersion)
            comp2, inv_sdr = link_distortion(tx, self.fiber, rf, p_nl, length)
        elif scaled:  # chirp-free MZM: the kernel looks up at the drive x cos^2(theta)
            table = drive_table(tx, np.max(p_nl))
            comp2, inv_sdr = np.ones(()), np.zeros(())
            lin["drive_nl_w"] = p_nl
        else:
            comp2, inv_sdr = _distortion(tx, p_nl)  # shape of (pin, rf)
        lin |= {"s_in_w": p_in_w * comp2, "inv_sdr": inv_sdr, "bw_hz": bw}
        kt0 = K_B_J_PER_K * T0_K
        fades = bool(getattr(tx, "rin_fades", False))
        linewidth = float(getattr(tx, "linewidth_hz", 0.0)) if fades else 0.0
        alpha, corner = float(tx.chirp_alpha), 0.0
        if callable(getattr(tx, "small_signal_chirp", None)):
            alpha, corner = tx.small_signal_chirp()
        # A DML: its RIN moves with its chirp behind fiber (see the hook).
        rin_factor = getattr(tx, "rin_dispersion_factor", None) if rate_model else None
        if callable(rin_factor):
            theta = lin["theta_l"] * rf * rf
            lin["rin_l"] = rin * rin_factor(rf, theta)
        params = {
            "alpha": alpha,
            "adiabatic_hz2": (alpha * corner) ** 2,
            "kt0": kt0,
            "kt_pd": pd.thermal_noise_w_per_hz,
            "xt": xt,
            "rin_flat": 0.0 if fades else 1.0,
            "rin_faded": 1.0 if fades else 0.0,
            "pm_hz2": 4.0 * linewidth / (math.pi * rin_lin),
            "distortion_table": table,
        }
        inputs = {k: np.asarray(lin.get(k, 0.0), dtype=float) for k in INPUTS}  # own shapes
        kernel = budget_grid_numba if engine == "numba" else budget_grid_numpy
        stack = kernel(inputs, params)

        def full(x):
            return _scalar(np.broadcast_to(np.asarray(x, dtype=float), shape))

        out = {name: _scalar(stack[k].reshape(shape)) for k, name in enumerate(FIELDS)}
        base_iip3 = self.iip3_dbm() if not tone else 0.0

        @functools.cache
        def scaled_terms():  # chirp-free MZM: full-grid compression, distortion, cos^2
            return dispersed_drive_distortion(tx, p_nl, lin["theta_l"], rf, engine=engine)

        def sdr_db():
            isd = scaled_terms()[1] if scaled else inv_sdr
            with np.errstate(divide="ignore"):
                return full(-lin_to_db(isd))

        def s_in_dbm():
            c2 = scaled_terms()[0] if scaled else comp2
            with np.errstate(divide="ignore"):
                return pin + lin_to_db(c2)

        def iip3_dbm():
            if tone:
                return full(tone_iip3_dbm(tx, self.fiber, rf, length))
            with np.errstate(divide="ignore"):
                iip3 = base_iip3 - lin_to_db(h_pre2)
            return full(iip3 - scaled_terms()[2] if scaled else iip3)

        with np.errstate(divide="ignore"):
            out |= {
                "thermal_noise_dbm_hz": full(_dbm(pd.thermal_noise_w_per_hz)),
                "dark_noise_dbm_hz": full(_dbm(dark)),
                "ase_ase_noise_dbm_hz": full(_dbm(asase)),
                "sir_db": full(-lin_to_db(xt) if xt > 0 else math.inf),
                "received_optical_power_dbm": full(_dbm(p_pd)),
                "photocurrent_a": full(i_dc),
                "latency_s": full(length * 1e3 * self.fiber.group_index / C_M_PER_S),
            }
            terms = {
                "two_kt0_dbm": float(_dbm(2.0 * kt0)),
                "kt0_dbm": float(_dbm(kt0)),
                "shot_db_l": _dbm(shot),
                "rin_l": lin["rin_l"],
                "theta_l": lin["theta_l"],
                "f_hz": rf,
                "rin_weights": (params["rin_flat"], params["rin_faded"], linewidth, rin_lin),
                "sase_db_l": _dbm(sase),
                "hpd_db_f": lin_to_db(hpd),
                "s_in_dbm": s_in_dbm,
                "sdr_db": sdr_db,
                "iip3_dbm": iip3_dbm,
                "bw_db": lin_to_db(bw),
            }
        return LinkBudget(**out, terms=terms)

    def simulate(self, waveform, rng):
        """Send a waveform through the link sample by sample; see :mod:`rof.link.waveform`."""
        from rof.link.waveform import simulate_link

        return simulate_link(self, waveform, rng)


def _scalar(a):
    return a[()] if a.ndim == 0 else a
