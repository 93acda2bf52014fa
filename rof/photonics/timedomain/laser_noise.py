"""Langevin noise of the rate equations, sample by sample (the waveform model's draws).

Exact kicks of the linearised system over one sample (:func:`noise_increment`,
:func:`noise_covariance`; Van Loan 1978), their state-dependent scaling
(:func:`kick_scales`), band-limited draws (:func:`langevin_draws`) and the RIN the
sampled model shows (:func:`rin_sampled`). Equations and sources in
:mod:`rof.photonics.timedomain.laser`.
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np
from scipy import fft as sfft

from rof.photonics._common import FAST_MATH
from rof.photonics.timedomain.normals import fill_normals
from rof.photonics.timedomain.rate_constants import RateConstants, jacobian

__all__ = [
    "kick_scales",
    "langevin_draws",
    "langevin_draws_range",
    "langevin_draws_ranges",
    "noise_covariance",
    "noise_increment",
    "shaping_matrices",
]


def noise_increment(rc: RateConstants, h: float) -> np.ndarray:
    r"""Langevin kicks for one sample of length ``h``: exact for the linearised system.

    The white Langevin forces integrated over a sample and propagated through the
    linearised dynamics of :math:`x = (\delta N, \delta S, \delta\phi)`,

    .. math:: \dot x = J x + F, \qquad J = \begin{pmatrix} a_{11} & a_{12} & 0\\
              a_{21} & a_{22} & 0\\ -\tfrac{\alpha}{2}G_N & 0 & 0\end{pmatrix}, \qquad
              \langle F F^T\rangle = D\,\delta(t - t'),

    give a Gaussian kick of covariance :math:`Q = \int_0^h e^{Js} D e^{J^T s}\,ds`
    (linear-noise approximation, :math:`J` and :math:`D` at the bias point). The phase
    row carries the carrier fluctuation into the phase within the sample, so the phase
    kick is correlated with the carrier and photon kicks (which matters behind
    dispersive fiber, where :math:`\delta S/S` and :math:`\delta\phi` nearly cancel;
    :meth:`rof.photonics.DirectLaser.rin_dispersion_factor`). :math:`Q` comes from
    one block exponential,

    .. math:: \exp\Big(h\begin{pmatrix}-J & D\\ 0 & J^T\end{pmatrix}\Big)
              = \begin{pmatrix}\cdot & G\\ 0 & F\end{pmatrix}, \qquad Q = F^T G

    (Van Loan, IEEE Trans. Autom. Control 23(3), 395-404, 1978, Thm. 1). The diffusion
    coefficients (Coldren, Corzine & Mašanović 2012, ch. 5; Henry, IEEE J. Quantum
    Electron. 18(2), 259-264, 1982):
    :math:`D_{NN} = 2R_{sp}S + 2N/\tau_n`, :math:`D_{SS} = 2R_{sp}S`,
    :math:`D_{SN} = -2R_{sp}S`, :math:`D_{\phi\phi} = R_{sp}/(2S)` with
    :math:`F_\phi` uncorrelated with :math:`F_N, F_S`, all times ``rc.noise_scale``.

    Parameters
    ----------
    rc : RateConstants
        The laser's constants (bias point, noise scale).
    h : float
        Sample length, s.

    Returns
    -------
    ndarray of float64, shape (7,)
        ``(c_NN, c_SN, c_SS, c_phiN, c_phiS, c_phiphi, w_phi)``: the lower-triangular
        Cholesky factor :math:`C` of :math:`Q = CC^T`, and the share
        :math:`w_\phi = D_{\phi\phi}h/c_{\phi\phi}^2` of the phase's own variance that is
        phase diffusion (the rest, :math:`1 - w_\phi`, is carrier noise turned into phase
        within the sample; the two scale differently with the state, :func:`kick_scales`).
        At bias the kernels add :math:`(\delta N, \delta S, \delta\phi) = C z`, with
        :math:`z` white standard normal for the point-sampled process or
        :func:`langevin_draws` for the band-limited one; elsewhere each component is
        scaled to the state's diffusion (:func:`kick_scales`).
    """
    q = noise_covariance(rc, h)
    c = np.linalg.cholesky(q)
    _, d = _drift_diffusion(rc)
    w_phi = min(d[2, 2] * h / c[2, 2] ** 2, 1.0)
    return np.array([c[0, 0], c[1, 0], c[1, 1], c[2, 0], c[2, 1], c[2, 2], w_phi])


def kick_scales(rc: RateConstants, n, s, w_phi: float = 1.0):
    r"""Scale of the Langevin kicks at the state ``(n, s)`` relative to the bias point.

    The diffusion coefficients (:func:`noise_increment`) follow the state:
    :math:`D_{NN} = \tfrac{2N}{\tau_n}(1 + \beta S)`, :math:`D_{SS} = -D_{SN} =
    2R_{sp}S` and :math:`D_{\phi\phi} = R_{sp}/(2S)` with :math:`R_{sp} = \beta N/\tau_n`
    (Coldren, Corzine & Mašanović 2012, ch. 5). The kernels keep the bias point's kick
    :math:`Cz` (its correlations and spectrum) and scale each component by the square
    root of its diffusion coefficient at the state the kick is added to (the end of the
    sample, before the kick: Itô) over that at bias:

    .. math:: f_N^2 = \frac{N(1 + \beta S)}{N_b(1 + \beta S_b)}, \qquad
              f_S^2 = \frac{NS}{N_bS_b}, \qquad
              f_\phi^2 = (1 - w_\phi)f_N^2 + w_\phi\frac{N S_b}{N_b\max(S, S_{sp})},
              \qquad S_{sp} = R_{sp}\tau_p,

    :math:`f_\phi` on the phase kick's own part :math:`c_{\phi\phi}z_2`, of which
    :math:`1 - w_\phi` is carrier noise turned into phase within the sample; the parts
    correlated with the carrier and photon kicks take :math:`f_N`. With the bias-point
    kicks at every state, a laser turned off on an RF trough got the photon kicks of
    the bias point, and the noise filled in the clipping (the noisy waveform less
    distorted than the noiseless one).

    The floor :math:`S_{sp}` is the photon number that spontaneous emission alone keeps
    in the cold cavity (no gain), about 13 for the default laser. The amplitude-phase
    description needs :math:`S` well above its own fluctuation; in steady state below
    threshold, :math:`S = R_{sp}/(1/\tau_p - G)`, it gives
    :math:`D_{\phi\phi} = (1/\tau_p - G)/2`, the order of the net field loss rate that
    sets the below-threshold linewidth, and at most :math:`1/(2\tau_p)`, reached at
    :math:`S = S_{sp}`. The rate equations do not go below :math:`S_{sp}` for long (the
    spontaneous term refills the mode within :math:`\tau_p`); the floor keeps a
    transient, or the kernels' clamp of :math:`S` after a kick, from dephasing the
    field faster than the cold cavity does. (A floor at one photon would allow 13 times
    that rate; :math:`S_{sp}` follows from the model's own constants.)

    Parameters
    ----------
    rc : RateConstants
        The laser's constants (bias point).
    n, s : float or ndarray
        Carrier and photon numbers.
    w_phi : float
        ``noise_increment(rc, h)[6]``.

    Returns
    -------
    (f_N, f_S, f_phi) : tuple of float or ndarray
        Factors on the carrier, photon and own-phase components of the kick; 1 at bias.
    """
    n = np.maximum(np.asarray(n, dtype=float), 0.0)
    s = np.asarray(s, dtype=float)
    beta, s_b, n_b = rc.beta, rc.s_bias, rc.n_bias
    f_n2 = n * (1.0 + beta * s) / (n_b * (1.0 + beta * s_b))
    f_s2 = n * s / (n_b * s_b)
    s_sp = beta * n * rc.tau_p_s / rc.tau_n_s
    f_p2 = (1.0 - w_phi) * f_n2 + w_phi * n * s_b / (n_b * np.maximum(s, s_sp))
    return np.sqrt(f_n2), np.sqrt(f_s2), np.sqrt(f_p2)


def _drift_diffusion(rc: RateConstants):
    """(J, D): linearised drift and diffusion of (N, S, phi) at the bias point."""
    n, s = rc.n_bias, rc.s_bias
    a11, a12, a21, a22 = jacobian(
        n, s, rc.tau_p_s, rc.tau_n_s, rc.beta, rc.g_n_per_s, rc.n0, rc.epsilon
    )
    j = np.array([[a11, a12, 0.0], [a21, a22, 0.0], [-0.5 * rc.alpha * rc.g_n_per_s, 0.0, 0.0]])
    rsp = rc.beta * n / rc.tau_n_s
    d = rc.noise_scale * np.array(
        [
            [2 * rsp * s + 2 * n / rc.tau_n_s, -2 * rsp * s, 0.0],
            [-2 * rsp * s, 2 * rsp * s, 0.0],
            [0.0, 0.0, rsp / (2.0 * s)],
        ]
    )
    return j, d


def noise_covariance(rc: RateConstants, h: float) -> np.ndarray:
    r"""Covariance of the Langevin kick of (N, S, phi) over one sample, shape (3, 3).

    :math:`Q = \int_0^h e^{Js} D e^{J^T s}\,ds` by Van Loan's block exponential; see
    :func:`noise_increment`.
    """
    from scipy.linalg import expm

    j, d = _drift_diffusion(rc)
    m = np.zeros((6, 6))
    m[:3, :3] = -j * h
    m[:3, 3:] = d * h
    m[3:, 3:] = j.T * h
    e = expm(m)
    q = e[3:, 3:].T @ e[:3, 3:]
    return 0.5 * (q + q.T)


def langevin_draws(rc: RateConstants, h: float, n: int, rng: np.random.Generator) -> np.ndarray:
    r"""Band-limited Langevin draws for the kernels: no noise folded from above Nyquist.

    With white standard-normal draws :math:`z_k` the kernels' kicks :math:`Cz_k`
    (:func:`noise_increment`) give the laser state exactly at the sample instants,
    whose spectrum is the continuous one folded about :math:`f_s/2`. The photon-number
    noise falls only as :math:`1/f^2` above the relaxation frequency, so at tens of GS/s
    the folded part is comparable with the in-band RIN at a few GHz (1.5 times it at
    3.5 GHz and 40 GS/s for the default laser), and, being mostly the photon force
    :math:`F_S` with little phase beside it, it does not fade or grow behind dispersive
    fiber as the in-band RIN does. These draws instead make the sampled state the ideally
    low-passed continuous state: with :math:`z = e^{j\omega h}`,
    :math:`A = e^{Jh}` (the kernels' propagator over a sample) and
    :math:`G(\omega) = (j\omega I - J)^{-1}`, kicks :math:`w` of spectral density

    .. math:: P_w(\omega) = M D M^H, \qquad M = (zI - A)\,G(\omega),
              \qquad |\omega| < \pi/h,

    give the state :math:`(zI - A)^{-1}w` the spectrum :math:`G D G^H` of the linearised
    Langevin model (Coldren, Corzine & Mašanović 2012, ch. 5) with nothing folded in.
    The phase row of :math:`M` is finite at :math:`\omega = 0`
    (:math:`(z-1)/(j\omega) = h e^{j\omega h/2}\,\mathrm{sinc}(\omega h/2\pi)`,
    normalised sinc). The draws are :math:`z = C^{-1}w`, so that the kernels' kick
    :math:`Cz` is :math:`w` (white draws would give the point-sampled process), generated
    per FFT bin as :math:`C^{-1} M D^{1/2}\xi/\sqrt h`, :math:`\xi` complex standard
    normal (the Nyquist bin left empty); the sequence is periodic in the FFT length.

    Parameters
    ----------
    rc : RateConstants
        The laser's constants (bias point, noise scale > 0).
    h : float
        Sample length, s.
    n : int
        Number of samples.
    rng : numpy.random.Generator
        Source of the draws.

    Returns
    -------
    ndarray of float64, shape (n, 3)
        Draws :math:`z_k` for the ``noise`` argument of the kernels with
        ``chol = noise_increment(rc, h)``.
    """
    from scipy.linalg import expm

    j, d = _drift_diffusion(rc)
    c_inv = np.linalg.inv(np.linalg.cholesky(noise_covariance(rc, h)))
    m = sfft.next_fast_len(n, real=True)
    # Complex normals of variance 2 (the kernel scales by 1/sqrt 2); DC real (M is real).
    xi = rng.standard_normal((m // 2 + 1, 3, 2)).view(np.complex128)[..., 0]
    xi[0] = rng.standard_normal(3) * math.sqrt(2.0)
    spec = np.empty((3, m // 2 + 1), dtype=np.complex128)
    langevin_shaping_kernel(
        xi, h, m, j, expm(j * h), c_inv, np.linalg.cholesky(d), math.sqrt(0.5 * m / h), spec
    )
    if m % 2 == 0:
        spec[:, -1] = 0.0
    return np.ascontiguousarray(sfft.irfft(spec, m, axis=-1, workers=-1)[:, :n].T)


@numba.njit(cache=True, fastmath=FAST_MATH)
def langevin_shaping_kernel(xi, h, m, jac, prop, c_inv, d_half, scale, out):
    """Spectrum of band-limited Langevin draws: ``out[:, k] = scale * C^-1 M_k D^1/2 xi[k]``.

    :math:`M_k = (z_k I - A)(j\\omega_k I - J)^{-1}` with :math:`\\omega_k = 2\\pi k/(mh)`,
    :math:`z_k = e^{j\\omega_k h}`, for the (N, S, phi) system whose phase row of
    :math:`J` is :math:`(J_{31}, 0, 0)`: the 2x2 carrier-photon block is inverted in
    closed form and the phase row uses :math:`(z-1)/(j\\omega) = h e^{j\\omega h/2}
    \\sin(\\omega h/2)/(\\omega h/2)`, finite at :math:`\\omega = 0`. See
    :func:`~rof.photonics.timedomain.laser_noise.langevin_draws`.

    Parameters
    ----------
    xi : ndarray of complex128, shape (k, 3)
        Complex standard-normal draws per FFT bin ``0 .. k-1``.
    h : float
        Sample length, s.
    m : int
        FFT length (bin ``k`` is :math:`k/(mh)` Hz).
    jac, prop : ndarray of float64, shape (3, 3)
        :math:`J` and :math:`A = e^{Jh}`.
    c_inv, d_half : ndarray of float64, shape (3, 3)
        :math:`C^{-1}` (inverse Cholesky factor of the kick covariance) and
        :math:`D^{1/2}` (Cholesky factor of the diffusion matrix).
    scale : float
        Common factor.
    out : ndarray of complex128, shape (3, k)
        Written.
    """
    a11 = jac[0, 0]
    a12 = jac[0, 1]
    a21 = jac[1, 0]
    a22 = jac[1, 1]
    c31 = jac[2, 0]
    for k in range(xi.shape[0]):
        wh = 2.0 * math.pi * k / m
        jw = 1j * wh / h
        z = complex(math.cos(wh), math.sin(wh))
        half = 0.5 * wh
        sinc = math.sin(half) / half if k > 0 else 1.0
        r = h * sinc * complex(math.cos(half), math.sin(half))
        inv_det = 1.0 / ((jw - a11) * (jw - a22) - a12 * a21)
        g11 = (jw - a22) * inv_det
        g12 = a12 * inv_det
        g21 = a21 * inv_det
        g22 = (jw - a11) * inv_det
        m11 = (z - prop[0, 0]) * g11 - prop[0, 1] * g21
        m12 = (z - prop[0, 0]) * g12 - prop[0, 1] * g22
        m21 = (z - prop[1, 1]) * g21 - prop[1, 0] * g11
        m22 = (z - prop[1, 1]) * g22 - prop[1, 0] * g12
        m31 = (r * c31 - prop[2, 0]) * g11 - prop[2, 1] * g21
        m32 = (r * c31 - prop[2, 0]) * g12 - prop[2, 1] * g22
        x0 = xi[k, 0]
        x1 = xi[k, 1]
        x2 = xi[k, 2]
        v0 = d_half[0, 0] * x0 + d_half[0, 1] * x1 + d_half[0, 2] * x2
        v1 = d_half[1, 0] * x0 + d_half[1, 1] * x1 + d_half[1, 2] * x2
        v2 = d_half[2, 0] * x0 + d_half[2, 1] * x1 + d_half[2, 2] * x2
        u0 = m11 * v0 + m12 * v1
        u1 = m21 * v0 + m22 * v1
        u2 = m31 * v0 + m32 * v1 + r * v2
        out[0, k] = scale * (c_inv[0, 0] * u0 + c_inv[0, 1] * u1 + c_inv[0, 2] * u2)
        out[1, k] = scale * (c_inv[1, 0] * u0 + c_inv[1, 1] * u1 + c_inv[1, 2] * u2)
        out[2, k] = scale * (c_inv[2, 0] * u0 + c_inv[2, 1] * u1 + c_inv[2, 2] * u2)


#: Samples per frame of :func:`langevin_draws_range` (the length of its inverse FFT).
SHAPING_FFT = 1 << 16
#: Samples over which consecutive frames are crossfaded: between frames the draws'
#: covariance is cut beyond this lag, where it holds 6e-5 of its energy or less (it falls
#: as 1/lag, from the filter's step at Nyquist), and bent by at most
#: :math:`1 - \cos(\pi\tau/2F)` at lag :math:`\tau` across a fade of :math:`F` samples
#: (2e-5 at lag 16; beyond lag 16 the correlations are below 3e-3 of the variance); the
#: figures for the default laser at 10.6 and 39.3 GS/s.
SHAPING_FADE = 1 << 12
#: Frame hop: frame ``f`` covers the samples ``f * SHAPING_HOP .. f * SHAPING_HOP +
#: SHAPING_FFT - 1``, the first :data:`SHAPING_FADE` of them shared with frame ``f - 1``.
SHAPING_HOP = SHAPING_FFT - SHAPING_FADE
#: Frames transformed together (their 3 x 4 rows run through the FFT several at a time).
SHAPING_GROUP = 4


@functools.lru_cache(maxsize=4)
def shaping_matrices(rc: RateConstants, h: float, m: int = SHAPING_FFT) -> np.ndarray:
    r"""Per-bin shaping matrices :math:`T_k = C^{-1}M_kD^{1/2}/\sqrt h`, shape (m//2+1, 3, 3).

    The filter of :func:`langevin_draws` as a matrix per ``rfft`` bin of length ``m``
    (the Nyquist bin zero): unit-variance white draws :math:`\xi` transformed, multiplied
    by :math:`T_k` and transformed back have the spectrum of :func:`langevin_draws`.
    Cached (read-only) per laser, sample length and FFT length.
    """
    from scipy.linalg import expm

    j, d = _drift_diffusion(rc)
    c_inv = np.linalg.inv(np.linalg.cholesky(noise_covariance(rc, h)))
    out = np.empty((3, 3, m // 2 + 1), dtype=np.complex128)
    eye = np.eye(3, dtype=np.complex128)
    for col in range(3):
        xi = np.ascontiguousarray(np.broadcast_to(eye[col], (m // 2 + 1, 3)))
        langevin_shaping_kernel(
            xi, h, m, j, expm(j * h), c_inv, np.linalg.cholesky(d), 1.0 / math.sqrt(h), out[:, col]
        )
    if m % 2 == 0:
        out[..., -1] = 0.0
    t = np.ascontiguousarray(out.transpose(2, 0, 1))
    t.setflags(write=False)
    return t


def _frame_key(f: int) -> tuple[int]:
    """Spawn key of frame ``f``'s generator (any integer ``f``)."""
    return (f + (1 << 40),)


@numba.njit(cache=True, nogil=True, fastmath=FAST_MATH)
def _shape_frames(z, tr, ti, m, out):
    """``out[f, :, k] = T_k xi`` with ``xi`` the bin ``k`` of a white frame of ``m`` unit
    normals, drawn as its transform: ``xi_c = sqrt(m/2) (z[f, 2c, k] + i z[f, 2c+1, k])``,
    real ``sqrt(m) z[f, 2c, 0]`` at DC (the Nyquist bin, where ``T`` is zero, left out).
    ``T`` as its real and imaginary parts ``tr``, ``ti`` (3, 3, bins); ``out`` complex64
    seen as float32 pairs (frames, 3, 2 bins), so that the bins' loop vectorises."""
    bins = z.shape[2]
    half = np.float32(math.sqrt(0.5 * m))
    dc = np.float32(math.sqrt(float(m)))
    for f in range(z.shape[0]):
        for r in range(3):
            for k in range(bins):
                are = np.float32(0.0)
                aim = np.float32(0.0)
                for c in range(3):
                    xr = z[f, 2 * c, k]
                    xi = z[f, 2 * c + 1, k]
                    are += tr[r, c, k] * xr - ti[r, c, k] * xi
                    aim += tr[r, c, k] * xi + ti[r, c, k] * xr
                out[f, r, 2 * k] = half * are
                out[f, r, 2 * k + 1] = half * aim
            are = np.float32(0.0)
            aim = np.float32(0.0)
            for c in range(3):
                are += tr[r, c, 0] * z[f, 2 * c, 0]
                aim += ti[r, c, 0] * z[f, 2 * c, 0]
            out[f, r, 0] = dc * are
            out[f, r, 1] = dc * aim


@functools.lru_cache(maxsize=4)
def _shaping_parts(rc: RateConstants, h: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`shaping_matrices` as float32 real and imaginary parts, shape (3, 3, bins)
    (cached, read-only)."""
    t = shaping_matrices(rc, h).transpose(1, 2, 0)
    tr = np.ascontiguousarray(t.real, dtype=np.float32)
    ti = np.ascontiguousarray(t.imag, dtype=np.float32)
    tr.setflags(write=False)
    ti.setflags(write=False)
    return tr, ti


def _make_frames(rc: RateConstants, h: float, entropy: int, index: list[int]) -> np.ndarray:
    """The frames ``index`` (float32, shape (len, 3, SHAPING_FFT)): per frame, the white
    bins drawn by the generator keyed ``(entropy, f + 2**40)`` (NumPy's
    ``standard_normal((6, SHAPING_FFT // 2 + 1))``, rows ``2c`` and ``2c + 1`` the real
    and imaginary parts of component ``c``; :func:`fill_normals`), shaped by the matrices
    of :func:`shaping_matrices` and transformed back; the frames' rows go through the FFT
    together."""
    m = SHAPING_FFT
    z = np.empty((len(index), 6, m // 2 + 1), dtype=np.float32)
    for i, f in enumerate(index):
        g = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=_frame_key(f)))
        fill_normals(g, z[i])
    spec = np.empty((len(index), 3, m // 2 + 1), dtype=np.complex64)
    tr, ti = _shaping_parts(rc, float(h))
    _shape_frames(z, tr, ti, m, spec.view(np.float32))
    del z
    return sfft.irfft(spec, m, axis=-1, overwrite_x=True)


@functools.lru_cache(maxsize=1)
def _fade_weights() -> tuple[np.ndarray, np.ndarray]:
    """Weights of a frame over its first :data:`SHAPING_FADE` samples, sin, and of the
    previous frame there, cos, of :math:`\\frac{\\pi}{2}(o + \\tfrac12)/F` (squares sum to
    one: the variance holds through the fade)."""
    a = 0.5 * np.pi * (np.arange(SHAPING_FADE) + 0.5) / SHAPING_FADE
    w_in, w_out = np.sin(a), np.cos(a)
    w_in.setflags(write=False)
    w_out.setflags(write=False)
    return w_in, w_out


@numba.njit(cache=True, nogil=True)
def _put_frame(cur, prev, o0, o1, w_in, w_out, out, i0):
    """``out[i0 + o - o0, r]`` for the frame offsets ``o0 <= o < o1`` of hop ``f``: frame
    ``cur`` (``f``), crossfaded over its first ``len(w_in)`` samples with frame ``prev``
    (``f - 1``, its samples from the hop on)."""
    fade = w_in.size
    hop = cur.shape[1] - fade
    for o in range(o0, o1):
        i = i0 + o - o0
        if o < fade:
            a = w_in[o]
            b = w_out[o]
            for r in range(3):
                out[i, r] = a * cur[r, o] + b * prev[r, hop + o]
        else:
            for r in range(3):
                out[i, r] = cur[r, o]


def langevin_draws_range(
    rc: RateConstants, h: float, lo: int, hi: int, entropy: int, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Band-limited Langevin draws of the samples ``lo .. hi-1`` of one endless sequence.

    The process of :func:`langevin_draws` (spectrum :math:`C^{-1}MDM^HC^{-T}/h`, nothing
    folded from above Nyquist), made frame by frame: frame :math:`f` covers the samples
    :math:`fH .. fH + N - 1` (:math:`N` = :data:`SHAPING_FFT`, hop :math:`H` =
    :data:`SHAPING_HOP`) and is :func:`langevin_draws`' construction on its own, the
    bins of a white frame drawn directly (white Gaussian noise's DFT bins are independent
    complex Gaussians: Oppenheim & Schafer, *Discrete-Time Signal Processing*, 3rd ed.,
    2010, section 8.5), multiplied by the matrices :math:`T_k` of
    :func:`shaping_matrices` and transformed back: a periodic sequence with the exact
    spectral matrix at every bin, whose covariance at lag :math:`\tau` is the process's
    plus its aliases at :math:`\tau \pm N` (negligible: the covariance falls as
    :math:`1/\tau`). Consecutive frames, independent, overlap by :math:`F` =
    :data:`SHAPING_FADE` samples and are crossfaded there with weights
    :math:`\sin\theta, \cos\theta`, :math:`\theta = \frac{\pi}{2}(o + \tfrac12)/F`:
    the variance holds (:math:`\sin^2 + \cos^2 = 1`), and two samples :math:`\tau`
    apart keep the covariance :math:`\cos(\theta_1 - \theta_2)R(\tau)` against
    :math:`R(\tau)`, a relative error below :math:`(\pi\tau/2F)^2/2` (2e-5 at
    :math:`\tau = 16`), while samples of two frames more than :math:`F` apart are
    uncorrelated (the process's covariance there below 1e-5 of its variance for the
    default laser) (``tests/photonics/timedomain/test_langevin_draws.py`` measures the
    covariance through the fades). Against filtering white time samples by overlap-save,
    which needs a forward and an inverse transform, each frame takes one inverse
    transform.

    A frame depends only on ``entropy`` and its index (its generator is keyed by both),
    so any range, in any order or on any thread, gives the same numbers: a record split
    into chunks draws exactly what one pass draws. Unlike :func:`langevin_draws` the
    sequence is not periodic. Single precision throughout (draws, transforms, shaping,
    result): the draws are noise, and a relative error of 1e-7 in them is far below any
    statistic the link reports. The white bins are NumPy's
    ``Generator.standard_normal`` (its float64 ziggurat, run in numba:
    :func:`~rof.photonics.timedomain.normals.fill_normals`), and :data:`SHAPING_GROUP`
    frames are transformed together; cost about 28 ns a sample on one core (37 ns by
    overlap-save of white time samples).

    Parameters
    ----------
    rc : RateConstants
        The laser's constants (noise scale > 0).
    h : float
        Sample length, s.
    lo, hi : int
        First and one-past-last sample index (any integers, ``hi > lo``).
    entropy : int
        Seed of the sequence (e.g. ``rng.integers(2**63)``).
    out : ndarray of float32, shape (hi - lo, 3), optional
        Written and returned (C-contiguous); a caller that reuses it saves the page faults
        of a fresh array.

    Returns
    -------
    ndarray of float32, shape (hi - lo, 3)
        As :func:`langevin_draws` (C-contiguous: sample ``i``'s three draws adjacent).
    """
    if out is None:
        out = np.empty((hi - lo, 3), dtype=np.float32)
    elif out.shape != (hi - lo, 3) or out.dtype != np.float32 or not out.flags.c_contiguous:
        raise ValueError(
            f"langevin_draws_range.out: shape {out.shape}, {out.dtype}; allowed: "
            f"C-contiguous float32 of shape ({hi - lo}, 3)"
        )
    langevin_draws_ranges(rc, h, [lo], [hi], entropy, out[np.newaxis])
    return out


def langevin_draws_ranges(
    rc: RateConstants, h: float, lo, hi, entropy: int, out: np.ndarray, frames=None
) -> np.ndarray:
    """:func:`langevin_draws_range` of several ranges at once, their frames made together
    (a frame that two ranges share, once): ``out[j, : hi[j] - lo[j]]`` gets the draws of
    samples ``lo[j] .. hi[j]-1`` (nothing for ``hi[j] <= lo[j]``), the same numbers as one
    call per range.

    For callers that advance many chunks a little at a time (the DML's lanes, a few
    frames of each per step): one range per call would transform one frame's three rows
    at a time, about twice the cost per sample of :data:`SHAPING_GROUP` frames together.

    Parameters
    ----------
    rc, h, entropy
        As :func:`langevin_draws_range`.
    lo, hi : sequence of int
        First and one-past-last sample of each range.
    out : ndarray of float32, shape (ranges, rows, 3)
        Written (rows at least the longest range; each ``out[j]`` C-contiguous).
    frames : dict, optional
        Frames already made for this ``rc``, ``h`` and ``entropy`` (index -> float32
        array (3, SHAPING_FFT)), used instead of making them again; the frames this call
        makes are added (a caller that advances its ranges keeps the last frame of each,
        which the next call's first fade needs, and drops the rest).

    Returns
    -------
    ndarray
        ``out``.
    """
    lo = [int(v) for v in lo]
    hi = [int(v) for v in hi]
    if (
        out.dtype != np.float32
        or out.ndim != 3
        or out.shape[0] != len(lo)
        or out.shape[2] != 3
        or not out[0].flags.c_contiguous
        or out.shape[1] < max(b - a for a, b in zip(lo, hi, strict=True))
    ):
        raise ValueError(
            f"langevin_draws_ranges.out: shape {out.shape}, {out.dtype}; allowed: float32 of "
            f"shape ({len(lo)}, rows >= the longest range, 3), rows C-contiguous"
        )
    hop, fade = SHAPING_HOP, SHAPING_FADE
    # the hops each range takes samples from; a hop's fade needs the frame before it too
    pieces = []  # (range, hop, first offset, end offset)
    needed = set()
    for j, (a, b) in enumerate(zip(lo, hi, strict=True)):
        for f in range(a // hop, -(-b // hop)) if b > a else ():
            o0, o1 = max(a - f * hop, 0), min(b - f * hop, hop)
            pieces.append((j, f, o0, o1))
            needed.add(f)
            if o0 < fade:
                needed.add(f - 1)
    have = {} if frames is None else frames
    todo = sorted(needed - have.keys())
    if todo:
        for g in range(0, len(todo), SHAPING_GROUP):
            group = todo[g : g + SHAPING_GROUP]
            y = _make_frames(rc, h, entropy, group)
            for i, f in enumerate(group):
                have[f] = y[i]
    w_in, w_out = _fade_weights()
    for j, f, o0, o1 in pieces:
        prev = have[f - 1] if o0 < fade else have[f]
        _put_frame(have[f], prev, o0, o1, w_in, w_out, out[j], f * hop + o0 - lo[j])
    return out
