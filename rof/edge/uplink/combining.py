"""Linear combining of a user's branches (sites, antennas) at the edge: MRC and MMSE.

A user of power :math:`p` reaches branches :math:`i = 1..n` with channel :math:`h_i`;
interferers :math:`v` of power :math:`q_v` with :math:`g_{v,i}`; each branch has its own
noise :math:`\\sigma_i^2` (the site's thermal noise plus its fronthaul's noise and
intermodulation, referred to the antenna). With combiner :math:`w`,

.. math::

    \\mathrm{SINR}(w) = \\frac{p |w^H h|^2}{\\sum_v q_v |w^H g_v|^2 + w^H \\Sigma w},
    \\qquad \\Sigma = \\mathrm{diag}(\\sigma_i^2).

Maximum-ratio combining weighs each branch by its channel over its own noise,
:math:`w = \\Sigma^{-1} h` (Brennan, "Linear diversity combining techniques",
Proc. IRE 47(6), 1959); MMSE combining uses the interference-plus-noise covariance
:math:`R = \\sum_v q_v g_v g_v^H + \\Sigma`, :math:`w = R^{-1} h`, which maximises the
SINR over all linear combiners (a generalised Rayleigh quotient) and gives
:math:`\\mathrm{SINR} = p\\, h^H R^{-1} h` (Winters, "Optimum combining in digital mobile
radio with cochannel interference", IEEE J. Sel. Areas Commun. 2(4), 1984).
"""

from __future__ import annotations

import numpy as np

__all__ = ["mmse_sinr", "mrc_sinr"]


def _parts(h, p, g, q, noise):
    h = np.asarray(h, dtype=complex)
    g = np.asarray(g, dtype=complex)
    q = np.asarray(q, dtype=float)
    sigma = np.broadcast_to(np.asarray(noise, dtype=float), h.shape)
    return h, np.asarray(p, dtype=float), g, q, sigma


def mrc_sinr(h, p, g, q, noise):
    """SINR after maximum-ratio combining :math:`w = \\Sigma^{-1} h` (module docstring).

    Parameters
    ----------
    h : complex array (..., n_branch)
        The user's channel to each branch.
    p : float array (...)
        Its power, W.
    g : complex array (..., n_int, n_branch)
        Each interferer's channel to each branch.
    q : float array (..., n_int)
        Interferer powers, W.
    noise : float array (..., n_branch)
        Each branch's noise, W.

    Returns
    -------
    ndarray (...)
        Linear SINR.
    """
    h, p, g, q, sigma = _parts(h, p, g, q, noise)
    w = h / sigma
    sig = p * np.abs(np.sum(np.conj(w) * h, axis=-1)) ** 2
    interf = np.sum(q * np.abs(np.einsum("...i,...vi->...v", np.conj(w), g)) ** 2, axis=-1)
    return sig / (interf + np.sum(np.abs(w) ** 2 * sigma, axis=-1))


def mmse_sinr(h, p, g, q, noise):
    """SINR after MMSE combining, :math:`p\\, h^H R^{-1} h` (module docstring); arguments
    as :func:`mrc_sinr`."""
    h, p, g, q, sigma = _parts(h, p, g, q, noise)
    r = np.einsum("...v,...vi,...vj->...ij", q, g, np.conj(g))
    r = r + sigma[..., :, None] * np.eye(h.shape[-1])
    x = np.linalg.solve(r, h[..., None])[..., 0]
    return p * np.real(np.sum(np.conj(h) * x, axis=-1))
