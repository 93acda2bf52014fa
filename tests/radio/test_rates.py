"""TS 38.214 tables, BLER curves, MCS selection, TB sizes and the TR 36.942 Shannon bound."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rof.errors import RofError
from rof.radio.rates import (
    SE_MAX_NR_256QAM,
    bler,
    cqi_table,
    mcs_table,
    select_cqi,
    select_mcs,
    shannon_attenuated,
    sinr_threshold_db,
    spectral_efficiency,
    tb_bits,
)


def test_mcs_table_spot_values():
    t2 = mcs_table("qam256")  # TS 38.214 Table 5.1.3.1-2
    assert t2.index.size == 28
    assert (t2.modulation_order[27], t2.code_rate_x1024[27]) == (8, 948)
    assert t2.spectral_efficiency[27] == pytest.approx(7.4063)
    assert spectral_efficiency(27) == pytest.approx(8 * 948 / 1024)
    assert (t2.modulation_order[20], t2.code_rate_x1024[20]) == (8, 682.5)
    assert (t2.modulation_order[26], t2.code_rate_x1024[26]) == (8, 916.5)
    assert (t2.modulation_order[4], t2.code_rate_x1024[4], t2.modulation_order[5]) == (2, 602, 4)
    t1 = mcs_table("qam64")  # Table 5.1.3.1-1
    assert t1.index.size == 29
    assert (t1.modulation_order[28], t1.code_rate_x1024[28]) == (6, 948)
    assert (t1.modulation_order[17], t1.code_rate_x1024[17]) == (6, 438)
    assert t1.spectral_efficiency[0] == pytest.approx(0.2344)
    for tab in (t1, t2, cqi_table("table1"), cqi_table("table2")):
        # the printed efficiencies are Qm R / 1024 rounded to 4 decimals
        se = tab.modulation_order * tab.code_rate_x1024 / 1024
        np.testing.assert_allclose(tab.spectral_efficiency, se, atol=0.6e-4)


def test_cqi_table_spot_values():
    c1, c2 = cqi_table("table1"), cqi_table("table2")
    assert c1.index.tolist() == list(range(1, 16)) == c2.index.tolist()
    assert (c1.modulation_order[0], c1.code_rate_x1024[0]) == (2, 78)
    assert (c1.modulation_order[-1], c1.code_rate_x1024[-1]) == (6, 948)
    assert (c2.modulation_order[11], c2.code_rate_x1024[11]) == (8, 711)
    assert c2.spectral_efficiency[-1] == pytest.approx(7.4063)


# TS 38.214 Table 5.1.3.1-3 (MCS index table 3 for PDSCH, "qam64LowSE"): (Qm, R x 1024, SE)
TS_MCS_TABLE_3 = [
    (2, 30, 0.0586), (2, 40, 0.0781), (2, 50, 0.0977), (2, 64, 0.1250), (2, 78, 0.1523),
    (2, 99, 0.1934), (2, 120, 0.2344), (2, 157, 0.3066), (2, 193, 0.3770), (2, 251, 0.4902),
    (2, 308, 0.6016), (2, 379, 0.7402), (2, 449, 0.8770), (2, 526, 1.0273), (2, 602, 1.1758),
    (4, 340, 1.3281), (4, 378, 1.4766), (4, 434, 1.6953), (4, 490, 1.9141), (4, 553, 2.1602),
    (4, 616, 2.4063), (6, 438, 2.5664), (6, 466, 2.7305), (6, 517, 3.0293), (6, 567, 3.3223),
    (6, 616, 3.6094), (6, 666, 3.9023), (6, 719, 4.2129), (6, 772, 4.5234),
]  # fmt: skip
# TS 38.214 Table 5.2.2.1-4 (4-bit CQI table 3), CQI 1 .. 15: (Qm, R x 1024, SE)
TS_CQI_TABLE_3 = [
    (2, 30, 0.0586), (2, 50, 0.0977), (2, 78, 0.1523), (2, 120, 0.2344), (2, 193, 0.3770),
    (2, 308, 0.6016), (2, 449, 0.8770), (2, 602, 1.1758), (4, 378, 1.4766), (4, 490, 1.9141),
    (4, 616, 2.4063), (6, 466, 2.7305), (6, 567, 3.3223), (6, 666, 3.9023), (6, 772, 4.5234),
]  # fmt: skip


@pytest.mark.parametrize(
    ("tab", "first_index", "ts"),
    [(lambda: mcs_table("qam64lowse"), 0, TS_MCS_TABLE_3),
     (lambda: cqi_table("table3"), 1, TS_CQI_TABLE_3)],
    ids=["mcs_table_3", "cqi_table_3"],
)  # fmt: skip
def test_low_se_tables_equal_the_ts_entries(tab, first_index, ts):
    t = tab()
    assert t.index.tolist() == list(range(first_index, first_index + len(ts)))
    got = list(zip(t.modulation_order.tolist(), t.code_rate_x1024.tolist(),
                   t.spectral_efficiency.tolist(), strict=True))  # fmt: skip
    assert got == [(q, float(r), s) for q, r, s in ts]
    se = t.modulation_order * t.code_rate_x1024 / 1024  # printed SE: Qm R / 1024, 4 decimals
    np.testing.assert_allclose(t.spectral_efficiency, se, atol=0.6e-4)
    assert np.all(np.diff(t.spectral_efficiency) > 0)


def test_cqi_table_3_is_every_other_mcs_of_table_3():
    """CQI table 3 lists MCS table 3's even entries (CQI c <-> MCS 2(c - 1))."""
    c3, m3 = cqi_table("table3"), mcs_table("qam64lowse")
    np.testing.assert_array_equal(c3.code_rate_x1024, m3.code_rate_x1024[::2])
    np.testing.assert_array_equal(c3.modulation_order, m3.modulation_order[::2])


@pytest.mark.parametrize("table", ["qam64", "qam256", "qam64lowse"])
def test_thresholds_and_bler_curve(table):
    se = mcs_table(table).spectral_efficiency
    thr = sinr_threshold_db(table)
    np.testing.assert_allclose(thr, 10 * np.log10(2**se - 1) + 2.0, rtol=1e-12)
    idx = np.arange(se.size)
    np.testing.assert_allclose(bler(thr, idx, table), 0.1, rtol=1e-12)
    assert np.all(bler(thr + 5, idx, table) < 1e-6) and np.all(bler(thr - 5, idx, table) > 0.999)
    # logistic with slope 3 /dB: BLER 0.9 lies ln(81) / 3 dB below the 10 % point
    d90 = thr - math.log(81) / 3.0
    np.testing.assert_allclose(bler(d90, idx, table), 0.9, rtol=1e-12)
    s = np.linspace(-15, 35, 201)
    assert np.all(np.diff(bler(s, 10, table)) <= 0)
    assert bler(0.0, -1, table) == 1.0 and spectral_efficiency(-1, table) == 0.0


@pytest.mark.parametrize("table", ["qam64", "qam256", "qam64lowse"])
def test_select_mcs_monotone_and_consistent(table):
    s = np.linspace(-15, 40, 1101)
    m = select_mcs(s, table)
    assert np.all(np.diff(m) >= 0)
    assert m[0] == -1 and m[-1] == mcs_table(table).index[-1]
    ok = m >= 0
    assert np.all(bler(s[ok], m[ok], table) <= 0.1 + 1e-12)
    nxt = m < mcs_table(table).index[-1]
    assert np.all(bler(s[nxt], m[nxt] + 1, table) > 0.1)
    if table == "qam256":
        assert np.all(np.diff(spectral_efficiency(m, table)) >= 0)
    # a stricter target never picks a higher MCS
    assert np.all(select_mcs(s, table, bler_target=0.01) <= m)
    assert select_mcs(40.0, table) == m[-1]


@settings(max_examples=50, deadline=None)
@given(st.floats(-20, 40), st.floats(0.0, 10.0))
def test_select_mcs_monotone_property(s, ds):
    assert select_mcs(s + ds) >= select_mcs(s)
    assert select_cqi(s + ds) >= select_cqi(s)


def test_select_cqi():
    assert select_cqi(-30.0) == 0 and select_cqi(60.0) == 15
    c = cqi_table("table2")
    # CQI 12 (256QAM 711) needs 10 log10(2^5.5547 - 1) + 2 = 18.6 dB
    thr = 10 * np.log10(2 ** c.spectral_efficiency[11] - 1) + 2.0
    assert select_cqi(thr + 1e-9) == 12 and select_cqi(thr - 1e-6) == 11


def _tbs_scalar(mcs, n_rb, n_sym, table, v=1, n_dmrs=0):
    """TS 38.214 5.1.3.2 written out step by step, for one allocation."""
    small = [24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 136, 144, 152, 160,
             168, 176, 184, 192, 208, 224, 240, 256, 272, 288, 304, 320, 336, 352, 368, 384,
             408, 432, 456, 480, 504, 528, 552, 576, 608, 640, 672, 704, 736, 768, 808, 848,
             888, 928, 984, 1032, 1064, 1128, 1160, 1192, 1224, 1256, 1288, 1320, 1352, 1416,
             1480, 1544, 1608, 1672, 1736, 1800, 1864, 1928, 2024, 2088, 2152, 2216, 2280,
             2408, 2472, 2536, 2600, 2664, 2728, 2792, 2856, 2976, 3104, 3240, 3368, 3496,
             3624, 3752, 3824]  # fmt: skip
    tab = mcs_table(table)
    qm, r = int(tab.modulation_order[mcs]), tab.code_rate_x1024[mcs] / 1024
    n_re = min(156, 12 * n_sym - n_dmrs) * n_rb
    n_info = n_re * r * qm * v
    if n_info <= 3824:
        n = max(3, math.floor(math.log2(n_info)) - 6)
        q = max(24, 2**n * math.floor(n_info / 2**n))
        return next(t for t in small if t >= q)
    n = math.floor(math.log2(n_info - 24)) - 5
    q = max(3840, 2**n * math.floor((n_info - 24) / 2**n + 0.5))
    if r <= 0.25:
        c = math.ceil((q + 24) / 3816)
        return 8 * c * math.ceil((q + 24) / (8 * c)) - 24
    if q > 8424:
        c = math.ceil((q + 24) / 8424)
        return 8 * c * math.ceil((q + 24) / (8 * c)) - 24
    return 8 * math.ceil((q + 24) / 8) - 24


def test_tb_bits_hand_examples():
    # MCS 0 (table 1), 1 PRB, 12 symbols: N_info = 144 * 120/1024 * 2 = 33.75 -> 32 bits
    assert tb_bits(0, 1, 12, "qam64") == 32
    # MCS 27 (table 2), 273 PRBs, 13 symbols, 12 DMRS RE: N_info = 291,155.6, n = 13,
    # N'_info = 8192 * 36 = 294,912, C = 36 -> TBS = 288 * 1025 - 24 = 295,176
    assert tb_bits(27, 273, 13, "qam256", n_dmrs_re_per_rb=12) == 295176
    assert tb_bits(-1, 50) == 0 and tb_bits(5, 0) == 0


@pytest.mark.parametrize("table", ["qam64", "qam256", "qam64lowse"])
def test_tb_bits_against_stepwise_spec(table):
    n_mcs = mcs_table(table).index.size
    mcs = np.repeat(np.arange(n_mcs), 9)
    n_rb = np.tile([1, 2, 3, 5, 11, 24, 51, 106, 273], n_mcs)
    out = tb_bits(mcs, n_rb, 12, table)
    ref = [_tbs_scalar(int(m), int(n), 12, table) for m, n in zip(mcs, n_rb, strict=True)]
    np.testing.assert_array_equal(out, ref)
    # TBS never exceeds the information bits by more than the quantisation step
    info = 144 * n_rb * spectral_efficiency(mcs, table)
    assert np.all(out <= info * 1.05 + 24)


def test_shannon_attenuated_closed_form():
    s_db = np.linspace(-20, 40, 241)
    se = shannon_attenuated(s_db)
    ref = np.where(s_db < -10, 0.0, np.minimum(0.6 * np.log2(1 + 10 ** (s_db / 10)), 4.4))
    np.testing.assert_allclose(se, ref, rtol=1e-12)
    # TR 36.942 Table A.2-1 (downlink): SINR_MAX = 22 dB for alpha 0.6, Thr_MAX 4.4 bit/s/Hz
    sinr_max_db = 10 * np.log10(2 ** (4.4 / 0.6) - 1)
    assert sinr_max_db == pytest.approx(22.0, abs=0.1)
    assert shannon_attenuated(22.1) == 4.4 and shannon_attenuated(21.9) < 4.4
    nr = shannon_attenuated(40.0, se_max=SE_MAX_NR_256QAM)
    assert nr == pytest.approx(SE_MAX_NR_256QAM)
    assert shannon_attenuated(0.0, alpha=1.0) == pytest.approx(1.0)


def test_bad_inputs():
    with pytest.raises(RofError, match="table") as exc:
        mcs_table("qam1024")
    for name in ("'qam64'", "'qam256'", "'qam64lowse'"):  # the valid names are listed
        assert name in str(exc.value)
    with pytest.raises(RofError, match="'table1', 'table2', 'table3'"):
        cqi_table("table4")
    with pytest.raises(RofError, match="mcs"):
        spectral_efficiency(28, "qam256")
    with pytest.raises(RofError, match="bler_target"):
        select_mcs(10.0, bler_target=1.5)
    with pytest.raises(RofError, match="alpha"):
        shannon_attenuated(10.0, alpha=0.0)
    with pytest.raises(RofError, match="n_symbols"):
        tb_bits(3, 10, 15)


def test_effective_sinr():
    from rof.radio.effective_sinr import effective_sinr

    rng = np.random.default_rng(4)
    s = rng.exponential(10.0, (200, 12))
    for method, kw in (("capacity", {}), ("eesm", {"beta": 5.0})):
        flat = effective_sinr(np.full((3, 7), 4.2), method=method, **kw)
        np.testing.assert_allclose(flat, 4.2, rtol=1e-12)
        e = effective_sinr(s, method=method, **kw)
        assert np.all(e <= s.mean(axis=1) + 1e-12) and np.all(e >= s.min(axis=1) - 1e-12)
    # capacity mapping preserves the mean Shannon rate exactly
    e = effective_sinr(s)
    np.testing.assert_allclose(np.log2(1 + e), np.log2(1 + s).mean(axis=1), rtol=1e-12)
    # EESM by its definition, and NaN (muted RB) ignored
    x = np.array([1.0, 9.0, np.nan])
    ref = -2.0 * np.log((np.exp(-0.5) + np.exp(-4.5)) / 2)
    assert effective_sinr(x, method="eesm", beta=2.0) == pytest.approx(ref, rel=1e-12)
    with pytest.raises(RofError, match="beta"):
        effective_sinr(x, method="eesm")
    with pytest.raises(RofError, match="sinr"):
        effective_sinr([-1.0, 2.0])
