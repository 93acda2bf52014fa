"""Grid kernels of the analytic link budget: a Numba kernel and its NumPy reference.

The budget separates into factors that depend on one input each (computed by
:meth:`rof.link.RoFLink.budget` on that input's own, small shape) and a per-point
combination over the broadcast grid, done here. The inputs broadcast to one common
shape and are passed as zero-stride views, so a 1000 x 1000 (length x RF) grid, or a
(drive x length x RF) cube, needs no input copies.

Per point, with :math:`\\theta = \\theta_L f^2` and the fading
:math:`F = (1+\\alpha^2)\\cos^2(\\theta + \\arctan\\alpha) + (k_{ad}/f^2)\\sin^2\\theta`
(:math:`k_{ad} = (\\alpha f_c)^2`, adiabatic chirp; :meth:`rof.photonics.Fiber.power_fading`):

.. math::

    g &= G_L\\, S_f\\, F, \\qquad
    N = 2 g k T_0 + k T_{pd} + \\big(N_L + R_L\\,\\Phi_R\\big) H_f + N_f,

    \\Phi_R &= r_0 + r_1 \\cos^2\\theta + \\frac{k_{pm}}{f^2}\\sin^2\\theta,

    \\mathrm{SNR} &= \\frac{s_{in} g}{N B}, \\qquad
    \\mathrm{SNDR} = \\left(\\mathrm{SNR}^{-1} + \\mathrm{SDR}^{-1}
        + X (1 + \\mathrm{SDR}^{-1})\\right)^{-1},
    \\qquad \\mathrm{EVM} = 100/\\sqrt{\\mathrm{SNDR}},

with :math:`G_L` the length-dependent optical factor, :math:`S_f` the squared
transmitter slope times the photodiode response, :math:`N_L H_f` the photocurrent
noise (shot, signal-ASE) after the photodiode response, :math:`R_L \\Phi_R H_f` the
laser's intensity noise at the detector (:math:`R_L` its back-to-back density;
:math:`r_0` the unfaded share, :math:`r_1` the share that fades like a chirp-free
intensity modulation, :math:`k_{pm}` the laser phase noise converted to intensity
noise by dispersion, see :func:`rof.photonics.fiber.laser_noise_fading`), :math:`N_f` the dark
and ASE-ASE noise, :math:`s_{in}` the drive power times the Bussgang compression and
:math:`X = \\sum_c x_c^2` the crosstalk (see :class:`rof.link.RoFLink`); for a
chirp-free MZM the kernel scales :math:`s_{in}` by the compression and adds the
in-band distortion looked up at the drive times :math:`\\cos^2\\theta`
(:func:`rof.link.dispersed.dispersed_drive_distortion`). The other
:class:`~rof.link.LinkBudget` fields are these plus per-input dB terms (noise figure,
OIP3, SFDR, SNR, ...) and are formed on first access.

Speed. The Numba kernel makes one pass over the grid, row by row: each input row is
gathered into contiguous scratch (skipped where it repeats the previous row), then
short loops over the row, which LLVM vectorises, evaluate it. That needs the NumPy
error model (division by zero gives inf instead of a Python exception branch) and
branch-free :func:`cos_sq` and :func:`ln` (libm calls do not vectorise). Gain and
noise are reused along an axis that leaves their inputs unchanged (drive,
bandwidth). SNDR and EVM share :math:`q = 1/\\mathrm{SNDR}`. No ``fastmath``: the
fading nulls give zeros and infinities that must survive. Results match the
reference to ~1e-15 relative (~1e-9 next to a fading null, where the last bits of
the phase decide). One thread by default (sweeps run budgets in worker processes);
``$ROF_LINK_THREADS`` or ``threads=`` splits one large grid over Python threads.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import NamedTuple

import numba
import numpy as np

from rof._validate import check_int_range
from rof.errors import ConfigError
from rof.link.fastmath import DB_PER_LN, cos_sin_sq, cos_sq, ln

__all__ = [
    "FIELDS",
    "INPUTS",
    "THREADS_ENV",
    "BudgetInputs",
    "BudgetParams",
    "budget_grid_numba",
    "budget_grid_numpy",
    "cos_sin_sq",
    "cos_sq",
    "fading_weights",
    "link_threads",
    "ln",
]

#: Full-grid fields the kernels compute, in the order of the output stack.
FIELDS: tuple[str, ...] = ("gain_db", "noise_dbm_hz", "sndr_db", "evm_percent")


class BudgetInputs(NamedTuple):
    """Per-point inputs of the grid kernels, each on its own shape (they broadcast).

    ``f_hz`` Hz; ``theta_l`` rad/Hz^2; ``gain_l`` V^2/W^2; ``slope_f`` W^2/V^2;
    ``noise_l``, ``noise_f`` and ``rin_l`` W/Hz; ``hpd_f`` linear; ``s_in_w`` W;
    ``inv_sdr`` linear; ``bw_hz`` Hz; ``drive_nl_w`` W (read only with a
    ``distortion_table``).
    """

    f_hz: np.ndarray
    theta_l: np.ndarray
    gain_l: np.ndarray
    slope_f: np.ndarray
    noise_l: np.ndarray
    noise_f: np.ndarray
    hpd_f: np.ndarray
    s_in_w: np.ndarray
    inv_sdr: np.ndarray
    bw_hz: np.ndarray
    rin_l: np.ndarray
    drive_nl_w: np.ndarray


class BudgetParams(NamedTuple):
    """Scalars of the grid kernels (see the module docstring for the symbols).

    ``alpha`` chirp; ``adiabatic_hz2`` :math:`k_{ad}`, Hz^2; ``kt0`` and ``kt_pd``
    W/Hz; ``xt`` crosstalk sum; laser-noise weights ``rin_flat`` (:math:`r_0`),
    ``rin_faded`` (:math:`r_1`) and ``pm_hz2`` (:math:`k_{pm}`, Hz^2);
    ``distortion_table`` ``(comp_t, isd_t, x0, inv_dx)`` or None (a chirp-free MZM,
    :func:`rof.link.dispersed.drive_table`): compression and in-band distortion are
    then looked up at ``drive_nl_w`` times :math:`\\cos^2\\theta` (times
    :math:`\\sin^2\\theta` with ``drive_sin``, a phase modulator); ``fading``
    ``(w, phi, c)`` replaces the chirp fading by :math:`w\\cos^2(\\theta+\\phi) + c`
    (a transmitter's ``sideband_fading``; ``alpha`` then only names the chirp).
    """

    alpha: float
    adiabatic_hz2: float
    kt0: float
    kt_pd: float
    xt: float
    rin_flat: float
    rin_faded: float
    pm_hz2: float
    distortion_table: tuple | None
    fading: tuple[float, float, float] | None = None
    drive_sin: bool = False


def fading_weights(params: BudgetParams) -> tuple[float, float, float]:
    """``(w, phi, c)`` of the fading :math:`w\\cos^2(\\theta+\\phi) + c` (plus the
    adiabatic term): ``params.fading``, or the chirp form
    :math:`(1+\\alpha^2, \\arctan\\alpha, 0)` (:func:`rof.photonics.fiber.fading_ratio`)."""
    if params.fading is not None:
        return tuple(float(x) for x in params.fading)
    a = float(params.alpha)
    return 1.0 + a * a, math.atan(a), 0.0


#: Names of the kernel inputs, in argument order.
INPUTS: tuple[str, ...] = BudgetInputs._fields

#: Positions in :data:`INPUTS` of the inputs that gain and noise depend on (the others
#: are drive and bandwidth; ``rin_l`` and ``drive_nl_w`` come last to keep the older
#: inputs' positions).
_GAIN_NOISE = (0, 1, 2, 3, 4, 5, 6, 10)

#: Rows per work item of the grid kernel.
_ROWS_PER_BLOCK = 32


@numba.njit(cache=True, inline="always")
def _gather(a, k, i, i0, buf):
    """Copy row ``(k, i)`` of a (possibly zero-stride) 3-D array into ``buf`` unless
    ``buf`` already holds it: rows are visited with ``k`` inner, starting at
    ``(0, i0)``. Return whether it copied."""
    n0 = a.shape[0]
    if k > 0:
        if a.strides[0] == 0:
            return False
    elif i > i0 and a.strides[1] == 0 and (n0 == 1 or a.strides[0] == 0):
        return False
    if a.strides[2] == 0:
        v = a[k, i, 0]
        for j in range(buf.size):
            buf[j] = v
    else:
        for j in range(buf.size):
            buf[j] = a[k, i, j]
    return True


_RO3 = numba.types.Array(numba.types.float64, 3, "A", readonly=True)
_F8 = numba.types.float64
_I8 = numba.types.int64
_OUT = numba.types.Array(_F8, 4, "C")
_TAB = numba.types.Array(_F8, 1, "C", readonly=True)
_SIG = numba.types.void(
    *([_RO3] * 12),
    *([_F8] * 10),
    _TAB,
    _TAB,
    _F8,
    _F8,
    _OUT,
    numba.types.boolean,
    _I8,
    _I8,
    numba.types.boolean,
)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _rows(
    f_hz, theta_l, gain_l, slope_f, noise_l, noise_f, hpd_f, s_in_w, inv_sdr, bw_hz, rin_l,
    drive_nl_w, one_a2, phase, flat, kad, kt0, kt_pd, xt, r0, r1, kpm, comp_t, isd_t, x0,
    inv_dx, out, swap, i0, i1, sc, drive_sin,
):  # fmt: skip
    # Rows (k, i) with k inner. Gather the input rows into contiguous scratch, then
    # short loops over the row, which LLVM vectorises (one long loop spills registers).
    # Gain and noise depend on the first 7 inputs and rin_l only: where none changed
    # since the previous row (a drive or bandwidth axis), their dB rows are copied.
    # With a distortion table (a chirp-free MZM), compression and distortion are
    # looked up at the drive times cos^2(theta) (rof.link.describing).
    n0, n2 = f_hz.shape[0], f_hz.shape[2]
    f, th, gl, sf, nl, nf, hp, sin, isd, bw, rl, dn, g, n, cs = (
        sc[0], sc[1], sc[2], sc[3], sc[4], sc[5], sc[6], sc[7], sc[8], sc[9], sc[10], sc[11],
        sc[12], sc[13], sc[14],
    )  # fmt: skip
    two_kt0 = 2.0 * kt0
    table = comp_t.size > 1
    top = comp_t.size - 1.0
    last = comp_t.size - 2
    inv_lo = math.exp(-x0)
    for i in range(i0, i1):
        for k in range(n0):
            fresh = _gather(f_hz, k, i, i0, f)
            fresh |= _gather(theta_l, k, i, i0, th)
            fresh |= _gather(gain_l, k, i, i0, gl)
            fresh |= _gather(slope_f, k, i, i0, sf)
            fresh |= _gather(noise_l, k, i, i0, nl)
            fresh |= _gather(noise_f, k, i, i0, nf)
            fresh |= _gather(hpd_f, k, i, i0, hp)
            fresh |= _gather(rin_l, k, i, i0, rl)
            _gather(s_in_w, k, i, i0, sin)
            _gather(inv_sdr, k, i, i0, isd)
            _gather(bw_hz, k, i, i0, bw)
            if table:
                _gather(drive_nl_w, k, i, i0, dn)
            ko, io = (i, k) if swap else (k, i)  # out is (4, n0, n1, n2) or (4, n1, n0, n2)
            o_g, o_n, o_s, o_e = out[0, ko, io], out[1, ko, io], out[2, ko, io], out[3, ko, io]
            if fresh:
                for j in range(n2):
                    x = th[j] * f[j] * f[j]
                    c2, s2 = cos_sin_sq(x)
                    inv_f2 = 1.0 / (f[j] * f[j])
                    gj = gl[j] * sf[j] * (one_a2 * cos_sq(x + phase) + flat + kad * inv_f2 * s2)
                    g[j] = gj
                    fade = r0 + r1 * c2 + kpm * inv_f2 * s2
                    n[j] = two_kt0 * gj + kt_pd + (nl[j] + rl[j] * fade) * hp[j] + nf[j]
                    cs[j] = s2 if drive_sin else c2
                for j in range(n2):
                    o_g[j] = DB_PER_LN * ln(g[j])
                    o_n[j] = DB_PER_LN * ln(n[j]) + 30.0
                p_g, p_n = o_g, o_n
            else:
                for j in range(n2):
                    o_g[j] = p_g[j]
                    o_n[j] = p_n[j]
            if table:
                for j in range(n2):  # table position in ln of the scaled drive
                    pe = dn[j] * cs[j]
                    u = (ln(pe) - x0) * inv_dx
                    u = u if u > 0.0 else 0.0
                    o_s[j] = u if u < top else top
                    q = pe * inv_lo
                    o_e[j] = q if q < 1.0 else 1.0
                for j in range(n2):  # 1 / SNDR with the looked-up compression, distortion
                    u = o_s[j]
                    m = min(int(u), last)
                    w = u - m
                    comp = comp_t[m] + w * (comp_t[m + 1] - comp_t[m])
                    d = (isd_t[m] + w * (isd_t[m + 1] - isd_t[m])) * o_e[j] * o_e[j] + isd[j]
                    o_e[j] = n[j] * bw[j] / (sin[j] * comp * g[j]) + d + xt * (1.0 + d)
            else:
                for j in range(n2):  # 1 / SNDR
                    o_e[j] = n[j] * bw[j] / (sin[j] * g[j]) + isd[j] + xt * (1.0 + isd[j])
            for j in range(n2):
                o_s[j] = -DB_PER_LN * ln(o_e[j])
                o_e[j] = 100.0 * math.sqrt(o_e[j])


@numba.njit(_SIG, cache=True, nogil=True, error_model="numpy")
def _budget_kernel(
    f_hz, theta_l, gain_l, slope_f, noise_l, noise_f, hpd_f, s_in_w, inv_sdr, bw_hz, rin_l,
    drive_nl_w, one_a2, phase, flat, kad, kt0, kt_pd, xt, r0, r1, kpm, comp_t, isd_t, x0,
    inv_dx, out, swap, item0, item1, drive_sin,
):  # fmt: skip
    # Work items are blocks of rows along axis 1; this call does items [item0, item1).
    n1, n2 = f_hz.shape[1], f_hz.shape[2]
    sc = np.empty((len(INPUTS) + 3, n2))
    for blk in range(item0, item1):
        _rows(
            f_hz, theta_l, gain_l, slope_f, noise_l, noise_f, hpd_f, s_in_w, inv_sdr, bw_hz,
            rin_l, drive_nl_w, one_a2, phase, flat, kad, kt0, kt_pd, xt, r0, r1, kpm, comp_t,
            isd_t, x0, inv_dx, out, swap, blk * _ROWS_PER_BLOCK,
            min(n1, (blk + 1) * _ROWS_PER_BLOCK), sc, drive_sin,
        )  # fmt: skip


def _as_3d(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """View ``a`` broadcast to ``shape`` as 3-D (leading axes merged; no copy for <= 3-D)."""
    b = np.broadcast_to(np.asarray(a, dtype=float), shape)
    if len(shape) <= 3:
        return b.reshape((1,) * (3 - len(shape)) + b.shape)
    return b.reshape((-1, *shape[-2:]))  # copies only where the strides do not merge


#: Environment variable with the number of threads of :func:`budget_grid_numba`.
THREADS_ENV = "ROF_LINK_THREADS"
#: Grids smaller than this many points always run on the calling thread.
_MIN_POINTS_PER_THREAD = 1 << 16


def link_threads() -> int:
    """Threads for the grid kernel: ``$ROF_LINK_THREADS`` (1 to 256), default 1."""
    raw = os.environ.get(THREADS_ENV, "1").strip() or "1"
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{THREADS_ENV} = {raw!r} is not an integer; allowed: 1 to 256") from None
    return check_int_range(THREADS_ENV, value, 1, 256)


def budget_grid_numba(
    inputs: BudgetInputs, params: BudgetParams, *, threads: int | None = None
) -> np.ndarray:
    """Run the Numba kernel; return the ``(len(FIELDS), *shape)`` output stack.

    Parameters
    ----------
    inputs : BudgetInputs
        The per-point inputs, broadcasting to one common ``shape`` (each on its own
        small shape; no copies are made up to 3-D).
    params : BudgetParams
        The scalars and the optional distortion table.
    threads : int, optional
        Threads sharing the grid's row blocks (the kernel releases the GIL; plain
        Python threads, so no Numba threading layer and nothing that breaks in forked
        sweep workers). Default :func:`link_threads`, i.e. ``$ROF_LINK_THREADS`` or 1:
        sweeps already run one budget per process, and a shared machine gains nothing
        from more; set it to the free cores for one large grid in one process.

    Returns
    -------
    ndarray, shape ``(4, *shape)``
        gain_db, noise_dbm_hz, sndr_db, evm_percent as in :func:`budget_grid_numpy`.
    """
    n_threads = link_threads() if threads is None else check_int_range("threads", threads, 1, 256)
    arrays = [np.asarray(a, dtype=float) for a in inputs]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    out = np.empty((len(FIELDS), *shape))
    grid = [_as_3d(a, shape) for a in arrays]
    n0, n1, n2 = grid[0].shape

    # Rows are visited with axis 0 inner, so that gain and noise are reused along it:
    # swap the axes if only axis 1 leaves the gain / noise inputs unchanged.
    def still(axis):
        return grid[0].shape[axis] == 1 or all(grid[i].strides[axis] == 0 for i in _GAIN_NOISE)

    swap = still(1) and not still(0)
    if swap:
        grid = [a.transpose(1, 0, 2) for a in grid]
    args = (
        *grid,
        *fading_weights(params),
        float(params.adiabatic_hz2),
        float(params.kt0),
        float(params.kt_pd),
        float(params.xt),
        float(params.rin_flat),
        float(params.rin_faded),
        float(params.pm_hz2),
        *_table(params.distortion_table),
        out.reshape((len(FIELDS), n0, n1, n2)),
        swap,
    )
    n_items = -(-grid[0].shape[1] // _ROWS_PER_BLOCK)
    n_threads = max(1, min(n_threads, n_items, out[0].size // _MIN_POINTS_PER_THREAD))
    if n_threads == 1:
        _budget_kernel(*args, 0, n_items, bool(params.drive_sin))
        return out
    edges = np.linspace(0, n_items, n_threads + 1).astype(np.int64)
    with ThreadPoolExecutor(n_threads) as pool:
        jobs = [
            pool.submit(_budget_kernel, *args, int(a), int(b), bool(params.drive_sin))
            for a, b in pairwise(edges)
        ]
        for job in jobs:
            job.result()
    return out


_NO_TABLE = np.zeros(1)
_NO_TABLE.setflags(write=False)


def _table(tab):
    """``(comp_t, isd_t, x0, inv_dx)`` of a distortion table as read-only arrays, or an
    empty one for None."""
    if tab is None:
        return _NO_TABLE, _NO_TABLE, 0.0, 1.0
    comp_t, isd_t, x0, inv_dx = tab
    ro = []
    for t in (comp_t, isd_t):
        t = np.ascontiguousarray(t, dtype=float)
        if t.flags.writeable:
            t = t.copy()
            t.setflags(write=False)
        ro.append(t)
    return ro[0], ro[1], float(x0), float(inv_dx)


def table_lookup_numpy(table, p_w):
    """Plain-NumPy lookup of a ``distortion_table`` at drive powers ``p_w`` (W).

    Linear in :math:`\\ln P` on the table's grid (:func:`rof.link.dispersed.drive_table`),
    clamped at its ends, with the in-band distortion falling as :math:`P^2` (third
    order) below it; the reference of the Numba kernels' lookup. Returns
    ``(compression_sq, inv_sdr)``.
    """
    comp_t, isd_t, x0, inv_dx = table
    with np.errstate(divide="ignore"):
        u = np.clip((np.log(p_w) - x0) * inv_dx, 0.0, len(comp_t) - 1.0)
    grid = np.arange(len(comp_t), dtype=float)
    q = np.minimum(p_w * math.exp(-x0), 1.0)
    return np.interp(u, grid, comp_t), np.interp(u, grid, isd_t) * q * q


def budget_grid_numpy(inputs: BudgetInputs, params: BudgetParams) -> np.ndarray:
    """Plain-NumPy reference of :func:`budget_grid_numba` (same inputs and output)."""
    w_f, phi_f, c_f = fading_weights(params)
    r0, r1, kpm = params.rin_flat, params.rin_faded, params.pm_hz2
    x = {k: np.asarray(v, dtype=float) for k, v in inputs._asdict().items()}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        theta = x["theta_l"] * x["f_hz"] ** 2
        fading = (
            w_f * np.cos(theta + phi_f) ** 2
            + c_f
            + params.adiabatic_hz2 * np.sin(theta) ** 2 / x["f_hz"] ** 2
        )
        g = x["gain_l"] * x["slope_f"] * fading
        laser = x["rin_l"] * (
            r0 + r1 * np.cos(theta) ** 2 + kpm * np.sin(theta) ** 2 / x["f_hz"] ** 2
        )
        n = 2.0 * params.kt0 * g + params.kt_pd + (x["noise_l"] + laser) * x["hpd_f"] + x["noise_f"]
        s_in, isdr = x["s_in_w"], x["inv_sdr"]
        tab = params.distortion_table
        if tab is not None:  # chirp-free MZM: look up at the drive times cos^2(theta)
            scale = np.sin(theta) ** 2 if params.drive_sin else np.cos(theta) ** 2
            comp, isd = table_lookup_numpy(tab, x["drive_nl_w"] * scale)
            s_in = s_in * comp
            isdr = isdr + isd
        snr = s_in * g / (n * x["bw_hz"])
        sndr = 1.0 / (1.0 / snr + isdr + params.xt * (1.0 + isdr))
        res = [
            10.0 * np.log10(g),
            10.0 * np.log10(n) + 30.0,
            10.0 * np.log10(sndr),
            100.0 / np.sqrt(sndr),
        ]
    shape = np.broadcast_shapes(*(np.shape(v) for v in x.values()))
    return np.stack([np.broadcast_to(r, shape) for r in res])
