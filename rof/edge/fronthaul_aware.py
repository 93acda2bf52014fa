"""Fronthaul-aware wrapper: any scheduler, with each site's fronthaul in its rate estimate.

Two effects of the analog fronthaul enter the estimate:

* **noise and distortion**: the wrapped scheduler's SINR estimate gets the
  fronthaul terms of the SINR contract (``g P / SNR_fh`` on the own signal and the
  factor ``1 + 1/SNR_fh`` on every interferer), so a site behind a noisy link is
  not credited with a rate it cannot deliver;
* **latency**: a report of age ``tau`` on a Rayleigh link is correlated with the
  present channel by ``rho = J0(2 pi f_d tau)`` (Clarke, Bell Syst. Tech. J. 47,
  1968; Jakes, *Microwave Mobile Communications*, 1974, eq. (1.3-16)). Writing
  ``h_t = rho h_{t-tau} + sqrt(1 - rho^2) e`` with ``e ~ CN(0, 1)``, the MMSE
  estimate of the present power gain is

  .. math:: E[|h_t|^2 \\mid h_{t-\\tau}] = \\rho^2 |h_{t-\\tau}|^2 + (1 - \\rho^2),

  so the reported fading gain of each link is shrunk toward its large-scale mean
  by the age of the CSI from that link's site.
"""

from __future__ import annotations

import numpy as np
from scipy.special import j0

from rof.edge._base import Scheduler, SchedulingInput

__all__ = ["FronthaulAware", "aged_gain_estimate"]


def aged_gain_estimate(gain, large_scale, link_cell, csi_age_s, doppler_hz):
    """MMSE estimate of the present power gain from an aged report (module docstring).

    Parameters
    ----------
    gain : ndarray (n_ue, K, n_rb)
        Reported linear gains (large-scale x fading).
    large_scale : ndarray (n_ue, K)
        Linear large-scale gains (the fading mean).
    link_cell : ndarray (n_ue, K) int
    csi_age_s : ndarray (n_cells,)
        Age of each cell's report, s.
    doppler_hz : ndarray (n_ue,)
        Maximum Doppler frequency, Hz.

    Returns
    -------
    ndarray (n_ue, K, n_rb)
        ``rho^2 g + (1 - rho^2) G_ls`` with ``rho = J0(2 pi f_d tau)`` per link.
    """
    tau = np.asarray(csi_age_s, dtype=np.float64)[np.asarray(link_cell)]
    rho2 = j0(2.0 * np.pi * np.asarray(doppler_hz, dtype=np.float64)[:, None] * tau) ** 2
    ls = np.asarray(large_scale, dtype=np.float64)
    return rho2[:, :, None] * np.asarray(gain, dtype=np.float64) + ((1.0 - rho2) * ls)[:, :, None]


class FronthaulAware(Scheduler):
    """Wraps a scheduler so its estimate includes ``SNR_fh`` and the CSI age.

    Parameters
    ----------
    inner : Scheduler
        The scheduler to wrap.
    """

    def __init__(self, inner: Scheduler):
        self.inner = inner
        self.name = f"fronthaul_aware({inner.name})"
        self.coordinated = inner.coordinated

    def reset(self) -> None:
        self.inner.reset()

    def __call__(self, inp: SchedulingInput):
        est = aged_gain_estimate(
            inp.gain, inp.large_scale, inp.link_cell, inp.csi_age_s, inp.doppler_hz
        )
        return self.inner(inp.with_(gain=est, use_fronthaul=True))
