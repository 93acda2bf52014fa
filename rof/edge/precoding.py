"""Linear multi-user precoders: MRT, ZF and regularised ZF (RZF/MMSE), batched.

With the channel ``H`` (K users x M transmit antennas) the precoders are

.. math::
    W_\\mathrm{MRT} = H^H, \\qquad
    W_\\mathrm{ZF} = H^H (H H^H)^{-1}, \\qquad
    W_\\mathrm{RZF} = H^H (H H^H + \\alpha I_K)^{-1},
    \\quad \\alpha = K \\sigma^2 / P,

the RZF regularisation being the one of Peel, Hochwald & Swindlehurst, "A
vector-perturbation technique for near-capacity multiantenna multiuser communication
-- Part I", IEEE Trans. Commun. 53(1), 2005, Eq. 13 (it maximises the SINR for large
systems). ``alpha -> 0`` gives ZF, ``alpha -> inf`` gives MRT (up to scale). The
received amplitude of stream ``j`` at user ``k`` is ``(H W)_{kj}``.

Power: with ``normalisation = "column"`` (default) every stream gets ``power / K``
(equal power per user; for ZF on i.i.d. CN(0, 1) channels the per-user SNR is then
``Gamma(M - K + 1, 1) x P / (K sigma^2)``, Tse & Viswanath, *Fundamentals of
Wireless Communication*, 2005, Sec. 8.3.1 and Eq. 8.54; Jindal & Goldsmith 2005); with
``"matrix"`` ``W`` is scaled to ``||W||_F^2 = power`` (Peel et al. Eq. 12).
:func:`limit_power` then scales ``W`` so that every antenna group (a site: per-site
power; one antenna each: per-antenna power) stays within its limit -- the scaled
per-antenna-constrained ZF that Yu & Lan, "Transmitter optimization for the
multi-antenna downlink with per-antenna power constraints", IEEE Trans. Signal Process.
55(6), 2007, Sec. I use as the baseline of their optimised solution (which is not
implemented here).

Every function takes leading batch axes (RBs, clusters, ...): ``h`` is ``(..., K, M)``
complex, ``w`` is ``(..., M, K)``. Users whose channel row is all zero (padding) get a
zero precoder column and no power.

Example
-------
>>> import numpy as np
>>> from rof.edge.precoding import zf, sinr
>>> rng = np.random.default_rng(0)
>>> h = (rng.normal(size=(4, 8)) + 1j * rng.normal(size=(4, 8))) / np.sqrt(2)
>>> w = zf(h, power=1.0)
>>> bool(np.allclose(np.abs(h @ w - np.diag(np.diag(h @ w))), 0.0, atol=1e-12))
True
"""

from __future__ import annotations

import numpy as np

from rof.errors import ParameterError

__all__ = [
    "NORMALISATIONS",
    "PRECODERS",
    "age_channel",
    "leakage_w",
    "limit_power",
    "mrt",
    "precode",
    "quantise",
    "rzf",
    "sinr",
    "zf",
]

#: Precoder names accepted by :func:`precode`.
PRECODERS = ("mrt", "zf", "rzf")
#: Power normalisations: equal power per stream, or one Frobenius norm for W.
NORMALISATIONS = ("column", "matrix")


def _check_h(h, name: str, *, zf_like: bool) -> np.ndarray:
    h = np.asarray(h)
    if h.ndim < 2:
        raise ParameterError(
            f"{name}.h has shape {h.shape}; allowed: (..., n_ue, n_tx) with at least 2 axes"
        )
    if zf_like and h.shape[-2] > h.shape[-1]:
        raise ParameterError(
            f"{name}: n_ue = {h.shape[-2]} streams exceed n_tx = {h.shape[-1]} antennas; "
            f"allowed: n_ue <= n_tx (select users first, rof.edge.mimo.sus)"
        )
    if not np.all(np.isfinite(h)):
        raise ParameterError(f"{name}.h holds NaN or inf; allowed: finite complex gains")
    return h.astype(np.complex128, copy=False)


def _check_power(power, name: str) -> np.ndarray:
    p = np.asarray(power, dtype=float)
    if np.any(~np.isfinite(p)) or np.any(p < 0):
        raise ParameterError(f"{name}.power = {power!r} is out of range; allowed: >= 0 (W)")
    return p


def _normalise(w: np.ndarray, power, normalisation: str, name: str) -> np.ndarray:
    if normalisation not in NORMALISATIONS:
        raise ParameterError(
            f"{name}.normalisation = {normalisation!r} is not known; allowed: "
            + ", ".join(repr(n) for n in NORMALISATIONS)
        )
    p = _check_power(power, name)
    col2 = np.einsum("...mk,...mk->...k", w.real, w.real) + np.einsum(
        "...mk,...mk->...k", w.imag, w.imag
    )
    active = col2 > 0
    n_active = np.maximum(active.sum(axis=-1, keepdims=True), 1)
    if normalisation == "column":
        scale = np.where(active, np.sqrt(p[..., None] / n_active / np.where(active, col2, 1)), 0)
    else:
        tot = np.maximum(col2.sum(axis=-1, keepdims=True), np.finfo(float).tiny)
        scale = np.broadcast_to(np.sqrt(p[..., None] / tot), col2.shape)
    return w * scale[..., None, :]


def _solve_gram(h: np.ndarray, alpha) -> np.ndarray:
    """``H^H (H H^H + alpha I)^{-1}``, with zero rows of ``H`` kept out of the inverse."""
    k = h.shape[-2]
    gram = h @ np.conj(np.swapaxes(h, -1, -2))
    idle = ~np.any(h != 0, axis=-1)  # (..., K) padded users
    diag = np.asarray(alpha, dtype=float)[..., None] + idle
    gram = gram + diag[..., None] * np.eye(k)
    x = np.linalg.solve(gram, h)  # (..., K, M) = G^{-1} H
    return np.conj(np.swapaxes(x, -1, -2))


def mrt(h, power=1.0, *, normalisation: str = "column") -> np.ndarray:
    """Maximum-ratio transmission ``W = H^H`` (module docstring), normalised.

    Parameters
    ----------
    h : ndarray (..., n_ue, n_tx) complex
        Channel (amplitude gains).
    power : float or ndarray (...)
        Total transmit power, W.
    normalisation : {"column", "matrix"}

    Returns
    -------
    ndarray (..., n_tx, n_ue) complex128
    """
    h = _check_h(h, "mrt", zf_like=False)
    return _normalise(np.conj(np.swapaxes(h, -1, -2)), power, normalisation, "mrt")


def zf(h, power=1.0, *, normalisation: str = "column") -> np.ndarray:
    """Zero-forcing ``W = H^H (H H^H)^{-1}`` (module docstring), normalised.

    Parameters as :func:`mrt`; ``n_ue <= n_tx`` is required.
    """
    h = _check_h(h, "zf", zf_like=True)
    return _normalise(_solve_gram(h, 0.0), power, normalisation, "zf")


def rzf(
    h, power=1.0, noise_w=1.0, *, regularisation=None, normalisation: str = "column"
) -> np.ndarray:
    """Regularised ZF ``W = H^H (H H^H + alpha I)^{-1}`` (module docstring).

    Parameters
    ----------
    h, power, normalisation
        As :func:`mrt`.
    noise_w : float or ndarray (...)
        Receiver noise power sigma^2, W (>= 0); sets ``alpha = K sigma^2 / P`` (Peel et al.
        2005, Eq. 13) when ``regularisation`` is not given.
    regularisation : float or ndarray (...), optional
        ``alpha`` itself (>= 0); 0 is ZF.
    """
    h = _check_h(h, "rzf", zf_like=False)
    if regularisation is None:
        n0 = np.asarray(noise_w, dtype=float)
        if np.any(~np.isfinite(n0)) or np.any(n0 < 0):
            raise ParameterError(f"rzf.noise_w = {noise_w!r} is out of range; allowed: >= 0 (W)")
        p = _check_power(power, "rzf")
        k = np.maximum(np.any(h != 0, axis=-1).sum(axis=-1), 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(p > 0, k * n0 / np.where(p > 0, p, 1.0), 0.0)
    else:
        alpha = np.asarray(regularisation, dtype=float)
        if np.any(np.isnan(alpha)) or np.any(alpha < 0):
            raise ParameterError(
                f"rzf.regularisation = {regularisation!r} is out of range; allowed: >= 0"
            )
    if h.shape[-2] > h.shape[-1] and np.any(alpha == 0):
        raise ParameterError(
            f"rzf: n_ue = {h.shape[-2]} streams exceed n_tx = {h.shape[-1]} antennas with "
            "regularisation 0; allowed: n_ue <= n_tx or regularisation > 0"
        )
    return _normalise(_solve_gram(h, alpha), power, normalisation, "rzf")


def precode(name: str, h, power=1.0, noise_w=1.0, **kw) -> np.ndarray:
    """The precoder called ``name`` (one of :data:`PRECODERS`)."""
    if name not in PRECODERS:
        raise ParameterError(
            f"precoder = {name!r} is not known; allowed: " + ", ".join(repr(p) for p in PRECODERS)
        )
    if name == "rzf":
        return rzf(h, power, noise_w, **kw)
    return {"mrt": mrt, "zf": zf}[name](h, power, **kw)


def limit_power(w, limit_w, groups=None) -> np.ndarray:
    """Scale ``w`` so that no antenna group transmits more than its limit.

    .. math:: W \\leftarrow W \\sqrt{\\min_g P_g / \\sum_{m \\in g} \\|w_m\\|^2}

    (Yu & Lan 2007, Sec. I: the scaled solution). The scale is one per batch entry, so
    the precoder's directions and its zero-forcing are kept.

    Parameters
    ----------
    w : ndarray (..., n_tx, n_ue)
    limit_w : float or ndarray (n_groups,)
        Power limit of each group, W.
    groups : ndarray (n_tx,) int, optional
        Group (site) of each antenna; ``None``: every antenna its own group
        (per-antenna constraint).

    Returns
    -------
    ndarray like ``w``
    """
    w = np.asarray(w)
    n_tx = w.shape[-2]
    g = np.arange(n_tx) if groups is None else np.asarray(groups)
    if g.shape != (n_tx,) or (g.size and g.min() < 0):
        raise ParameterError(
            f"limit_power.groups has shape {g.shape}; allowed: ({n_tx},) non-negative ints"
        )
    n_g = int(g.max()) + 1 if g.size else 0
    lim = np.broadcast_to(np.asarray(limit_w, dtype=float), (n_g,))
    if np.any(~(lim >= 0)):
        raise ParameterError(f"limit_power.limit_w = {limit_w!r} is out of range; allowed: >= 0")
    row = np.sum(np.abs(w) ** 2, axis=-1)  # (..., n_tx)
    onehot = (g[:, None] == np.arange(n_g)).astype(float)
    per_g = row @ onehot  # (..., n_g)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(per_g > 0, lim / per_g, np.inf)
    scale = np.minimum(np.min(ratio, axis=-1), 1e300)
    scale = np.where(np.isfinite(scale), scale, 1.0)
    return w * np.sqrt(scale)[..., None, None]


def sinr(h, w, noise_w, extra_w=0.0) -> np.ndarray:
    """Per-user SINR of precoder ``w`` on channel ``h``.

    .. math:: \\gamma_k = |(HW)_{kk}|^2 / (\\sum_{j \\ne k} |(HW)_{kj}|^2 + \\sigma_k^2 + e_k)

    Parameters
    ----------
    h : ndarray (..., K, M); w : ndarray (..., M, K)
    noise_w : float or ndarray (..., K)
        Receiver noise, W.
    extra_w : float or ndarray (..., K)
        Further interference or fronthaul noise at each user, W.

    Returns
    -------
    ndarray (..., K)
    """
    a = np.abs(np.asarray(h) @ np.asarray(w)) ** 2
    sig = np.diagonal(a, axis1=-2, axis2=-1)
    return sig / (a.sum(axis=-1) - sig + noise_w + extra_w)


def leakage_w(h, w) -> np.ndarray:
    """Inter-user interference ``sum_{j != k} |(HW)_{kj}|^2`` at each user, W (..., K)."""
    a = np.abs(np.asarray(h) @ np.asarray(w)) ** 2
    return a.sum(axis=-1) - np.diagonal(a, axis1=-2, axis2=-1)


def age_channel(h_report, rho, rng: np.random.Generator, variance=1.0) -> np.ndarray:
    """One Gauss-Markov step from the reported channel to the true one.

    .. math:: h = \\rho \\hat h + \\sqrt{1 - \\rho^2}\\, e, \\quad e \\sim CN(0, \\beta),

    with ``rho = J0(2 pi f_d tau)`` for a report ``tau`` old under Clarke's model (Truong
    & Heath, "Effects of channel aging in massive MIMO systems", J. Commun. Netw. 15(4),
    2013, Eq. 4). ``variance`` is ``beta``, broadcast against ``h_report``.
    """
    r = np.asarray(rho, dtype=float)
    if np.any(~(np.abs(r) <= 1)):
        raise ParameterError(f"age_channel.rho = {rho!r} is out of range; allowed: -1 to 1")
    h = np.asarray(h_report)
    e = (rng.standard_normal(h.shape) + 1j * rng.standard_normal(h.shape)) * np.sqrt(
        np.asarray(variance, dtype=float) / 2.0
    )
    return r * h + np.sqrt(1.0 - r**2) * e


def quantise(h, bits: int) -> np.ndarray:
    """Reported channel through a uniform ``bits``-bit quantiser per I and Q.

    Each row (one user) is scaled by its largest I/Q magnitude, quantised mid-rise on
    ``2**bits`` levels in ``[-1, 1]`` and scaled back (the explicit-CSI feedback of
    Caire, Jindal, Kobayashi & Ravindran, IEEE Trans. Inf. Theory 56(6), 2010, Sec. IV,
    with scalar quantisation). ``bits`` from 1 to 16.
    """
    if not isinstance(bits, int | np.integer) or not 1 <= bits <= 16:
        raise ParameterError(f"quantise.bits = {bits!r} is out of range; allowed: an int 1 to 16")
    h = np.asarray(h)
    peak = np.maximum(np.max(np.maximum(np.abs(h.real), np.abs(h.imag)), axis=-1), 1e-300)
    levels = 2**bits
    step = 2.0 / levels

    def q(x):
        idx = np.clip(np.floor((x + 1.0) / step), 0, levels - 1)
        return -1.0 + (idx + 0.5) * step

    s = peak[..., None]
    return (q(h.real / s) + 1j * q(h.imag / s)) * s
