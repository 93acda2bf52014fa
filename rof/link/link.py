"""The analog radio-over-fiber link: transmitter, fiber, optional EDFA, photodiode."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_choice, check_range
from rof.errors import ParameterError
from rof.link.budget import LinkBudget, ofdm_distortion
from rof.link.kernels import FIELDS, INPUTS, budget_grid_numba, budget_grid_numpy
from rof.photonics.amplifier import EDFA
from rof.photonics.fiber import Fiber, theta_per_hz2
from rof.photonics.photodiode import Photodiode
from rof.photonics.protocols import Transmitter
from rof.units import C_M_PER_S, K_B_J_PER_K, Q_C, T0_K, db_to_lin, dbm_to_w, lin_to_db

__all__ = ["RoFLink"]


def _dbm(x):
    return lin_to_db(x) + 30.0


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

    def iip3_dbm(self) -> float:
        """Two-tone input IP3 from the transmitter's Taylor coefficients, dBm.

        Equal-amplitude tones of amplitude :math:`A` give fundamentals :math:`a_1 A` and
        IMD3 products :math:`\\tfrac34 a_3 A^3`; they meet at
        :math:`A^2 = \\tfrac43 |a_1/a_3|`, i.e. per-tone available power
        :math:`P_{IIP3} = \\tfrac23 |a_1/a_3| / R_{in}` (Cox 2004, ch. 6). For a
        quadrature MZM this is :math:`4 V_\\pi^2/(\\pi^2 R_{in})`. Infinite if
        :math:`a_3 = 0` (a DML's linear L-I curve). The coefficients are the
        low-frequency ones, so the non-linearity is treated as preceding the
        frequency responses and OIP3 = IIP3 + gain(f).
        """
        a1, _, a3 = self.transmitter.taylor_w_per_vn()
        if a3 == 0.0:
            return math.inf
        p_w = (2.0 / 3.0) * abs(a1 / a3) / self.transmitter.input_impedance_ohm
        return 10.0 * math.log10(p_w) + 30.0

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
        transmitter; the phase uses the transmitter's wavelength with the fiber's
        :math:`D`, so give :math:`D` at that wavelength). The output noise density (W/Hz) is

        .. math::

            N_{out} = 2 g k T_0 + k T_{pd} + \\frac{R_L}{4}|H_{pd}|^2\\big(2q(I + I_d)
            + \\mathrm{RIN}\\,I_s^2 (1 + X) + S_{s\\text{-}sp} + S_{sp\\text{-}sp}\\big),

        where :math:`2gkT_0` is the source and input-termination noise, :math:`kT_{pd}`
        the matched load's, :math:`I` the mean photocurrent (signal, crosstalk channels
        and ASE), :math:`X = \\sum x_c^2` and the beat terms are those of
        :class:`rof.photonics.EDFA`. :math:`NF = N_{out}/(g k T_0)`; a thermal-limited
        link therefore has :math:`NF = 2 + 1/g` (Cox 2004, ch. 5, resistive match).
        OFDM distortion comes from :func:`rof.link.budget.ofdm_distortion` (it depends
        on the drive only and scales with the same frequency response as the signal);
        crosstalk adds interference :math:`X` times signal-plus-distortion.

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
        rin = float(db_to_lin(tx.rin_db_per_hz)) * i_sig**2 * (1.0 + xt) * quarter_rl
        sase = 4.0 * resp**2 * p_pd * (1.0 + xs) * rho * quarter_rl
        lin = {
            "theta_l": theta_per_hz2(length, self.fiber.dispersion_ps_per_nm_km, tx.wavelength_nm),
            "gain_l": (resp * t_opt) ** 2 * r_s * r_l / 4.0,
            "noise_l": shot + rin + sase,
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
        # --- drive-dependent factors (computed once per distinct drive level) ------
        levels, inverse = np.unique(pin, return_inverse=True)
        comp2, inv_sdr = ofdm_distortion(tx, dbm_to_w(levels))
        comp2, inv_sdr = comp2[inverse].reshape(pin.shape), inv_sdr[inverse].reshape(pin.shape)
        lin |= {"s_in_w": dbm_to_w(pin) * comp2, "inv_sdr": inv_sdr, "bw_hz": bw}
        kt0 = K_B_J_PER_K * T0_K
        params = {
            "alpha": float(tx.chirp_alpha),
            "kt0": kt0,
            "kt_pd": pd.thermal_noise_w_per_hz,
            "xt": xt,
        }
        inputs = {k: np.asarray(lin[k], dtype=float) for k in INPUTS}  # own shapes
        kernel = budget_grid_numba if engine == "numba" else budget_grid_numpy
        stack = kernel(inputs, params)

        def full(x):
            return _scalar(np.broadcast_to(np.asarray(x, dtype=float), shape))

        out = {name: _scalar(stack[k].reshape(shape)) for k, name in enumerate(FIELDS)}
        with np.errstate(divide="ignore"):
            out |= {
                "thermal_noise_dbm_hz": full(_dbm(pd.thermal_noise_w_per_hz)),
                "dark_noise_dbm_hz": full(_dbm(dark)),
                "ase_ase_noise_dbm_hz": full(_dbm(asase)),
                "sdr_db": full(-lin_to_db(inv_sdr)),
                "sir_db": full(-lin_to_db(xt) if xt > 0 else math.inf),
                "iip3_dbm": full(self.iip3_dbm()),
                "received_optical_power_dbm": full(_dbm(p_pd)),
                "photocurrent_a": full(i_dc),
                "latency_s": full(length * 1e3 * self.fiber.group_index / C_M_PER_S),
            }
            terms = {
                "two_kt0_dbm": float(_dbm(2.0 * kt0)),
                "kt0_dbm": float(_dbm(kt0)),
                "shot_db_l": _dbm(shot),
                "rin_db_l": _dbm(rin),
                "sase_db_l": _dbm(sase),
                "hpd_db_f": lin_to_db(hpd),
                "s_in_dbm": pin + lin_to_db(comp2),
                "bw_db": lin_to_db(bw),
            }
        return LinkBudget(**out, terms=terms)

    def simulate(self, waveform, rng):
        """Send a waveform through the link sample by sample; see :mod:`rof.link.waveform`."""
        from rof.link.waveform import simulate_link

        return simulate_link(self, waveform, rng)


def _scalar(a):
    return a[()] if a.ndim == 0 else a
