"""The DML's rate equations over a long record in overlapping chunks, on several threads.

:func:`~rof.photonics.timedomain.laser.dml_field` splits the record into chunks of
``chunk`` optical samples. Chunk :math:`c` starts at sample :math:`a_c`; it is integrated
from the bias point starting ``warm`` samples earlier, over the same drive and the same
Langevin draws (:func:`~rof.photonics.timedomain.laser_noise.langevin_draws_range`
gives any range of one endless sequence), so that by :math:`a_c` the carrier and photon
numbers have forgotten their start: the linearised dynamics decay at the damping rate
:math:`\\gamma/2` (Coldren, Corzine & Mašanović, *Diode Lasers and Photonic Integrated
Circuits*, 2nd ed., 2012, ch. 5), below threshold at the carrier rate :math:`1/\\tau_n`,
and the warm-up lasts :func:`warm_up_s`. The optical phase is an integral with no
memory decay (:math:`\\dot\\phi = -\\tfrac{\\alpha}{2}G_N(N - N_{ref}) + F_\\phi`), so it
differs between the chunk's and the previous chunk's run by a constant once the states
agree; each chunk's phase is shifted by the difference at sample :math:`a_c - 1`, which
both runs computed. Chunk 0 starts at the record's start from the bias point, as a
single pass does; the chunks agree with the single pass to the decay of the start
transient over the warm-up (``tests/photonics/timedomain/test_laser_chunks.py``).

The kernels release the GIL (Numba ``nogil``), as do NumPy's generators and SciPy's
FFTs, so the chunks run on a thread pool; the drive's step values and slopes are
interpolated per chunk (:func:`polyphase_range`), so no record-long array of them is made.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from rof.photonics._common import FAST_MATH
from rof.photonics.timedomain.exprb_kernel import exprb_kernel
from rof.photonics.timedomain.laser_noise import (
    SHAPING_FFT,
    SHAPING_OVERLAP,
    langevin_draws_range,
)
from rof.photonics.timedomain.rate_constants import RateConstants, jacobian

__all__ = ["DEFAULT_CHUNK", "polar_offset", "polyphase_range", "run_chunks", "warm_up_s"]

#: Optical samples per chunk: 16 frames of the noise shaping
#: (:data:`~rof.photonics.timedomain.laser_noise.SHAPING_FFT` less twice
#: :data:`~rof.photonics.timedomain.laser_noise.SHAPING_OVERLAP`), so that a chunk's
#: warm-up costs one extra frame in 16; about 40 MB of work arrays a chunk, 22 chunks in
#: an NR slot at 3.5 GHz.
DEFAULT_CHUNK = 16 * (SHAPING_FFT - 2 * SHAPING_OVERLAP)


def warm_up_s(rc: RateConstants) -> float:
    """Warm-up of a chunk, s: 40 time constants of the slowest decay of the linearised
    (N, S) system at bias, and at least 10 carrier lifetimes (below threshold, after
    clipping, the carriers relax at :math:`1/\\tau_n`); a start error of :math:`O(1)`
    decays to :math:`e^{-40}`."""
    a11, a12, a21, a22 = jacobian(
        rc.n_bias, rc.s_bias, rc.tau_p_s, rc.tau_n_s, rc.beta, rc.g_n_per_s, rc.n0, rc.epsilon
    )
    eig = np.linalg.eigvals(np.array([[a11, a12], [a21, a22]]))
    slowest = float(np.min(np.abs(eig.real)))
    return max(40.0 / slowest, 10.0 * rc.tau_n_s)


@numba.njit(cache=True, nogil=True, fastmath=FAST_MATH)
def polyphase_range(x, lo, bias, wv, wd, fs, out_v, out_d):
    """Lagrange values and slopes of the periodic record ``x`` on the step grid, from step
    point ``lo * u`` on: ``out_v[k] = bias + x(i + r/u)``, ``out_d[k] = x'(i + r/u)`` (per
    second) with ``i * u + r = lo * u + k``, taps ``x[(i - p .. i + p) mod n]``.

    The same sums as :func:`rof.photonics.timedomain.laser._polyphase` (which covers
    the whole record from 0), for one chunk.
    """
    n = x.size
    u, m = wv.shape
    p = m // 2
    for k in range(out_v.size):
        g = lo * u + k
        i = g // u
        r = g - i * u
        av = 0.0
        ad = 0.0
        if p <= i < n - p:
            for j in range(m):
                xv = x[i + j - p]
                av += wv[r, j] * xv
                ad += wd[r, j] * xv
        else:
            for j in range(m):
                xv = x[(i + j - p) % n]
                av += wv[r, j] * xv
                ad += wd[r, j] * xv
        out_v[k] = av + bias
        out_d[k] = ad * fs


@numba.njit(cache=True, nogil=True)
def polar_offset(p, ph, offset, out):
    """``out = sqrt(p) * exp(1j * (ph + offset))`` (a real cosine and sine)."""
    for i in range(p.size):
        r = math.sqrt(p[i])
        a = ph[i] + offset
        out[i] = complex(r * math.cos(a), r * math.sin(a))


def run_chunks(
    n: int,
    u: int,
    dt: float,
    constants: RateConstants,
    steps,
    noise_entropy: int | None,
    chol: np.ndarray,
    scale: float,
    *,
    chunk: int = DEFAULT_CHUNK,
    workers: int | None = None,
) -> np.ndarray:
    """Field of ``n`` optical samples, integrated in overlapping chunks (see the module).

    Parameters
    ----------
    n, u, dt : int, int, float
        Optical samples, steps per sample, step, s.
    constants : RateConstants
        The laser.
    steps : callable
        ``steps(lo, hi) -> (cur, dcur)``: current, A, and slope, A/s, at the step points
        ``lo * u .. hi * u`` (``(hi - lo) * u + 1`` values each).
    noise_entropy : int or None
        Seed of the Langevin draws (:func:`langevin_draws_range`); None: noiseless.
    chol, scale : ndarray, float
        Kick factor (:func:`~rof.photonics.timedomain.laser_noise.noise_increment`) and
        noise scale (0: noiseless) of :func:`exprb_kernel`.
    chunk : int
        Samples per chunk; ``chunk >= n`` is the single pass.
    workers : int, optional
        Threads (default: the CPU count).

    Returns
    -------
    ndarray of complex128, shape (n,)
        :math:`\\sqrt{P}e^{i\\phi}`, sample ``i`` the state at :math:`(i + 1)\\,u\\,dt`.
    """
    fs = 1.0 / (u * dt)
    warm = math.ceil(warm_up_s(constants) * fs)
    bounds = [(a, min(a + chunk, n)) for a in range(0, n, chunk)]
    p = np.empty(n)
    ph = np.empty(n)
    before = np.zeros(len(bounds))  # each chunk's phase at its start sample - 1
    consts = constants.as_tuple()
    zeros = np.zeros((1, 3))

    def run(c):
        a, b = bounds[c]
        start = 0 if c == 0 else max(0, a - warm)
        cur, dcur = steps(start, b)
        if noise_entropy is not None:
            z = langevin_draws_range(constants, 1.0 / fs, start, b, noise_entropy)
        else:
            z = np.broadcast_to(zeros, (b - start, 3))
        state = np.array([constants.n_bias, constants.s_bias, 0.0])
        pw = np.empty(b - start)
        phw = np.empty(b - start)
        exprb_kernel(cur, dcur, u, dt, consts, state, z, scale, chol, pw, phw)
        p[a:b] = pw[a - start :]
        ph[a:b] = phw[a - start :]
        if a > start:
            before[c] = phw[a - start - 1]

    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(bounds) == 1:
        for c in range(len(bounds)):
            run(c)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, range(len(bounds))))
    offsets = np.zeros(len(bounds))
    for c in range(1, len(bounds)):
        offsets[c] = offsets[c - 1] + ph[bounds[c][0] - 1] - before[c]
    field = np.empty(n, dtype=np.complex128)

    def polar(c):
        a, b = bounds[c]
        polar_offset(p[a:b], ph[a:b], offsets[c], field[a:b])

    if workers == 1 or len(bounds) == 1:
        for c in range(len(bounds)):
            polar(c)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(polar, range(len(bounds))))
    return field
