"""One analog fronthaul branch per antenna: noise, gain and phase mismatch, WDM crosstalk.

Antenna ``a`` of site ``s`` is fed by its own analog link. What it radiates for the
precoded branch signals ``x_s = W_s s`` (:mod:`rof.edge.mimo.cluster`) is

.. math:: \\tilde x_{s} = \\mathrm{diag}(g_s)\\, M_s\\, x_s + n_s,

- ``g_{s,a}``: the branch's complex gain relative to what the precoder assumes: its
  budget gain against the site's mean (``RoFLink.budget(...).gain_db``) times a random
  amplitude (``gain_mismatch_db`` rms, dB) and phase (``phase_mismatch_deg`` rms) error
  that the CSI report does not see (e.g. reciprocity calibration residue);
- ``M_s``: crosstalk between the branches of one WDM node, one wavelength per branch:
  the photocurrent of channel ``j`` at branch ``i``'s photodiode is ``rho_ij`` times the
  wanted one (:class:`rof.photonics.siph.wdm.WdmNode`, ``WdmSite.crosstalk_ratios``), so
  ``M = I + [rho_ij]``. Precoded branches carry correlated signals, so the crosstalk is
  this linear map, not uncorrelated noise (for uncorrelated signals its power is the
  node's ``sum_j rho_ij^2``, the budget's SIR);
- ``n_{s,a}``: the branch's fronthaul noise, added after precoding, of power
  :func:`rof.radio.sinr.fronthaul_noise_w` from the branch's own drive: the
  signal-independent part (RIN, shot, thermal; ``SNR_n``) on every RB, the
  intermodulation following the branch's mean drive (``SDR`` at full drive). Without a
  crosstalk map the budget's crosstalk is counted as noise, as for single-antenna sites:
  ``1 / SNR_n = 1 / SNDR - 1 / SDR``.

With one antenna per site, unit gains and no crosstalk this is the single-antenna
fronthaul of :func:`rof.edge.simulate` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rof.errors import ParameterError

__all__ = ["Branches", "wdm_mixing"]


@dataclass(frozen=True)
class Branches:
    """The analog branches of every site (module docstring).

    Attributes
    ----------
    snr_noise : ndarray (n_sites, n_ant)
        Signal-independent SNR of each branch at full drive, linear (inf: none).
    sdr : ndarray (n_sites, n_ant)
        Signal-to-intermodulation ratio at full drive, linear (inf: none).
    gain : ndarray (n_sites, n_ant) complex
        Branch gain relative to the precoder's assumption.
    mixing : ndarray (n_sites, n_ant, n_ant) or None
        Crosstalk map ``M_s``; None: none.
    latency_s : ndarray (n_sites, n_ant)
        One-way latency of each branch, s.
    p_ref_w : float
        Per-RB power of one branch at the drive the budget was evaluated at, W.
    """

    snr_noise: np.ndarray
    sdr: np.ndarray
    gain: np.ndarray
    mixing: np.ndarray | None
    latency_s: np.ndarray
    p_ref_w: float

    def __post_init__(self):
        if not self.p_ref_w > 0:
            raise ParameterError(
                f"Branches.p_ref_w = {self.p_ref_w!r} is out of range; allowed: > 0"
            )
        shape = np.shape(self.snr_noise)
        for name in ("sdr", "gain", "latency_s"):
            if np.shape(getattr(self, name)) != shape:
                raise ParameterError(
                    f"Branches.{name} has shape {np.shape(getattr(self, name))}; allowed: "
                    f"{shape} (n_sites, n_ant), as snr_noise"
                )
        if self.mixing is not None and np.shape(self.mixing) != (*shape, shape[1]):
            raise ParameterError(
                f"Branches.mixing has shape {np.shape(self.mixing)}; allowed: "
                f"{(*shape, shape[1])} (n_sites, n_ant, n_ant)"
            )

    @classmethod
    def from_budget(
        cls,
        budget,
        n_sites: int,
        n_ant: int,
        p_ref_w: float,
        *,
        gain_mismatch_db: float = 0.0,
        phase_mismatch_deg: float = 0.0,
        mixing=None,
        rng: np.random.Generator | None = None,
    ) -> Branches:
        """Branches from a link budget broadcast to ``(n_sites, n_ant)``.

        Parameters
        ----------
        budget : rof.link.LinkBudget
            ``RoFLink.budget(...)``, scalar or with fields broadcastable to
            ``(n_sites, n_ant)`` (e.g. evaluated at one fiber length per branch).
        n_sites, n_ant : int
        p_ref_w : float
            Per-RB power of one branch at the budget's drive, W.
        gain_mismatch_db, phase_mismatch_deg : float
            Rms of the uncalibrated amplitude (dB) and phase (deg) error per branch (>= 0).
        mixing : ndarray (n_ant, n_ant) or (n_sites, n_ant, n_ant), optional
            Crosstalk map (:func:`wdm_mixing`); then the budget's crosstalk is not also
            counted as noise.
        rng : numpy.random.Generator
            Needed when a mismatch is drawn.
        """
        shape = (int(n_sites), int(n_ant))
        for name, v in (
            ("gain_mismatch_db", gain_mismatch_db),
            ("phase_mismatch_deg", phase_mismatch_deg),
        ):
            if not (np.isfinite(v) and v >= 0):
                raise ParameterError(f"mimo.{name} = {v!r} is out of range; allowed: >= 0")

        def field(name):
            return np.broadcast_to(np.asarray(getattr(budget, name), dtype=float), shape)

        inv_sdr = 10.0 ** (-field("sdr_db") / 10.0)
        if mixing is None:
            inv_n = np.maximum(10.0 ** (-field("sndr_db") / 10.0) - inv_sdr, 0.0)
        else:
            inv_n = 10.0 ** (-field("snr_db") / 10.0)
            mixing = np.broadcast_to(np.asarray(mixing, dtype=float), (*shape, shape[1])).copy()
        with np.errstate(divide="ignore"):
            snr_noise, sdr = 1.0 / inv_n, 1.0 / inv_sdr
        g_db = field("gain_db")
        amp = 10.0 ** ((g_db - g_db.mean(axis=1, keepdims=True)) / 20.0)
        gain = amp.astype(complex)
        if gain_mismatch_db > 0 or phase_mismatch_deg > 0:
            if rng is None:
                raise ParameterError("Branches.from_budget: a mismatch needs rng (a Generator)")
            gain = gain * 10.0 ** (gain_mismatch_db * rng.standard_normal(shape) / 20.0)
            gain = gain * np.exp(1j * np.radians(phase_mismatch_deg) * rng.standard_normal(shape))
        return cls(snr_noise, sdr, gain, mixing, field("latency_s").copy(), float(p_ref_w))

    def radiate(self, w, tx) -> np.ndarray:
        """The weights each antenna radiates, ``diag(g_s) M_s w`` per stream and site.

        ``w`` (n_rb, n_str, C, n_ant) from :func:`rof.edge.mimo.cluster.precoders`,
        ``tx`` its ``plan.tx``; returns the same shape.
        """
        w = np.asarray(w)
        s = np.maximum(tx, 0)
        if self.mixing is not None:
            w = np.einsum("...ij,...j->...i", self.mixing[s], w)
        return w * np.where((tx >= 0)[..., None], self.gain[s], 0.0)

    def noise_w(self, w_radiated, tx) -> np.ndarray:
        """Fronthaul noise each branch radiates on every RB, W, (n_sites, n_ant).

        :func:`rof.radio.sinr.fronthaul_noise_w` of the branch's power on each RB.
        """
        from rof.radio.sinr import fronthaul_noise_w

        n_sites, n_ant = self.snr_noise.shape
        n_rb = w_radiated.shape[0]
        part = np.abs(np.asarray(w_radiated)) ** 2  # (n_rb, n_str, C, n_ant)
        load = np.zeros((n_sites + 1, n_rb, n_ant))
        rb = np.broadcast_to(np.arange(n_rb)[:, None, None], tx.shape)
        np.add.at(load, (tx, rb), part)
        p = load[:n_sites].transpose(0, 2, 1).reshape(n_sites * n_ant, n_rb)
        f = fronthaul_noise_w(p, self.p_ref_w, self.snr_noise.ravel(), self.sdr.ravel())
        return f.reshape(n_sites, n_ant)


def wdm_mixing(node, temperature_offset_k=None, heater_locking=None) -> np.ndarray:
    """Crosstalk map ``M = I + [rho_ij]`` of a WDM node, one wavelength per branch.

    Parameters
    ----------
    node : rof.photonics.siph.wdm.WdmNode
        ``n_channels`` = antennas per site.
    temperature_offset_k, heater_locking
        The node's thermal state (default: its own).

    Returns
    -------
    ndarray (n_channels, n_channels)
    """
    sites = node.sites(temperature_offset_k, heater_locking)
    n = len(sites)
    m = np.eye(n)
    for i, site in enumerate(sites):
        others = [j for j in range(n) if j != i]
        m[i, others] = site.crosstalk_ratios
    return m
