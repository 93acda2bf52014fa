"""An NR uplink slot at a site's antenna: several users' PUSCH on their RBs, and its SNDR.

:func:`nr_uplink_slot` builds the real passband signal a site receives in one band:
each user :math:`u` sends on its contiguous RBs, DFT-s-OFDM (TS 38.211 V17 clause
6.3.1.4 transform precoding, :func:`rof.signals.dfts.transform_precode`) or CP-OFDM,
at its own received power, with the normal cyclic prefix (clause 5.3.1) and the
passband construction of :func:`rof.signals.nr_ofdm` (the carrier on the subcarrier
grid, a real inverse FFT per symbol). :func:`measure_uplink` measures what the site's
chain did to it: per subcarrier the received value :math:`Y = H X + E`, with
:math:`H` the chain's response fitted as a low-order polynomial over the band by least
squares on the known transmitted grid :math:`X` (reference-aided equalisation, as the
EVM measurement of TS 38.104 V17 Annex B uses the reference), and each user's

.. math:: \\mathrm{SNDR}_u = \\frac{\\sum_{u} |H X|^2}{\\sum_{u} |E|^2},

its error made of noise and the part of the distortion uncorrelated with the signal
(Bussgang: the correlated part is in :math:`H`). For DFT-s-OFDM the EVM is measured on
the de-precoded symbols (the transform is unitary, so white error keeps its power).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft as sfft

from rof._validate import check_int_range, check_range
from rof.errors import ParameterError
from rof.signals.dfts import transform_deprecode, transform_precode
from rof.signals.numerology import cp_lengths, n_rb, passband_fft_size
from rof.signals.qam import bits_per_symbol, qam_map
from rof.signals.waveform import NrCarrier, Waveform
from rof.units import dbm_to_w

__all__ = ["UplinkSlot", "UplinkUser", "measure_uplink", "nr_uplink_slot"]


@dataclass(frozen=True)
class UplinkUser:
    """One user's allocation in the slot: RBs ``rb_start .. rb_start + n_rb - 1`` (counted
    from the band's lower edge), its received power relative to the others, dB, and its
    modulation."""

    rb_start: int
    n_rb: int
    relative_power_db: float = 0.0
    modulation: str = "QPSK"


@dataclass(frozen=True, eq=False)
class UplinkSlot:
    """The received slot and what :func:`measure_uplink` needs.

    Attributes
    ----------
    waveform : Waveform
        Real passband voltage at the antenna, one :class:`NrCarrier` for the band (its
        ``reference`` is the transmitted frequency-domain grid, every element known).
    grid : ndarray, complex, (n_symbols, n_sc)
        Transmitted value of every subcarrier, the waveform's units (0 where unused).
    user_of_sc : ndarray of int, (n_sc,)
        User on each subcarrier, -1 none.
    symbols : tuple of ndarray
        Each user's modulation symbols (before transform precoding).
    users : tuple of UplinkUser
    transform_precoding : bool
        DFT-s-OFDM (True) or CP-OFDM.
    amplitudes : ndarray, (n_users,)
        Each user's symbols' scale in ``grid`` (waveform units per unit symbol).
    """

    waveform: Waveform
    grid: np.ndarray
    user_of_sc: np.ndarray
    symbols: tuple
    users: tuple
    transform_precoding: bool
    amplitudes: np.ndarray


def nr_uplink_slot(
    bandwidth_mhz: float,
    scs_khz: float,
    users,
    n_symbols: int,
    rng: np.random.Generator,
    *,
    carrier_hz: float,
    power_dbm: float,
    transform_precoding: bool = True,
    impedance_ohm: float = 50.0,
) -> UplinkSlot:
    """The passband PUSCH of several users in one band (module docstring).

    Parameters
    ----------
    bandwidth_mhz, scs_khz : float
        NR channel (TS 38.104 Table 5.3.2-1), e.g. 20 MHz at 30 kHz (51 RBs).
    users : sequence of UplinkUser
        Non-overlapping allocations inside the band's RBs (``n_rb`` a product of 2, 3
        and 5 for DFT-s-OFDM).
    n_symbols : int
        OFDM symbols (14 a slot).
    rng : numpy.random.Generator
        Source of the data bits.
    carrier_hz : float
        Carrier (RF or IF), Hz; rounded to the subcarrier grid.
    power_dbm : float
        Composite received power over the band, dBm (into ``impedance_ohm``).
    transform_precoding : bool
        DFT-s-OFDM (True) or CP-OFDM (False).
    impedance_ohm : float
        Reference impedance, ohm.

    Returns
    -------
    UplinkSlot
    """
    nrb = n_rb(bandwidth_mhz, scs_khz)
    n_symbols = check_int_range("nr_uplink_slot.n_symbols", n_symbols, 1, 14 * 16)
    power_w = float(dbm_to_w(check_range("nr_uplink_slot.power_dbm", power_dbm, -200.0, 40.0)))
    scs = float(scs_khz) * 1e3
    n_sc = 12 * nrb
    if not users:
        raise ParameterError("nr_uplink_slot.users is empty; allowed: >= 1 UplinkUser")
    carrier_hz = check_range("nr_uplink_slot.carrier_hz", carrier_hz, n_sc * scs / 2, lo_open=True)
    user_of_sc = np.full(n_sc, -1, dtype=np.int64)
    grid = np.zeros((n_symbols, n_sc), dtype=np.complex128)
    symbols = []
    for i, u in enumerate(users):
        if not isinstance(u, UplinkUser):
            raise ParameterError(
                f"nr_uplink_slot.users[{i}] = {type(u).__name__}; allowed: an UplinkUser"
            )
        check_int_range(f"nr_uplink_slot.users[{i}].n_rb", u.n_rb, 1, nrb)
        check_int_range(f"nr_uplink_slot.users[{i}].rb_start", u.rb_start, 0, nrb - u.n_rb)
        sl = slice(12 * u.rb_start, 12 * (u.rb_start + u.n_rb))
        if np.any(user_of_sc[sl] >= 0):
            raise ParameterError(
                f"nr_uplink_slot.users[{i}] overlaps another user's RBs; allowed: disjoint"
            )
        user_of_sc[sl] = i
        m = 12 * u.n_rb
        x = qam_map(rng.integers(0, 2, n_symbols * m * bits_per_symbol(u.modulation)), u.modulation)
        blk = transform_precode(x, u.n_rb) if transform_precoding else x.reshape(n_symbols, m)
        grid[:, sl] = blk * 10.0 ** (u.relative_power_db / 20.0)
        symbols.append(x)
    m0 = round(carrier_hz / scs)
    n_fft = passband_fft_size(m0 * scs + n_sc * scs / 2, scs)
    bins = m0 + np.arange(n_sc) - n_sc // 2
    spec = np.zeros((n_symbols, n_fft // 2 + 1), dtype=np.complex128)
    spec[:, bins] = grid * (n_fft / 2.0)
    body = sfft.irfft(spec, n=n_fft, axis=1)
    cp = cp_lengths(n_symbols, n_fft, scs_khz)
    start = np.concatenate(([0], np.cumsum(cp + n_fft)[:-1]))
    samples = np.concatenate(
        [np.concatenate((body[i, n_fft - cp[i] :], body[i])) for i in range(n_symbols)]
    )
    scale = np.sqrt(power_w * impedance_ohm / np.mean(samples**2))
    samples *= scale
    carrier = NrCarrier(
        carrier_hz=float(m0 * scs),
        scs_hz=scs,
        bandwidth_hz=float(bandwidth_mhz) * 1e6,
        n_rb=nrb,
        modulation=users[0].modulation,
        n_fft=n_fft,
        cp=cp,
        start=start,
        bins=bins,
        reference=grid,
        data_mask=np.ones(grid.shape, dtype=bool),
        pilot_spacing=n_sc,
    )
    wf = Waveform(samples, float(n_fft * scs), (carrier,), float(impedance_ohm), {"uplink": True})
    amps = scale * 10.0 ** (np.array([u.relative_power_db for u in users]) / 20.0)
    return UplinkSlot(
        wf, grid * scale, user_of_sc, tuple(symbols), tuple(users), bool(transform_precoding), amps
    )


def _delay(rx: np.ndarray, tx: np.ndarray, search: int) -> int:
    """Integer delay of ``rx`` against ``tx`` (circular cross-correlation peak)."""
    xc = sfft.irfft(sfft.rfft(rx) * np.conj(sfft.rfft(tx)), n=tx.size)
    lags = np.r_[0 : search + 1, tx.size - search : tx.size]
    best = lags[np.argmax(xc[lags])]
    return int(best if best <= search else best - tx.size)


def measure_uplink(received: Waveform, slot: UplinkSlot, *, poly_degree: int = 6) -> dict:
    """Each user's SNDR and EVM after the chain (module docstring).

    Parameters
    ----------
    received : Waveform
        The chain's output at the slot's sample rate (any scale or small delay).
    slot : UplinkSlot
        What was sent.
    poly_degree : int
        Degree of the polynomial fitted to the chain's response over the band (0 to 12).

    Returns
    -------
    dict
        ``sndr_db`` (per user), ``evm_percent`` (per user, de-precoded for DFT-s-OFDM),
        ``sndr_total_db`` (every used subcarrier together) and ``gain`` (the fitted
        response at the band centre, output units per input unit).
    """
    poly_degree = check_int_range("measure_uplink.poly_degree", poly_degree, 0, 12)
    tx = slot.waveform
    c = tx.carriers[0]
    x = np.asarray(received.samples, dtype=float)
    if x.size != tx.samples.size or received.sample_rate_hz != tx.sample_rate_hz:
        raise ParameterError(
            f"measure_uplink.received has {x.size} samples at {received.sample_rate_hz!r} Hz; "
            f"allowed: the slot's {tx.samples.size} at {tx.sample_rate_hz!r} Hz"
        )
    n = c.n_fft
    d = _delay(x, tx.samples, int(c.cp.min()) // 2)
    # the FFT window starts a quarter CP early (as rof.signals.demodulate), away from the
    # next symbol's edge where a filter rings; the phase ramp of the shift is undone
    backoff = int(c.cp.min()) // 4
    first = c.start + c.cp + d - backoff
    idx = np.mod(first[:, None] + np.arange(n)[None, :], x.size)
    y = sfft.rfft(x[idx], axis=1)[:, c.bins] * (2.0 / n)
    y = y * np.exp(2j * np.pi * c.bins[None, :] * backoff / n)
    ref = slot.grid
    used = slot.user_of_sc >= 0
    k = np.flatnonzero(used)
    # least squares for H(k) = sum_p c_p t^p over every used element (t in [-1, 1])
    t = (np.arange(c.n_sc) - (c.n_sc - 1) / 2) / (c.n_sc / 2)
    basis = np.vander(t[k], poly_degree + 1, increasing=True)  # (n_used, P)
    a = (ref[:, k, None] * basis[None, :, :]).reshape(-1, poly_degree + 1)
    coef, *_ = np.linalg.lstsq(a, y[:, k].reshape(-1), rcond=None)
    h = np.vander(t, poly_degree + 1, increasing=True) @ coef
    sig = h[None, :] * ref
    err = y - sig
    sndr, evm = [], []
    for i, u in enumerate(slot.users):
        cols = slot.user_of_sc == i
        sndr.append(
            10 * np.log10(np.sum(np.abs(sig[:, cols]) ** 2) / np.sum(np.abs(err[:, cols]) ** 2))
        )
        z = y[:, cols] / h[None, cols] / slot.amplitudes[i]
        zs = transform_deprecode(z, u.n_rb) if slot.transform_precoding else z.ravel()
        xs = slot.symbols[i]
        evm.append(100.0 * np.sqrt(np.mean(np.abs(zs - xs) ** 2) / np.mean(np.abs(xs) ** 2)))
    tot = 10 * np.log10(np.sum(np.abs(sig[:, k]) ** 2) / np.sum(np.abs(err[:, k]) ** 2))
    return {
        "sndr_db": np.asarray(sndr),
        "evm_percent": np.asarray(evm),
        "sndr_total_db": float(tot),
        "gain": complex(h[c.n_sc // 2]),
    }
