"""Uplink radio: UE open-loop power control and the SINR at each site behind analog fronthaul.

Power control (TS 38.213 V17 clause 7.1.1, PUSCH, closed-loop term and
:math:`\\Delta_{TF}` zero):

.. math::

    P_{PUSCH} = \\min\\{P_{CMAX},\\; P_{O} + 10\\log_{10}(2^\\mu M_{RB}) + \\alpha\\, PL\\}
    \\quad \\text{dBm},

with :math:`P_O` the nominal ``p0-NominalPUSCH`` (TS 38.331: -202 to 24 dBm),
:math:`\\alpha \\in \\{0, 0.4, 0.5, \\dots, 1\\}` (``alpha``, TS 38.331 ``Alpha``) and
:math:`PL` the downlink path loss (coupling loss) the UE estimates, dB.

Uplink SINR at cell :math:`c` on RB :math:`b`, served UE :math:`u`, every other
scheduled UE :math:`v` (in any cell, same RB) an interferer. The analog fronthaul adds
its noise and intermodulation *after* the air link: both are referred to the antenna
input through the uplink cascade (:class:`rof.link.uplink.UplinkRoFLink`):

.. math::

    \\mathrm{SINR}_{c,b} = \\frac{g_{u,c,b} P_u}
    {\\sum_{v \\ne u} g_{v,c,b} P_v + N_c + F_c + D_{c,b}},

:math:`N_c = k T_0 B F_{LNA}` the site receiver's thermal noise per RB (the LNA is the
air interface's receiver), :math:`F_c = k T_0 B (F - F_{LNA})` the fronthaul's noise
referred to the antenna, and :math:`D_{c,b}` the third-order products of the composite
received signal on RB :math:`b` (:func:`im3_per_rb_w`). The composite (all users, the
background, the thermal noise) is complex Gaussian with power :math:`S_{c,b'}` on each RB
:math:`b'`; the cubic's distortion uncorrelated with it (Bussgang) has the spectrum
:math:`2 |a_3|^2 (S \\ast S \\ast \\tilde S)` (:math:`\\tilde S(f) = S(-f)`; Dardari,
Tralli & Vaccari, IEEE Trans. Commun. 48(10), 2000, Sec. III; its in-band total for a
flat band is :func:`rof.link.uplink.ofdm_im3_inband_w`, :math:`\\tfrac43 P^3/P_{IIP3}^2`):

.. math::

    D_{c,b} = \\frac{2}{P_{IIP3,c}^2} \\sum_{k=-1}^{1} w_k\\, T_{c,b+k}, \\qquad
    T_{c,m} = \\sum_{b_1 + b_2 - b_3 = m} S_{c,b_1} S_{c,b_2} S_{c,b_3},

with :math:`w = (1/6, 2/3, 1/6)` the integral over one RB of the triple convolution of
three RB-wide flat blocks (the cubic B-spline at integer offsets). A strong near user's
products fall mostly on its own RBs and their neighbours, less on the far ones: checked
against NR uplink waveforms through the cubic (``tests/link/test_uplink_waveform.py``,
within 1 dB per user with one user 20 dB above nine others, where spreading the products
evenly over the band was 6 dB pessimistic on the far users and 9 dB optimistic on the
strong one). With :math:`F_c = D_c = 0` this is the air-interface SINR exactly.

Gains come from the link table (:class:`rof.radio.linktable.LinkTable`): a UE's top-K
cells individually; its background gain (all other cells together) is spread evenly over
the :math:`n_{cells} - K` cells outside its table.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError

__all__ = [
    "ALPHA_VALUES",
    "P0_RANGE_DBM",
    "im3_per_rb_w",
    "olpc_power_dbm",
    "uplink_sinr",
    "uplink_sinr_reference",
]

#: Weights of the RB offsets -1, 0, +1 of the third-order products (module docstring).
IM3_RB_WEIGHTS: tuple[float, float, float] = (1.0 / 6.0, 2.0 / 3.0, 1.0 / 6.0)


def im3_per_rb_w(rx_w, iip3_w):
    """Third-order products on each RB of a composite of per-RB powers (module docstring).

    Parameters
    ----------
    rx_w : array_like (..., n_rb)
        Composite received power on each RB (users, background, thermal noise), W.
    iip3_w : array_like (...)
        Input intercept, W (``inf``: linear).

    Returns
    -------
    ndarray (..., n_rb)
        :math:`D_b`, W, referred to the input.
    """
    s = np.asarray(rx_w, dtype=float)
    n = s.shape[-1]
    flat = s.reshape(-1, n)
    t = np.empty((flat.shape[0], n + 2))
    for i, row in enumerate(flat):
        c3 = np.convolve(np.convolve(row, row), row[::-1])  # index m + n - 1, m = b1 + b2 - b3
        t[i] = c3[n - 2 : 2 * n]  # m = -1 .. n
    w0, w1, w2 = IM3_RB_WEIGHTS
    tri = (w0 * t[:, :-2] + w1 * t[:, 1:-1] + w2 * t[:, 2:]).reshape(s.shape)
    with np.errstate(divide="ignore", over="ignore"):
        inv_sq = 1.0 / np.asarray(iip3_w, dtype=float) ** 2
    return 2.0 * tri * np.asarray(inv_sq)[..., None]


#: TS 38.331 ``Alpha`` ENUMERATED {alpha0, alpha04, alpha05, ..., alpha1}.
ALPHA_VALUES: tuple[float, ...] = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
#: TS 38.331 ``p0-NominalPUSCH-WithGrant`` INTEGER (-202..24), dBm.
P0_RANGE_DBM: tuple[float, float] = (-202.0, 24.0)


def olpc_power_dbm(p0_dbm, alpha, pathloss_db, n_rb, *, mu: int = 0, p_cmax_dbm=23.0):
    """PUSCH transmit power of TS 38.213 clause 7.1.1 (open loop), dBm.

    :math:`P = \\min\\{P_{CMAX}, P_O + 10\\log_{10}(2^\\mu M_{RB}) + \\alpha PL\\}` (module
    docstring), broadcast over the inputs.

    Parameters
    ----------
    p0_dbm : array_like
        :math:`P_O`, dBm (-202 to 24).
    alpha : float
        Path-loss compensation, one of :data:`ALPHA_VALUES`.
    pathloss_db : array_like
        Downlink path loss the UE estimates, dB (0 to 250).
    n_rb : array_like of int
        Allocated RBs :math:`M_{RB}` (>= 0; 0 gives ``-inf``: nothing sent).
    mu : int
        Numerology (0 to 6): subcarrier spacing 15 kHz x 2^mu.
    p_cmax_dbm : array_like
        UE maximum output power, dBm (-40 to 33; 23 dBm for power class 3,
        TS 38.101-1 Table 6.2.1-1).

    Returns
    -------
    ndarray or float
        dBm.

    Examples
    --------
    >>> float(olpc_power_dbm(-80.0, 0.8, 100.0, 10, mu=1))
    13.010299956639813
    >>> float(olpc_power_dbm(-80.0, 1.0, 120.0, 50, mu=1))  # capped
    23.0
    """
    if not any(float(alpha) == a for a in ALPHA_VALUES):
        raise ParameterError(
            f"olpc_power_dbm.alpha = {alpha!r} is not allowed; allowed: one of "
            f"{', '.join(f'{a:g}' for a in ALPHA_VALUES)} (TS 38.331 Alpha)"
        )
    p0 = np.asarray(check_range("olpc_power_dbm.p0_dbm", p0_dbm, *P0_RANGE_DBM))
    pl = np.asarray(check_range("olpc_power_dbm.pathloss_db", pathloss_db, 0.0, 250.0))
    m = np.asarray(check_range("olpc_power_dbm.n_rb", n_rb, 0.0, 275.0))
    pc = np.asarray(check_range("olpc_power_dbm.p_cmax_dbm", p_cmax_dbm, -40.0, 33.0))
    if not (isinstance(mu, int | np.integer) and 0 <= int(mu) <= 6):
        raise ParameterError(f"olpc_power_dbm.mu = {mu!r} is not allowed; allowed: 0 to 6")
    with np.errstate(divide="ignore"):
        open_loop = p0 + 10.0 * np.log10(2.0 ** int(mu) * m) + float(alpha) * pl
    out = np.minimum(pc, open_loop)
    return float(out) if out.ndim == 0 else out


@numba.njit(cache=True)
def _uplink_kernel(
    link_cell, gain, bg_share, assign, p_w, noise_w, fh_w, inv_iip3_sq, sinr, p_tot, im3
):
    """Interference and signal per (cell, RB) streamed over the scheduled UEs' links (the
    signal kept apart, so a strong user's power never cancels against its own), then each
    cell's third-order products per RB (module docstring) and the SINR."""
    k = link_cell.shape[1]
    n_cells, n_rb = assign.shape
    other = np.zeros((n_cells, n_rb))
    sig = np.zeros((n_cells, n_rb))
    rx = np.zeros(n_rb)
    c2 = np.zeros(2 * n_rb - 1)
    t = np.zeros(n_rb + 2)
    w0, w1, w2 = 1.0 / 6.0, 2.0 / 3.0, 1.0 / 6.0
    for b in range(n_rb):
        bg = 0.0
        for c0 in range(n_cells):
            u = assign[c0, b]
            if u < 0:
                continue
            share = bg_share[u] * p_w[u]
            bg += share
            own = False
            for j in range(k):
                c = link_cell[u, j]
                if c < 0:
                    continue
                other[c, b] -= share
                if c == c0:
                    sig[c0, b] = gain[u, j, b] * p_w[u]
                    own = True
                else:
                    other[c, b] += gain[u, j, b] * p_w[u]
            if not own:  # served from outside its table: its background share
                sig[c0, b] = share
                other[c0, b] -= share
        for c in range(n_cells):
            other[c, b] += bg
    for c in range(n_cells):
        tot = n_rb * noise_w[c]
        for b in range(n_rb):
            tot += other[c, b] + sig[c, b]
            rx[b] = noise_w[c] + max(other[c, b], 0.0) + sig[c, b]
        p_tot[c] = tot
        if inv_iip3_sq[c] > 0.0:
            c2[:] = 0.0
            for b1 in range(n_rb):
                for b2 in range(n_rb):
                    c2[b1 + b2] += rx[b1] * rx[b2]
            for m in range(-1, n_rb + 1):  # T_m = sum_b3 c2[m + b3] rx[b3]
                acc = 0.0
                for b3 in range(n_rb):
                    i = m + b3
                    if 0 <= i < 2 * n_rb - 1:
                        acc += c2[i] * rx[b3]
                t[m + 1] = acc
            for b in range(n_rb):
                im3[c, b] = 2.0 * inv_iip3_sq[c] * (w0 * t[b] + w1 * t[b + 1] + w2 * t[b + 2])
        else:
            for b in range(n_rb):
                im3[c, b] = 0.0
        floor = noise_w[c] + fh_w[c]
        for b in range(n_rb):
            if assign[c, b] < 0:
                sinr[c, b] = 0.0
            else:
                sinr[c, b] = sig[c, b] / (max(other[c, b], 0.0) + floor + im3[c, b])


def _inputs(link_cell, gain, background_gain, n_cells, assign, p_ue_w, noise_w, fh_w, iip3_w):
    lc = np.ascontiguousarray(link_cell, dtype=np.int64)
    n_ue, k = lc.shape
    g = np.ascontiguousarray(np.broadcast_to(gain, (n_ue, k, np.shape(assign)[1])), np.float64)
    outside = max(int(n_cells) - k, 1)
    bg_share = np.ascontiguousarray(background_gain, dtype=np.float64) / outside
    a = np.ascontiguousarray(assign, dtype=np.int64)
    p = np.ascontiguousarray(np.broadcast_to(p_ue_w, (n_ue,)), dtype=np.float64)

    def cells(x):
        return np.ascontiguousarray(np.broadcast_to(np.asarray(x, float), (a.shape[0],)))

    with np.errstate(divide="ignore", over="ignore"):
        inv_sq = 1.0 / cells(iip3_w) ** 2
    return lc, g, bg_share, a, p, cells(noise_w), cells(fh_w), inv_sq


def uplink_sinr(
    link_cell, gain, background_gain, assign, p_ue_w, noise_w, fh_w=0.0, iip3_w=math.inf
):
    """Uplink SINR of the UE each cell receives on each RB (module docstring).

    Parameters
    ----------
    link_cell : int array (n_ue, K)
        Each UE's top-K cells (-1: unused slot).
    gain : float array (n_ue, K, n_rb) or (n_ue, K, 1)
        Linear power gains UE -> cell (large-scale x small-scale).
    background_gain : float array (n_ue,)
        Summed gain to all cells outside the UE's table.
    assign : int array (n_cells, n_rb)
        UE each cell receives on each RB, -1 none.
    p_ue_w : float array (n_ue,)
        Each UE's transmit power per RB, W.
    noise_w : float or array (n_cells,)
        Site thermal noise per RB referred to the antenna, :math:`k T_0 B F_{LNA}`, W.
    fh_w : float or array (n_cells,)
        Fronthaul noise per RB referred to the antenna, W (0: ideal).
    iip3_w : float or array (n_cells,)
        Cascade IIP3 referred to the antenna, W (inf: linear).

    Returns
    -------
    sinr : ndarray (n_cells, n_rb)
        Linear (0 where nothing is received).
    p_tot_w : ndarray (n_cells,)
        Composite received power over the band (users and thermal noise), W.
    im3_w : ndarray (n_cells, n_rb)
        Third-order products on each RB referred to the antenna, W (:func:`im3_per_rb_w`).
    """
    n_cells = np.shape(assign)[0]
    args = _inputs(link_cell, gain, background_gain, n_cells, assign, p_ue_w, noise_w, fh_w, iip3_w)
    sinr = np.zeros(args[3].shape)
    p_tot = np.zeros(n_cells)
    im3 = np.zeros(args[3].shape)
    _uplink_kernel(*args, sinr, p_tot, im3)
    return sinr, p_tot, im3


def _dense_gain(link_cell, gain, bg_share, n_cells):
    """(n_ue, n_cells, n_rb) gains: table entries, background share elsewhere."""
    _, k, n_rb = gain.shape
    dense = np.repeat(bg_share[:, None, None], n_cells, axis=1).repeat(n_rb, axis=2)
    for j in range(k):
        ok = link_cell[:, j] >= 0
        dense[np.flatnonzero(ok), link_cell[ok, j], :] = gain[ok, j, :]
    return dense


def uplink_sinr_reference(
    link_cell, gain, background_gain, assign, p_ue_w, noise_w, fh_w=0.0, iip3_w=math.inf
):
    """Dense plain-NumPy version of :func:`uplink_sinr` (for the tests)."""
    n_cells, n_rb = np.shape(assign)
    lc, g, bg_share, a, p, noise, fh, inv_sq = _inputs(
        link_cell, gain, background_gain, n_cells, assign, p_ue_w, noise_w, fh_w, iip3_w
    )
    dense = _dense_gain(lc, g, bg_share, n_cells)  # (n_ue, n_cells, n_rb)
    on = a >= 0
    uu = np.where(on, a, 0)
    # rx[c, b] = sum over scheduled (c0, b) of dense[u(c0,b), c, b] p[u]
    contrib = dense[uu, :, np.arange(n_rb)[None, :]] * (p[uu] * on)[..., None]  # (c0, b, c)
    rx = contrib.sum(axis=0).T  # (c, b)
    p_tot = rx.sum(axis=1) + n_rb * noise
    d = im3_per_rb_w(rx + noise[:, None], np.sqrt(1.0 / inv_sq))
    sig = np.take_along_axis(contrib, np.arange(n_cells)[:, None, None], axis=2)[..., 0]
    sinr = np.where(on, sig / (rx - sig + (noise + fh)[:, None] + d), 0.0)
    return sinr, p_tot, d
