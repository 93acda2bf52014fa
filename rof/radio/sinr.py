"""Downlink SINR with analog-fronthaul noise, for scheduled transmissions and for rate estimates.

The analog fronthaul of cell ``c`` delivers its RF signal with a signal-to-noise-and-
distortion ratio ``SNR_fh,c`` (from :meth:`rof.link.RoFLink.budget`, ``sndr_db``). Noise and
distortion are added before the antenna, so they are radiated with the signal, see the same
channel and reach every UE in proportion to the received power of that cell. For a UE
served by cell ``s`` on one RB (effective SINR of cascaded noisy stages, Pozar, *Microwave
and RF Design of Wireless Systems*, 2001, Section 3.4; DESIGN.md data flow)::

    SINR = g_s P_s / ( sum_{c != s} g_c P_c (1 + 1/SNR_fh,c) + G_bg P_bg + N + g_s P_s / SNR_fh,s )

With every ``SNR_fh = inf`` this is the ordinary downlink SINR; for one cell without
interference it tends to ``SNR_fh,s`` as ``g_s -> inf``. ``N = k T0 B F`` is the UE's
thermal noise on one RB (-174 dBm/Hz, :func:`noise_power_w`). ``G_bg P_bg`` is the
background interference of the cells outside the UE's top-K link table
(:class:`rof.radio.linktable.LinkTable`), assumed to transmit ``P_bg`` per RB; to apply
fronthaul noise to it too, pass ``P_bg (1 + 1/SNR_fh)``.

Kernels (:mod:`rof.radio.kernels_sinr`) stream over cells and links; the
``*_reference`` functions here are dense NumPy versions used by the tests.
"""

from __future__ import annotations

import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError
from rof.radio.kernels_sinr import sinr_per_link_kernel, sinr_scheduled_kernel
from rof.units import THERMAL_NOISE_DBM_PER_HZ, db_to_lin

__all__ = [
    "channel_gain",
    "noise_power_w",
    "sinr_per_link",
    "sinr_per_link_reference",
    "sinr_scheduled",
    "sinr_scheduled_reference",
]


def noise_power_w(bandwidth_hz, noise_figure_db=0.0):
    """Thermal noise power at a receiver, ``N = k T0 B F`` (W).

    ``N_dBm = -173.98 dBm/Hz + 10 log10(B) + NF`` (Friis 1944; T0 = 290 K,
    :data:`rof.units.THERMAL_NOISE_DBM_PER_HZ`).

    Parameters
    ----------
    bandwidth_hz : float or array_like
        Noise bandwidth (Hz, > 0), e.g. one RB: ``12 * subcarrier_spacing``.
    noise_figure_db : float or array_like
        Receiver noise figure (dB, >= 0).

    Returns
    -------
    float or ndarray
        Noise power (W), broadcast over the inputs.

    Examples
    --------
    >>> round(float(10 * np.log10(noise_power_w(1.0) * 1e3)), 2)
    -173.98
    """
    bw = check_range("noise_power_w.bandwidth_hz", bandwidth_hz, 0.0, lo_open=True)
    nf = check_range("noise_power_w.noise_figure_db", noise_figure_db, 0.0, 60.0)
    out = 1e-3 * db_to_lin(THERMAL_NOISE_DBM_PER_HZ + nf) * np.asarray(bw)
    return float(out) if np.ndim(out) == 0 else out


def channel_gain(gain_db, fading) -> np.ndarray:
    """Linear per-RB link gains: large-scale gain (dB) times small-scale power gain.

    Parameters
    ----------
    gain_db : array_like, shape (n_ue, K)
        Large-scale gains, e.g. :attr:`rof.radio.linktable.LinkTable.gain_db`
        (antenna gain - path loss - shadowing - O2I loss).
    fading : array_like, shape (n_ue, K, n_rb)
        Power gains from :meth:`rof.radio.fading.FadingProcess.step`.

    Returns
    -------
    ndarray, float32, shape (n_ue, K, n_rb)
    """
    g = np.power(np.float32(10.0), np.asarray(gain_db, dtype=np.float32) / np.float32(10.0))
    fading = np.asarray(fading)
    if fading.ndim != 3 or fading.shape[:2] != g.shape:
        raise ParameterError(
            f"fading has shape {fading.shape}; allowed: ({g.shape[0]}, {g.shape[1]}, n_rb)"
        )
    return np.multiply(g[..., None], fading, dtype=np.float32)


def _prepare(link_cell, gain, background_gain, power_w, snr_fh, noise_w, background_power_w):
    link_cell = np.asarray(link_cell)
    if link_cell.ndim != 2 or not np.issubdtype(link_cell.dtype, np.integer):
        raise ParameterError(
            f"link_cell has shape {link_cell.shape} and dtype {link_cell.dtype}; "
            "allowed: an (n_ue, K) integer array"
        )
    n_ue, n_k = link_cell.shape
    gain = np.asarray(gain)
    if gain.ndim != 3 or gain.shape[:2] != (n_ue, n_k):
        raise ParameterError(f"gain has shape {gain.shape}; allowed: ({n_ue}, {n_k}, n_rb)")
    if gain.dtype not in (np.float32, np.float64):
        gain = gain.astype(np.float64)
    n_rb = gain.shape[2]
    power_w = np.ascontiguousarray(power_w, dtype=np.float64)
    if power_w.ndim != 2 or power_w.shape[1] != n_rb:
        raise ParameterError(f"power_w has shape {power_w.shape}; allowed: (n_cells, {n_rb})")
    n_cells = power_w.shape[0]
    if np.any(power_w < 0) or not np.all(np.isfinite(power_w)):
        raise ParameterError("power_w contains negative or non-finite values; allowed: >= 0 W")
    if n_k and (link_cell.max(initial=-1) >= n_cells or link_cell.min(initial=0) < -1):
        raise ParameterError(
            f"link_cell has cell indices outside [-1, {n_cells - 1}] (n_cells from power_w)"
        )
    snr = np.asarray(check_range("snr_fh", snr_fh, 0.0, lo_open=True, allow_inf=True))
    snr = np.broadcast_to(snr, (n_cells,)) if snr.ndim == 0 else snr
    if snr.shape != (n_cells,):
        raise ParameterError(f"snr_fh has shape {snr.shape}; allowed: scalar or ({n_cells},)")
    inv_snr = np.ascontiguousarray(1.0 / snr, dtype=np.float64)
    bg = np.ascontiguousarray(
        check_range("background_gain", background_gain, 0.0), dtype=np.float64
    )
    if bg.shape != (n_ue,):
        raise ParameterError(f"background_gain has shape {bg.shape}; allowed: ({n_ue},)")
    noise = np.asarray(check_range("noise_w", noise_w, 0.0), dtype=np.float64)
    noise = np.ascontiguousarray(np.broadcast_to(noise, (n_ue,)) if noise.ndim == 0 else noise)
    if noise.shape != (n_ue,):
        raise ParameterError(f"noise_w has shape {noise.shape}; allowed: scalar or ({n_ue},)")
    bgp = np.asarray(check_range("background_power_w", background_power_w, 0.0), dtype=float)
    bgp = np.ascontiguousarray(np.broadcast_to(bgp, (n_rb,)) if bgp.ndim == 0 else bgp)
    if bgp.shape != (n_rb,):
        raise ParameterError(
            f"background_power_w has shape {bgp.shape}; allowed: scalar or ({n_rb},)"
        )
    return link_cell, gain, bg, power_w, inv_snr, noise, bgp


def sinr_scheduled(
    link_cell, gain, background_gain, assign, power_w, snr_fh, noise_w, background_power_w
) -> np.ndarray:
    """SINR of the UE each cell serves on each RB, with fronthaul noise on every cell.

    Parameters
    ----------
    link_cell : int array, shape (n_ue, K)
        Cells of each UE's link table, distinct within a row (-1 marks an unused slot).
    gain : float array, shape (n_ue, K, n_rb)
        Linear power gains (large-scale x small-scale) of those links, float32 or float64;
        see :func:`channel_gain`.
    background_gain : float array, shape (n_ue,)
        Sum of linear large-scale gains of all cells outside the top K.
    assign : int array, shape (n_cells, n_rb)
        UE served by each cell on each RB; -1 = no UE is measured there. A muted cell also
        needs ``power_w = 0`` to stop interfering: interference follows ``power_w`` only.
    power_w : float array, shape (n_cells, n_rb)
        Transmit power of each cell on each RB (W).
    snr_fh : float or array, shape (n_cells,)
        Fronthaul SNR (linear, > 0; ``inf`` for an ideal fronthaul).
    noise_w : float or array, shape (n_ue,)
        Noise power per RB at each UE (W), see :func:`noise_power_w`.
    background_power_w : float or array, shape (n_rb,)
        Per-RB transmit power assumed for background cells (W).

    Returns
    -------
    ndarray, float64, shape (n_cells, n_rb)
        Linear SINR; NaN where ``assign`` is -1.

    Raises
    ------
    ParameterError
        On malformed shapes, negative powers, or a served UE whose serving cell is not among
        its top-K links.
    """
    link_cell, gain, bg, power_w, inv_snr, noise, bgp = _prepare(
        link_cell, gain, background_gain, power_w, snr_fh, noise_w, background_power_w
    )
    assign = np.asarray(assign)
    if assign.shape != power_w.shape or not np.issubdtype(assign.dtype, np.integer):
        raise ParameterError(
            f"assign has shape {assign.shape}; allowed: an integer array of shape {power_w.shape}"
        )
    if assign.size and (assign.max() >= link_cell.shape[0] or assign.min() < -1):
        raise ParameterError(f"assign has UE indices outside [-1, {link_cell.shape[0] - 1}]")
    out = np.empty(power_w.shape, dtype=np.float64)
    err = sinr_scheduled_kernel(link_cell, gain, bg, assign, power_w, inv_snr, noise, bgp, out)
    if err >= 0:
        c, b = divmod(int(err), power_w.shape[1])
        raise ParameterError(
            f"assign[{c}, {b}] = {int(assign[c, b])}: cell {c} is not among that UE's top-K "
            "links; allowed: a cell listed in link_cell for the UE"
        )
    return out


def sinr_per_link(
    link_cell, gain, background_gain, power_w, snr_fh, noise_w, background_power_w
) -> np.ndarray:
    """SINR a UE would get from each of its K cells on each RB, given all cells' powers.

    Every cell transmits ``power_w`` (its current or planned power); the SINR of link ``k``
    treats every other link as interference with its fronthaul noise, exactly as
    :func:`sinr_scheduled` would if cell ``link_cell[u, k]`` served UE ``u``. Schedulers use
    it to estimate per-RB rates.

    Parameters
    ----------
    link_cell, gain, background_gain, power_w, snr_fh, noise_w, background_power_w
        As in :func:`sinr_scheduled`.

    Returns
    -------
    ndarray, float32, shape (n_ue, K, n_rb)
        Linear SINR (0 for unused link slots).
    """
    link_cell, gain, bg, power_w, inv_snr, noise, bgp = _prepare(
        link_cell, gain, background_gain, power_w, snr_fh, noise_w, background_power_w
    )
    out = np.empty(gain.shape, dtype=np.float32)
    return sinr_per_link_kernel(link_cell, gain, bg, power_w, inv_snr, noise, bgp, out)


def _dense(link_cell, gain, n_cells):
    """Scatter the link table into a dense (n_ue, n_cells, n_rb) gain matrix."""
    n_ue, _, n_rb = gain.shape
    dense = np.zeros((n_ue, n_cells, n_rb))
    u, k = np.nonzero(link_cell >= 0)
    dense[u, link_cell[u, k], :] = gain[u, k, :]
    return dense


def sinr_scheduled_reference(
    link_cell, gain, background_gain, assign, power_w, snr_fh, noise_w, background_power_w
) -> np.ndarray:
    """Dense NumPy reference of :func:`sinr_scheduled` (memory ~ n_ue x n_cells x n_rb)."""
    link_cell, gain, bg, power_w, inv_snr, noise, bgp = _prepare(
        link_cell, gain, background_gain, power_w, snr_fh, noise_w, background_power_w
    )
    assign = np.asarray(assign)
    n_cells, n_rb = power_w.shape
    rx = _dense(link_cell, gain, n_cells) * power_w[None]  # (n_ue, n_cells, n_rb)
    tot = np.einsum("ucb,c->ub", rx, 1.0 + inv_snr)
    c_idx, b_idx = np.nonzero(assign >= 0)
    u_idx = assign[c_idx, b_idx]
    if np.any(_dense(link_cell, np.ones_like(gain), n_cells)[u_idx, c_idx, b_idx] == 0):
        raise ParameterError("a served UE does not have its serving cell among its links")
    s = rx[u_idx, c_idx, b_idx]
    interf = tot[u_idx, b_idx] - s * (1.0 + inv_snr[c_idx])
    den = interf + bg[u_idx] * bgp[b_idx] + noise[u_idx] + s * inv_snr[c_idx]
    out = np.full((n_cells, n_rb), np.nan)
    out[c_idx, b_idx] = s / den
    return out


def sinr_per_link_reference(
    link_cell, gain, background_gain, power_w, snr_fh, noise_w, background_power_w
) -> np.ndarray:
    """Dense NumPy reference of :func:`sinr_per_link` (explicit interference sum, float64)."""
    link_cell, gain, bg, power_w, inv_snr, noise, bgp = _prepare(
        link_cell, gain, background_gain, power_w, snr_fh, noise_w, background_power_w
    )
    n_ue, n_k, n_rb = gain.shape
    valid = link_cell >= 0
    cells = np.where(valid, link_cell, 0)
    rx = gain.astype(float) * power_w[cells] * valid[..., None]  # (n_ue, K, n_rb)
    weighted = rx * (1.0 + inv_snr[cells])[..., None]
    out = np.zeros((n_ue, n_k, n_rb))
    for k in range(n_k):
        others = weighted.sum(axis=1) - weighted[:, k]
        den = (
            others
            + bg[:, None] * bgp[None]
            + noise[:, None]
            + rx[:, k] * inv_snr[cells[:, k]][:, None]
        )
        out[:, k] = np.where(valid[:, k, None], rx[:, k] / den, 0.0)
    return out
