"""Launch-power limits of a fiber: stimulated Brillouin scattering and Rayleigh backscatter.

Stimulated Brillouin scattering (SBS)
    A narrow optical line above the threshold (Smith, "Optical power handling capacity
    of low loss optical fibers as determined by stimulated Raman and Brillouin
    scattering", Appl. Opt. 11(11), 2489-2494, 1972)

    .. math:: P_{th} = 21\\,\\frac{A_{eff}}{g_B L_{eff}}, \\qquad
              L_{eff} = \\frac{1 - e^{-\\alpha L}}{\\alpha}

    sends its power back as a Stokes wave. A source line of Lorentzian width
    :math:`\\Delta\\nu_s` sees the gain :math:`g_B\\,\\Delta\\nu_B/(\\Delta\\nu_B +
    \\Delta\\nu_s)` (Cotter, "Stimulated Brillouin scattering in monomode optical
    fiber", J. Opt. Commun. 4(1), 10-19, 1983), and a modulated carrier spreads its power
    over lines farther apart than :math:`\\Delta\\nu_B`, of which the carrier, holding
    the fraction :math:`\\kappa` of the power, reaches threshold first: the threshold of
    the launched power is :math:`P_{th}/\\kappa` (Aoki, Tajima & Mito, "Input power
    limits of single-mode optical fibers due to stimulated Brillouin scattering in
    optical communication systems", J. Lightwave Technol. 6(5), 710-719, 1988).
    Beyond threshold the carrier is depleted: :meth:`Brillouin.transmitted_w` solves the
    steady-state coupled pump/Stokes equations with loss (Agrawal, *Nonlinear Fiber
    Optics*, 6th ed., 2019, eqs. 9.2.1-9.2.2)

    .. math:: \\frac{dP_p}{dz} = -\\frac{g}{A_{eff}}P_pP_s - \\alpha P_p,\\qquad
              \\frac{dP_s}{dz} = -\\frac{g}{A_{eff}}P_pP_s + \\alpha P_s,

    seeded at the far end by the spontaneous Stokes power that makes Smith's criterion
    (backscattered = transmitted power at :math:`g P L_{eff}/A_{eff} = 21` in the
    undepleted limit, :math:`P_s(0) = P_s(L)e^{G - \\alpha L} = P_{th}e^{-\\alpha L}`)
    hold, :math:`P_{s}(L) = P_{th} e^{-21}`.

Rayleigh backscatter (bidirectional links on one fiber)
    The mean backscattered fraction of a launched power (Gysel & Staubli, "Statistical
    properties of Rayleigh backscattering in single-mode fibers", J. Lightwave Technol.
    8(4), 561-567, 1990) is

    .. math:: B = S\\,\\alpha_s\\,\\frac{1 - e^{-2\\alpha L}}{2\\alpha},

    :math:`S` the capture fraction, :math:`\\alpha_s` the Rayleigh scattering
    coefficient; light scattered twice (back, then forward again at :math:`z_1 < z_2`)
    reaches the far end with the fraction
    :math:`\\iint (S\\alpha_s)^2 e^{-2\\alpha(z_2 - z_1)} = (S\\alpha_s/2\\alpha)^2
    (2\\alpha L - 1 + e^{-2\\alpha L})` of the transmitted signal (double Rayleigh).
    Either beats with the signal at the photodiode; far beyond the coherence length the
    beat is incoherent and its one-sided photocurrent density is the Lorentzian of the
    summed linewidths (Gimlett & Cheung, "Effects of phase-to-intensity noise
    conversion by multiple reflections on gigabit-per-second DFB laser transmission
    systems", J. Lightwave Technol. 7(6), 888-895, 1989):
    :func:`beat_noise_a2_per_hz`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rof._validate import check_range

__all__ = [
    "Brillouin",
    "Rayleigh",
    "beat_noise_a2_per_hz",
    "carrier_fraction",
    "effective_length_m",
]

#: Smith's (1972) threshold gain :math:`g_B P_{th} L_{eff}/A_{eff}`.
SMITH_GAIN = 21.0


def _alpha_per_m(fiber) -> float:
    return fiber.attenuation_db_per_km * math.log(10.0) / 10.0 / 1e3


def effective_length_m(fiber) -> float:
    """:math:`L_{eff} = (1 - e^{-\\alpha L})/\\alpha` (:math:`L` without loss), m."""
    a, length = _alpha_per_m(fiber), fiber.length_km * 1e3
    return length if a == 0.0 else -math.expm1(-a * length) / a


def carrier_fraction(field) -> float:
    """Share of a sampled field's power in its carrier line, :math:`|\\langle E\\rangle|^2
    / \\langle |E|^2\\rangle` (for a Gaussian phase modulation of variance
    :math:`\\sigma^2`, :math:`e^{-\\sigma^2}`; a tone of index :math:`m`,
    :math:`J_0^2(m)`)."""
    e = np.asarray(field)
    return float(abs(e.mean()) ** 2 / np.mean(np.abs(e) ** 2))


@dataclass(frozen=True)
class Brillouin:
    """Stimulated Brillouin scattering of a standard single-mode fiber.

    Parameters
    ----------
    gain_m_per_w : float
        Peak Brillouin gain :math:`g_B`, m/W (> 0; silica about 5e-11, Agrawal NLFO
        section 9.1.2).
    linewidth_hz : float
        Brillouin gain bandwidth :math:`\\Delta\\nu_B` (FWHM), Hz (> 0; about 20 MHz
        at 1550 nm).
    effective_area_um2 : float
        Effective mode area :math:`A_{eff}`, um^2 (> 0; SMF-28 about 80).
    shift_hz : float
        Brillouin frequency shift of the Stokes wave below the pump, Hz (> 0; about
        10.8 GHz at 1550 nm).
    """

    gain_m_per_w: float = 5e-11
    linewidth_hz: float = 20e6
    effective_area_um2: float = 80.0
    shift_hz: float = 10.8e9

    def __post_init__(self):
        check_range("Brillouin.gain_m_per_w", self.gain_m_per_w, 0.0, 1e-8, lo_open=True)
        check_range("Brillouin.linewidth_hz", self.linewidth_hz, 0.0, 1e10, lo_open=True)
        check_range("Brillouin.effective_area_um2", self.effective_area_um2, 0.0, 1e4, lo_open=True)
        check_range("Brillouin.shift_hz", self.shift_hz, 0.0, 1e11, lo_open=True)

    def effective_gain_m_per_w(self, source_linewidth_hz: float = 0.0) -> float:
        """Gain seen by a Lorentzian line of width ``source_linewidth_hz`` (Cotter 1983)."""
        check_range("Brillouin source_linewidth_hz", source_linewidth_hz, 0.0)
        return self.gain_m_per_w * self.linewidth_hz / (self.linewidth_hz + source_linewidth_hz)

    def threshold_w(self, fiber, source_linewidth_hz: float = 0.0, carrier: float = 1.0) -> float:
        """Launched-power threshold :math:`21 A_{eff}/(g_{eff} L_{eff} \\kappa)`, W.

        ``carrier`` is :math:`\\kappa`, the carrier line's share of the launched power
        (1 for CW; see :func:`carrier_fraction`), ``source_linewidth_hz`` the laser's
        linewidth (Smith 1972; Cotter 1983; Aoki et al. 1988).
        """
        kappa = check_range("Brillouin carrier", carrier, 0.0, 1.0, lo_open=True)
        a_eff = self.effective_area_um2 * 1e-12
        g = self.effective_gain_m_per_w(source_linewidth_hz)
        return SMITH_GAIN * a_eff / (g * effective_length_m(fiber) * kappa)

    def transmitted_w(
        self, fiber, launch_w, source_linewidth_hz: float = 0.0, carrier: float = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Carrier power transmitted and Stokes power sent back, W, per launched power.

        Solves the coupled equations of the module docstring for the carrier line
        (:math:`\\kappa P`) by shooting on :math:`\\ln P_s(0)` (bisection, 1e-12
        relative), seeded at :math:`P_s(L) = P_{th,line} e^{-21}`.

        Returns
        -------
        carrier_out_w, stokes_back_w : ndarray
            Carrier power at the fiber end and Stokes power at its input, shape of
            ``launch_w``.
        """
        from scipy.integrate import solve_ivp

        p = np.atleast_1d(np.asarray(launch_w, dtype=float))
        check_range("Brillouin launch_w", p, 0.0)
        kappa = check_range("Brillouin carrier", carrier, 0.0, 1.0, lo_open=True)
        a = _alpha_per_m(fiber)
        length = fiber.length_km * 1e3
        ga = self.effective_gain_m_per_w(source_linewidth_hz) / (self.effective_area_um2 * 1e-12)
        p_th_line = self.threshold_w(fiber, source_linewidth_hz) if length > 0 else math.inf
        seed = p_th_line * math.exp(-SMITH_GAIN)
        out = np.empty_like(p)
        back = np.empty_like(p)

        def rhs(_z, y):
            pp, ps = math.exp(y[0]), math.exp(y[1])
            return [-ga * ps - a, -ga * pp + a]

        for k, pk in enumerate(p * kappa):
            if length == 0.0 or pk == 0.0:
                out[k], back[k] = pk, 0.0
                continue

            def end(ln_ps0, pk=pk):
                sol = solve_ivp(rhs, (0.0, length), [math.log(pk), ln_ps0], rtol=1e-10, atol=1e-12)
                return sol.y[0, -1], sol.y[1, -1]

            lo, hi = math.log(seed) - a * length - 1.0, math.log(pk)  # seed e^{-aL} < Ps(0) < P
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                if end(mid)[1] > math.log(seed):
                    hi = mid
                else:
                    lo = mid
                if hi - lo < 1e-12:
                    break
            ln_pp, _ = end(0.5 * (lo + hi))
            out[k], back[k] = math.exp(ln_pp), math.exp(0.5 * (lo + hi))
        shape = np.shape(launch_w)
        return out.reshape(shape), back.reshape(shape)


@dataclass(frozen=True)
class Rayleigh:
    """Rayleigh backscatter of a fiber (Gysel & Staubli 1990).

    Parameters
    ----------
    capture_fraction : float
        :math:`S`, share of the scattered light guided backwards (0 to 0.1; standard
        SMF about 1.5e-3).
    scattering_db_per_km : float
        Rayleigh scattering loss :math:`\\alpha_s`, dB/km (0 to 10; about 0.15 at 1550 nm,
        part of the fiber's attenuation).
    """

    capture_fraction: float = 1.5e-3
    scattering_db_per_km: float = 0.15

    def __post_init__(self):
        check_range("Rayleigh.capture_fraction", self.capture_fraction, 0.0, 0.1)
        check_range("Rayleigh.scattering_db_per_km", self.scattering_db_per_km, 0.0, 10.0)

    def _s_alpha(self) -> float:
        return self.capture_fraction * self.scattering_db_per_km * math.log(10.0) / 10.0 / 1e3

    def backscatter_fraction(self, fiber, length_km=None) -> np.ndarray:
        """:math:`B = S\\alpha_s(1 - e^{-2\\alpha L})/(2\\alpha)`, linear."""
        a = _alpha_per_m(fiber)
        length = np.asarray(fiber.length_km if length_km is None else length_km, float) * 1e3
        if a == 0.0:
            return self._s_alpha() * length
        return self._s_alpha() * -np.expm1(-2.0 * a * length) / (2.0 * a)

    def double_fraction(self, fiber, length_km=None) -> np.ndarray:
        """Double-Rayleigh power over the transmitted signal at the fiber end, linear:
        :math:`(S\\alpha_s/2\\alpha)^2(2\\alpha L - 1 + e^{-2\\alpha L})`."""
        a = _alpha_per_m(fiber)
        length = np.asarray(fiber.length_km if length_km is None else length_km, float) * 1e3
        if a == 0.0:
            return 0.5 * (self._s_alpha() * length) ** 2
        x = 2.0 * a * length
        return (self._s_alpha() / (2.0 * a)) ** 2 * (x + np.expm1(-x))


def beat_noise_a2_per_hz(
    responsivity_a_per_w, p_signal_w, p_scatter_w, linewidth_sum_hz, f_hz, offset_hz=0.0
):
    """One-sided photocurrent density of an incoherent signal-scatter beat, A^2/Hz.

    :math:`i = \\mathcal R(P_1 + P_2 + 2\\sqrt{P_1P_2}\\cos\\Delta\\phi)` with a phase
    difference that is a Wiener process of the summed linewidths
    :math:`\\Delta\\nu_\\Sigma` (delays far beyond the coherence time) has the one-sided
    density (Gimlett & Cheung 1989)

    .. math:: S_i(f) = 2\\mathcal R^2 P_1P_2\\,\\frac{1}{\\pi}\\Big[
              \\frac{\\Delta\\nu_\\Sigma/2}{(\\Delta\\nu_\\Sigma/2)^2 + (f - f_0)^2}
              + \\frac{\\Delta\\nu_\\Sigma/2}{(\\Delta\\nu_\\Sigma/2)^2 + (f + f_0)^2}\\Big],

    :math:`f_0` the optical frequency offset (``offset_hz``); it integrates to the beat's
    power :math:`2\\mathcal R^2 P_1 P_2`.
    """
    check_range("beat_noise linewidth_sum_hz", linewidth_sum_hz, 0.0, lo_open=True)
    h = 0.5 * linewidth_sum_hz
    f = np.asarray(f_hz, dtype=float)
    lor = h / (h * h + (f - offset_hz) ** 2) + h / (h * h + (f + offset_hz) ** 2)
    r = responsivity_a_per_w
    return 2.0 * r * r * np.asarray(p_signal_w) * np.asarray(p_scatter_w) * lor / math.pi
