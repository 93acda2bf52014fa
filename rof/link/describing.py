"""Single-tone describing function of a whole link: transmitter, dispersive fiber, square law.

A directly modulated laser is not a memoryless AM/AM curve: its rate equations
distort at RF (relaxation-oscillation non-linearity; Lau & Yariv, Appl. Phys. Lett.
45(10), 1034-1036, 1984; Darcie, Tucker & Sullivan, Electron. Lett. 21(16), 665-666,
1985), and its chirp, through fiber dispersion, turns phase modulation into intensity
distortion (Meslener, IEEE J. Quantum Electron. 20(10), 1208-1216, 1984; Phillips et
al., IEEE Photon. Technol. Lett. 3(5), 481-483, 1991). For an NR carrier whose
bandwidth is small against its carrier frequency and whose envelope changes slowly
against the laser's relaxation time and the fiber's differential delay between the
optical carrier and the RF sidebands, the link is quasi-memoryless for the envelope:
a drive with complex envelope :math:`x` gives a detected carrier with envelope
:math:`F(|x|)e^{j\\arg x}`, where :math:`F(A)` is the complex fundamental of the
detected power when the drive is the single tone :math:`A\\cos\\omega t` (AM/AM and
AM/PM of the link; Saleh, IEEE Trans. Commun. 29(11), 1715-1720, 1981, for the model).

:func:`tone_response` computes :math:`F(A)` exactly for that tone: the
transmitter's periodic steady-state field over one RF period (``tone_field`` of the
transmitter: for a DML the rate equations integrated to the periodic state), every
harmonic :math:`k\\omega` of the field multiplied by the fiber's dispersion response
:math:`\\exp(i\\beta_2 (k\\omega)^2 L/2)` (the operator of
:func:`rof.photonics.timedomain.propagate_linear`), square law, and the first Fourier
coefficient. In the small-signal limit it reduces to the chirped power fading
(:meth:`rof.photonics.Fiber.power_fading`); at any drive it contains the laser's
dynamic distortion, clipping and the chirp-dispersion intermodulation at once.
:func:`link_distortion` feeds :math:`F` to the complex-Gaussian expansion of
:func:`rof.link.budget.envelope_distortion` (Dardari et al. 2000, with AM/PM).
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np
from scipy.interpolate import CubicSpline

from rof.link.budget import envelope_distortion, laguerre_nodes, ofdm_distortion
from rof.link.fastmath import DB_PER_LN, cos_sq, ln
from rof.link.kernels import _as_3d, table_lookup_numpy
from rof.photonics.fiber import fading_ratio, theta_per_hz2
from rof.photonics.timedomain.fiber import beta2_s2_per_m

__all__ = [
    "dispersed_drive_distortion",
    "drive_table",
    "link_distortion",
    "tone_iip3_dbm",
    "tone_points",
    "tone_response",
]

#: Points per RF period of the tone fields.
POINTS = 64
#: Amplitudes of the tabulated describing function (plus a small-signal one).
N_AMPLITUDES = 48
#: Laguerre nodes above this u (weight e^-u) use the describing function at the table's end.
U_MAX = 40.0


def tone_points(rf_hz: float) -> int:
    """Samples per period: at least 64 and at most 2 ps apart (phase unwrapping, steps)."""
    return max(POINTS, 1 << math.ceil(math.log2(1.0 / (rf_hz * 2e-12))))


def tone_response(ss, rf_hz: float, amplitudes_v, length_km, *, dispersion, points=None):
    """Complex fundamental of the detected optical power for drives ``A cos(2 pi f t)``, W.

    Parameters
    ----------
    ss : rof.photonics.protocols.SmallSignal
        A transmitter's contract with a ``tone_field(rf_hz, amplitudes_v, points)``: the
        periodic steady-state field, shape (n_amp, points), sqrt(W), and the mean
        optical frequency offset, rad/s, at which the fiber sees it.
    rf_hz : float
        Tone frequency, Hz.
    amplitudes_v : array_like, shape (n_amp,)
        Drive amplitudes, V.
    length_km : array_like, shape (n_len,)
        Fiber lengths, km (loss excluded: the budget applies it).
    dispersion : float
        Fiber dispersion D, ps/(nm km), at the transmitter's wavelength.

    Returns
    -------
    ndarray of complex128, shape (n_len, n_amp)
        :math:`c_1` with detected power :math:`\\bar P + \\mathrm{Re}(c_1 e^{i\\omega t})`.
    """
    points = tone_points(rf_hz) if points is None else points
    field, offset = ss.tone_field(rf_hz, amplitudes_v, points)
    spec = np.fft.fft(field, axis=-1)
    beta2 = beta2_s2_per_m(dispersion, ss.wavelength_nm)
    lengths = np.atleast_1d(np.asarray(length_km, dtype=float))
    w = 2.0 * np.pi * np.fft.fftfreq(points, 1.0 / (points * rf_hz))[None, :] + offset[:, None]
    w2 = w * w
    first = np.exp(-2j * np.pi * np.arange(points) / points) * (2.0 / points)
    out = np.empty((lengths.size, spec.shape[0]), dtype=complex)
    for lo in range(0, lengths.size, 32):  # bounded memory for many site lengths
        k = (0.5 * beta2 * 1e3 * lengths[lo : lo + 32])[:, None, None]
        e = np.fft.ifft(spec[None, :, :] * np.exp(1j * k * w2[None]), axis=-1)
        out[lo : lo + 32] = (e.real**2 + e.imag**2) @ first
    return out


def _table(ss, rf_hz, r_max, lengths, dispersion):
    """Amplitude grid and F(A)/A per length: (r, g) with g shape (n_len, n_amp)."""
    r = r_max * np.linspace(0.0, 1.0, N_AMPLITUDES + 1)
    r[0] = r_max * 1e-4  # small-signal point (g is even in A; no A = 0 division)
    g = tone_response(ss, rf_hz, r, lengths, dispersion=dispersion) / r
    return r, g


def link_distortion(ss, fiber, rf_hz, p_in_w, length_km):
    """Bussgang compression and in-band distortion of OFDM through transmitter and fiber.

    Parameters
    ----------
    ss : rof.photonics.protocols.SmallSignal
        The transmitter's contract, with a ``tone_field``.
    fiber : rof.photonics.Fiber
        Its dispersion (the length comes from ``length_km``).
    rf_hz, p_in_w, length_km : array_like
        Carrier, mean drive power (W) and fiber length (km); broadcast together.

    Returns
    -------
    compression_sq, inv_sdr : ndarray, broadcast shape
        Signal power relative to the budget's small-signal gain (which includes the
        closed-form fading :func:`rof.photonics.fiber.fading_ratio`), and in-band
        distortion over signal power, both linear.
    """
    rf, pin, length = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (rf_hz, p_in_w, length_km))
    )
    comp2 = np.empty(rf.shape)
    inv_sdr = np.empty(rf.shape)
    u = laguerre_nodes()[0]
    alpha_t, corner = ss.chirp_alpha, ss.adiabatic_corner_hz
    r_in = ss.input_impedance_ohm
    disp = fiber.dispersion_ps_per_nm_km
    for f in np.unique(rf):
        sel = rf == f
        lens, li = np.unique(length[sel], return_inverse=True)
        pins, pi = np.unique(pin[sel], return_inverse=True)
        omega = 2.0 * r_in * pins  # E|x|^2, V^2
        r_max = math.sqrt(U_MAX * omega[-1])
        r_grid, g = _table(ss, float(f), r_max, lens, disp)
        # g is even in A: spline on the mirrored table.
        spline = CubicSpline(
            np.concatenate((-r_grid[::-1], r_grid)),
            np.concatenate((g[:, ::-1], g), axis=-1),
            axis=-1,
        )
        r_nodes = np.sqrt(omega[:, None] * u[None, :])  # (n_pin, n_nodes)
        f_nodes = spline(np.minimum(r_nodes, r_max)) * r_nodes  # (n_len, n_pin, n_nodes)
        c2, isd = envelope_distortion(f_nodes, omega[None, :], 1.0)
        theta = theta_per_hz2(lens, disp, ss.wavelength_nm) * f * f
        ref = ss.slope_w_per_v(f) ** 2 * fading_ratio(theta, alpha_t, corner / f)
        c2 = c2 / np.maximum(ref, 1e-300)[:, None]
        comp2[sel] = c2[li, pi]
        inv_sdr[sel] = isd[li, pi]
    return comp2, inv_sdr


def tone_iip3_dbm(ss, fiber, rf_hz, length_km):
    """Two-tone input IP3 of transmitter plus fiber from the describing function, dBm.

    With :math:`F(A)/A = a_1 + c A^2 + O(A^4)` (the envelope cubic; a passband cubic
    :math:`a_3 v^3` gives :math:`c = \\tfrac34 a_3`), equal tones meet their IMD3
    products at the per-tone power :math:`|a_1/c|/(2R_{in})` (the
    :meth:`rof.link.RoFLink.iip3_dbm` convention). :math:`c` comes from a
    Richardson-extrapolated difference at two small amplitudes (1 % and 2 % of the
    drive's full scale, ``ss.full_scale_v``: a DML's clipping amplitude). Broadcast over
    ``rf_hz`` and ``length_km``; ``ss`` is the transmitter's contract.
    """
    rf, length = np.broadcast_arrays(
        np.asarray(rf_hz, dtype=float), np.asarray(length_km, dtype=float)
    )
    out = np.empty(rf.shape)
    a_ref = ss.full_scale_v
    disp = fiber.dispersion_ps_per_nm_km
    for f in np.unique(rf):
        sel = rf == f
        lens, li = np.unique(length[sel], return_inverse=True)
        a = a_ref * np.array([1e-4, 0.01, 0.02])
        g = tone_response(ss, float(f), a, lens, dispersion=disp) / a
        c1 = (g[:, 1] - g[:, 0]) / (a[1] ** 2 - a[0] ** 2)
        c2 = (g[:, 2] - g[:, 0]) / (a[2] ** 2 - a[0] ** 2)
        c = (4.0 * c1 - c2) / 3.0  # removes the A^4 term of the difference quotients
        with np.errstate(divide="ignore"):
            p_w = np.abs(g[:, 0] / c) / (2.0 * ss.input_impedance_ohm)
            out[sel] = (10.0 * np.log10(p_w) + 30.0)[li]
    return out


#: Drive-level step of the back-to-back distortion table (dB) and its depth below the
#: largest drive (dB); below it the in-band distortion follows the third-order law.
TABLE_STEP_DB = 0.1
TABLE_DEPTH_DB = 80.0


def drive_table(ss, p_max_w):
    """Back-to-back OFDM compression and distortion on a uniform grid in :math:`\\ln P`.

    For :func:`dispersed_drive_distortion` and the budget's grid kernel
    (:mod:`rof.link.kernels`, ``distortion_table``): :func:`rof.link.budget.ofdm_distortion`
    at :math:`P_k = e^{x_0 + k\\,\\delta}`, 0.1 dB steps, from 80 dB below the largest
    drive ``p_max_w`` (W) rounded up to a whole dB, so that repeated budgets (sweeps)
    share one cached, read-only table per transmitter (``ss``, its contract).

    Returns
    -------
    compression_sq, inv_sdr : ndarray, shape (801,)
    x0, inv_dx : float
        :math:`x_0` (ln W) and :math:`1/\\delta`.
    """
    top_db = math.ceil(10.0 * math.log10(max(float(p_max_w), 1e-290)))
    return _drive_table_db(ss, top_db)


@functools.lru_cache(maxsize=64)
def _drive_table_db(ss, top_db):
    n = math.ceil(TABLE_DEPTH_DB / TABLE_STEP_DB) + 1
    x0 = (top_db - TABLE_DEPTH_DB) / 10.0 * math.log(10.0)
    dx = TABLE_STEP_DB / 10.0 * math.log(10.0)
    comp2, inv_sdr = ofdm_distortion(ss, np.exp(x0 + dx * np.arange(n)))
    comp2.setflags(write=False)
    inv_sdr.setflags(write=False)
    return comp2, inv_sdr, x0, 1.0 / dx


def dispersed_drive_distortion(ss, p_nl_w, theta_l, f_hz, *, engine="numba"):
    r"""OFDM distortion behind fiber of a chirp-free push-pull MZM, and its drive scale.

    Behind a fiber of dispersion phase :math:`\theta` a chirp-free push-pull MZM
    link driven at :math:`A\cos\omega t` detects the fundamental of the
    back-to-back link driven at :math:`A\cos\theta\,\cos\omega t`. Proof: the ideal
    device's field is :math:`\tfrac12(u + v)`, :math:`u = e^{i(x + b\cos\omega t)}`,
    :math:`v = e^{-i(x + b\cos\omega t)}` (:math:`2x = \phi_B`,
    :math:`b = \pi A / 2V_\pi`); by Jacobi-Anger (Abramowitz & Stegun 9.1.41) their
    harmonics are :math:`(\pm i)^k J_k(b)`, the fiber multiplies harmonic :math:`k`
    by :math:`e^{ik^2\theta}`, and the fundamental of :math:`|u+v|^2/4` collects
    :math:`\sum_k J_k J_{k-1} e^{i(2k-1)\varphi} = iJ_1(2b\sin\varphi)` (Graf's
    addition theorem, A&S 9.1.79 with equal arguments) at :math:`\varphi = \theta`
    from :math:`|u|^2` and :math:`|v|^2`, which cancel (:math:`b \to -b`), and at
    :math:`\varphi = \theta \pm \pi/2` from the cross terms, which leave
    :math:`-\tfrac12\sin\phi_B\,J_1(2b\cos\theta)`: the back-to-back fundamental
    :meth:`~rof.photonics.MachZehnderModulator.envelope_response_w` at
    :math:`A\cos\theta`, for every bias. Small-signal it is the chirp-free fading
    :math:`\cos\theta` (Smith et al. 1997). At a finite extinction ratio
    :math:`\epsilon` the field of :mod:`rof.photonics.timedomain.modulator` departs
    from the two-arm form by :math:`O(\epsilon^{-1/2})` near its null, and so does the
    identity (about 1e-6 at 80 dB, a few percent at 20 dB). So the link's describing function is
    :math:`F(A, \theta) = F_0(A\cos\theta)` and, through the same complex-Gaussian
    expansion (:func:`rof.link.budget.ofdm_distortion`), the OFDM compression and
    in-band distortion behind fiber are the back-to-back ones at the drive power
    :math:`P\cos^2\theta`: dispersion lowers the drive the non-linearity sees, while
    the budget's fading still scales the signal by :math:`\cos^2\theta`. The
    two-tone IIP3 rises by :math:`1/\cos^2\theta`. (Scaling the distortion with the
    faded signal instead overstates it: by 2.7 dB of EVM at 28 GHz, 2 km, 0 dBm.)

    The back-to-back figures are tabulated on a 0.1 dB grid 80 dB deep below the
    largest drive (:func:`drive_table`) and interpolated linearly (relative error
    below 3e-4); below the table the distortion follows the third-order law
    :math:`\propto P^2`. :meth:`rof.link.RoFLink.budget` does the same lookup inside
    its grid kernel and calls this for the full-grid ``sdr_db``, ``snr_db`` and
    ``iip3_dbm`` only when they are read.

    Parameters
    ----------
    ss : rof.photonics.protocols.SmallSignal
        The contract of a chirp-free MZM (``distortion = "dispersed_drive"``).
    p_nl_w : array_like
        Mean drive power at the non-linearity (after the electrode response), W.
    theta_l : array_like
        Dispersion phase per Hz^2, rad/Hz^2 (:func:`rof.photonics.fiber.theta_per_hz2`).
    f_hz : array_like
        Carrier frequency, Hz. The three broadcast together.
    engine : {"numba", "numpy"}
        The one-pass kernel or its plain-NumPy reference.

    Returns
    -------
    compression_sq, inv_sdr, cos2 : ndarray, broadcast shape
        Signal power relative to the small-signal gain (which carries the fading),
        in-band distortion over signal power, and :math:`\cos^2\theta`.
    """
    arrays = [np.asarray(a, dtype=float) for a in (p_nl_w, theta_l, f_hz)]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    table = drive_table(ss, np.max(arrays[0]))
    comp_t, isd_t, x0, inv_dx = table
    if engine == "numpy":
        p, th, f = np.broadcast_arrays(*arrays)
        cos2 = np.cos(th * f * f) ** 2
        with np.errstate(divide="ignore"):
            cos2_db = 10.0 * np.log10(cos2)
        return (*table_lookup_numpy(table, p * cos2), cos2_db)
    views = [_as_3d(a, shape) for a in arrays]
    out = np.empty((3, *views[0].shape))
    _dispersed_kernel(*views, comp_t, isd_t, x0, inv_dx, out[0], out[1], out[2])
    return tuple(o.reshape(shape) for o in out)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _dispersed_kernel(p_nl, theta_l, f_hz, comp_t, isd_t, x0, inv_dx, comp2, inv_sdr, cos2_db):
    # Row by row: gather the (possibly zero-stride) inputs into contiguous scratch, then
    # a loop that LLVM vectorises (branch-free cos_sq and ln of rof.link.kernels) and
    # the table lookup. ln P is reused where the drive row repeats (zero strides). The
    # reference is the NumPy branch of the caller.
    n0, n1, n2 = comp2.shape
    top = comp_t.size - 1.0
    last = comp_t.size - 2
    inv_lo = math.exp(-x0)
    p = np.empty(n2)
    lp = np.empty(n2)
    x = np.empty(n2)
    u = np.empty(n2)
    q = np.empty(n2)
    st0, st1 = p_nl.strides[0], p_nl.strides[1]
    for a in range(n0):
        for b in range(n1):
            if (a == 0 and b == 0) or (b == 0 and st0 != 0) or (b > 0 and st1 != 0):
                for j in range(n2):
                    p[j] = p_nl[a, b, j]
                for j in range(n2):
                    lp[j] = ln(p[j])
            for j in range(n2):
                x[j] = theta_l[a, b, j] * f_hz[a, b, j] * f_hz[a, b, j]
            for j in range(n2):
                c2 = cos_sq(x[j])
                lpe = lp[j] + ln(c2)
                x[j] = DB_PER_LN * (lpe - lp[j])
                u[j] = min(max((lpe - x0) * inv_dx, 0.0), top)
                q[j] = min(p[j] * c2 * inv_lo, 1.0)
            o_c, o_i, o_d = comp2[a, b], inv_sdr[a, b], cos2_db[a, b]
            for j in range(n2):
                i = min(int(u[j]), last)
                w = u[j] - i
                qq = q[j] * q[j]
                o_c[j] = comp_t[i] + w * (comp_t[i + 1] - comp_t[i])
                o_i[j] = (isd_t[i] + w * (isd_t[i + 1] - isd_t[i])) * qq
                o_d[j] = x[j]
