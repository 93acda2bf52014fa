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


#: FFT length of the overlap-save shaping of :func:`langevin_draws_range`.
SHAPING_FFT = 1 << 16
#: Samples of white input kept on each side of an overlap-save frame: the shaping
#: filter's impulse response beyond this lag holds about 2e-5 of its energy (its tail
#: falls as 1/k, from the response's step at Nyquist), which is what the frames leave out.
SHAPING_OVERLAP = 1 << 12
#: Overlap-save frames transformed together (their 3 x 4 rows run through the FFT several
#: at a time).
SHAPING_GROUP = 4
#: White draws per generator block (a block's generator is keyed by its index alone).
WHITE_BLOCK = 1 << 14


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


@functools.lru_cache(maxsize=4)
def _shaping_single(rc: RateConstants, h: float) -> np.ndarray:
    """:func:`shaping_matrices` in single precision (cached)."""
    return shaping_matrices(rc, h).astype(np.complex64)


def _white(entropy: int, lo: int, hi: int, prev=None) -> tuple[np.ndarray, int]:
    """Unit white normals of (at least) the samples ``lo .. hi-1`` (any integers), float32,
    as ``(w, start)``: ``w[:, i]`` is sample ``start + i``, shape ``(3, whole blocks)``.

    Block ``b`` of :data:`WHITE_BLOCK` samples is ``standard_normal((3, WHITE_BLOCK))``
    of the generator keyed ``(entropy, b + 2**40)``
    (:func:`~rof.photonics.timedomain.normals.fill_normals`), so a sample's draw depends on
    the seed and its index only. Blocks that ``prev`` (an earlier ``(w, start)``) holds
    are copied from it, not drawn again."""
    b0, b1 = lo // WHITE_BLOCK, (hi - 1) // WHITE_BLOCK + 1
    out = np.empty((3, (b1 - b0) * WHITE_BLOCK), dtype=np.float32)
    p0 = p1 = 0
    if prev is not None:
        p0 = prev[1] // WHITE_BLOCK
        p1 = p0 + prev[0].shape[1] // WHITE_BLOCK
    for b in range(b0, b1):
        k = (b - b0) * WHITE_BLOCK
        if p0 <= b < p1:
            j = (b - p0) * WHITE_BLOCK
            out[:, k : k + WHITE_BLOCK] = prev[0][:, j : j + WHITE_BLOCK]
        else:
            g = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(b + (1 << 40),)))
            fill_normals(g, out[:, k : k + WHITE_BLOCK])
    return out, b0 * WHITE_BLOCK


@numba.njit(cache=True, nogil=True, fastmath=FAST_MATH)
def _shape_bins(x, t):
    """``x[f, :, k] = t[k] @ x[f, :, k]`` in place, for each frame ``f`` and bin ``k``."""
    for f in range(x.shape[0]):
        for k in range(x.shape[2]):
            x0 = x[f, 0, k]
            x1 = x[f, 1, k]
            x2 = x[f, 2, k]
            x[f, 0, k] = t[k, 0, 0] * x0 + t[k, 0, 1] * x1 + t[k, 0, 2] * x2
            x[f, 1, k] = t[k, 1, 0] * x0 + t[k, 1, 1] * x1 + t[k, 1, 2] * x2
            x[f, 2, k] = t[k, 2, 0] * x0 + t[k, 2, 1] * x1 + t[k, 2, 2] * x2


def langevin_draws_range(
    rc: RateConstants, h: float, lo: int, hi: int, entropy: int, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Band-limited Langevin draws of the samples ``lo .. hi-1`` of one endless sequence.

    The process of :func:`langevin_draws` (spectrum :math:`C^{-1}MDM^HC^{-T}/h`, nothing
    folded from above Nyquist), made by filtering unit white draws :math:`\xi_t` with
    the per-bin matrices of :func:`shaping_matrices` by overlap-save (Oppenheim &
    Schafer, *Discrete-Time Signal Processing*, 3rd ed., 2010, section 8.7.3): frames of
    :data:`SHAPING_FFT` white samples, of which the outer :data:`SHAPING_OVERLAP` on
    each side are discarded. The draw at sample :math:`t` depends only on ``entropy``
    and the white draws within :data:`SHAPING_OVERLAP` of :math:`t` (generated per
    block of :data:`WHITE_BLOCK` samples from its own key), so any range, in any order
    or on any thread, gives the same numbers: a record split into chunks draws exactly
    what one pass draws. Unlike :func:`langevin_draws` the sequence is not periodic.
    Single precision throughout (draws, transforms, shaping, result): the draws are
    noise, and a relative error of 1e-7 in them is far below any statistic the link
    reports. The white draws are NumPy's ``Generator.standard_normal`` (its float64
    ziggurat, run in numba:
    :func:`~rof.photonics.timedomain.normals.fill_normals`), and :data:`SHAPING_GROUP` frames
    are transformed together; cost about 45 ns a sample on one core (one frame in
    sixteen of it the overlap's).

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
        of a fresh array (about 10 us per 4 kB page on this project's virtual machines).

    Returns
    -------
    ndarray of float32, shape (hi - lo, 3)
        As :func:`langevin_draws` (C-contiguous: sample ``i``'s three draws adjacent).
    """
    t = _shaping_single(rc, float(h))
    m, k = SHAPING_FFT, SHAPING_OVERLAP
    valid = m - 2 * k
    f0, f1 = lo // valid, -(-hi // valid)  # frames on a grid fixed in sample index
    if out is None:
        out = np.empty((hi - lo, 3), dtype=np.float32)
    elif out.shape != (hi - lo, 3) or out.dtype != np.float32 or not out.flags.c_contiguous:
        raise ValueError(
            f"langevin_draws_range.out: shape {out.shape}, {out.dtype}; allowed: "
            f"C-contiguous float32 of shape ({hi - lo}, 3)"
        )
    white = None
    for g0 in range(f0, f1, SHAPING_GROUP):
        g1 = min(g0 + SHAPING_GROUP, f1)
        # the group's white draws (a few MB, drawn group by group: the previous group's
        # overlapping blocks are copied), and its frames as one (frames, 3, m) view of them:
        # the transforms then run several at a time (SIMD over rows), twice as fast as three.
        white = _white(entropy, g0 * valid - k, g1 * valid + k, white)
        w, start = white
        step = w.strides[1]
        frames = np.lib.stride_tricks.as_strided(
            w[:, g0 * valid - k - start :],
            shape=(g1 - g0, 3, m),
            strides=(valid * step, w.strides[0], step),
            writeable=False,
        )
        x = sfft.rfft(frames, axis=-1)
        _shape_bins(x, t)
        y = sfft.irfft(x, m, axis=-1, overwrite_x=True)
        for f in range(g0, g1):
            s0, s1 = max(f * valid, lo), min((f + 1) * valid, hi)
            _put_transposed(y[f - g0], k + s0 - f * valid, out, s0 - lo, s1 - s0)
    return out


def langevin_draws_ranges(
    rc: RateConstants, h: float, lo, hi, entropy: int, out: np.ndarray
) -> np.ndarray:
    """:func:`langevin_draws_range` of several ranges at once, their frames transformed
    together: ``out[j, : hi[j] - lo[j]]`` gets the draws of samples ``lo[j] .. hi[j]-1``
    (nothing for ``hi[j] <= lo[j]``), the same numbers as one call per range.

    For callers that advance many chunks a little at a time (the DML's lanes, a frame of
    each per step): one range per call would transform one frame's three rows at a time,
    about twice the cost per sample of :data:`SHAPING_GROUP` frames together.

    Parameters
    ----------
    rc, h, entropy
        As :func:`langevin_draws_range`.
    lo, hi : sequence of int
        First and one-past-last sample of each range.
    out : ndarray of float32, shape (ranges, rows, 3)
        Written (rows at least the longest range; each ``out[j]`` C-contiguous).

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
    t = _shaping_single(rc, float(h))
    m, k = SHAPING_FFT, SHAPING_OVERLAP
    valid = m - 2 * k
    users: dict[int, list[int]] = {}  # frame -> the ranges that take samples from it
    for j, (a, b) in enumerate(zip(lo, hi, strict=True)):
        for f in range(a // valid, -(-b // valid)) if b > a else ():
            users.setdefault(f, []).append(j)
    frames = sorted(users)
    windows = {}
    for g in range(0, len(frames), SHAPING_GROUP):
        group = frames[g : g + SHAPING_GROUP]
        stack = np.empty((len(group), 3, m), dtype=np.float32)
        for i, f in enumerate(group):
            prev = windows.get(f - 1)
            white = _white(entropy, f * valid - k, f * valid + valid + k, prev)
            windows[f] = white
            w, start = white
            stack[i] = w[:, f * valid - k - start : f * valid - k - start + m]
        x = sfft.rfft(stack, axis=-1, overwrite_x=True)
        _shape_bins(x, t)
        y = sfft.irfft(x, m, axis=-1, overwrite_x=True)
        for i, f in enumerate(group):
            for j in users[f]:
                s0, s1 = max(f * valid, lo[j]), min((f + 1) * valid, hi[j])
                _put_transposed(y[i], k + s0 - f * valid, out[j], s0 - lo[j], s1 - s0)
    return out


@numba.njit(cache=True, nogil=True)
def _put_transposed(y, y0, out, o0, count):
    """``out[o0 + i, c] = y[c, y0 + i]`` for ``i < count`` (a frame's kept outputs)."""
    for i in range(count):
        for c in range(3):
            out[o0 + i, c] = y[c, y0 + i]
