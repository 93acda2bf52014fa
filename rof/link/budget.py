"""The link budget result and the in-band distortion of OFDM through a transmitter.

:class:`LinkBudget` holds every figure of :meth:`rof.link.RoFLink.budget`;
:func:`ofdm_distortion` evaluates the Bussgang gain and the in-band distortion of a
complex-Gaussian (OFDM) drive through a transmitter's AM/AM curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache, cached_property

import numpy as np

__all__ = [
    "EVM_LIMITS_PERCENT",
    "FIELD_NAMES",
    "MODULATIONS",
    "LinkBudget",
    "envelope_distortion",
    "inband_fraction",
    "laguerre_nodes",
    "max_modulation",
    "ofdm_distortion",
]

#: TS 38.104 (Rel-17) Table 6.5.2.2-1: base-station EVM requirements, percent.
EVM_LIMITS_PERCENT: dict[str, float] = {"QPSK": 17.5, "16QAM": 12.5, "64QAM": 8.0, "256QAM": 3.5}
#: Codes used by the kernels: 0 = none met, then increasing order.
MODULATIONS: tuple[str, ...] = ("none", "QPSK", "16QAM", "64QAM", "256QAM")

#: Gauss-Laguerre nodes for the Rayleigh-envelope expectations.
_N_NODES = 160
#: Highest Laguerre order kept explicitly; the remainder uses the next in-band fraction.
_K_MAX = 10


def max_modulation(evm_percent):
    """Highest NR modulation whose TS 38.104 EVM limit ``evm_percent`` meets (str array)."""
    evm = np.asarray(evm_percent, dtype=float)
    code = np.zeros(evm.shape, dtype=np.int8)
    for i, lim in enumerate(EVM_LIMITS_PERCENT.values(), start=1):
        code = np.where(evm <= lim, np.int8(i), code)
    out = np.asarray(MODULATIONS)[code]
    return str(out) if out.ndim == 0 else out


@cache
def inband_fraction(k: int) -> float:
    """Share of the order-``k`` distortion term's power inside the signal band.

    The term :math:`\\rho|\\rho|^{2k}` of the output autocorrelation has the
    :math:`(2k+1)`-fold self-convolution of the (flat, width B) signal spectrum as its
    spectrum, so its in-band share is :math:`P(|U_1 + \\dots + U_{2k+1}| < 1/2)` for
    independent :math:`U_i \\sim U(-1/2, 1/2)`, evaluated exactly from the Irwin-Hall
    distribution (k = 0: 1, k = 1: 2/3, k = 2: 11/20).
    """
    n = 2 * k + 1

    def cdf(x: Fraction) -> Fraction:
        total = Fraction(0)
        for j in range(math.floor(x) + 1):
            total += (-1) ** j * math.comb(n, j) * (x - j) ** n
        return total / math.factorial(n)

    half = Fraction(n, 2)
    return float(cdf(half + Fraction(1, 2)) - cdf(half - Fraction(1, 2)))


@cache
def laguerre_nodes():
    """Gauss-Laguerre nodes ``u``, weights ``w``, :math:`L_k^{(1)}(u)` and in-band shares.

    Shapes ``(n,)``, ``(n,)``, ``(K+1, n)`` and ``(K+2,)`` with n = 160, K = 10.
    """
    from scipy.special import eval_genlaguerre, roots_laguerre

    u, w = roots_laguerre(_N_NODES)
    lag = np.stack([eval_genlaguerre(k, 1, u) for k in range(_K_MAX + 1)])  # (K+1, n)
    frac = np.array([inband_fraction(k) for k in range(_K_MAX + 2)])
    return u, w, lag, frac


def envelope_distortion(f_nodes, omega, a1) -> tuple[np.ndarray, np.ndarray]:
    """Bussgang gain and in-band distortion of a complex-Gaussian envelope through ``f``.

    ``f_nodes`` holds the (complex: AM/AM and AM/PM) envelope response :math:`f(r)` at
    :math:`r = \\sqrt{\\Omega u_i}` for the Laguerre nodes :math:`u_i` of
    :func:`laguerre_nodes` (last axis), ``omega`` is :math:`\\Omega = E|x|^2` broadcasting
    against the other axes, ``a1`` the small-signal slope that ``compression_sq`` is
    relative to. The expansion is that of :func:`ofdm_distortion` with
    :math:`P_k = |m_k|^2/((k+1)\\Omega)` (Dardari, Tralli & Vaccari 2000, Sec. III, which
    allows a complex :math:`f`). Returns ``(|K/a1|^2, inv_sdr)``.
    """
    u, w, lag, frac = laguerre_nodes()
    f = np.asarray(f_nodes)
    om = np.asarray(omega, dtype=float)
    r = np.sqrt(om[..., None] * u)
    m = np.einsum("...n,kn->...k", f * r * w, lag)  # m_k, W V
    order = np.arange(_K_MAX + 1)
    pk = np.abs(m) ** 2 / ((order + 1.0) * om[..., None])
    total = np.sum(w * np.abs(f) ** 2, axis=-1)
    rest = np.maximum(total - np.sum(pk, axis=-1), 0.0)
    signal = pk[..., 0]
    inband = np.sum(pk[..., 1:] * frac[1 : _K_MAX + 1], axis=-1) + rest * frac[_K_MAX + 1]
    k_gain = np.abs(m[..., 0]) / om
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_sdr = np.where(signal > 0.0, inband / signal, np.inf)
    return (k_gain / abs(a1)) ** 2, inv_sdr


def ofdm_distortion(ss, rf_in_w) -> tuple[np.ndarray, np.ndarray]:
    """Bussgang compression and in-band distortion of an OFDM drive.

    The drive is a complex-Gaussian envelope :math:`x` with
    :math:`E|x|^2 = \\Omega = 2 R_{in} P_{in}` (V^2; :math:`P_{in}` the mean RF power),
    so :math:`r = |x|` is Rayleigh and :math:`u = r^2/\\Omega` is exponential. The
    transmitter's first-zone AM/AM curve :math:`f(r)`
    (``envelope_response_w``) maps it to :math:`y = f(r)e^{j\\arg x}`. Expanding
    :math:`y` on the orthogonal functions :math:`x L_k^{(1)}(|x|^2/\\Omega)` (Dardari,
    Tralli & Vaccari, "A theoretical characterization of nonlinear distortion effects
    in OFDM systems", IEEE Trans. Commun. 48(10), 1755-1764, 2000, Sec. III) gives

    .. math::

        m_k = E[f(r)\\, r\\, L_k^{(1)}(u)], \\qquad
        P_k = \\frac{m_k^2}{(k + 1)\\Omega}, \\qquad
        K = m_0 / \\Omega,

        R_y(\\tau) = \\sum_k P_k\\, \\rho(\\tau)|\\rho(\\tau)|^{2k},

    where :math:`K` is the Bussgang gain, :math:`P_0 = K^2\\Omega` the useful signal
    and :math:`P_{k\\ge1}` the distortion orders, whose spectra are the
    :math:`(2k+1)`-fold convolutions of the signal spectrum
    (:func:`inband_fraction`). Expectations use Gauss-Laguerre quadrature in
    :math:`u` (160 nodes); orders above 10 are lumped with the order-11 in-band
    share (an upper bound, since the shares fall with :math:`k`).

    Parameters
    ----------
    ss : rof.photonics.protocols.SmallSignal
        A transmitter's contract: ``envelope_response_w``, ``taylor_w_per_vn`` and
        ``input_impedance_ohm``.
    rf_in_w : array_like
        Mean RF input power, W (> 0), any shape.

    Returns
    -------
    compression_sq : ndarray
        :math:`(K/|a_1|)^2`: signal power relative to the small-signal gain, linear.
    inv_sdr : ndarray
        In-band distortion power over signal power, linear (>= 0).
    """
    p = np.asarray(rf_in_w, dtype=float)
    u = laguerre_nodes()[0]
    omega = 2.0 * ss.input_impedance_ohm * p
    r = np.sqrt(omega[..., None] * u)
    f = np.asarray(ss.envelope_response_w(r), dtype=float)
    return envelope_distortion(f, omega, ss.taylor_w_per_vn[0])


#: Every figure of a :class:`LinkBudget`, in display order.
FIELD_NAMES: tuple[str, ...] = (
    "gain_db",
    "noise_dbm_hz",
    "thermal_noise_dbm_hz",
    "input_noise_dbm_hz",
    "shot_noise_dbm_hz",
    "dark_noise_dbm_hz",
    "rin_noise_dbm_hz",
    "sig_ase_noise_dbm_hz",
    "ase_ase_noise_dbm_hz",
    "noise_figure_db",
    "snr_db",
    "sdr_db",
    "sir_db",
    "sndr_db",
    "evm_percent",
    "iip3_dbm",
    "oip3_dbm",
    "sfdr_db_hz23",
    "rf_out_dbm",
    "received_optical_power_dbm",
    "photocurrent_a",
    "latency_s",
)


def _full(x, shape):
    a = np.broadcast_to(np.asarray(x, dtype=float), shape)
    return a[()] if a.ndim == 0 else a


@dataclass(frozen=True)
class LinkBudget:
    """Every figure of an analog link at each (rf_hz, rf_in_dbm, bandwidth_hz, length_km).

    All array figures share the broadcast shape of the inputs (figures that depend on
    fewer inputs are read-only broadcast views; 0-d inputs give NumPy scalars). Noise
    densities are one-sided, at the RF output (load), in dBm/Hz; "linear" ratios are
    power ratios. ``gain_db``, ``noise_dbm_hz``, ``sndr_db`` and ``evm_percent`` come
    from the grid kernel; the figures that are sums of these with per-input dB terms
    (``input_noise_dbm_hz``, ``shot/rin/sig_ase_noise_dbm_hz``, ``noise_figure_db``,
    ``snr_db``, ``oip3_dbm``, ``sfdr_db_hz23``, ``rf_out_dbm``), and ``sdr_db`` and
    ``iip3_dbm``, are formed on first access and cached.

    Attributes
    ----------
    gain_db : small-signal RF gain (load power / available source power), incl. fiber
        loss, power fading and device frequency responses, dB.
    noise_dbm_hz : total output noise density, dBm/Hz.
    thermal_noise_dbm_hz, input_noise_dbm_hz, shot_noise_dbm_hz, dark_noise_dbm_hz,
    rin_noise_dbm_hz, sig_ase_noise_dbm_hz, ase_ase_noise_dbm_hz : its terms, dBm/Hz
        (input = source plus input-termination noise, :math:`2 g k T_0`).
    noise_figure_db : :math:`N_{out} / (g k T_0)`, dB.
    snr_db : signal over noise in ``bandwidth_hz`` (noise only), dB.
    sdr_db : signal over in-band distortion at the drive level, dB.
    sir_db : signal over WDM crosstalk, dB (inf without crosstalk).
    sndr_db : signal over noise + distortion + crosstalk, dB; ``-20 log10(evm/100)``.
    evm_percent : rms error vector over rms reference, percent.
    iip3_dbm, oip3_dbm : two-tone third-order intercepts, input / output, dBm.
    sfdr_db_hz23 : :math:`\\tfrac23(OIP3 - N_{out})`, dB Hz^(2/3).
    rf_out_dbm : mean RF output signal power, dBm.
    received_optical_power_dbm : mean signal optical power at the photodiode, dBm.
    photocurrent_a : mean photocurrent (signal, crosstalk and ASE), A.
    latency_s : one-way fiber delay, s.
    max_modulation : highest NR modulation meeting its TS 38.104 EVM limit.
    """

    gain_db: np.ndarray
    noise_dbm_hz: np.ndarray
    sndr_db: np.ndarray
    evm_percent: np.ndarray
    thermal_noise_dbm_hz: np.ndarray
    dark_noise_dbm_hz: np.ndarray
    ase_ase_noise_dbm_hz: np.ndarray
    sir_db: np.ndarray
    received_optical_power_dbm: np.ndarray
    photocurrent_a: np.ndarray
    latency_s: np.ndarray
    terms: dict = field(repr=False, compare=False)
    """Per-input dB terms (own shapes) behind the derived figures; see RoFLink.budget.
    A term may be a callable, evaluated on first use (figures not every caller reads)."""

    def _term(self, name):
        v = self.terms[name]
        if callable(v):
            v = v()
            self.terms[name] = v
        return v

    @cached_property
    def sdr_db(self):
        """Signal over in-band distortion at the drive level, dB."""
        return self._derived(self._term("sdr_db"))

    @cached_property
    def iip3_dbm(self):
        """Two-tone input IP3, dBm (behind fiber where the transmitter's model has it)."""
        return self._derived(self._term("iip3_dbm"))

    @property
    def shape(self) -> tuple[int, ...]:
        """Broadcast shape of the inputs."""
        return np.shape(self.gain_db)

    def _derived(self, x):
        return _full(x, self.shape)

    @cached_property
    def input_noise_dbm_hz(self):
        """Source plus input-termination noise :math:`2 g k T_0` at the output, dBm/Hz."""
        return self._derived(self.terms["two_kt0_dbm"] + self.gain_db)

    @cached_property
    def shot_noise_dbm_hz(self):
        """Shot noise of the mean photocurrent, dBm/Hz."""
        return self._derived(self.terms["shot_db_l"] + self.terms["hpd_db_f"])

    @cached_property
    def rin_noise_dbm_hz(self):
        """Laser intensity noise of this and the crosstalk channels at the load, dBm/Hz.

        The lasers' own RIN (faded by dispersion where the transmitter's ``rin_fades``)
        plus their phase noise converted to intensity noise by dispersion
        (:func:`rof.photonics.fiber.pm_to_im_rin`); see :meth:`rof.link.RoFLink.budget`.
        """
        from rof.photonics.fiber import pm_to_im_rin

        t = self.terms
        r0, r1, linewidth, rin_lin = t["rin_weights"]
        f = np.asarray(t["f_hz"], dtype=float)
        theta = t["theta_l"] * f * f
        weight = r0 + r1 * np.cos(theta) ** 2
        if linewidth > 0.0:
            weight = weight + pm_to_im_rin(theta, f, linewidth) / rin_lin
        with np.errstate(divide="ignore"):
            rin_db = 10.0 * np.log10(t["rin_l"] * weight) + 30.0
        return self._derived(rin_db + t["hpd_db_f"])

    @cached_property
    def sig_ase_noise_dbm_hz(self):
        """Signal-ASE beat noise, dBm/Hz."""
        return self._derived(self.terms["sase_db_l"] + self.terms["hpd_db_f"])

    @cached_property
    def noise_figure_db(self):
        """:math:`NF = N_{out} / (g k T_0)`, dB."""
        return self._derived(self.noise_dbm_hz - self.gain_db - self.terms["kt0_dbm"])

    @cached_property
    def snr_db(self):
        """Signal (after Bussgang compression) over noise in the bandwidth, dB."""
        t = self.terms
        return self._derived(self._term("s_in_dbm") + self.gain_db - self.noise_dbm_hz - t["bw_db"])

    @cached_property
    def oip3_dbm(self):
        """Output IP3 = IIP3 + gain, dBm."""
        return self._derived(self.iip3_dbm + self.gain_db)

    @cached_property
    def sfdr_db_hz23(self):
        """Third-order SFDR :math:`\\tfrac23(OIP3 - N_{out})`, dB Hz^(2/3)."""
        return self._derived((2.0 / 3.0) * (self.iip3_dbm + self.gain_db - self.noise_dbm_hz))

    @cached_property
    def rf_out_dbm(self):
        """Mean RF output signal power, dBm."""
        return self._derived(self._term("s_in_dbm") + self.gain_db)

    @property
    def max_modulation(self):
        """Highest NR modulation whose TS 38.104 EVM limit is met ("none" if not QPSK)."""
        return max_modulation(self.evm_percent)

    def to_dict(self) -> dict:
        """Plain dict of every figure (floats or nested lists) plus ``max_modulation``."""
        out = {}
        for name in FIELD_NAMES:
            v = np.asarray(getattr(self, name))
            out[name] = float(v) if v.ndim == 0 else v.tolist()
        mm = self.max_modulation
        out["max_modulation"] = mm if isinstance(mm, str) else mm.tolist()
        return out
