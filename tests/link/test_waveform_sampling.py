"""Optical oversampling of the waveform link: a chirped DML field must not alias.

References are independent of the estimator under test: the rate-equation field of the
actual drive simulated at the cap's rate (its spectrum beyond the chosen Nyquist), an
explicit finer rate (convergence), the old five-harmonic rule ``q fs >= 10 f_hi``
computed here, and the analytic budget (:meth:`rof.link.RoFLink.budget`, noiseless
waveform: with the Langevin noise on, the DML's EVM near clipping falls as the optical
rate grows; at q = 38 it measured 34.7 % against 40.6 % noiseless at 20 km and 9.8 %
against 10.6 % back to back, where at q = 5 noise moved it by under 2 %; an open
question of the noise model).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import fft as sfft

from rof.link import RoFLink
from rof.link.waveform import (
    FIELD_LEAKAGE,
    MAX_OVERSAMPLING,
    default_optical_oversampling,
    simulate_link,
)
from rof.photonics import CWLaser, DirectLaser, Fiber, MachZehnderModulator, Photodiode
from rof.photonics.timedomain import dml_field
from rof.signals import evm_percent, nr_ofdm
from rof.signals.numerology import passband_fft_size

RF_HZ = 3.5e9
FS = passband_fft_size(RF_HZ + 20e6, 60e3) * 60e3  # 7.864 GS/s, as run_waveform_report
# Five field harmonics of the carrier's upper edge (the rule before chirp was counted).
Q_OLD = math.ceil(10 * (RF_HZ + 10e6) / FS)
CLIP_3DB_DBM = 10.5  # the DML's drive 3 dB below clipping


def _nr(power_dbm, n_symbols=1, seed=0):
    return nr_ofdm(
        20,
        60,
        "64QAM",
        n_symbols,
        np.random.default_rng(seed),
        carrier_hz=RF_HZ,
        sample_rate_hz=FS,
        power_dbm=power_dbm,
    )


def _dml(length_km):
    return RoFLink(DirectLaser(), Fiber(length_km), Photodiode())


def _noiseless_vs_budget(length_km, rf_in_dbm, n_sym, seed):
    """EVM of the noiseless waveform over the budget's, dB (the carrier of
    :func:`run_waveform_report`; where the budget's SNR is 50 to 60 dB above its SDR the
    noise adds under 0.01 dB)."""
    link = _dml(length_km)
    w = _nr(rf_in_dbm, n_sym, seed)  # 50 ohm, the DML's input impedance
    rx = simulate_link(link, w, None)
    c = w.carriers[0]
    b = link.budget(c.carrier_hz, rf_in_dbm, c.occupied_hz)
    return evm_percent(rx, None), float(b.evm_percent)


def test_oversampling_grows_with_drive_behind_fiber():
    assert Q_OLD == 5
    q = {p: default_optical_oversampling(_dml(20.0), _nr(p)) for p in (0.0, 5.0, CLIP_3DB_DBM)}
    assert q[CLIP_3DB_DBM] > q[5.0] > q[0.0] >= Q_OLD
    # Near clipping the chirped field spans several times the old band.
    assert q[CLIP_3DB_DBM] >= 4 * Q_OLD


def test_oversampling_keeps_old_rule_where_nothing_aliases_into_the_band():
    w = _nr(CLIP_3DB_DBM)
    # Back to back: square-law detection is exact sample by sample.
    assert default_optical_oversampling(_dml(0.0), w) == Q_OLD
    assert default_optical_oversampling(_dml(20.0), w, length_km=0.0) == Q_OLD
    # Dispersion-free fiber: the aliased lines keep their (zero) phase.
    link = RoFLink(DirectLaser(), Fiber(20.0, dispersion_ps_per_nm_km=0.0), Photodiode())
    assert default_optical_oversampling(link, w) == Q_OLD
    # An MZM has no rate model or tone_field.
    mzm = MachZehnderModulator(CWLaser(power_dbm=16.0), v_pi_v=3.5)
    assert default_optical_oversampling(RoFLink(mzm, Fiber(20.0), Photodiode()), w) == Q_OLD


def test_chosen_rate_holds_the_rate_equation_field():
    # The field of the actual drive, simulated at the cap's rate: the energy beyond the
    # chosen Nyquist is about the tolerance (measured 0.9e-6), and half the rate would
    # leak far more (measured 1e-3; the estimate is not just conservative).
    w = _nr(CLIP_3DB_DBM)
    q = default_optical_oversampling(_dml(20.0), w)
    n, big, laser = w.samples.size, MAX_OVERSAMPLING, DirectLaser()
    v = w.samples * math.sqrt(laser.input_impedance_ohm / w.impedance_ohm)
    field = dml_field(laser, sfft.irfft(sfft.rfft(v), n * big) * big, FS * big, None)
    spec = np.abs(sfft.fft(field)) ** 2
    spec /= spec.sum()
    f = np.abs(sfft.fftfreq(n * big, 1.0 / (FS * big)))
    assert spec[f > q * FS / 2].sum() < 3 * FIELD_LEAKAGE
    assert spec[f > (q // 2) * FS / 2].sum() > 10 * FIELD_LEAKAGE


def test_oversampling_caps_and_warns_far_beyond_clipping():
    with pytest.warns(RuntimeWarning, match="beyond the cap"):
        q = default_optical_oversampling(_dml(20.0), _nr(26.0))
    assert q == MAX_OVERSAMPLING


def test_explicit_oversampling_wins():
    # Below even the old rule (the default here is about 38).
    rx = simulate_link(_dml(20.0), _nr(CLIP_3DB_DBM), None, optical_oversampling=3)
    assert rx.metadata["optical_oversampling"] == 3


def test_default_rate_converges_near_clipping_behind_fiber():
    # 20 km, 3 dB below clipping (noiseless, one symbol): the default matches a rate
    # 1.5 times finer (measured within 0.1 %); the old rule q = 5 measured 26 % EVM
    # against 41 % converged.
    link, w = _dml(20.0), _nr(CLIP_3DB_DBM)
    rx = simulate_link(link, w, None)
    q = rx.metadata["optical_oversampling"]
    evm = evm_percent(rx, None)
    finer = evm_percent(simulate_link(link, w, None, optical_oversampling=3 * q // 2), None)
    old = evm_percent(simulate_link(link, w, None, optical_oversampling=Q_OLD), None)
    assert evm == pytest.approx(finer, rel=0.02)
    assert old < 0.8 * finer


@pytest.mark.parametrize(
    "length_km",
    [pytest.param(10.0, marks=pytest.mark.slow), 20.0, pytest.param(40.0, marks=pytest.mark.slow)],
)
def test_dml_waveform_matches_budget_near_clipping_behind_fiber(length_km):
    # 3 dB below clipping, distortion-limited (19 to 55 % EVM): two 2-symbol records,
    # power mean; measured +0.1, 0.0 and +0.1 dB over three seeds (the old rule q = 5:
    # -1.3, -4.4 and -1.8 dB). About 8 s and 1.5 GB each.
    runs = [_noiseless_vs_budget(length_km, CLIP_3DB_DBM, 2, seed) for seed in (0, 1)]
    evm2 = np.mean([e**2 for e, _ in runs])
    assert abs(10 * math.log10(evm2 / runs[0][1] ** 2)) < 1.0
