"""Rate-equation constants of a directly modulated laser, fitted to its datasheet figures.

:func:`rate_constants` turns a :class:`rof.photonics.DirectLaser` (threshold, bias,
slope efficiency, relaxation frequency, damping, RIN, optional adiabatic-chirp corner)
into the constants of the single-mode rate equations of
:mod:`rof.photonics.timedomain.laser` (:class:`RateConstants`); :func:`jacobian` is
their analytic linearisation, from which follow the small-signal chirp
(:func:`chirp_response`), the RIN (:func:`rin_linearised`) and the RIN a detector sees
behind dispersive fiber (:func:`rin_dispersion_factor`). Sources: Coldren, Corzine &
Mašanović, *Diode Lasers and Photonic Integrated Circuits*, 2nd ed., Wiley 2012, ch. 2
and 5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from rof._validate import check_range
from rof.errors import ParameterError
from rof.units import Q_C, db_to_lin

__all__ = [
    "RateConstants",
    "chirp_response",
    "jacobian",
    "rate_constants",
    "rin_dispersion_factor",
    "rin_linearised",
    "rin_sampled",
]


@dataclass(frozen=True)
class RateConstants:
    """Rate-equation constants derived from a :class:`~rof.photonics.DirectLaser`.

    Not user parameters: :func:`rate_constants` computes them. Numbers, not densities.
    """

    tau_p_s: float
    tau_n_s: float
    beta: float
    g_n_per_s: float
    n0: float
    epsilon: float
    alpha: float
    k_w: float
    noise_scale: float
    n_bias: float
    s_bias: float

    @property
    def n_th(self) -> float:
        """Carrier number at threshold (gain equals loss)."""
        return self.n0 + 1.0 / (self.tau_p_s * self.g_n_per_s)

    def as_tuple(self):
        """Kernel argument tuple ``(tau_p, tau_n, beta, g_n, n0, eps, alpha, k, n_ref, s_ref)``.

        ``(n_ref, s_ref)`` is the bias point: the reference of the Langevin kicks'
        state scaling (:func:`kick_scales`), and ``n_ref`` that of the phase. With gain
        compression :math:`N_{bias} > N_{th}`, and referencing the phase to
        :math:`N_{th}` would leave the field a constant adiabatic frequency offset
        :math:`\\frac{\\alpha}{4\\pi} G_N (N_{bias}-N_{th})` (several GHz) that aliases
        on the simulation grid; ``wavelength_nm`` is the emission at bias, so
        frequencies are measured from there (a constant shift of the optical carrier
        changes no detected quantity).
        """
        return (
            self.tau_p_s,
            self.tau_n_s,
            self.beta,
            self.g_n_per_s,
            self.n0,
            self.epsilon,
            self.alpha,
            self.k_w,
            self.n_bias,
            self.s_bias,
        )


def _steady(i_a, tau_p, tau_n, beta, g_n, n0, eps):
    """Steady state (N, S) at current ``i_a``."""

    def n_of_s(s):
        c = 1.0 + eps * s
        return (g_n * n0 + c / tau_p) / (g_n + c * beta / (tau_n * s))

    def resid(s):
        n = n_of_s(s)
        return n / tau_n + s / tau_p - beta * n / tau_n - i_a / Q_C

    s_hi = 10.0 * i_a * tau_p / Q_C + 10.0
    s = optimize.brentq(resid, 1e-12, s_hi, xtol=1e-14, rtol=1e-14)
    return n_of_s(s), s


def jacobian(n, s, tau_p, tau_n, beta, g_n, n0, eps):
    """Analytic Jacobian ``(a11, a12, a21, a22)`` of the carrier and photon equations.

    :math:`a_{11} = \\partial\\dot N/\\partial N`, :math:`a_{12} = \\partial\\dot
    N/\\partial S`, :math:`a_{21} = \\partial\\dot S/\\partial N`, :math:`a_{22} =
    \\partial\\dot S/\\partial S` of the equations of :mod:`rof.photonics.timedomain.laser`
    at (N, S), 1/s (Coldren et al. 2012, ch. 5, small-signal analysis).
    """
    c = 1.0 + eps * s
    g = g_n * (n - n0)
    a11 = -1.0 / tau_n - g_n * s / c
    a12 = -g / (c * c)
    a21 = g_n * s / c + beta / tau_n
    a22 = g / (c * c) - 1.0 / tau_p
    return a11, a12, a21, a22


def rin_linearised(rc: RateConstants, f_hz) -> np.ndarray:
    """One-sided RIN of the linearised Langevin model, 1/Hz (Coldren et al. ch. 5).

    .. math:: \\mathrm{RIN}(\\omega) = \\frac{2}{S_0^2}\\,\\frac{(\\omega^2 + a_{11}^2) D_{SS}
              + a_{21}^2 D_{NN} - 2a_{11}a_{21}D_{SN}}{|(j\\omega - a_{11})(j\\omega - a_{22})
              - a_{12}a_{21}|^2}
    """
    n, s = rc.n_bias, rc.s_bias
    a11, a12, a21, a22 = jacobian(
        n, s, rc.tau_p_s, rc.tau_n_s, rc.beta, rc.g_n_per_s, rc.n0, rc.epsilon
    )
    rsp = rc.beta * n / rc.tau_n_s
    d_ss, d_nn, d_sn = 2 * rsp * s, 2 * rsp * s + 2 * n / rc.tau_n_s, -2 * rsp * s
    w = 2 * np.pi * np.asarray(f_hz, dtype=float)
    num = (w**2 + a11**2) * d_ss + a21**2 * d_nn - 2 * a11 * a21 * d_sn
    den = np.abs((1j * w - a11) * (1j * w - a22) - a12 * a21) ** 2
    return rc.noise_scale * 2.0 * num / den / s**2


def _fit_with_corner(laser, tau_p0, tau_n, beta, n_th, corner_hz):
    """Fit :math:`G_N`, :math:`\\epsilon` and :math:`\\tau_p` to :math:`f_r`, :math:`\\gamma`
    and the adiabatic-chirp corner :math:`-a_{22}/2\\pi` (see :func:`chirp_response`)."""
    i_th = laser.threshold_current_ma * 1e-3
    i_b = laser.bias_current_ma * 1e-3
    w_r = 2 * math.pi * laser.relaxation_frequency_hz
    gam = laser.damping_rate_per_s
    w_c = 2 * math.pi * corner_hz

    def unpack(x):
        tau_p = math.exp(x[2])
        g_n, eps = math.exp(x[0]), x[1] / (tau_p * (i_b - i_th) / Q_C)
        return tau_p, g_n, eps, n_th - 1.0 / (tau_p * g_n)

    def model(x):
        tau_p, g_n, eps, n0 = unpack(x)
        n, s = _steady(i_b, tau_p, tau_n, beta, g_n, n0, eps)
        a11, a12, a21, a22 = jacobian(n, s, tau_p, tau_n, beta, g_n, n0, eps)
        return np.array(
            [
                math.sqrt(a11 * a22 - a12 * a21) / w_r - 1.0,
                -(a11 + a22) / gam - 1.0,
                -a22 / w_c - 1.0,
            ]
        )

    s0 = tau_p0 * (i_b - i_th) / Q_C
    x0 = [math.log(w_r**2 * tau_p0 / s0), 0.05, math.log(tau_p0)]
    sol = optimize.least_squares(
        model,
        x0,
        bounds=([-50, 0.0, math.log(1e-15)], [80, 5.0, math.log(1e-9)]),
        xtol=1e-14,
        ftol=1e-14,
    )
    if np.max(np.abs(sol.fun)) > 1e-6:
        raise ParameterError(
            f"DirectLaser.adiabatic_corner_hz = {corner_hz!r} cannot be reached by the rate "
            f"equations with f_r = {laser.relaxation_frequency_hz:g} Hz and damping "
            f"{gam:g} 1/s; allowed: a smaller corner (or more damping)"
        )
    tau_p, g_n, eps, _ = unpack(sol.x)
    return tau_p, g_n, eps


def chirp_response(rc: RateConstants) -> tuple[float, float]:
    """Small-signal chirp of the linearised rate equations: ``(alpha_t, corner_hz)``.

    From :math:`j\\omega\\,\\delta S = a_{21}\\delta N + a_{22}\\delta S` and
    :math:`\\dot\\phi = -\\tfrac{\\alpha}{2} G_N (N - N_{th})`, the phase per relative
    power modulation :math:`m = \\delta S/S_0` is

    .. math:: \\frac{\\delta\\phi}{m} = -\\frac{\\alpha_t}{2}\\Big(1 +
              \\frac{\\omega_c}{j\\omega}\\Big), \\qquad
              \\alpha_t = \\alpha\\,\\frac{G_N S_0}{a_{21}}, \\qquad \\omega_c = -a_{22},

    i.e. transient chirp :math:`\\frac{\\alpha_t}{4\\pi}\\frac{d\\ln P}{dt}` plus adiabatic
    chirp :math:`\\frac{\\alpha_t}{4\\pi}\\omega_c\\,\\delta P/P_0` (Koch & Bowers,
    Electron. Lett. 20(25/26), 1038-1040, 1984; :math:`\\omega_c \\approx \\epsilon S_0/\\tau_p`,
    the gain-compression term, Agrawal & Dutta 1993, ch. 6). Exact for this model, with
    :math:`a_{ij}` its Jacobian at the bias point.
    """
    _, _, a21, a22 = jacobian(
        rc.n_bias, rc.s_bias, rc.tau_p_s, rc.tau_n_s, rc.beta, rc.g_n_per_s, rc.n0, rc.epsilon
    )
    return rc.alpha * rc.g_n_per_s * rc.s_bias / a21, -a22 / (2.0 * math.pi)


def rate_constants(
    laser,
    *,
    photon_lifetime_s: float = 2e-12,
    carrier_lifetime_s: float = 1e-9,
    spontaneous_coupling: float = 1e-4,
    rin_reference_hz: float = 1e9,
    sample_rate_hz: float | None = None,
) -> RateConstants:
    """Fit rate-equation constants to a :class:`~rof.photonics.DirectLaser`.

    Parameters
    ----------
    laser : rof.photonics.DirectLaser
        Uses bias and threshold current, slope efficiency (through the mean power),
        chirp_alpha, relaxation_frequency_hz, damping_rate_per_s and rin_db_per_hz.
    photon_lifetime_s, carrier_lifetime_s : float
        :math:`\\tau_p` and :math:`\\tau_n`, s. If the damping rate is below what
        :math:`\\tau_p` allows with :math:`\\epsilon = 0`, a shorter :math:`\\tau_p` is used.
        If the laser gives ``adiabatic_corner_hz``, :math:`\\tau_p` is fitted too (starting
        from ``photon_lifetime_s``) so that the adiabatic-chirp corner
        :math:`-a_{22}/2\\pi` (:func:`chirp_response`) equals it.
    spontaneous_coupling : float
        :math:`\\beta`, fraction of spontaneous emission into the lasing mode.
    rin_reference_hz : float
        Frequency at which the model's RIN is set to ``laser.rin_db_per_hz``, Hz.
    sample_rate_hz : float, optional
        If given, the RIN matched is that of the point-sampled model
        (:func:`rin_sampled`, noise above Nyquist folded in), which is what the kernels
        show at that rate with white draws; :func:`dml_field` uses band-limited draws
        (:func:`langevin_draws`) and leaves it out.
    """
    tau_p = check_range("rate_constants.photon_lifetime_s", photon_lifetime_s, 0.0, lo_open=True)
    tau_n = check_range("rate_constants.carrier_lifetime_s", carrier_lifetime_s, 0.0, lo_open=True)
    beta = check_range(
        "rate_constants.spontaneous_coupling", spontaneous_coupling, 0.0, 0.1, lo_open=True
    )
    i_th = laser.threshold_current_ma * 1e-3
    i_b = laser.bias_current_ma * 1e-3
    w_r = 2 * math.pi * laser.relaxation_frequency_hz
    gam = laser.damping_rate_per_s
    n_th = i_th * tau_n / Q_C

    corner = getattr(laser, "adiabatic_corner_hz", None)
    if corner is not None:
        tau_p, g_n, eps = _fit_with_corner(laser, tau_p, tau_n, beta, n_th, corner)
    else:
        for _ in range(40):
            s_guess = tau_p * (i_b - i_th) / Q_C

            def model(x, tau_p=tau_p, s_guess=s_guess):
                g_n, eps = math.exp(x[0]), x[1] / s_guess
                n0 = n_th - 1.0 / (tau_p * g_n)
                n, s = _steady(i_b, tau_p, tau_n, beta, g_n, n0, eps)
                a11, a12, a21, a22 = jacobian(n, s, tau_p, tau_n, beta, g_n, n0, eps)
                return np.array(
                    [math.sqrt(a11 * a22 - a12 * a21) / w_r - 1.0, -(a11 + a22) / gam - 1.0]
                )

            x0 = [math.log(w_r**2 * tau_p / s_guess), 0.0]
            sol = optimize.least_squares(
                model, x0, bounds=([-50, 0.0], [80, 5.0]), xtol=1e-14, ftol=1e-14
            )
            if np.max(np.abs(sol.fun)) < 1e-6:
                break
            tau_p *= 0.7
        else:
            raise ParameterError(
                f"DirectLaser.damping_rate_per_s = {gam!r} cannot be reached by the rate equations "
                f"at f_r = {laser.relaxation_frequency_hz:g} Hz; allowed: larger damping"
            )
        g_n, eps = math.exp(sol.x[0]), sol.x[1] / s_guess
    n0 = n_th - 1.0 / (tau_p * g_n)
    n, s = _steady(i_b, tau_p, tau_n, beta, g_n, n0, eps)
    k = laser.mean_power_w() / s
    rc = RateConstants(tau_p, tau_n, beta, g_n, n0, eps, laser.chirp_alpha, k, 1.0, n, s)
    if sample_rate_hz is None:
        rin0 = float(rin_linearised(rc, rin_reference_hz))
    else:
        rin0 = float(rin_sampled(rc, rin_reference_hz, sample_rate_hz))
    scale = float(db_to_lin(laser.rin_db_per_hz)) / rin0
    return RateConstants(tau_p, tau_n, beta, g_n, n0, eps, laser.chirp_alpha, k, scale, n, s)


def rin_dispersion_factor(rc: RateConstants, rf_hz, theta) -> np.ndarray:
    """Factor by which a dispersive fiber changes the RIN a detector sees, linear.

    :math:`\\mathrm{RIN}_{det}(f, \\theta)/\\mathrm{RIN}_{det}(f, 0)` of the model below,
    so that the laser's RIN at the signal frequency stays the reference.

    The Langevin forces of the single-mode rate equations
    (:mod:`rof.photonics.timedomain.laser`) move photon number and phase together:
    with :math:`G = (j\\omega - J)^{-1}` of the linearised carrier and photon
    equations, :math:`\\delta S = G_{21}F_N + G_{22}F_S`,
    :math:`\\delta\\phi = (-\\tfrac{\\alpha}{2}G_N\\delta N + F_\\phi)/(j\\omega)`, and
    a fiber of dispersion phase :math:`\\theta` turns them into the detected
    fluctuation :math:`\\delta I/I_0 = \\cos\\theta\\,\\delta S/S_0
    + 2\\sin\\theta\\,\\delta\\phi` (small-signal PM-to-IM conversion, Wang &
    Petermann, J. Lightwave Technol. 10(1), 96-100, 1992; the same transfer that
    gives :meth:`rof.photonics.Fiber.power_fading` for the signal). So

    .. math:: \\mathrm{RIN}_{det} = 2\\big(|u_N|^2 D_{NN} + |u_S|^2 D_{SS}
              + 2\\,\\mathrm{Re}(u_N u_S^*) D_{SN} + \\tfrac{4\\sin^2\\theta}{\\omega^2}
              D_{\\phi\\phi}\\big),

    :math:`u_N = \\cos\\theta\\,G_{21}/S_0 - \\sin\\theta\\,\\alpha G_N G_{11}/(j\\omega)`,
    :math:`u_S` likewise with :math:`G_{22}, G_{12}`, and the diffusion
    coefficients of Coldren et al. (2012) ch. 5. Where dispersion fades
    the signal, the carrier-driven part of the RIN fades with it, and the phase
    diffusion (the Schawlow-Townes part of the linewidth) adds
    :math:`4\\sin^2\\theta\\,\\Delta\\nu_{ST}/(\\pi f^2)`.

    Parameters
    ----------
    rf_hz : array_like
        Frequency, Hz (> 0).
    theta : array_like
        Dispersion phase :math:`\\pi L D\\lambda^2 f^2/c`, rad (broadcasts with ``rf_hz``).
    """
    n, s = rc.n_bias, rc.s_bias
    a11, a12, a21, a22 = jacobian(
        n, s, rc.tau_p_s, rc.tau_n_s, rc.beta, rc.g_n_per_s, rc.n0, rc.epsilon
    )
    w = 2.0 * np.pi * np.asarray(rf_hz, dtype=float)
    th = np.asarray(theta, dtype=float)
    jw = 1j * w
    det = (jw - a11) * (jw - a22) - a12 * a21
    g11, g12, g21, g22 = (jw - a22) / det, a12 / det, a21 / det, (jw - a11) / det
    c, sn = np.cos(th), np.sin(th)
    # Phase convention of the kernel: dphi/dt = -(alpha/2) G_N dN; the fiber's
    # theta here is the positive pi L D lambda^2 f^2 / c (beta_2 w^2 L/2 = -theta).
    k = 0.5 * rc.alpha * rc.g_n_per_s / jw
    u_n = c * g21 / s - 2.0 * sn * k * g11
    u_s = c * g22 / s - 2.0 * sn * k * g12
    rsp = rc.beta * n / rc.tau_n_s
    d_ss, d_nn, d_sn = 2 * rsp * s, 2 * rsp * s + 2 * n / rc.tau_n_s, -2 * rsp * s
    d_pp = rsp / (2.0 * s)
    var = (
        np.abs(u_n) ** 2 * d_nn
        + np.abs(u_s) ** 2 * d_ss
        + 2.0 * np.real(u_n * np.conj(u_s)) * d_sn
        + 4.0 * sn * sn / (w * w) * d_pp
    )
    b2b = (
        np.abs(g21 / s) ** 2 * d_nn
        + np.abs(g22 / s) ** 2 * d_ss
        + 2.0 * np.real(g21 * np.conj(g22)) / (s * s) * d_sn
    )
    return var / b2b


def rin_sampled(rc: RateConstants, f_hz, sample_rate_hz: float, n_alias: int = 200) -> np.ndarray:
    r"""RIN of the model sampled at ``sample_rate_hz``: :func:`rin_linearised` folded, 1/Hz.

    .. math:: \mathrm{RIN}_s(f) = \sum_{k} \mathrm{RIN}(|f + k f_s|)/2 \text{ over } k \in
              [-K, K] \text{ (one-sided spectra fold into } [0, f_s/2]).
    """
    f = np.asarray(f_hz, dtype=float)[..., None]
    k = np.arange(-n_alias, n_alias + 1)
    return np.sum(rin_linearised(rc, np.abs(f + k * sample_rate_hz)), axis=-1)
