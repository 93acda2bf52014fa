"""Differentially private RKME by the Gaussian mechanism on a random-feature embedding.

The released object must be a post-processing of a privatised quantity, so the data
embedding is first mapped to ``2D`` random Fourier features (Rahimi & Recht, NIPS
2007) of the same Gaussian kernel,

    phi(x) = D^{-1/2} [cos(W x), sin(W x)],   rows of W ~ N(0, 2 gamma I),

for which ``phi(x)^T phi(y) -> exp(-gamma ||x - y||^2)`` and ``||phi(x)||_2 = 1``
exactly. The empirical mean ``(1/n) sum_i phi(x_i)`` therefore has L2 sensitivity

    Delta_2 = 2 / n

under replacement of one row (n public). Adding ``N(0, sigma^2 I)`` with

    sigma = Delta_2 sqrt(2 ln(1.25 / delta)) / epsilon,   0 < epsilon <= 1,

is (epsilon, delta)-differentially private (Dwork & Roth, "The Algorithmic Foundations
of Differential Privacy", 2014, Theorem A.1). The reduced set ``(Z, beta)`` is then
fitted to the noisy vector alone, never touching ``X`` again (post-processing keeps
the guarantee); this is the construction of Balog, Tolstikhin & Schoelkopf,
"Differentially private database release via kernel mean embeddings", ICML 2018.
``W`` and the initial ``Z`` (standard normal in standardised units) are drawn
independently of the data.
"""

from __future__ import annotations

import numpy as np

from rof._validate import check_int_range, check_range
from rof.learnware import _kernels as kn

__all__ = ["fit_private", "gaussian_mechanism_sigma"]


def gaussian_mechanism_sigma(n: int, epsilon: float, delta: float) -> float:
    """Gaussian-mechanism noise std per feature coordinate: (2/n) sqrt(2 ln(1.25/delta)) / eps."""
    n = check_int_range("n_samples", n, 1)
    epsilon = check_range("dp_epsilon", epsilon, 0.0, 1.0, lo_open=True)
    delta = check_range("dp_delta", delta, 0.0, 1.0, lo_open=True, hi_open=True)
    return (2.0 / n) * np.sqrt(2.0 * np.log(1.25 / delta)) / epsilon


def _features(z, w):
    proj = z @ w.T
    s = 1.0 / np.sqrt(w.shape[0])
    return np.hstack([np.cos(proj), np.sin(proj)]) * s, proj


def fit_private(
    xs,
    reduced_size: int,
    gamma: float,
    epsilon: float,
    delta: float,
    rng: np.random.Generator,
    *,
    n_features: int = 1000,
    iters: int = 80,
):
    """Fit ``(Z, beta)`` to the Gaussian-mechanism noisy embedding of standardised ``xs``.

    Returns ``(Z (m, d), beta (m,))`` with ``m = min(reduced_size, n // 2)``.
    """
    n, d = xs.shape
    sigma = gaussian_mechanism_sigma(n, epsilon, delta)
    n_features = check_int_range("n_features", n_features, 1)
    w = rng.normal(scale=np.sqrt(2.0 * gamma), size=(n_features, d))
    phi_x, _ = _features(xs, w)
    nu = phi_x.mean(axis=0) + rng.normal(scale=sigma, size=2 * n_features)
    m = max(1, min(reduced_size, n // 2))
    z = rng.standard_normal((m, d))
    beta = np.full(m, 1.0 / m)
    s = 1.0 / np.sqrt(n_features)

    def objective(z, beta):
        phi, proj = _features(z, w)
        r = phi.T @ beta - nu
        return float(r @ r), phi, proj, r

    f, phi, proj, r = objective(z, beta)
    eta = 1.0
    for it in range(iters):
        if it % 5 == 0:
            beta = kn.simplex_qp(phi @ phi.T, phi @ nu, beta, 300, 1e-10)
            f, phi, proj, r = objective(z, beta)
        rc, rs = r[:n_features], r[n_features:]
        g = 2.0 * beta[:, None] * s * ((-np.sin(proj) * rc + np.cos(proj) * rs) @ w)
        pre = 4.0 * gamma * np.maximum(beta, 1e-12)[:, None] ** 2 + 1e-12
        while True:
            z_new = z - eta * g / pre
            f_new, phi_n, proj_n, r_n = objective(z_new, beta)
            if f_new <= f or eta < 1e-4:
                break
            eta *= 0.5
        if f_new > f:
            break
        z, f, phi, proj, r = z_new, f_new, phi_n, proj_n, r_n
        eta = min(1.0, eta * 2.0)
    beta = kn.simplex_qp(phi @ phi.T, phi @ nu, beta, 500, 1e-12)
    beta = np.maximum(beta, 0.0)
    return z, beta / beta.sum()
