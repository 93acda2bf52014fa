"""Time-correlated, frequency-selective small-scale fading for every UE's top-K links.

Model
-----
Each independent complex Gaussian process is a sum of ``N`` sinusoids with Gaussian
weights and randomised arrival angles (Clarke's scattering model, Jakes 1974,
*Microwave Mobile Communications*, Ch. 1; randomised angles after Zheng & Xiao,
"Simulation models with correct statistical properties for Rayleigh fading channels",
IEEE Trans. Commun. 51(6), 2003, Eq. 8)::

    x(t) = sum_{n=0}^{N-1} g_n exp(j 2 pi f_d cos(alpha_n) t),
    alpha_n = (2 pi n + theta) / N,   theta ~ U[0, 2 pi),   g_n ~ CN(0, 1 / N).

Because the ``alpha_n`` tile ``[0, 2 pi)`` as ``theta`` varies, the ensemble
autocorrelation is exactly Clarke's ``E[x(t + tau) x*(t)] = J0(2 pi f_d tau)`` for any
``N``, and ``x(t)`` is exactly complex Gaussian at every instant (Rayleigh envelope). The
Doppler frequencies ``f_d cos(alpha_n)`` are shared by all processes of one UE (one
``theta`` per UE, ``f_d = v f_c / c``); the weights are independent per process, so the
processes stay mutually uncorrelated while only ``N`` phasors per UE are evaluated per TTI.

Frequency selectivity follows the TDL profiles of TR 38.901 Section 7.7.2 scaled by the
delay spread (Eq. 7.7-1): on RB ``b`` at offset ``f_b`` the channel is
``H_b(t) = sum_l a_l(t) exp(-j 2 pi f_b tau_l)``. The tap sum is evaluated through its exact
Karhunen-Loeve factorisation ``H_b = sum_p x_p(t) B[p, b]``
(:func:`rof.radio.tdl.frequency_basis`), which keeps the second-order statistics of the tap
sum (time correlation ``J0``, frequency correlation ``sum_l p_l exp(-j 2 pi df tau_l)``)
up to the stated ``energy_tolerance``. TDL-D/E add their specular first tap, and the
``"rician"`` model a flat specular part of K factor ``K``, as
``sqrt(K / (K + 1)) exp(j (2 pi f_d cos(theta_0) t + phi_0))`` with uniform ``theta_0``,
``phi_0`` per link (Stueber, *Principles of Mobile Communication*, 3rd ed., Section 2.1.2,
Eq. 2.46).
"""

from __future__ import annotations

import numpy as np

from rof._validate import check_choice, check_int_range, check_range
from rof.errors import ParameterError
from rof.radio.kernels_fading import fading_gain_kernel, fading_gain_reference
from rof.radio.tdl import TDL_PROFILES, frequency_basis, rb_frequencies_hz, tdl_profile
from rof.units import C_M_PER_S

__all__ = ["FADING_MODELS", "FadingProcess", "doppler_hz"]

#: Models accepted by :class:`FadingProcess`.
FADING_MODELS = ("none", "rayleigh", "rician", "tdl")


def doppler_hz(speed_mps, carrier_hz):
    """Maximum Doppler shift ``f_d = v f_c / c`` (Hz).

    Parameters
    ----------
    speed_mps : float or array_like
        UE speed (m/s).
    carrier_hz : float
        Carrier frequency (Hz).
    """
    v = check_range("doppler_hz.speed_mps", speed_mps, 0.0)
    fc = check_range("doppler_hz.carrier_hz", carrier_hz, 0.0, lo_open=True)
    return np.asarray(v) * fc / C_M_PER_S


def _weight_rows(g_re, g_im):
    """Per link, the processes ``p_lo <= p < p_hi`` that hold all its non-zero weights
    (int64, shape (n_ue, k) each; ``0, 0`` for a link without any)."""
    nz = np.any(g_re != 0, axis=-1) | np.any(g_im != 0, axis=-1)  # (n_ue, k, rank)
    rank = nz.shape[-1]
    has = nz.any(axis=-1)
    lo = np.where(has, np.argmax(nz, axis=-1), 0)
    hi = np.where(has, rank - np.argmax(nz[..., ::-1], axis=-1), 0)
    return lo.astype(np.int64), hi.astype(np.int64)


class FadingProcess:
    """Small-scale fading of ``n_ue`` UEs x ``k`` links x ``n_rb`` resource blocks.

    Parameters
    ----------
    n_ue, k, n_rb : int
        Number of UEs, links per UE (top-K cells) and resource blocks (all >= 1).
    model : {"none", "rayleigh", "rician", "tdl"}
        ``"none"``: unit gain. ``"rayleigh"``/``"rician"``: frequency-flat (one tap, same
        gain on every RB). ``"tdl"``: TR 38.901 TDL profile ``delay_profile``, frequency
        selective over the RBs.
    doppler_hz : float or array_like, shape (n_ue,)
        Maximum Doppler shift ``v f_c / c`` of each UE (Hz, >= 0); see :func:`doppler_hz`.
    tti_s : float
        Time advanced by each :meth:`step` (s, > 0).
    rb_bandwidth_hz : float
        RB bandwidth (Hz, > 0): 12 subcarriers x subcarrier spacing.
    delay_profile : str
        ``"TDL-A"`` .. ``"TDL-E"`` (TR 38.901 Tables 7.7.2-1 .. 7.7.2-5); model ``"tdl"``.
    delay_spread_s : float
        rms delay spread scaling the normalised TDL delays (s); model ``"tdl"``.
    rician_k_db : float
        K factor of the flat ``"rician"`` model (dB, -30 .. 40).
    rng : numpy.random.Generator
        Source of all randomness (drawn once at construction).
    n_sinusoids : int
        Sinusoids per process ``N`` (>= 4; 8 by default). The ensemble statistics are exact
        for any ``N``; larger ``N`` makes single realisations smoother in time.
    energy_tolerance : float
        Share of the TDL Rayleigh energy the frequency basis may drop
        (:func:`rof.radio.tdl.frequency_basis`); 0 keeps the exact tap sum.
    los : ndarray of bool, (n_ue, k), optional
        Each link's LOS state (:attr:`rof.radio.linktable.LinkTable.los`). Given, the
        ``"rician"`` model is Rician (K = ``rician_k_db``) on LOS links and Rayleigh
        on NLOS links, and ``"tdl"`` uses ``delay_profile_los`` on LOS links and
        ``delay_profile`` on NLOS links; left out, every link gets the same model.
    delay_profile_los : str
        TDL profile of LOS links (``"TDL-D"`` or ``"TDL-E"``; TR 38.901 sec. 7.7.2).
    delay_spread_los_s : float, optional
        rms delay spread of LOS links (s; default ``delay_spread_s``).

    Notes
    -----
    State memory is ``8 n_ue k rank N`` bytes of float32 weights (20,000 x 16 flat links:
    20 MB; 570 x 16 links of TDL-C at 100 ns over 51 RBs, rank 15: 8.8 MB). The flat models
    return an ``(n_ue, k, 1)`` result broadcast over the RBs, so 20,000 x 16 x 50 costs
    1.3 MB per step instead of 64 MB.

    Attributes
    ----------
    time_s : float
        Time of the next :meth:`step` (s).
    rank : int
        Independent processes per link (1 for flat models).

    Examples
    --------
    >>> import numpy as np
    >>> fp = FadingProcess(4, 2, 6, model="tdl", doppler_hz=10.0, tti_s=5e-4,
    ...                    rb_bandwidth_hz=360e3, rng=np.random.default_rng(1))
    >>> fp.step().shape
    (4, 2, 6)
    """

    def __init__(
        self,
        n_ue: int,
        k: int,
        n_rb: int,
        *,
        model: str = "rayleigh",
        doppler_hz=0.0,
        tti_s: float = 0.5e-3,
        rb_bandwidth_hz: float = 360e3,
        delay_profile: str = "TDL-C",
        delay_spread_s: float = 100e-9,
        rician_k_db: float = 9.0,
        rng: np.random.Generator | None = None,
        n_sinusoids: int = 8,
        energy_tolerance: float = 1e-4,
        los=None,
        delay_profile_los: str = "TDL-D",
        delay_spread_los_s: float | None = None,
    ):
        self.n_ue = check_int_range("FadingProcess.n_ue", n_ue, 1)
        self.k = check_int_range("FadingProcess.k", k, 1)
        self.n_rb = check_int_range("FadingProcess.n_rb", n_rb, 1)
        self.model = check_choice("FadingProcess.model", model, FADING_MODELS)
        fd = check_range("FadingProcess.doppler_hz", doppler_hz, 0.0, 1e5)
        fd = np.asarray(fd, dtype=float)
        if fd.ndim == 0:
            fd = np.full(self.n_ue, float(fd))
        if fd.shape != (self.n_ue,):
            raise ParameterError(
                f"FadingProcess.doppler_hz has shape {fd.shape}; allowed: scalar or ({n_ue},)"
            )
        self.doppler_hz = fd
        self.tti_s = check_range("FadingProcess.tti_s", tti_s, 0.0, 1.0, lo_open=True)
        self.rb_bandwidth_hz = check_range(
            "FadingProcess.rb_bandwidth_hz", rb_bandwidth_hz, 0.0, 1e9, lo_open=True
        )
        self.delay_profile = check_choice(
            "FadingProcess.delay_profile", delay_profile, tuple(TDL_PROFILES)
        )
        self.delay_spread_s = check_range(
            "FadingProcess.delay_spread_s", delay_spread_s, 0.0, 10e-6, lo_open=True
        )
        self.rician_k_db = check_range("FadingProcess.rician_k_db", rician_k_db, -30.0, 40.0)
        self.n_sinusoids = check_int_range("FadingProcess.n_sinusoids", n_sinusoids, 4, 256)
        self.energy_tolerance = check_range(
            "FadingProcess.energy_tolerance", energy_tolerance, 0.0, 0.1
        )
        self.delay_profile_los = check_choice(
            "FadingProcess.delay_profile_los", delay_profile_los, tuple(TDL_PROFILES)
        )
        ds_los = delay_spread_s if delay_spread_los_s is None else delay_spread_los_s
        self.delay_spread_los_s = check_range(
            "FadingProcess.delay_spread_los_s", ds_los, 0.0, 10e-6, lo_open=True
        )
        if los is not None:
            los = np.asarray(los)
            if los.shape != (self.n_ue, self.k) or los.dtype != np.bool_:
                raise ParameterError(
                    f"FadingProcess.los has shape {los.shape} and dtype {los.dtype}; "
                    f"allowed: bool array of shape ({n_ue}, {k})"
                )
        self.los = los
        if rng is None or not isinstance(rng, np.random.Generator):
            raise ParameterError(
                f"FadingProcess.rng = {rng!r} is not allowed; allowed: a numpy.random.Generator"
            )
        self.time_s = 0.0
        self._setup(rng)

    # ------------------------------------------------------------------ construction
    def _setup(self, rng: np.random.Generator) -> None:
        n_ue, k, n_s = self.n_ue, self.k, self.n_sinusoids
        los_power = 0.0
        if self.los is not None and self.model in ("tdl", "rician"):
            self._setup_los_aware(rng)
            return
        if self.model == "tdl":
            prof = tdl_profile(self.delay_profile, self.delay_spread_s)
            f = rb_frequencies_hz(self.n_rb, self.rb_bandwidth_hz)
            basis = frequency_basis(prof, f, self.energy_tolerance)
            los_power = prof.los_power  # specular part of tap 1, at delay 0 in the TR tables
        elif self.model == "rician":
            kf = 10.0 ** (self.rician_k_db / 10.0)
            los_power = kf / (kf + 1.0)
            basis = np.full((1, 1), np.sqrt(1.0 - los_power), dtype=complex)
        else:
            basis = np.ones((1, 1), dtype=complex)
        self.basis = basis
        self.rank = basis.shape[0] if self.model != "none" else 0
        theta = rng.uniform(0.0, 2.0 * np.pi, size=n_ue)
        alpha = (2.0 * np.pi * np.arange(n_s)[None, :] + theta[:, None]) / n_s
        self._w = 2.0 * np.pi * self.doppler_hz[:, None] * np.cos(alpha)  # (n_ue, N) rad/s
        shape = (n_ue, k, max(self.rank, 1), n_s)
        scale = np.float32(np.sqrt(0.5 / n_s))
        self._g_re = rng.standard_normal(shape, dtype=np.float32) * scale
        self._g_im = rng.standard_normal(shape, dtype=np.float32) * scale
        self._b_re = np.ascontiguousarray(basis.real, dtype=np.float32)
        self._b_im = np.ascontiguousarray(basis.imag, dtype=np.float32)
        self._los_amp = np.full((n_ue, k), np.sqrt(los_power), dtype=np.float32)
        theta0 = rng.uniform(0.0, 2.0 * np.pi, size=(n_ue, k))
        self._los_w = 2.0 * np.pi * self.doppler_hz[:, None] * np.cos(theta0)
        self._los_phi = rng.uniform(0.0, 2.0 * np.pi, size=(n_ue, k))
        n_out = self.n_rb if self.model == "tdl" else 1
        self._out = np.empty((n_ue, k, n_out), dtype=np.float32)
        self._p_lo, self._p_hi = _weight_rows(self._g_re, self._g_im)

    def _setup_los_aware(self, rng: np.random.Generator) -> None:
        """Each link's fading follows its own LOS state (``los`` given).

        ``"rician"``: LOS links Rician of K = ``rician_k_db`` (TR 38.901 Table 7.5-6's
        mu_K per scenario), NLOS links Rayleigh. ``"tdl"``: LOS links
        ``delay_profile_los`` (TDL-D/E) at ``delay_spread_los_s``, NLOS links
        ``delay_profile`` (TDL-A/B/C) at ``delay_spread_s``. Both states' frequency
        bases are stacked; a link's weights are zero on the other state's processes,
        so each link is exactly its own state's process.
        """
        n_ue, k, n_s = self.n_ue, self.k, self.n_sinusoids
        los = self.los
        if self.model == "tdl":
            f = rb_frequencies_hz(self.n_rb, self.rb_bandwidth_hz)
            p_l = tdl_profile(self.delay_profile_los, self.delay_spread_los_s)
            p_n = tdl_profile(self.delay_profile, self.delay_spread_s)
            b_l = frequency_basis(p_l, f, self.energy_tolerance)
            b_n = frequency_basis(p_n, f, self.energy_tolerance)
            basis = np.vstack([b_l, b_n])
            r_l = b_l.shape[0]
            amp = np.where(los, np.sqrt(p_l.los_power), np.sqrt(p_n.los_power))
            keep = np.ones((n_ue, k, basis.shape[0]), np.float32)
            keep[..., :r_l] = los[..., None]
            keep[..., r_l:] = ~los[..., None]
        else:
            kf = 10.0 ** (self.rician_k_db / 10.0)
            basis = np.ones((1, 1), dtype=complex)
            amp = np.where(los, np.sqrt(kf / (kf + 1.0)), 0.0)
            keep = np.where(los, np.sqrt(1.0 / (kf + 1.0)), 1.0)[..., None].astype(np.float32)
        self.basis = basis
        self.rank = basis.shape[0]
        theta = rng.uniform(0.0, 2.0 * np.pi, size=n_ue)
        alpha = (2.0 * np.pi * np.arange(n_s)[None, :] + theta[:, None]) / n_s
        self._w = 2.0 * np.pi * self.doppler_hz[:, None] * np.cos(alpha)
        shape = (n_ue, k, self.rank, n_s)
        scale = np.float32(np.sqrt(0.5 / n_s))
        self._g_re = rng.standard_normal(shape, dtype=np.float32) * scale * keep[..., None]
        self._g_im = rng.standard_normal(shape, dtype=np.float32) * scale * keep[..., None]
        self._b_re = np.ascontiguousarray(basis.real, dtype=np.float32)
        self._b_im = np.ascontiguousarray(basis.imag, dtype=np.float32)
        self._los_amp = np.asarray(amp, dtype=np.float32)
        theta0 = rng.uniform(0.0, 2.0 * np.pi, size=(n_ue, k))
        self._los_w = 2.0 * np.pi * self.doppler_hz[:, None] * np.cos(theta0)
        self._los_phi = rng.uniform(0.0, 2.0 * np.pi, size=(n_ue, k))
        n_out = self.n_rb if self.model == "tdl" else 1
        self._out = np.empty((n_ue, k, n_out), dtype=np.float32)
        self._p_lo, self._p_hi = _weight_rows(self._g_re, self._g_im)

    @property
    def flat(self) -> bool:
        """True where every RB sees the same gain (models ``none``, ``rayleigh``, ``rician``)."""
        return self.model != "tdl"

    # ------------------------------------------------------------------ evaluation
    def sample(self, t_s: float) -> np.ndarray:
        """Power gains at time ``t_s`` without advancing the process.

        Parameters
        ----------
        t_s : float
            Time (s); any real value, so delayed (aged) channel states can be read back.

        Returns
        -------
        ndarray, float32, shape (n_ue, k, n_rb)
            Linear power gains ``|H|^2`` of mean 1. A new array for ``"tdl"``; for the flat
            models a read-only broadcast view over the RB axis (copy it before writing).
        """
        shape = (self.n_ue, self.k, self.n_rb)
        if self.model == "none":
            return np.broadcast_to(np.float32(1.0), shape)
        ph = self._w * float(t_s)
        z_re = np.cos(ph).astype(np.float32)
        z_im = np.sin(ph).astype(np.float32)
        out = np.empty_like(self._out) if self.model == "tdl" else self._out
        fading_gain_kernel(
            z_re,
            z_im,
            self._g_re,
            self._g_im,
            self._b_re,
            self._b_im,
            self._los_amp,
            self._los_w,
            self._los_phi,
            self._p_lo,
            self._p_hi,
            float(t_s),
            out,
        )
        if self.model == "tdl":
            return out
        view = np.broadcast_to(out.copy(), shape)
        return view

    def complex_gain(self, t_s: float) -> np.ndarray:
        """Complex channel ``H`` (NumPy, complex128) at ``t_s``; ``|H|^2`` is :meth:`sample`.

        Returns
        -------
        ndarray, complex128, shape (n_ue, k, n_rb)
            For ``"none"`` all ones; for flat models constant over the RB axis.
        """
        shape = (self.n_ue, self.k, self.n_rb)
        if self.model == "none":
            return np.ones(shape, dtype=complex)
        z = np.exp(1j * self._w * float(t_s))
        g = self._g_re.astype(float) + 1j * self._g_im.astype(float)
        x = np.einsum("ukpn,un->ukp", g, z)
        s = self._los_amp * np.exp(1j * (self._los_w * float(t_s) + self._los_phi))
        h = s[..., None] + x @ self.basis
        return np.broadcast_to(h, shape).copy() if self.flat else h

    def sample_reference(self, t_s: float) -> np.ndarray:
        """Plain-NumPy (float64) evaluation of :meth:`sample`, for tests."""
        shape = (self.n_ue, self.k, self.n_rb)
        if self.model == "none":
            return np.ones(shape)
        z = np.exp(1j * self._w * float(t_s))
        g = self._g_re.astype(float) + 1j * self._g_im.astype(float)
        gains = fading_gain_reference(
            z, g, self.basis, self._los_amp.astype(float), self._los_w, self._los_phi, t_s
        )
        return np.broadcast_to(gains, shape) if self.flat else gains

    def step(self) -> np.ndarray:
        """Gains at :attr:`time_s`, then advance :attr:`time_s` by ``tti_s``.

        Returns
        -------
        ndarray, float32, shape (n_ue, k, n_rb)
            See :meth:`sample`.
        """
        out = self.sample(self.time_s)
        self.time_s += self.tti_s
        return out
