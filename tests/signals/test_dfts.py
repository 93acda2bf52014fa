"""DFT-s-OFDM: TS 38.211 6.3.1.4 transform precoding and its PAPR against CP-OFDM."""

from __future__ import annotations

import numpy as np
import pytest

from rof.errors import RofError
from rof.signals.dfts import (
    allowed_n_rb,
    dfts_ofdm_symbols,
    papr_db,
    transform_deprecode,
    transform_precode,
)


def test_precoding_is_the_ts38211_sum():
    rng = np.random.default_rng(0)
    m = 12 * 3
    x = rng.standard_normal(2 * m) + 1j * rng.standard_normal(2 * m)
    y = transform_precode(x, 3)
    i = np.arange(m)
    for l in range(2):
        for k in (0, 1, 7, m - 1):
            ref = np.sum(x[l * m + i] * np.exp(-2j * np.pi * i * k / m)) / np.sqrt(m)
            assert y[l, k] == pytest.approx(ref, abs=1e-12)
    np.testing.assert_allclose(transform_deprecode(y, 3), x, atol=1e-12)
    # unitary: energy kept per symbol
    np.testing.assert_allclose(
        np.sum(np.abs(y) ** 2, axis=1), np.sum(np.abs(x.reshape(2, m)) ** 2, axis=1)
    )


def test_allowed_sizes():
    assert [n for n in range(1, 31) if allowed_n_rb(n)] == [
        1,
        2,
        3,
        4,
        5,
        6,
        8,
        9,
        10,
        12,
        15,
        16,
        18,
        20,
        24,
        25,
        27,
        30,
    ]
    with pytest.raises(RofError, match=r"n_rb = 7 is not allowed; allowed: 2\^a 3\^b 5\^c"):
        transform_precode(np.zeros(84), 7)


def test_symbols_round_trip_and_unit_power():
    rng = np.random.default_rng(1)
    s, x = dfts_ofdm_symbols(10, "16QAM", 14, rng, n_fft=512, scs_khz=30.0, rb_start=5)
    assert np.mean(np.abs(s) ** 2) == pytest.approx(1.0, rel=0.05)
    # receiver: drop CP, FFT, take the allocation, de-precode
    from rof.signals.numerology import cp_lengths

    cp = cp_lengths(14, 512, 30.0)
    k = np.arange(120) + 60 - 12 * (512 // 12) // 2
    out, pos = [], 0
    for i in range(14):
        body = s[pos + cp[i] : pos + cp[i] + 512]
        pos += cp[i] + 512
        out.append(np.fft.fft(body)[np.mod(k, 512)] / np.sqrt(512 * 512 / 120))
    np.testing.assert_allclose(transform_deprecode(np.array(out), 10), x, atol=1e-10)


def test_papr_below_cp_ofdm():
    """Myung, Lim & Goodman (2006), Fig. 5: localised SC-FDMA with QPSK sits several dB
    below OFDMA at the 1e-2 point of the PAPR CCDF; here at least 2 dB below."""
    rng = np.random.default_rng(2)
    kw = {"n_fft": 512, "scs_khz": 30.0}
    dfts, _ = dfts_ofdm_symbols(25, "QPSK", 560, rng, **kw)
    cpofdm, _ = dfts_ofdm_symbols(25, "QPSK", 560, rng, transform_precoding=False, **kw)
    from rof.signals.numerology import cp_lengths

    cp = cp_lengths(560, 512, 30.0)
    start = np.concatenate(([0], np.cumsum(cp + 512)[:-1])) + cp  # each symbol's body

    def per_symbol(s):
        return papr_db(np.concatenate([s[a : a + 512] for a in start]), 512)

    p1, p2 = np.percentile(per_symbol(dfts), 99), np.percentile(per_symbol(cpofdm), 99)
    assert p2 - p1 > 2.0
    assert 5.0 < p1 < 9.0 and 8.5 < p2 < 12.0
