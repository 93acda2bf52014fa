"""Directly modulated laser by the single-mode rate equations (time domain).

Carrier number :math:`N`, photon number :math:`S` and optical phase :math:`\\phi`
(Coldren, Corzine & Mašanović, *Diode Lasers and Photonic Integrated Circuits*, 2nd
ed., Wiley 2012, ch. 2 and 5; Agrawal & Dutta, *Semiconductor Lasers*, 2nd ed.,
1993, ch. 6), in numbers rather than densities:

.. math::

    \\dot N = \\frac{I}{q} - \\frac{N}{\\tau_n} - \\frac{G_N (N-N_0)}{1+\\epsilon S} S + F_N,
    \\qquad
    \\dot S = \\frac{G_N (N-N_0)}{1+\\epsilon S} S - \\frac{S}{\\tau_p}
        + \\beta\\frac{N}{\\tau_n} + F_S,

    \\dot\\phi = -\\frac{\\alpha}{2} G_N (N - N_{bias}) + F_\\phi, \\qquad P = k S,

with gain compression :math:`\\epsilon`, Henry factor :math:`\\alpha`, and white
Langevin forces whose strengths follow Coldren et al. ch. 5 (Langevin sources, shot-noise limit):
:math:`D_{SS} = 2R_{sp}S`, :math:`D_{NN} = 2R_{sp}S + 2N/\\tau_n`,
:math:`D_{SN} = -2R_{sp}S`, :math:`D_{\\phi\\phi} = R_{sp}/(2S)`,
:math:`R_{sp} = \\beta N/\\tau_n`. The phase sign is that of
:mod:`rof.photonics.timedomain.fiber` (field :math:`\\propto e^{-i\\omega_0 t}`, frequency
shift :math:`-\\dot\\phi`), so the light's frequency rises with carrier density for
:math:`\\alpha > 0`; this gives the transient chirp
:math:`\\Delta\\nu = \\frac{\\alpha}{4\\pi}\\frac{d\\ln P}{dt}` plus the adiabatic chirp
:math:`\\frac{\\alpha}{4\\pi}\\kappa P` that gain compression brings (Koch & Bowers,
Electron. Lett. 20, 1984; Agrawal & Dutta ch. 6.

The parameters come from :class:`rof.photonics.DirectLaser`: :func:`rate_constants`
takes the threshold and bias currents, chooses :math:`N_0` so that threshold falls at
``threshold_current_ma``, fits :math:`G_N` and :math:`\\epsilon` so that the
linearised system has exactly the laser's relaxation frequency and damping rate
(:math:`\\omega_R^2 = \\det J`, :math:`\\gamma = -\\mathrm{tr} J`, Coldren et al.
ch. 5, small-signal analysis), sets :math:`k` so the mean power is ``mean_power_w()``,
and scales the Langevin strengths by one common factor so that the RIN at a reference
frequency (:func:`rin_linearised`) equals ``rin_db_per_hz``. The Langevin kicks of
:math:`(N, S, \\phi)` per sample are exact for the linearised system, the phase kick
correlated with the carrier kick (:func:`noise_increment`), their draws are
band-limited so that no noise from above Nyquist folds into the band
(:func:`langevin_draws`), and each component is scaled per sample to the diffusion at
the current state (:func:`kick_scales`), so that a laser driven into turn-off gets the
small kicks of its few photons.

Integration: exponential Rosenbrock-Euler (Hochbruck, Ostermann & Schweitzer, SIAM J.
Numer. Anal. 47(1), 2009, eq. 2.4), :math:`y_{n+1} = y_n + h\\,\\varphi_1(hJ_n)f(y_n)`
with the analytic 2x2 Jacobian, which is exact for the linearised dynamics at any step
and stable below threshold where :math:`\\tau_p` makes the equations stiff. The drive
is the exact average of the band-limited current over each step.
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np
from scipy import fft as sfft

from rof._validate import check_finite, check_int_range, check_range
from rof.errors import ParameterError
from rof.photonics.timedomain import scratch
from rof.photonics.timedomain.laser_chunks import gather_lanes, polyphase_lanes, run_chunks
from rof.photonics.timedomain.laser_noise import noise_increment
from rof.photonics.timedomain.phase_fft import over_threads
from rof.photonics.timedomain.rate_constants import RateConstants, jacobian, rate_constants
from rof.units import Q_C

__all__ = [
    "RateConstants",
    "dml_exprb_reference",
    "dml_field",
    "dml_step_reference",
    "rate_constants",
]


def dml_step_reference(current_a, dt, rc: RateConstants):
    """Plain-NumPy/SciPy reference of the noiseless kernel (``scipy.linalg.expm`` per step).

    Uses :math:`\\varphi_1(Z) f = [\\exp(\\begin{smallmatrix}Z & f\\\\0 & 0
    \\end{smallmatrix})]_{1:2,3}`
    (Higham, *Functions of Matrices*, SIAM 2008, Thm. 10.9 augmentation). Slow; for tests.
    """
    from scipy.linalg import expm

    tau_p, tau_n, beta, g_n, n0, eps, alpha, k, n_th, _ = rc.as_tuple()
    n, s, phi = rc.n_bias, rc.s_bias, 0.0
    p = np.empty(len(current_a))
    ph = np.empty(len(current_a))
    for i, cur in enumerate(current_a):
        g_net = g_n * (n - n0) / (1.0 + eps * s) ** 2 - 1.0 / tau_p
        m = 1 if g_net * dt <= 0.5 else min(math.ceil(g_net * dt / 0.5), 4096)
        h = dt / m
        for _ in range(m):
            a11, a12, a21, a22 = jacobian(n, s, tau_p, tau_n, beta, g_n, n0, eps)
            c = 1.0 + eps * s
            g = g_n * (n - n0)
            f = np.array(
                [cur / Q_C - n / tau_n - g * s / c, g * s / c - s / tau_p + beta * n / tau_n]
            )
            aug = np.zeros((3, 3))
            aug[:2, :2] = h * np.array([[a11, a12], [a21, a22]])
            aug[:2, 2] = h * f
            dy = expm(aug)[:2, 2]
            n_new, s_new = n + dy[0], max(s + dy[1], 1e-3)
            phi -= 0.5 * alpha * g_n * (0.5 * (n + n_new) - n_th) * h
            n, s = n_new, s_new
        p[i], ph[i] = k * s, phi
    return p, ph


def dml_exprb_reference(current_a, dcurrent_a, dt, rc: RateConstants):
    """Plain-NumPy/SciPy reference of :func:`~.rate_kernel.exprb_kernel` (one step per
    sample, noiseless, no step splitting).

    :math:`\\sum_k \\varphi_k(Z) w_k` from one ``scipy.linalg.expm`` of the augmented
    matrix :math:`\\begin{smallmatrix}Z & W\\\\ 0 & K\\end{smallmatrix}` with :math:`K`
    the nilpotent shift (Al-Mohy & Higham, SIAM J. Sci. Comput. 33(2), 2011, Thm. 2.1).
    Slow; for tests. ``current_a`` and ``dcurrent_a`` have one more point than outputs.
    """
    from scipy.linalg import expm

    tau_p, tau_n, beta, g_n, n0, eps, alpha, k, n_ref, _ = rc.as_tuple()

    def rhs(n, s, cur):
        c = 1.0 + eps * s
        g = g_n * (n - n0)
        return np.array(
            [cur / Q_C - n / tau_n - g * s / c, g * s / c - s / tau_p + beta * n / tau_n]
        )

    n, s, phi = rc.n_bias, rc.s_bias, 0.0
    h = dt
    m = len(current_a) - 1
    p = np.empty(m)
    ph = np.empty(m)
    for i in range(m):
        y = np.array([n, s])
        a = np.array(jacobian(n, s, tau_p, tau_n, beta, g_n, n0, eps)).reshape(2, 2)
        f0 = rhs(n, s, current_a[i])
        v = np.array([dcurrent_a[i] / Q_C, 0.0])
        aug = np.zeros((5, 5))
        aug[:2, :2] = h * a
        aug[:2, 3] = h * h * v
        aug[:2, 4] = h * f0
        aug[2, 3] = aug[3, 4] = 1.0
        u2 = y + expm(aug)[:2, 4]
        u2[1] = max(u2[1], 1e-3)
        d = rhs(u2[0], u2[1], current_a[i + 1]) - f0 - a @ (u2 - y) - h * v
        aug[:2, 2:] = 0.0
        aug[:2, 2] = 2.0 * h * d
        y1 = u2 + expm(aug)[:2, 4]
        y1[1] = max(y1[1], 1e-3)
        f1 = rhs(y1[0], y1[1], current_a[i + 1])
        phi -= 0.5 * alpha * g_n * ((0.5 * (n + y1[0]) - n_ref) * h + h * h / 12 * (f0[0] - f1[0]))
        n, s = y1
        p[i], ph[i] = k * s, phi
    return p, ph


def _drive_spectrum_summary(v, r_in, fs):
    """(f_ref, f_hi) of the AC drive current ``v / r_in``: its centre frequency, Hz,
    power-weighted over the bins within
    30 dB of the strongest (so a flat OFDM band gives its centre, not a random subcarrier,
    and the input noise floor is left out), and the frequency below which all but 1e-4 of
    the AC drive power lies, Hz. Long drives: Hann-windowed periodogram of 2^16-point
    segments (Welch), so that no full-length FFT is needed (the current is formed for
    those segments only, in double precision)."""
    n = v.size
    if n <= 1 << 18:
        psd = np.abs(sfft.rfft(np.asarray(v, dtype=np.float64) / r_in, workers=-1)) ** 2
        f = sfft.rfftfreq(n, 1.0 / fs)
    else:
        seg = 1 << 16
        starts = np.linspace(0, n - seg, 8).astype(np.int64)
        win = np.hanning(seg)
        blocks = np.stack([v[a : a + seg] for a in starts]).astype(np.float64) / r_in * win
        psd = np.sum(np.abs(sfft.rfft(blocks, axis=1, workers=-1)) ** 2, axis=0)
        f = sfft.rfftfreq(seg, 1.0 / fs)
    psd[0] = 0.0
    total = psd.sum()
    if not total > 0.0:
        return fs / 4.0, 0.0
    strong = psd >= 1e-3 * psd.max()
    f_ref = float(np.sum(f[strong] * psd[strong]) / np.sum(psd[strong]))
    tail = np.cumsum(psd[::-1])[::-1]  # power at and above each bin
    above = np.flatnonzero(tail > 1e-4 * total)
    return f_ref, float(f[above[-1]])


@functools.lru_cache(maxsize=64)
def _lagrange_weights(u: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Value and slope weights, shape (u, 2p+1), of the Lagrange interpolant on the
    sample offsets ``-p..p`` at the fractional positions ``r/u`` (r = 0..u-1); at r = 0
    the slope weights are the central difference of order 2p (Fornberg, Math. Comp.
    51, 1988). Slopes per sample."""
    nodes = np.arange(-p, p + 1, dtype=float)
    m = nodes.size
    wv = np.zeros((u, m))
    wd = np.zeros((u, m))
    for r in range(u):
        x = r / u
        for j in range(m):
            others = np.delete(nodes, j)
            den = np.prod(nodes[j] - others)
            wv[r, j] = np.prod(x - others) / den
            acc = 0.0
            for kk in range(m - 1):
                acc += np.prod(np.delete(x - others, kk))
            wd[r, j] = acc / den
    wv.setflags(write=False)  # cached (lru_cache): shared, read-only
    wd.setflags(write=False)
    return wv, wd


def _interp_half_width(theta: float, u: int) -> int | None:
    """Smallest half-width ``p`` (<= 12) whose Lagrange value and slope at every phase
    ``r/u`` are within 1e-7 (relative) for a tone of ``theta`` rad per sample; None if
    no such ``p``: then the FFT interpolation is used."""
    if theta <= 0.0:
        return 1
    for p in range(1, 13):
        wv, wd = _lagrange_weights(u, p)
        z = np.exp(1j * theta * np.arange(-p, p + 1))
        x = np.arange(u) / u
        ev = np.abs(wv @ z - np.exp(1j * theta * x))
        ed = np.abs(wd @ z / (1j * theta) - np.exp(1j * theta * x))
        if max(ev.max(), ed.max()) < 1e-7:
            return p
    return None


@numba.njit(cache=True, nogil=True)
def _current_f32(v, r_in, out, i0, i1):
    """``out[i] = float32(float64(v[i]) / r_in)`` for ``i0 <= i < i1`` (NumPy's
    ``(v / r_in).astype(float32)`` for float64 ``v``); returns how many ``v[i]`` are not
    finite."""
    bad = 0
    for i in range(i0, i1):
        a = np.float64(v[i])
        if not math.isfinite(a):
            bad += 1
        out[i] = np.float32(a / r_in)
    return bad


def dml_field(
    laser,
    drive_v,
    sample_rate_hz: float,
    rng: np.random.Generator | None,
    *,
    substeps: int | None = None,
    constants: RateConstants | None = None,
    noise: bool = True,
    chunk: int | None = None,
    workers: int | None = None,
) -> np.ndarray:
    """Optical field of a directly modulated laser driven by an RF voltage.

    The rate equations are integrated by the third-order exponential Rosenbrock method
    (:func:`~rof.photonics.timedomain.rate_kernel.exprb_kernel`), which is exact for
    the linearised dynamics at any step, so the step follows the drive's bandwidth, not
    the relaxation frequency. It needs the band-limited current and its slope at the
    step boundaries: at one step per sample the samples themselves and a central
    difference (order chosen for a 1e-7 slope error at the drive's highest frequency),
    else (or when the drive is too close to Nyquist) the FFT interpolation.

    Parameters
    ----------
    laser : rof.photonics.DirectLaser
        The laser; its current is :math:`I_b + v/R_{in}` (matched input).
    drive_v : ndarray of float, shape (n,)
        RF voltage across ``laser.input_impedance_ohm``, V (real passband; band-limited,
        periodic when zero-padded to a fast FFT length). Float32 or float64 (read as
        float64 either way).
    sample_rate_hz : float
        Sample rate, Hz.
    rng : numpy.random.Generator or None
        Source of the Langevin noise (band-limited to the sample rate,
        :func:`~rof.photonics.timedomain.laser_noise.langevin_draws_range`, seeded by one
        draw from ``rng``); None (or ``noise=False``) for a noiseless run.
    substeps : int, optional
        Integration steps per sample (default: the fewest with :math:`f_{hi}\\,dt \\le
        1/16`, :math:`f_{hi}` the frequency below which all but 1e-4 of the drive's AC
        power lies; noiseless EVM of a 3.5 GHz NR carrier within about 1 % of a converged
        run). With the Langevin noise the EVM converges more slowly where the step is
        long against the relaxation oscillation (:math:`\\omega_R\\,dt`): 100 MHz NR,
        20 km, default laser, EVM at 1, 2, 3 and 4 steps per sample: 0.8646, 0.8616, -,
        0.8614 % at 3.5 GHz (39 GS/s, the default 2 steps 0.02 % above converged) and
        1.030, 0.726, 0.718, 0.716 % at 0.75 GHz (10.8 GS/s, the default 2 steps 1.4 %
        above); ask for more steps where that matters.
    constants : RateConstants, optional
        Precomputed :func:`rate_constants` (default: computed with the RIN reference at
        the drive's power-weighted centre frequency, so that ``rin_db_per_hz`` holds at
        the centre of a carrier; the model's RIN rises towards the relaxation frequency,
        by about 1 dB across 100 MHz at 0.75 GHz for the default laser).
    noise : bool
        False: noiseless, whatever ``rng``.
    chunk : int, optional
        Samples per chunk of the vectorised, threaded integration
        (:mod:`~rof.photonics.timedomain.laser_chunks`: each chunk starts from the bias
        point a warm-up earlier and its phase is stitched to the previous one; agrees with
        the single pass, ``chunk >= n``, to about 1e-9 of the field). Default
        :func:`~rof.photonics.timedomain.laser_chunks.default_chunk`.
    workers : int, optional
        Threads (default: the CPU count).

    Returns
    -------
    ndarray of complex128, shape (n,)
        Field :math:`\\sqrt{P}e^{i\\phi}`, sqrt(W), sample ``i`` at time
        :math:`(i+1)/f_s` (the state after integrating over sample ``i``).
    """
    v = np.asarray(drive_v)
    if v.dtype not in (np.float32, np.float64) or v.ndim != 1:
        v = check_finite("dml_field.drive_v", drive_v).ravel()
    v = np.ascontiguousarray(v)
    fs = check_range("dml_field.sample_rate_hz", sample_rate_hz, 0.0, lo_open=True)
    if substeps is not None:
        substeps = check_int_range("dml_field.substeps", substeps, 1, 4096)
    r_in = laser.input_impedance_ohm
    # the AC current in single precision, float32(v / r_in), and the finiteness check, in
    # one pass on threads (the polyphase interpolation sums in float32, see below)
    x = scratch.take(v.size, np.float32)
    # weight 2: a sample is read and written, so records from 2^19 samples take two threads
    bad = over_threads(lambda i0, i1: _current_f32(v, r_in, x, i0, i1), v.size, weight=2)
    if sum(bad):
        raise ParameterError(
            "dml_field.drive_v contains NaN or infinite values; allowed: finite numbers"
        )
    bias = laser.bias_current_ma * 1e-3
    f_ref, f_hi = _drive_spectrum_summary(v, r_in, fs)
    if constants is None:
        constants = rate_constants(laser, rin_reference_hz=f_ref)
    u = substeps if substeps is not None else max(1, math.ceil(16.0 * f_hi / fs - 1e-9))
    n = v.size
    half = _interp_half_width(2.0 * math.pi * f_hi / fs, u) if n > 64 else None
    if half is not None:
        # Oversampled drive: local (Lagrange) band-limited values and slopes per chunk,
        # summed in float32 (the AC current's rounding, 6e-8 of it, is the drive's own:
        # simulate_link interpolates it in float32; 140 dB below it in band)
        wv, wd = _lagrange_weights(u, half)
        wv = wv.astype(np.float32)
        wd = wd.astype(np.float32)

        def steps(begin, count, cur, dcur):
            polyphase_lanes(x, begin, count, bias, wv, wd, fs, cur, dcur)
    else:
        # Band-limited values and slopes on the step grid (zero-padded to a fast length).
        del x
        nf = sfft.next_fast_len(n, real=True)
        spec = sfft.rfft(np.asarray(v, dtype=np.float64) / r_in, n=nf, workers=-1)
        f = sfft.rfftfreq(nf, 1.0 / fs)
        m = n * u + 1
        cur_all = np.resize(sfft.irfft(spec, n=nf * u, workers=-1) * u, m)
        cur_all += bias
        spec *= 2j * np.pi * f
        if nf % 2 == 0:
            spec[-1] = 0.0  # the Nyquist bin has no defined slope
        dcur_all = np.resize(sfft.irfft(spec, n=nf * u, workers=-1) * u, m)
        del spec

        def steps(begin, count, cur, dcur):
            gather_lanes(cur_all, begin * u, count * u + 1, cur, True)
            gather_lanes(dcur_all, begin * u, count * u + 1, dcur, False)

    scale = constants.noise_scale if (noise and rng is not None) else 0.0
    chol = noise_increment(constants, 1.0 / fs) if scale > 0 else np.zeros(7)
    entropy = int(rng.integers(2**63)) if scale > 0 else None
    field = run_chunks(
        n, u, 1.0 / (fs * u), constants, steps, entropy, chol, scale, chunk=chunk, workers=workers
    )
    del steps
    if half is not None:
        scratch.give(x)
    return field
