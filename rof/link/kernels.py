"""Grid kernels of the analytic link budget: a Numba kernel and its NumPy reference.

The budget separates into factors that depend on one input each (computed by
:meth:`rof.link.RoFLink.budget` on that input's own, small shape) and a per-point
combination over the broadcast grid, done here. Inputs are 2-D arrays of one common
shape, usually zero-stride broadcast views, so a 1000 x 1000 (length x RF) grid
needs no input copies.

Per point, with :math:`F = (1+\\alpha^2)\\cos^2(\\theta_L f^2 + \\arctan\\alpha)`:

.. math::

    g &= G_L\\, S_f\\, F, \\qquad
    N = 2 g k T_0 + k T_{pd} + N_L\\,H_f + N_f,

    \\mathrm{SNR} &= \\frac{s_{in} g}{N B}, \\qquad
    \\mathrm{SNDR} = \\left(\\mathrm{SNR}^{-1} + \\mathrm{SDR}^{-1}
        + X (1 + \\mathrm{SDR}^{-1})\\right)^{-1},
    \\qquad \\mathrm{EVM} = 100/\\sqrt{\\mathrm{SNDR}},

with :math:`G_L` the length-dependent optical factor, :math:`S_f` the squared
transmitter slope times the photodiode response, :math:`N_L H_f` the photocurrent
noise (shot, RIN, signal-ASE) after the photodiode response, :math:`N_f` the dark
and ASE-ASE noise, :math:`s_{in}` the drive power times the Bussgang compression and
:math:`X = \\sum_c x_c^2` the crosstalk (see :class:`rof.link.RoFLink`). The other
:class:`~rof.link.LinkBudget` fields are these plus per-input dB terms (noise figure,
OIP3, SFDR, SNR, ...) and are formed on first access.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["FIELDS", "INPUTS", "budget_grid_numba", "budget_grid_numpy", "cos_sq"]

#: Full-grid fields the kernels compute, in the order of the output stack.
FIELDS: tuple[str, ...] = ("gain_db", "noise_dbm_hz", "sndr_db", "evm_percent")

#: Rows per work item of the grid kernel.
_ROWS_PER_BLOCK = 32

#: pi/2 split for Cody-Waite argument reduction (fdlibm ``__ieee754_rem_pio2`` constants).
_PIO2_1 = 1.57079632673412561417e00
_PIO2_2 = 6.07710050630396597660e-11
_PIO2_3 = 2.02226624871116645580e-21
_TWO_OVER_PI = 6.36619772367581382433e-01
_DB_PER_LN = 10.0 / math.log(10.0)


@numba.njit(cache=True, inline="always")
def cos_sq(x):
    r""":math:`\cos^2 x` for finite :math:`|x| \lesssim 10^6`, branch-free (SIMD-friendly).

    Cody-Waite reduction :math:`x = k\pi/2 + r`, :math:`|r| \le \pi/4`, with
    :math:`\pi/2` split in three parts (Cody & Waite, *Software Manual for the
    Elementary Functions*, 1980; constants of fdlibm), then
    :math:`\cos^2 x = \cos^2 r` for even :math:`k` and :math:`\sin^2 r` for odd
    :math:`k` (the sign drops out), with the Taylor polynomials of :math:`\cos r`,
    :math:`\sin r` to degree 16/17 (truncation below 1e-17 on :math:`|r| \le \pi/4`).
    Relative error a few ulp, also next to the zeros that are the fading nulls;
    about 30x faster than libm ``cos`` here because the loop vectorises.
    """
    k = math.floor(x * _TWO_OVER_PI + 0.5)
    r = ((x - k * _PIO2_1) - k * _PIO2_2) - k * _PIO2_3
    z = r * r
    c = 1.0 + z * (
        -1.0 / 2
        + z
        * (
            1.0 / 24
            + z
            * (
                -1.0 / 720
                + z
                * (
                    1.0 / 40320
                    + z
                    * (
                        -1.0 / 3628800
                        + z * (1.0 / 479001600 + z * (-1.0 / 87178291200 + z / 20922789888000))
                    )
                )
            )
        )
    )
    sn = r * (
        1.0
        + z
        * (
            -1.0 / 6
            + z
            * (
                1.0 / 120
                + z
                * (
                    -1.0 / 5040
                    + z
                    * (
                        1.0 / 362880
                        + z
                        * (
                            -1.0 / 39916800
                            + z
                            * (1.0 / 6227020800 + z * (-1.0 / 1307674368000 + z / 355687428096000))
                        )
                    )
                )
            )
        )
    )
    v = sn if (np.int64(k) & 1) == 1 else c
    return v * v


@numba.njit(cache=True, inline="always")
def _row(a, i, buf, again):
    """Copy row ``i`` of a (possibly zero-stride) 2-D array into ``buf``; with ``again``
    skip rows identical to the previous one (zero stride along axis 0)."""
    if again and a.strides[0] == 0:
        return
    if a.strides[1] == 0:
        v = a[i, 0]
        for j in range(buf.size):
            buf[j] = v
    else:
        for j in range(buf.size):
            buf[j] = a[i, j]


_RO2 = numba.types.Array(numba.types.float64, 2, "A", readonly=True)
_F8 = numba.types.float64
_SIG = numba.types.void(*([_RO2] * 10), _F8, _F8, _F8, _F8, numba.types.Array(_F8, 3, "C"))


@numba.njit(cache=True, nogil=True)
def _rows(
    f_hz, theta_l, gain_l, slope_f, noise_l, noise_f, hpd_f, s_in_w, inv_sdr, bw_hz,
    one_a2, phase, kt0, kt_pd, xt, out, i0, i1,
):  # fmt: skip
    # Row by row: gather the (usually zero-stride) input rows into contiguous scratch,
    # then short loops over few arrays each, which LLVM vectorises.
    n1 = f_hz.shape[1]
    sc = np.empty((10, n1))
    f, th, gl, sf, nl, nf, hp, sin, isd, bw = (
        sc[0], sc[1], sc[2], sc[3], sc[4], sc[5], sc[6], sc[7], sc[8], sc[9]
    )  # fmt: skip
    for i in range(i0, i1):
        again = i > i0
        _row(f_hz, i, f, again)
        _row(theta_l, i, th, again)
        _row(gain_l, i, gl, again)
        _row(slope_f, i, sf, again)
        _row(noise_l, i, nl, again)
        _row(noise_f, i, nf, again)
        _row(hpd_f, i, hp, again)
        _row(s_in_w, i, sin, again)
        _row(inv_sdr, i, isd, again)
        _row(bw_hz, i, bw, again)
        g, n, sndr, evm = out[0, i], out[1, i], out[2, i], out[3, i]
        for j in range(n1):  # linear gain with power fading
            g[j] = gl[j] * sf[j] * one_a2 * cos_sq(th[j] * f[j] * f[j] + phase)
        for j in range(n1):  # output noise density, W/Hz
            n[j] = 2.0 * kt0 * g[j] + kt_pd + nl[j] * hp[j] + nf[j]
        for j in range(n1):  # SNDR = 1 / (1/SNR + 1/SDR + X (1 + 1/SDR))
            sndr[j] = 1.0 / (n[j] * bw[j] / (sin[j] * g[j]) + isd[j] + xt * (1.0 + isd[j]))
        for j in range(n1):
            evm[j] = 100.0 / math.sqrt(sndr[j])
        for j in range(n1):
            g[j] = _DB_PER_LN * math.log(g[j])
        for j in range(n1):
            n[j] = _DB_PER_LN * math.log(n[j]) + 30.0
        for j in range(n1):
            sndr[j] = _DB_PER_LN * math.log(sndr[j])


@numba.njit(_SIG, cache=True, nogil=True)
def _budget_kernel(
    f_hz, theta_l, gain_l, slope_f, noise_l, noise_f, hpd_f, s_in_w, inv_sdr, bw_hz,
    alpha, kt0, kt_pd, xt, out,
):  # fmt: skip
    # Blocks of rows (serial: budgets also run inside multi-process and threaded sweeps,
    # where a parallel kernel would oversubscribe or hit the workqueue layer's limits).
    n0 = f_hz.shape[0]
    one_a2 = 1.0 + alpha * alpha
    phase = math.atan(alpha)
    n_blocks = (n0 + _ROWS_PER_BLOCK - 1) // _ROWS_PER_BLOCK
    for blk in range(n_blocks):
        _rows(
            f_hz, theta_l, gain_l, slope_f, noise_l, noise_f, hpd_f, s_in_w, inv_sdr, bw_hz,
            one_a2, phase, kt0, kt_pd, xt, out, blk * _ROWS_PER_BLOCK,
            min(n0, (blk + 1) * _ROWS_PER_BLOCK),
        )  # fmt: skip


def budget_grid_numba(inputs: dict, params: dict) -> np.ndarray:
    """Run the Numba kernel; return the ``(len(FIELDS), n0, n1)`` output stack.

    Parameters
    ----------
    inputs : dict of str -> ndarray
        The 10 per-point inputs (``f_hz`` Hz, ``theta_l`` 1/Hz^2, ``gain_l`` V^2/W^2,
        ``slope_f`` W^2/V^2, ``noise_l`` and ``noise_f`` W/Hz, ``hpd_f`` linear,
        ``s_in_w`` W, ``inv_sdr`` linear, ``bw_hz`` Hz), each 2-D of one common shape
        (zero-stride views welcome).
    params : dict of str -> float
        ``alpha`` (chirp), ``kt0`` and ``kt_pd`` (W/Hz), ``xt`` (crosstalk sum).
    """
    f = inputs["f_hz"]
    out = np.empty((len(FIELDS), *f.shape))
    _budget_kernel(
        *(inputs[k] for k in INPUTS),
        params["alpha"],
        params["kt0"],
        params["kt_pd"],
        params["xt"],
        out,
    )
    return out


#: Names of the kernel inputs, in argument order.
INPUTS = (
    "f_hz",
    "theta_l",
    "gain_l",
    "slope_f",
    "noise_l",
    "noise_f",
    "hpd_f",
    "s_in_w",
    "inv_sdr",
    "bw_hz",
)


def budget_grid_numpy(inputs: dict, params: dict) -> np.ndarray:
    """Plain-NumPy reference of :func:`budget_grid_numba` (same inputs and output)."""
    a = params["alpha"]
    x = inputs
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        fading = (1.0 + a * a) * np.cos(x["theta_l"] * x["f_hz"] ** 2 + np.arctan(a)) ** 2
        g = x["gain_l"] * x["slope_f"] * fading
        n = 2.0 * params["kt0"] * g + params["kt_pd"] + x["noise_l"] * x["hpd_f"] + x["noise_f"]
        snr = x["s_in_w"] * g / (n * x["bw_hz"])
        isdr = x["inv_sdr"]
        sndr = 1.0 / (1.0 / snr + isdr + params["xt"] * (1.0 + isdr))
        res = [
            10.0 * np.log10(g),
            10.0 * np.log10(n) + 30.0,
            10.0 * np.log10(sndr),
            100.0 / np.sqrt(sndr),
        ]
    shape = np.broadcast_shapes(*(np.shape(v) for v in x.values()))
    return np.stack([np.broadcast_to(r, shape) for r in res])
