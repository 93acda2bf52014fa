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

The chunks are independent, so each worker thread runs one group of them (about
:data:`~rof.photonics.timedomain.exprb_lanes.LANES`), one chunk per SIMD lane of
:func:`~rof.photonics.timedomain.exprb_lanes.exprb_lanes` (each lane computes what the
single-chain kernel computes; the vector units give about 6x its throughput); the kernels
release the GIL (Numba ``nogil``), as do NumPy's generators and SciPy's FFTs. A group's
lanes advance in step, a segment at a time (a warm-up, then blocks of :data:`BLOCK`
samples on the grid of the Langevin draws' frame hops), through small per-thread work
arrays reused for the whole record: the drive's step values and slopes interpolated into
the lane layout (:func:`polyphase_lanes`), the draws made four hops at a time for all
lanes (:func:`~rof.photonics.timedomain.laser_noise.langevin_draws_ranges`; the frames a
lane reads again are kept: its last, for the next hop's crossfade, and the frame under
the next chunk's warm-up, for its own last hop), the kernel continuing from
each lane's carried state, and the field written in polar form (:func:`polar_lanes`);
each chunk's phase is then shifted to continue the previous one's (:func:`rotate`).
"""

from __future__ import annotations

import itertools
import math
import os
import threading

import numba
import numpy as np

from rof.photonics._common import FAST_MATH
from rof.photonics.timedomain import scratch
from rof.photonics.timedomain._threads import map_threads
from rof.photonics.timedomain.exprb_lanes import LANES, bias_state, exprb_lanes, use_narrow
from rof.photonics.timedomain.laser_noise import SHAPING_HOP, langevin_draws_ranges
from rof.photonics.timedomain.rate_constants import RateConstants, jacobian

__all__ = [
    "BLOCK",
    "SEGMENT",
    "default_chunk",
    "gather_lanes",
    "interleave_draws",
    "polar_lanes",
    "polyphase_lanes",
    "polyphase_range",
    "rotate",
    "run_chunks",
    "warm_up_s",
]

#: Samples per block: one hop of the Langevin draws' frames
#: (:data:`~rof.photonics.timedomain.laser_noise.SHAPING_HOP`); the lanes refill their
#: draws on this grid.
BLOCK = SHAPING_HOP
#: Samples per segment: a divisor of :data:`BLOCK` (1/8), the rows of the kernel's work
#: arrays (a few MB a thread, reused for the whole record: on this kind of virtual machine
#: a fresh page costs a fault of about 10 us per 4 kB, and small arrays stay in cache).
SEGMENT = BLOCK // 8
#: Hops of draws a lane refills at a time (all lanes in one call: fewer, larger calls;
#: measured against 1 with the earlier overlap-save draws: 3.5 GHz slot 1.9-2.0 s against
#: 2.4-2.5 s).
REFILL = 4


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


@numba.njit(cache=True, nogil=True, fastmath=FAST_MATH)
def polyphase_lanes(x, begin, length, bias, wv, wd, fs, out_v, out_d):
    """:func:`polyphase_range` for several chunks into the kernel's lane layout: column
    ``c`` of ``out_v``/``out_d`` (shape (M, K)) gets the step points of the chunk
    starting at sample ``begin[c]`` (``length[c] * u + 1`` of them); rows past a lane's
    end hold its last current with zero slope.

    The same sums, ordered as FIR filters: per block of samples, lane and phase ``r``,
    tap by tap over the block's contiguous samples (the compiler vectorises that loop),
    so that a point costs a few multiply-adds instead of a scalar dot product. The sums
    run in the precision of ``x`` and the weights (float32 from
    :func:`~rof.photonics.timedomain.laser.dml_field`: twice the vector width); the
    bias is added and the slope scaled in float64."""
    n = x.size
    u, m = wv.shape
    p = m // 2
    rows = out_v.shape[0]
    lanes = begin.size
    blk = 256
    av = np.empty(blk, dtype=x.dtype)  # the sums in the drive's precision
    ad = np.empty(blk, dtype=x.dtype)
    held = np.zeros(lanes)
    nt = (rows + u - 1) // u
    for t0 in range(0, nt, blk):
        t1 = min(t0 + blk, nt)
        for c in range(lanes):
            cnt = length[c]
            base = begin[c] - p
            for r in range(u):
                te = min(t1, cnt + 1 if r == 0 else cnt)
                if te > t0:
                    for t in range(te - t0):
                        av[t] = 0.0
                        ad[t] = 0.0
                    if base + t0 >= 0 and base + te - 1 + m - 1 < n:
                        for j in range(m):
                            w1 = wv[r, j]
                            w2 = wd[r, j]
                            # a slice and a range index: no negative-index wrap test, so
                            # the loops vectorise; zero taps skipped (at r = 0 the value
                            # is the sample itself and the slope's centre tap is zero)
                            xs = x[base + j + t0 : base + j + te]
                            if w1 != 0.0:
                                for t in range(te - t0):
                                    av[t] += w1 * xs[t]
                            if w2 != 0.0:
                                for t in range(te - t0):
                                    ad[t] += w2 * xs[t]
                    else:
                        for j in range(m):
                            w1 = wv[r, j]
                            w2 = wd[r, j]
                            for t in range(t0, te):
                                xv = x[(base + j + t) % n]
                                av[t - t0] += w1 * xv
                                ad[t - t0] += w2 * xv
                    for t in range(t0, te):
                        out_v[t * u + r, c] = np.float64(av[t - t0]) + bias
                        out_d[t * u + r, c] = np.float64(ad[t - t0]) * fs
                    if r == 0 and te == cnt + 1:
                        held[c] = np.float64(av[cnt - t0]) + bias
                for t in range(max(te, t0), t1):
                    k = t * u + r
                    if k < rows:
                        out_v[k, c] = held[c]
                        out_d[k, c] = 0.0


@numba.njit(cache=True, nogil=True)
def gather_lanes(src, start, count, out, hold):
    """``out[k, c] = src[start[c] + k]`` for ``k < count[c]``; past that the last value
    (``hold``) or 0. Sequential writes, one read stream per lane."""
    for k in range(out.shape[0]):
        for c in range(start.size):
            if k < count[c]:
                out[k, c] = src[start[c] + k]
            else:
                out[k, c] = src[start[c] + count[c] - 1] if hold else 0.0


@numba.njit(cache=True, nogil=True)
def interleave_draws(src, offset, count, out):
    """``out[t, :, c] = src[c, offset[c] + t]`` for ``t < count[c]``, else 0: the lanes'
    Langevin draws, lane-major (K, m, 3), into the kernel's (T, 3, K) layout (one
    sequential read stream per lane, sequential writes)."""
    for t in range(out.shape[0]):
        for r in range(3):
            for c in range(count.size):
                out[t, r, c] = src[c, offset[c] + t, r] if t < count[c] else 0.0


# pi/2 in three parts (Cody & Waite, *Software Manual for the Elementary Functions*,
# 1980, ch. 8; the values of fdlibm's __ieee754_rem_pio2, pio2_1/_2/_3): the first two of
# 33 significant bits, so that k * part is exact for |k| < 2^20 (phases below 1.6e6 rad).
_PIO2_1 = 1.57079632673412561417e00
_PIO2_2 = 6.07710050630396597660e-11
_PIO2_3 = 2.02226624871116645580e-21
# Taylor coefficients of sin r / r and cos r in r^2, |r| <= pi/4 (truncation below 2e-19)
_SIN = tuple((-1.0) ** k / math.factorial(2 * k + 1) for k in range(10))
_COS = tuple((-1.0) ** k / math.factorial(2 * k) for k in range(10))


@numba.njit(inline="always", error_model="numpy")
def _cos_sin(a):
    """(cos a, sin a) without branches (so the loop that calls it vectorises): a reduced
    to r in [-pi/4, pi/4] by a multiple k of pi/2 (Cody-Waite, three parts), the Taylor
    series of cos r and sin r, and the quadrant k mod 4 by selects. Error about 1e-16
    plus 1e-16 |a| below |a| = 1.6e6 rad."""
    k = math.floor(a * 0.6366197723675814 + 0.5)
    r = ((a - k * _PIO2_1) - k * _PIO2_2) - k * _PIO2_3
    r2 = r * r
    # Horner written out: a loop here would keep the caller's loop from vectorising
    sv = (
        (
            (
                (
                    ((((_SIN[9] * r2 + _SIN[8]) * r2 + _SIN[7]) * r2 + _SIN[6]) * r2 + _SIN[5]) * r2
                    + _SIN[4]
                )
                * r2
                + _SIN[3]
            )
            * r2
            + _SIN[2]
        )
        * r2
        + _SIN[1]
    ) * r2 + _SIN[0]
    cv = (
        (
            (
                (
                    ((((_COS[9] * r2 + _COS[8]) * r2 + _COS[7]) * r2 + _COS[6]) * r2 + _COS[5]) * r2
                    + _COS[4]
                )
                * r2
                + _COS[3]
            )
            * r2
            + _COS[2]
        )
        * r2
        + _COS[1]
    ) * r2 + _COS[0]
    sv *= r
    q = k - 4.0 * math.floor(0.25 * k)  # quadrant k mod 4, as a float (selects vectorise)
    c = cv if q == 0.0 else (-sv if q == 1.0 else (-cv if q == 2.0 else sv))
    s = sv if q == 0.0 else (cv if q == 1.0 else (-sv if q == 2.0 else -cv))
    return c, s


@numba.njit(cache=True, nogil=True, error_model="numpy")
def polar_lanes(p, ph, begin, keep, end, out):
    """``out[begin[c] + t] = sqrt(p[t, c]) e^{i ph[t, c]}`` where ``keep[c] <= begin[c] + t
    < end[c]``: the kernel's (T, K) power and phase, as the field, into the record. In
    blocks of rows: the polar form vectorised over a block (:func:`_cos_sin`), then
    written out lane by lane."""
    rows, lanes = p.shape
    blk = 512
    re = np.empty((blk, lanes))
    im = np.empty((blk, lanes))
    for t0 in range(0, rows, blk):
        t1 = min(t0 + blk, rows)
        for t in range(t0, t1):
            for c in range(lanes):
                r = math.sqrt(p[t, c])
                cv, sv = _cos_sin(ph[t, c])
                re[t - t0, c] = r * cv
                im[t - t0, c] = r * sv
        for c in range(lanes):
            lo = max(keep[c] - begin[c], t0)
            hi = min(end[c] - begin[c], t1)
            for t in range(lo, hi):
                out[begin[c] + t] = complex(re[t - t0, c], im[t - t0, c])


@numba.njit(cache=True, nogil=True)
def rotate(x, phase):
    """``x *= e^{i phase}`` in place."""
    c = math.cos(phase)
    s = math.sin(phase)
    for i in range(x.size):
        v = x[i]
        x[i] = complex(v.real * c - v.imag * s, v.real * s + v.imag * c)


def _keep_frames(frames: dict, drawn_hi, end) -> None:
    """Drop the Langevin frames no lane will read again (a lane that continues from sample
    ``drawn_hi`` reads the frames from the one before its hop to its end's); a kept frame
    that is a view of a batch of frames is copied, so that the batch can go."""
    hop = SHAPING_HOP
    live = [
        (int(a) // hop - 1, (int(b) - 1) // hop)
        for a, b in zip(drawn_hi, end, strict=True)
        if a < b
    ]
    for f in list(frames):
        if not any(f0 <= f <= f1 for f0, f1 in live):
            del frames[f]
        elif frames[f].base is not None:
            frames[f] = frames[f].copy()


#: Per-thread work arrays of :func:`run_chunks`, kept between calls (a thread keeps one
#: set, tens of MB, while it lives).
_WORK = threading.local()


def _lane_bounds(n: int, chunk: int, warm: int):
    """(begin, keep, end) of every chunk: chunk ``c`` keeps samples ``c*chunk ..
    min((c+1)*chunk, n)`` and starts ``warm`` samples earlier (chunk 0 at 0)."""
    keep = np.arange(0, n, chunk, dtype=np.int64)
    end = np.minimum(keep + chunk, n)
    begin = np.maximum(keep - warm, 0)
    return begin, keep, end


def default_chunk(n: int, workers: int) -> int:
    """Samples per chunk: the record split evenly into
    :data:`~rof.photonics.timedomain.exprb_lanes.LANES` chunks per worker (a full vector
    of lanes each: 15 lanes ran the kernel 40 % slower than 16), rounded up to a multiple
    of :data:`SEGMENT`, and at least one :data:`BLOCK` (a chunk's warm-up, about 400
    samples at 40 GS/s for the default laser, then costs at most a few percent). Chunks
    need not fall on the draws' hops: a frame two lanes read is made once."""
    lanes = LANES * max(workers, 1)
    per = -(-n // lanes)
    return int(max(BLOCK, -(-per // SEGMENT) * SEGMENT))


def _groups(n_chunks: int, workers: int) -> list[range]:
    """The chunks in contiguous groups, one kernel call's lanes each: as many groups as
    workers (or a multiple, so that no group has more than twice LANES lanes), of
    sizes differing by at most one, so that the workers finish together."""
    n_groups = workers * max(1, -(-n_chunks // (2 * LANES * workers)))
    n_groups = min(n_groups, n_chunks)
    edges = np.linspace(0, n_chunks, n_groups + 1).round().astype(int)
    return [range(a, b) for a, b in itertools.pairwise(edges) if b > a]


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
    chunk: int | None = None,
    workers: int | None = None,
) -> np.ndarray:
    """Field of ``n`` optical samples, integrated in overlapping chunks (see the module).

    The chunks run :data:`LANES` at a time, one per SIMD lane of
    :func:`~rof.photonics.timedomain.exprb_lanes.exprb_lanes`; groups of lanes run on
    a thread pool.

    Parameters
    ----------
    n, u, dt : int, int, float
        Optical samples, steps per sample, step, s.
    constants : RateConstants
        The laser.
    steps : callable
        ``steps(begin, count, cur, dcur)`` writes, for each lane ``c``, the current, A,
        and its slope, A/s, at the step points ``begin[c] * u .. (begin[c] + count[c]) *
        u`` into column ``c`` of ``cur`` and ``dcur`` (shape (M, K)), and past them the
        last current with zero slope (:func:`polyphase_lanes`, :func:`gather_lanes`).
    noise_entropy : int or None
        Seed of the Langevin draws (:func:`langevin_draws_range`); None: noiseless.
    chol, scale : ndarray, float
        Kick factor (:func:`~rof.photonics.timedomain.laser_noise.noise_increment`) and
        noise scale (0: noiseless) of the kernel.
    chunk : int, optional
        Samples per chunk; ``chunk >= n`` is the single pass. Default
        :func:`default_chunk`.
    workers : int, optional
        Threads (default: the CPU count).

    Returns
    -------
    ndarray of complex128, shape (n,)
        :math:`\\sqrt{P}e^{i\\phi}`, sample ``i`` the state at :math:`(i + 1)\\,u\\,dt`.
    """
    fs = 1.0 / (u * dt)
    warm = math.ceil(warm_up_s(constants) * fs)
    workers = workers or os.cpu_count() or 1
    if chunk is None:
        chunk = default_chunk(n, workers)
    begin, keep, end = _lane_bounds(n, int(chunk), warm)
    n_chunks = begin.size
    field = scratch.take(n, np.complex128)  # kept between runs where given back
    before = np.zeros(n_chunks)  # each chunk's phase at sample keep - 1 (its warm-up's end)
    last = np.zeros(n_chunks)  # and at its last sample, end - 1
    consts = constants.as_tuple()
    narrow = use_narrow(consts, dt)
    groups = _groups(n_chunks, workers)
    blk = BLOCK
    sub = SEGMENT
    # the draws are made REFILL frames at a time for all lanes (one call transforms the
    # group's frames several at a time); the kernel's arrays hold a segment, a few MB
    span = warm + REFILL * blk
    rows_max = max(sub, warm)  # the longest segment: SEGMENT samples, or a warm-up

    def buffers(k):
        """A group's work arrays: per thread, kept between calls (the pool's threads
        persist) and reused while the shapes match (each fresh page costs a fault, about
        10 us per 4 kB on this kind of virtual machine)."""
        shapes = ((rows_max * u + 1, k), (k, span, 3), (rows_max, 3, k), (rows_max, k))
        bufs = getattr(_WORK, "bufs", None)
        if bufs is None or bufs[0] != shapes:
            bufs = _WORK.bufs = (
                shapes,
                np.empty(shapes[0]),
                np.empty(shapes[0]),
                np.zeros(shapes[1], dtype=np.float32),
                np.empty(shapes[2], dtype=np.float32),
                np.empty(shapes[3]),
                np.empty(shapes[3]),
            )
        return bufs[1:]

    def run(lanes):
        sl = slice(lanes[0], lanes[-1] + 1)
        b0, k0, e0 = begin[sl], keep[sl], end[sl]
        cur, dcur, zl, z, pw, phw = buffers(b0.size)
        noisy = noise_entropy is not None
        pos = b0.copy()
        drawn_lo = b0.copy()  # each lane's samples drawn into zl: drawn_lo .. drawn_hi
        drawn_hi = b0.copy()
        state = None
        # The draws' frames this group made and will need again: each lane's last one
        # (the next refill's first fade) and, for the previous lane's last hop, the frame
        # under a chunk's warm-up (made by the first refill, used at the very end)
        frames = {}
        while True:
            # the warm-up first, then segments ending on the grid of SEGMENT samples (the
            # draws' hops, BLOCK, a multiple), the lanes in step
            stop = np.where(pos < k0, k0, np.minimum((pos // sub + 1) * sub, e0))
            count = stop - pos
            rows = int(count.max())
            if rows <= 0:
                break
            steps(pos, count, cur[: rows * u + 1], dcur[: rows * u + 1])
            if state is None:
                state = bias_state(cur[0].copy(), consts)
            if noisy:
                if np.any(stop > drawn_hi):
                    # the lanes run in step, so they refill together: each up to the end
                    # of REFILL hops from its segment's (a finished lane none)
                    ahead = ((stop - 1) // blk + REFILL) * blk
                    drawn_hi = np.maximum(np.minimum(ahead, e0), pos)
                    drawn_lo = pos.copy()
                    langevin_draws_ranges(
                        constants, 1.0 / fs, drawn_lo, drawn_hi, noise_entropy, zl, frames
                    )
                    _keep_frames(frames, drawn_hi, e0)
                interleave_draws(zl, pos - drawn_lo, count, z[:rows])
            exprb_lanes(
                cur[: rows * u + 1], dcur[: rows * u + 1], u, dt, consts, z[:rows],
                scale if noisy else 0.0, chol, state, count, pw[:rows], phw[:rows], narrow,
            )  # fmt: skip
            polar_lanes(pw[:rows], phw[:rows], pos, k0, stop, field)
            for j in range(pos.size):
                if count[j] > 0:
                    if stop[j] == k0[j]:
                        before[sl.start + j] = phw[count[j] - 1, j]
                    if stop[j] == e0[j]:
                        last[sl.start + j] = phw[count[j] - 1, j]
            pos = stop

    map_threads(run, groups, workers)
    # each chunk's phase shifted to continue the previous one's (chunk c - 1 ends at
    # sample keep[c] - 1, which chunk c computed in its warm-up)
    offsets = np.zeros(n_chunks)
    for c in range(1, n_chunks):
        offsets[c] = offsets[c - 1] + last[c - 1] - before[c]

    def shift(c):
        if offsets[c] != 0.0:
            rotate(field[keep[c] : end[c]], offsets[c])

    map_threads(shift, range(n_chunks), workers)
    return field
