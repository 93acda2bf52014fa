"""Subcarrier multiplexing of a site's antenna branches on one laser
(``mimo.branch_mux = "scm"``): each antenna's signal on its own IF, side by side, the sum
driving one link.

The link's operating point stays the ``[fronthaul]`` drive: the composite of the
``N`` branches has the drive power ``P`` (each branch ``P / N``) and the bandwidth
``N B``. Its budget (:func:`rof.link.build.site_budgets` at bandwidth ``N B``: the
transmitter's OFDM distortion, from the link's describing function
:func:`rof.link.describing.link_distortion` behind fiber where the link uses it) gives

- the signal-independent SNR ``SNR_n`` over ``N B``: each branch has ``1/N`` of the
  signal and ``1/N`` of the noise band, so its own ``SNR_n`` is the composite's -- ``N``
  times below that of a link of its own at the full drive (the price of sharing the
  laser's modulation depth);
- the in-band intermodulation over signal, ``1 / SDR_c``: the products of all
  subcarriers falling inside the composite band (CSO/CTB of multichannel SCM; Darcie,
  "Subcarrier multiplexing for lightwave networks and video distribution systems",
  IEEE J. Sel. Areas Commun. 8(7), 1990).

That intermodulation is spread over the subcarriers by the spectral shape of the third
order, the ``3``-fold self-convolution of the composite's flat spectrum (a sum of three
uniform frequencies: the Irwin-Hall density), so branch ``a`` gets the share ``s_a``
(:func:`imd3_shares`: largest in the middle of the band, as composite triple beat) and
``1 / SDR_a = N s_a / SDR_c`` (within about 1 dB of ``SDR_c``: ``1/N`` of the power,
``1/N`` of the products on average). Higher orders spread flatter; their share follows the
same weights here (at the budget's drives the third order dominates). There is no
crosstalk between branches of one laser (no WDM node). With ``N = 1`` the branch is the
single-antenna link exactly.
"""

from __future__ import annotations

import math

import numpy as np

from rof.errors import ParameterError

__all__ = ["imd3_shares", "scm_budget"]


def _irwin_hall_cdf(x: np.ndarray) -> np.ndarray:
    """CDF of the sum of three U(0, 1) (Irwin-Hall, n = 3), closed form."""
    x = np.clip(np.asarray(x, dtype=float), 0.0, 3.0)
    out = np.zeros_like(x)
    for k in range(4):
        out += (-1) ** k * math.comb(3, k) * np.maximum(x - k, 0.0) ** 3
    return out / 6.0


def imd3_shares(n: int) -> np.ndarray:
    """Share of the composite band's third-order intermodulation on each of ``n`` equal
    contiguous subcarriers (module docstring); sums to 1.

    The third-order products of a flat band ``[0, n)`` (in subcarrier widths) have the
    density of ``f_1 + f_2 - f_3`` for uniform ``f_i`` -- the same as that of three
    uniforms over ``[0, n)`` shifted by ``-n`` -- so subcarrier ``a``'s share is the
    Irwin-Hall mass of ``[(a + n) / n, (a + 1 + n) / n)``, renormalised to the in-band
    part.
    """
    if not isinstance(n, int | np.integer) or n < 1:
        raise ParameterError(f"imd3_shares.n = {n!r} is out of range; allowed: an int >= 1")
    edges = (np.arange(n + 1) + n) / n
    mass = np.diff(_irwin_hall_cdf(edges))
    return mass / mass.sum()


def scm_budget(fh, carrier_hz: float, bandwidth_hz: float, length_km, n_ant: int):
    """Per-branch SNDR and SDR of ``n_ant`` branches subcarrier-multiplexed on one link.

    Parameters
    ----------
    fh : rof.scenario.Fronthaul
        The ``[fronthaul]`` table (its link and drive).
    carrier_hz, bandwidth_hz : float
        RF carrier and one branch's bandwidth, Hz.
    length_km : ndarray (n_sites,)
    n_ant : int

    Returns
    -------
    sndr_db, sdr_db : ndarray (n_sites, n_ant)
        Each branch's SNDR and its intermodulation part (module docstring).
    """
    from rof.link.build import site_budgets

    out = site_budgets(fh.parts(), carrier_hz, fh.rf_drive_dbm, n_ant * bandwidth_hz, length_km)
    inv_sndr = 10.0 ** (-np.asarray(out["sndr_db"], float) / 10.0)
    inv_sdr_c = 10.0 ** (-np.asarray(out["sdr_db"], float) / 10.0)
    inv_snr_n = np.maximum(inv_sndr - inv_sdr_c, 0.0)
    inv_sdr = inv_sdr_c[:, None] * n_ant * imd3_shares(int(n_ant))[None, :]
    with np.errstate(divide="ignore"):
        sndr_db = -10.0 * np.log10(inv_snr_n[:, None] + inv_sdr)
        sdr_db = -10.0 * np.log10(inv_sdr)
    return sndr_db, sdr_db
