"""Downlink SINR with analog-fronthaul noise, for scheduled transmissions and for rate estimates.

The analog fronthaul of cell ``c`` delivers its RF signal with a signal-to-noise-and-
distortion ratio ``SNR_fh,c`` (from :meth:`rof.link.RoFLink.budget`, ``sndr_db``). Noise and
distortion are added before the antenna, so they are radiated with the signal, see the same
channel and reach every UE in proportion to the received power of that cell. For a UE
served by cell ``s`` on one RB (effective SINR of cascaded noisy stages, Pozar, *Microwave
and RF Design of Wireless Systems*, 2001, Section 3.4; DESIGN.md data flow)::

    SINR = g_s P_s / ( sum_{c != s} g_c P_c (1 + 1/SNR_fh,c) + G_bg P_bg + N + g_s P_s / SNR_fh,s )

A fronthaul's noise does not all follow the RF drive: RIN, shot and thermal noise (and
WDM crosstalk from the other sites' channels) leave the photodiode whatever the cell
transmits on an RB, while intermodulation follows the drive. :func:`sinr_scheduled`
therefore also takes ``fh_w``, the fronthaul noise power ``F_c`` each cell radiates on
every RB regardless of its power there (:func:`fronthaul_noise_w`), added as
``g_c F_c`` beside ``g_c P_c / SNR_fh,c`` for the serving and the interfering cells.

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
    "fronthaul_noise_w",
    "noise_power_w",
    "sinr_per_link",
    "sinr_per_link_reference",
    "sinr_scheduled",
    "sinr_scheduled_prepared",
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


def fronthaul_noise_w(power_w, p_ref_w, snr_noise, sdr) -> np.ndarray:
    r"""Fronthaul noise power each cell radiates on every RB, whatever it sends there, W.

    .. math:: F_c = \frac{P_{ref}}{SNR_{n,c}}
                   + \frac{P_{ref}}{SDR_c} \left(\frac{\bar P_c}{P_{ref}}\right)^3,
              \quad \bar P_c = \frac{1}{N_{RB}} \sum_b P_{c,b}

    The link budget is evaluated at the full drive, which radiates ``P_ref`` per RB. Its
    signal-independent part (RIN, shot, thermal noise, WDM crosstalk; ``SNR_n``) does not
    depend on what the cell transmits, so a muted RB still radiates it. Its
    intermodulation (``SDR`` at full drive) follows the drive: third-order products grow
    with the cube of the input power (Pozar, *Microwave Engineering*, 4th ed., 2012,
    Sec. 10.3, IM3 rising 3 dB per dB of input) and, for an OFDM drive, spread over the
    whole band (Tralli and Vaccari, IEEE Trans. Commun. 54(11), 2006), so they scale with
    the cell's mean drive over its RBs. At full power on every RB
    ``F_c = P_ref (1/SNR_n + 1/SDR)``, the budget's SNDR.

    Parameters
    ----------
    power_w : float array, shape (n_cells, n_rb)
        Transmit power of each cell on each RB, W.
    p_ref_w : float
        Per-RB power at the full drive the budget was evaluated at, W (> 0).
    snr_noise : float or array, shape (n_cells,)
        Signal-independent SNR of each cell's fronthaul at full drive, linear (inf: none).
    sdr : float or array, shape (n_cells,)
        Signal-to-intermodulation ratio at full drive, linear (inf: none).

    Returns
    -------
    ndarray, float64, shape (n_cells,)

    Examples
    --------
    >>> p = np.array([[1.0, 1.0], [0.0, 0.0]])
    >>> fronthaul_noise_w(p, 1.0, 1e4, 1e3).round(6).tolist()  # a muted cell keeps 1e-4 W
    [0.0011, 0.0001]
    """
    p = np.asarray(power_w, dtype=np.float64)
    p_ref = float(check_range("fronthaul_noise_w.p_ref_w", p_ref_w, 0.0, lo_open=True))
    with np.errstate(divide="ignore"):
        inv_n = 1.0 / np.asarray(snr_noise, dtype=np.float64)
        inv_d = 1.0 / np.asarray(sdr, dtype=np.float64)
    return fronthaul_noise_prepared(p, p_ref, inv_n, inv_d)


def fronthaul_noise_prepared(power_w, p_ref_w: float, inv_snr_noise, inv_sdr) -> np.ndarray:
    """:func:`fronthaul_noise_w` without its checks, for a loop that prepared its static
    inputs once: float64 ``power_w`` (n_cells, n_rb), float ``p_ref_w`` > 0, and
    ``inv_snr_noise = 1 / snr_noise``, ``inv_sdr = 1 / sdr`` (n_cells,)."""
    drive = power_w.mean(axis=1) / p_ref_w
    return p_ref_w * (inv_snr_noise + inv_sdr * drive**3)


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


def _fh(fh_w, n_cells: int) -> np.ndarray:
    """``fh_w`` as a contiguous (n_cells,) float64 array (zeros when None)."""
    if fh_w is None:
        return np.zeros(n_cells)
    fh = np.ascontiguousarray(check_range("fh_w", fh_w, 0.0), dtype=np.float64)
    if fh.shape != (n_cells,):
        raise ParameterError(f"fh_w has shape {fh.shape}; allowed: ({n_cells},)")
    return fh


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
    link_cell,
    gain,
    background_gain,
    assign,
    power_w,
    snr_fh,
    noise_w,
    background_power_w,
    fh_w=None,
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
    fh_w : float array, shape (n_cells,), optional
        Fronthaul noise each cell radiates on every RB whatever its power there (W), see
        :func:`fronthaul_noise_w`; default none (all fronthaul noise in ``snr_fh``).

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
    fh = _fh(fh_w, power_w.shape[0])
    return sinr_scheduled_prepared(link_cell, gain, bg, assign, power_w, inv_snr, noise, bgp, fh)


def sinr_scheduled_prepared(
    link_cell,
    gain,
    background_gain,
    assign,
    power_w,
    inv_snr_fh,
    noise_w,
    background_power_w,
    fh_w,
) -> np.ndarray:
    """:func:`sinr_scheduled` without its input checks, for a loop that checked its static
    inputs once: ``link_cell`` int (n_ue, K), ``gain`` float32/64 (n_ue, K, n_rb),
    contiguous float64 ``background_gain`` (n_ue,), ``power_w`` (n_cells, n_rb),
    ``inv_snr_fh`` = 1/SNR_fh (n_cells,), ``noise_w`` (n_ue,), ``background_power_w``
    (n_rb,) and ``fh_w`` (n_cells,); ``assign`` int (n_cells, n_rb). A served UE without
    its serving cell among its links still raises :class:`ParameterError`."""
    out = np.empty(power_w.shape, dtype=np.float64)
    err = sinr_scheduled_kernel(
        link_cell, gain, background_gain, assign, power_w, inv_snr_fh, noise_w,
        background_power_w, fh_w, out,
    )  # fmt: skip
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
    link_cell,
    gain,
    background_gain,
    assign,
    power_w,
    snr_fh,
    noise_w,
    background_power_w,
    fh_w=None,
) -> np.ndarray:
    """Dense NumPy reference of :func:`sinr_scheduled` (memory ~ n_ue x n_cells x n_rb)."""
    link_cell, gain, bg, power_w, inv_snr, noise, bgp = _prepare(
        link_cell, gain, background_gain, power_w, snr_fh, noise_w, background_power_w
    )
    assign = np.asarray(assign)
    n_cells, n_rb = power_w.shape
    fh = _fh(fh_w, n_cells)
    g = _dense(link_cell, gain, n_cells)  # (n_ue, n_cells, n_rb)
    rx = g * power_w[None]
    radiated = rx * (1.0 + inv_snr)[None, :, None] + g * fh[None, :, None]
    tot = radiated.sum(axis=1)
    c_idx, b_idx = np.nonzero(assign >= 0)
    u_idx = assign[c_idx, b_idx]
    if np.any(_dense(link_cell, np.ones_like(gain), n_cells)[u_idx, c_idx, b_idx] == 0):
        raise ParameterError("a served UE does not have its serving cell among its links")
    s = rx[u_idx, c_idx, b_idx]
    own = s * inv_snr[c_idx] + g[u_idx, c_idx, b_idx] * fh[c_idx]
    interf = tot[u_idx, b_idx] - s - own
    den = interf + bg[u_idx] * bgp[b_idx] + noise[u_idx] + own
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
