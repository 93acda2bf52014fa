"""Assembly of the analytic link budget from a link and its transmitter's contract.

:func:`assemble_budget` is the body of :meth:`rof.link.RoFLink.budget` (whose
docstring holds the equations): it reads the transmitter only through its
:class:`~rof.photonics.protocols.SmallSignal` description, computes every factor on the
shape of the one input it depends on (length, RF frequency, drive), hands them to the
grid kernel (:mod:`rof.link.kernels`) and keeps the per-input dB terms that
:class:`~rof.link.LinkBudget` forms its derived figures from.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from rof.link.budget import LinkBudget, ofdm_distortion
from rof.link.describing import link_distortion, tone_iip3_dbm
from rof.link.dispersed import dispersed_drive_distortion, drive_table
from rof.link.kernels import (
    FIELDS,
    BudgetInputs,
    BudgetParams,
    budget_grid_numba,
    budget_grid_numpy,
)
from rof.link.sideband_phase_noise import sideband_phase_noise_inv_sdr
from rof.photonics.fiber import theta_per_hz2
from rof.photonics.protocols import SmallSignal
from rof.units import C_M_PER_S, K_B_J_PER_K, Q_C, T0_K, db_to_lin, dbm_to_w, lin_to_db

__all__ = ["assemble_budget", "default_scs_hz", "static_distortion"]

#: Upper edge of NR FR1, Hz (TS 38.104 Table 5.1-1): carriers above it are FR2.
FR1_MAX_HZ = 7.125e9


def default_scs_hz(rf_hz):
    """The usual NR subcarrier spacing at a carrier: 30 kHz in FR1, 120 kHz in FR2, Hz."""
    return np.where(np.asarray(rf_hz, dtype=float) > FR1_MAX_HZ, 120e3, 30e3)


#: Above this many distinct drive levels the OFDM distortion is tabulated and
#: interpolated (log-log, 0.01 dB steps; see :func:`static_distortion`).
_MAX_EXACT_LEVELS = 2048


def _dbm(x):
    return lin_to_db(x) + 30.0


def _scalar(a):
    return a[()] if a.ndim == 0 else a


def static_distortion(ss: SmallSignal, p_w):
    """Bussgang compression and in-band distortion at each drive power ``p_w`` (W).

    Exact (:func:`rof.link.budget.ofdm_distortion`) per distinct level; with more than
    ``_MAX_EXACT_LEVELS`` distinct levels (an RF axis times a drive axis through an
    electrode response) both are evaluated on a 0.01 dB grid over the range and
    interpolated linearly in dB: both are smooth in the drive in dB, and the
    interpolation error is below 1e-4 dB (second difference over 0.01 dB steps).
    """
    p = np.asarray(p_w, dtype=float)
    levels, inverse = np.unique(p, return_inverse=True)
    if levels.size <= _MAX_EXACT_LEVELS:
        comp2, inv_sdr = ofdm_distortion(ss, levels)
    else:
        lo, hi = lin_to_db(levels[0]), lin_to_db(levels[-1])
        grid_db = np.linspace(lo, hi, max(math.ceil((hi - lo) / 0.01) + 1, 2))
        c_g, i_g = ofdm_distortion(ss, db_to_lin(grid_db))
        x = lin_to_db(levels)
        comp2 = np.interp(x, grid_db, c_g)
        with np.errstate(divide="ignore"):
            inv_sdr = db_to_lin(np.interp(x, grid_db, lin_to_db(np.maximum(i_g, 1e-300))))
    return comp2[inverse].reshape(p.shape), inv_sdr[inverse].reshape(p.shape)


def _length_terms(link, ss: SmallSignal, length):
    """Optical factors on the shape of ``length``: photocurrents and their noise."""
    pd, amp = link.detector, link.amplifier
    resp, quarter_rl = pd.responsivity_a_per_w, pd.load_ohm / 4.0
    xs = float(sum(link.crosstalk_ratios))
    xt = float(sum(x * x for x in link.crosstalk_ratios))
    t_opt = link.optical_transmission(length)
    p_pd = ss.mean_power_w * t_opt
    i_sig = resp * p_pd
    if amp is not None:
        rho = amp.ase_psd_w_per_hz(ss.wavelength_nm) * float(db_to_lin(-link.optical_loss_db))
        b_o = amp.optical_bandwidth_hz
    else:
        rho, b_o = 0.0, 0.0
    i_dc = i_sig * (1.0 + xs) + resp * 2.0 * rho * b_o
    if link.limits is None:  # else after the SBS depletion (rof.link.limits)
        pd.check_saturation(i_dc + pd.dark_current_a)
    shot = 2.0 * Q_C * i_dc * quarter_rl
    rin_lin = float(db_to_lin(ss.rin_db_per_hz))
    sase = 4.0 * resp**2 * p_pd * (1.0 + xs) * rho * quarter_rl
    return {
        "xt": xt,
        "rho": rho,
        "b_o": b_o,
        "p_pd": p_pd,
        "i_dc": i_dc,
        "shot": shot,
        "sase": sase,
        "rin_lin": rin_lin,
        "rin": rin_lin * i_sig**2 * (1.0 + xt) * quarter_rl,
        "theta_l": theta_per_hz2(length, link.fiber.dispersion_ps_per_nm_km, ss.wavelength_nm),
        "gain_l": (resp * t_opt) ** 2 * ss.input_impedance_ohm * pd.load_ohm / 4.0,
    }


def _frequency_terms(link, ss: SmallSignal, rf, rho, b_o):
    """Photodiode response, slope and receiver noise on the shape of ``rf``."""
    pd = link.detector
    resp, quarter_rl = pd.responsivity_a_per_w, pd.load_ohm / 4.0
    hpd = pd.response_sq(rf)
    return {
        "hpd": hpd,
        "asase": 4.0 * resp**2 * rho * rho * np.maximum(b_o - rf, 0.0) * quarter_rl * hpd,
        "dark": pd.dark_noise_a2_per_hz * quarter_rl * hpd,
        "slope_f": np.asarray(ss.slope_w_per_v(rf), dtype=float) ** 2 * hpd,
    }


def _laser_noise(ss: SmallSignal, rin, rin_lin, theta_l, rf):
    """The laser-noise density ``rin_l`` and kernel weights ``(r0, r1, k_pm)``.

    A transmitter whose RIN fades (an external modulator) carries it like a chirp-free
    modulation plus its phase noise converted by dispersion; otherwise the RIN stays
    as given, or follows the laser's own dispersion factor (a DML's rate equations).
    """
    if ss.rin_fades:
        return rin, (0.0, 1.0, 4.0 * ss.linewidth_hz / (math.pi * rin_lin))
    if ss.rin_dispersion_factor is not None:
        rin = rin * ss.rin_dispersion_factor(rf, theta_l * rf * rf)
    return rin, (1.0, 0.0, 0.0)


def _drive_terms(link, ss: SmallSignal, rf, pin, length, theta_l):
    """Compression, distortion and the distortion table by the transmitter's model."""
    p_in_w = dbm_to_w(pin)
    p_nl = p_in_w * ss.drive_response_sq(rf)
    if ss.distortion == "link_tone":  # dynamics and chirp x dispersion (a DML)
        comp2, inv_sdr = link_distortion(ss, link.fiber, rf, p_nl, length)
        return p_in_w, p_nl, comp2, inv_sdr, None
    if ss.distortion == "dispersed_drive":  # the kernel looks up at the drive x cos^2
        return p_in_w, p_nl, np.ones(()), np.zeros(()), drive_table(ss, np.max(p_nl))
    comp2, inv_sdr = static_distortion(ss, p_nl)  # shape of (pin, rf)
    return p_in_w, p_nl, comp2, inv_sdr, None


def assemble_budget(link, rf, pin, bw, length, engine: str, scs=None) -> LinkBudget:
    """The :class:`LinkBudget` of ``link`` over the validated, broadcast inputs.

    See :meth:`rof.link.RoFLink.budget` for the model; ``engine`` picks the Numba grid
    kernel or its NumPy reference; ``scs`` is the OFDM subcarrier spacing, Hz
    (default: :func:`default_scs_hz`), read only by a transmitter with ``ofdm_inv_sdr``.
    """
    if scs is None:
        scs = default_scs_hz(rf)
    ss = link.transmitter.small_signal()
    pd = link.detector
    shape = np.broadcast_shapes(rf.shape, pin.shape, bw.shape, length.shape)
    lt = _length_terms(link, ss, length)
    backscatter = 0.0
    if link.limits is not None:  # SBS depletion, backscatter noise (rof.link.limits)
        from rof.link.limits import apply_limits

        lt, backscatter = apply_limits(link, ss, lt, length, pin, rf)
    ft = _frequency_terms(link, ss, rf, lt["rho"], lt["b_o"])
    rin_l, (r0, r1, kpm) = _laser_noise(ss, lt["rin"], lt["rin_lin"], lt["theta_l"], rf)
    p_in_w, p_nl, comp2, inv_sdr, table = _drive_terms(link, ss, rf, pin, length, lt["theta_l"])
    pn = 0.0
    if ss.ofdm_inv_sdr is not None:  # the transmitter's own RF phase noise (heterodyne)
        inv_sdr = inv_sdr + np.asarray(ss.ofdm_inv_sdr(scs), dtype=float)
    elif ss.rin_fades and ss.linewidth_hz > 0.0:  # laser phase noise on the sidebands
        fading = ss.sideband_fading or (1.0 + ss.chirp_alpha**2, math.atan(ss.chirp_alpha), 0.0)
        pn = sideband_phase_noise_inv_sdr(lt["theta_l"] * rf * rf, rf, bw, ss.linewidth_hz, fading)
        pn = np.minimum(pn, 1e300)  # finite at a null (times a zero crosstalk)
        inv_sdr = inv_sdr + pn
    kt0 = K_B_J_PER_K * T0_K
    inputs = BudgetInputs(
        *(
            np.asarray(v, dtype=float)
            for v in (
                rf,
                lt["theta_l"],
                lt["gain_l"],
                ft["slope_f"],
                lt["shot"] + lt["sase"],
                ft["dark"] + ft["asase"] + backscatter,
                ft["hpd"],
                p_in_w * comp2,
                inv_sdr,
                bw,
                rin_l,
                p_nl if table is not None else 0.0,
            )
        )
    )
    params = BudgetParams(
        alpha=ss.chirp_alpha,
        adiabatic_hz2=(ss.chirp_alpha * ss.adiabatic_corner_hz) ** 2,
        kt0=kt0,
        kt_pd=pd.thermal_noise_w_per_hz,
        xt=lt["xt"],
        rin_flat=r0,
        rin_faded=r1,
        pm_hz2=kpm,
        distortion_table=table,
        fading=ss.sideband_fading,
        drive_sin=ss.dispersed_drive_sin,
    )
    kernel = budget_grid_numba if engine == "numba" else budget_grid_numpy
    stack = kernel(inputs, params)
    out = {name: _scalar(stack[k].reshape(shape)) for k, name in enumerate(FIELDS)}
    terms = _derived_terms(
        link, ss, engine, shape, (rf, pin, bw, length), lt, ft, p_nl, (comp2, inv_sdr, pn)
    )
    terms["rin_l"] = rin_l
    terms["sideband_pn_inv_sdr"] = pn  # in SNDR and EVM, not in sdr_db (drive distortion)
    terms["rin_weights"] = (r0, r1, ss.linewidth_hz if ss.rin_fades else 0.0, lt["rin_lin"])

    def full(x):
        return _scalar(np.broadcast_to(np.asarray(x, dtype=float), shape))

    xt = lt["xt"]
    with np.errstate(divide="ignore"):
        out |= {
            "thermal_noise_dbm_hz": full(_dbm(pd.thermal_noise_w_per_hz)),
            "dark_noise_dbm_hz": full(_dbm(ft["dark"])),
            "ase_ase_noise_dbm_hz": full(_dbm(ft["asase"])),
            "sir_db": full(-lin_to_db(xt) if xt > 0 else math.inf),
            "received_optical_power_dbm": full(_dbm(lt["p_pd"])),
            "photocurrent_a": full(lt["i_dc"]),
            "latency_s": full(length * 1e3 * link.fiber.group_index / C_M_PER_S),
        }
    return LinkBudget(**out, terms=terms)


def _derived_terms(link, ss, engine, shape, grid, lt, ft, p_nl, distortion):
    """Per-input dB terms of the derived figures; SDR, signal and IIP3 lazily."""
    rf, pin, bw, length = grid
    comp2, inv_sdr, pn = distortion  # pn: the sidebands' phase-noise error (in inv_sdr)
    tone = ss.distortion == "link_tone"
    scaled = ss.distortion == "dispersed_drive"

    def full(x):
        return _scalar(np.broadcast_to(np.asarray(x, dtype=float), shape))

    @functools.cache
    def scaled_terms():  # chirp-free MZM: full-grid compression, distortion, cos^2
        return dispersed_drive_distortion(
            ss, p_nl, lt["theta_l"], rf, engine=engine, sin=ss.dispersed_drive_sin
        )

    def sdr_db():
        isd = scaled_terms()[1] if scaled else inv_sdr - pn
        with np.errstate(divide="ignore"):
            return full(-lin_to_db(isd))

    def s_in_dbm():
        c2 = scaled_terms()[0] if scaled else comp2
        with np.errstate(divide="ignore"):
            return pin + lin_to_db(c2)

    def iip3_dbm():
        if tone:
            return full(tone_iip3_dbm(ss, link.fiber, rf, length))
        with np.errstate(divide="ignore"):
            iip3 = link.iip3_dbm() - lin_to_db(ss.drive_response_sq(rf))
        return full(iip3 - scaled_terms()[2] if scaled else iip3)

    kt0 = K_B_J_PER_K * T0_K
    with np.errstate(divide="ignore"):
        return {
            "two_kt0_dbm": float(_dbm(2.0 * kt0)),
            "kt0_dbm": float(_dbm(kt0)),
            "shot_db_l": _dbm(lt["shot"]),
            "theta_l": lt["theta_l"],
            "f_hz": rf,
            "sase_db_l": _dbm(lt["sase"]),
            "hpd_db_f": lin_to_db(ft["hpd"]),
            "s_in_dbm": s_in_dbm,
            "sdr_db": sdr_db,
            "iip3_dbm": iip3_dbm,
            "bw_db": lin_to_db(bw),
        }
