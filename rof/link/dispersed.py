"""A chirp-free MZM behind fiber: the back-to-back distortion at a smaller drive.

Behind a fiber of dispersion phase :math:`\\theta` a chirp-free push-pull MZM distorts
like the back-to-back link driven at :math:`A\\cos\\theta` (proof in
:func:`dispersed_drive_distortion`). The back-to-back OFDM compression and in-band
distortion are tabulated once per transmitter (:func:`drive_table`, 0.1 dB steps) and
looked up at the drive times :math:`\\cos^2\\theta`, here (a Numba kernel beside its
NumPy branch) and inside the budget's grid kernel (:mod:`rof.link.kernels`).
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np

from rof.link.budget import ofdm_distortion
from rof.link.fastmath import DB_PER_LN, cos_sq, ln
from rof.link.kernels import _as_3d, table_lookup_numpy

__all__ = ["TABLE_DEPTH_DB", "TABLE_STEP_DB", "dispersed_drive_distortion", "drive_table"]


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


def dispersed_drive_distortion(ss, p_nl_w, theta_l, f_hz, *, engine="numba", sin=False):
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
    sin : bool
        The drive scales by :math:`\sin\theta` instead (a phase modulator: by the same
        Jacobi-Anger and Graf argument, one arm alone detects :math:`J_1(2b\sin\theta)`;
        :class:`rof.photonics.PhaseModulator`); ``cos2`` is then :math:`\sin^2\theta`.

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
    shift = 0.5 * math.pi if sin else 0.0  # cos^2(theta + pi/2) = sin^2(theta)
    if engine == "numpy":
        p, th, f = np.broadcast_arrays(*arrays)
        cos2 = np.cos(th * f * f + shift) ** 2
        with np.errstate(divide="ignore"):
            cos2_db = 10.0 * np.log10(cos2)
        return (*table_lookup_numpy(table, p * cos2), cos2_db)
    views = [_as_3d(a, shape) for a in arrays]
    out = np.empty((3, *views[0].shape))
    _dispersed_kernel(*views, comp_t, isd_t, x0, inv_dx, shift, out[0], out[1], out[2])
    return tuple(o.reshape(shape) for o in out)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _dispersed_kernel(
    p_nl, theta_l, f_hz, comp_t, isd_t, x0, inv_dx, shift, comp2, inv_sdr, cos2_db
):
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
                x[j] = theta_l[a, b, j] * f_hz[a, b, j] * f_hz[a, b, j] + shift
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
