"""Link-level BLER from 5G-LENA's curves and EESM (issue 15 item 2), against the source's
own numbers: for each MCS the two points of model/nr-eesm-t{1,2}.cc (gitlab.com/cttc-lena/nr,
mirror QiuYukang/5G-LENA @ 25752db92eb4) that bracket 10 % BLER on the curve a 3000-bit
transport block uses (one code block of K' = 3024 bits: base graph 2 if R <= 0.67, else 1;
the largest tabulated block size not above 3024), copied here as literals."""

import numpy as np
import pytest

from rof.edge.link_adaptation import cqi_mcs
from rof.radio import bler_curves as bc
from rof.radio import rates
from rof.radio.effective_sinr import effective_sinr

# (table, mcs): (base graph, block size, SINR dB above, its BLER, SINR dB below, its BLER)
SOURCE_POINTS = {
    ("qam64", 0): (2, 2792, -1.2975, 0.5567686, -0.765, 0.0032),
    ("qam64", 1): (2, 2664, -0.70565, 0.3867424, -0.39387, 0.018),
    ("qam64", 2): (2, 2664, -0.027075, 0.5666667, 0.43572, 0.008),
    ("qam64", 3): (2, 2728, 1.117, 0.3092752, 1.3819, 0.017),
    ("qam64", 4): (2, 2856, 1.9606, 0.1669419, 2.2045, 0.0117),
    ("qam64", 5): (2, 2976, 2.7119, 0.1598282, 2.99, 0.0038),
    ("qam64", 6): (2, 2856, 3.2387, 0.4502688, 3.6292, 0.0111),
    ("qam64", 7): (2, 2856, 4.08, 0.2372642, 4.2865, 0.0339),
    ("qam64", 8): (2, 2792, 4.63, 0.5084325, 4.95, 0.0288),
    ("qam64", 9): (2, 2856, 5.3477, 0.5647124, 5.8088, 0.0078),
    ("qam64", 10): (2, 2856, 5.99, 0.596831, 6.2625, 0.064),
    ("qam64", 11): (2, 2856, 6.47, 0.8043478, 6.8723, 0.0595),
    ("qam64", 12): (2, 2856, 7.49, 0.4188742, 7.67, 0.09627265),
    ("qam64", 13): (2, 2856, 8.37, 0.3309399, 8.61, 0.0379),
    ("qam64", 14): (2, 2856, 9.33, 0.2243304, 10.0, 0.0),
    ("qam64", 15): (2, 2856, 10.4, 0.1538814, 10.6, 0.0224),
    ("qam64", 16): (2, 2856, 10.78, 0.4176325, 11.1375, 0.0323),
    ("qam64", 17): (2, 2856, 11.7, 0.1441312, 11.88, 0.0285),
    ("qam64", 18): (2, 2856, 12.2, 0.2239305, 12.8921, 0.0),
    ("qam64", 19): (2, 2856, 13.32, 0.1081349, 14.0368, 0.0004),
    ("qam64", 20): (2, 2664, 13.95, 0.4015873, 14.29, 0.0324),
    ("qam64", 21): (2, 2856, 14.8127, 0.270118, 15.219, 0.0054),
    ("qam64", 22): (2, 2856, 15.56, 0.3282468, 15.95, 0.007),
    ("qam64", 23): (1, 2792, 16.51, 0.444493, 16.84, 0.0617),
    ("qam64", 24): (1, 2792, 17.48, 0.6343284, 18.0, 0.0424),
    ("qam64", 25): (1, 2792, 18.66, 0.1875929, 19.033, 0.0087),
    ("qam64", 26): (1, 2792, 19.65, 0.3298429, 20.1, 0.0198),
    ("qam64", 27): (1, 2792, 20.515, 0.1761522, 21.11, 0.0004),
    ("qam64", 28): (1, 928, 22.2409, 0.2663502, 22.6741, 0.0908),
    ("qam256", 0): (2, 2792, -1.2975, 0.5567686, -0.765, 0.0032),
    ("qam256", 1): (2, 2664, -0.027075, 0.5666667, 0.43572, 0.008),
    ("qam256", 2): (2, 2856, 1.9606, 0.1669419, 2.2045, 0.0117),
    ("qam256", 3): (2, 2856, 3.2387, 0.4502688, 3.6292, 0.0111),
    ("qam256", 4): (2, 2792, 4.63, 0.5084325, 4.95, 0.0288),
    ("qam256", 5): (2, 2856, 6.47, 0.8043478, 6.8723, 0.0595),
    ("qam256", 6): (2, 2856, 7.49, 0.4188742, 7.67, 0.09627265),
    ("qam256", 7): (2, 2856, 8.37, 0.3309399, 8.61, 0.0379),
    ("qam256", 8): (2, 2856, 9.33, 0.2243304, 10.0, 0.0),
    ("qam256", 9): (2, 2856, 10.4, 0.1538814, 10.6, 0.0224),
    ("qam256", 10): (2, 2856, 10.78, 0.4176325, 11.1375, 0.0323),
    ("qam256", 11): (2, 2856, 12.2, 0.2239305, 12.8921, 0.0),
    ("qam256", 12): (2, 2856, 13.32, 0.1081349, 14.0368, 0.0004),
    ("qam256", 13): (2, 2664, 13.95, 0.4015873, 14.29, 0.0324),
    ("qam256", 14): (2, 2856, 14.8127, 0.270118, 15.219, 0.0054),
    ("qam256", 15): (2, 2856, 15.56, 0.3282468, 15.95, 0.007),
    ("qam256", 16): (1, 2792, 16.51, 0.444493, 16.84, 0.0617),
    ("qam256", 17): (1, 2792, 17.48, 0.6343284, 18.0, 0.0424),
    ("qam256", 18): (1, 2792, 18.66, 0.1875929, 19.033, 0.0087),
    ("qam256", 19): (1, 2792, 19.65, 0.3298429, 20.1, 0.0198),
    ("qam256", 20): (2, 2856, 20.75, 0.1332185, 21.1667, 0.0033),
    ("qam256", 21): (1, 2792, 21.5, 0.1990157, 21.8333, 0.0191),
    ("qam256", 22): (1, 2792, 22.3333, 0.3896605, 22.75, 0.0191),
    ("qam256", 23): (1, 2792, 23.1667, 0.4011905, 23.5, 0.0848),
    ("qam256", 24): (1, 2792, 24.3333, 0.2825724, 24.75, 0.019),
    ("qam256", 25): (1, 2792, 25.75, 0.1482901, 26.1667, 0.0073),
    ("qam256", 26): (1, 2792, 26.3333, 0.4138072, 26.75, 0.0528),
    ("qam256", 27): (1, 640, 31.5, 0.1070666, 31.75, 0.0762),
}


def _crossing(s1, b1, s2, b2, target=0.1):
    return s1 + (b1 - target) / (b1 - b2) * (s2 - s1)


@pytest.mark.parametrize("key", sorted(SOURCE_POINTS))
def test_10_percent_bler_sinr_of_each_mcs_within_half_a_db_of_the_source(key):
    table, mcs = key
    _bg, _cbs, s1, b1, s2, b2 = SOURCE_POINTS[key]
    got = float(bc.tb_sinr_at_bler_db(mcs, 3000, table))
    assert got == pytest.approx(_crossing(s1, b1, s2, b2), abs=0.5)
    assert s1 - 0.5 <= got <= s2 + 0.5
    # the TB BLER at the source's points is the source's BLER (one code block)
    np.testing.assert_allclose(bc.tb_bler([s1, s2], mcs, 3000, table), [b1, b2], atol=1e-9)


def test_segmentation_and_base_graph_by_ts38212():
    assert bc.base_graph(8000, 0.5) == 1 and bc.base_graph(200, 0.9) == 2
    assert bc.base_graph(3000, 0.6) == 2 and bc.base_graph(3000, 0.7) == 1
    assert bc.base_graph(20000, 0.2) == 2
    c, k = bc.code_blocks(8000, 1)
    assert (c, k) == (1, 8024)
    c, k = bc.code_blocks(10000, 1)  # B = 10024 > 8448: C = ceil(10024 / 8424) = 2
    assert (c, k) == (2, (10024 + 48) / 2)
    c, k = bc.code_blocks(10000, 2)  # K_cb = 3840: C = ceil(10024 / 3816) = 3
    assert (c, k) == (3, (10024 + 72) / 3)


def test_multi_block_transport_block_fails_if_any_block_fails():
    """C code blocks on the same curve: BLER_TB = 1 - (1 - BLER_CB)^C."""
    one = bc.tb_bler(5.0, 10, 3000, "qam256")
    c, k = bc.code_blocks(30000, 1)
    many = bc.tb_bler(5.0, 10, 30000, "qam256")
    cb = bc._cb_bler(5.0, bc._curve("qam256", 1, 10, float(k)))
    assert many == pytest.approx(1 - (1 - cb) ** c)
    assert 0.0 <= one <= 1.0


@pytest.mark.parametrize("table", ["qam64", "qam256", "qam64lowse"])
def test_eesm_on_a_flat_channel_is_the_awgn_curve(table):
    """Every RB at the same SINR: EESM returns it for every beta, so the BLER is the AWGN
    curve's."""
    beta = bc.eesm_beta(table)
    assert beta.size == rates.mcs_table(table).index.size
    m = np.arange(beta.size)
    tbs = rates.tb_bits(m, 10, 12, table)
    for s_db in (-6.0, -2.0, 3.0, 11.5, 24.0):
        s = 10 ** (s_db / 10)
        eff = bc.eesm_per_ue(np.zeros(8, int), np.full(8, s), 1, beta)[:, 0]
        np.testing.assert_allclose(eff, s, rtol=1e-12)
        np.testing.assert_allclose(effective_sinr(np.full(8, s), method="eesm", beta=beta[5]), s)
        np.testing.assert_allclose(  # the block's BLER at the EESM SINR is the AWGN curve's
            bc.tb_bler(10 * np.log10(eff), m, tbs, table), bc.tb_bler(s_db, m, tbs, table),
            rtol=0, atol=1e-12,
        )  # fmt: skip


# Table 3 (TS 38.214 Table 5.1.3.1-3) MCS -> table-1 MCS (Table 5.1.3.1-1) of the same
# (Qm, R), read off the two TS tables: QPSK 120..602 are table 1's 0..8 (its QPSK 679 is
# not in table 3), 16QAM 340..616 its 10..15 (not 658), 64QAM 438..772 its 17..24.
TABLE3_TO_TABLE1 = {6 + i: i for i in range(9)} | {15 + i: 10 + i for i in range(6)}
TABLE3_TO_TABLE1 |= {21 + i: 17 + i for i in range(8)}
# TB sizes across the block-size range (1 .. 4 code blocks, 5G-LENA's 24 .. 3624-bit curves)
TB_SIZES = [24, 56, 176, 456, 1064, 2856, 3824, 8456, 15000]


def test_low_se_entries_shared_with_table_1_use_its_curves_exactly():
    t1, t3 = rates.mcs_table("qam64"), rates.mcs_table("qam64lowse")
    src = bc.lowse_source_mcs()
    assert {m: int(j) for m, j in enumerate(src) if j >= 0} == TABLE3_TO_TABLE1
    assert src[:6].tolist() == [-1] * 6  # QPSK 30 .. 99 / 1024: no table-1 entry
    beta1, beta3 = bc.eesm_beta("qam64"), bc.eesm_beta("qam64lowse")
    for m, j in TABLE3_TO_TABLE1.items():
        assert t3.modulation_order[m] == t1.modulation_order[j]
        assert t3.code_rate_x1024[m] == t1.code_rate_x1024[j]
        assert beta3[m] == beta1[j]
        for bg in (1, 2):
            for k in (40.0, 1000.0, 3000.0, 8000.0):
                s3, b3 = bc._curve("qam64lowse", bg, m, k)
                s1, b1 = bc._curve("qam64", bg, j, k)
                np.testing.assert_array_equal(s3, s1)
                np.testing.assert_array_equal(b3, b1)
        np.testing.assert_array_equal(
            bc.tb_sinr_at_bler_db(m, TB_SIZES, "qam64lowse"),
            bc.tb_sinr_at_bler_db(j, TB_SIZES, "qam64"),
        )
    # and so does the 10 %-BLER SINR of each shared MCS against the source (SOURCE_POINTS)
    for m, j in TABLE3_TO_TABLE1.items():
        _bg, _cbs, s1, b1, s2, b2 = SOURCE_POINTS[("qam64", j)]
        got = float(bc.tb_sinr_at_bler_db(m, 3000, "qam64lowse"))
        assert got == pytest.approx(_crossing(s1, b1, s2, b2), abs=0.5)


@pytest.mark.parametrize("mcs", range(6))
def test_low_se_derived_curves_follow_the_repetition_rule(mcs):
    """Table 3's MCS 0 .. 5 (QPSK R = 30 .. 99 / 1024): table 1's MCS-0 curve (R0 = 120)
    of the same block shifted by 10 log10(R / R0), the BLER at every SINR, the 10 % point
    and the shape (so also the slope) of every block size."""
    r = [30, 40, 50, 64, 78, 99][mcs]
    assert rates.mcs_table("qam64lowse").code_rate_x1024[mcs] == r
    shift = 10 * np.log10(r / 120)
    assert bc.repetition_shift_db(r) == pytest.approx(shift, abs=1e-12)
    assert bc.eesm_beta("qam64lowse")[mcs] == bc.eesm_beta("qam64")[0]
    a = np.array(TB_SIZES)
    np.testing.assert_allclose(
        bc.tb_sinr_at_bler_db(mcs, a, "qam64lowse"),
        bc.tb_sinr_at_bler_db(0, a, "qam64") + shift,
        rtol=0, atol=1e-9,
    )  # fmt: skip
    s = np.linspace(-12.0, 3.0, 61)
    for tbs in TB_SIZES:
        np.testing.assert_allclose(
            bc.tb_bler(s + shift, mcs, tbs, "qam64lowse"), bc.tb_bler(s, 0, tbs, "qam64"),
            rtol=0, atol=1e-12,
        )  # fmt: skip
    # every derived MCS needs less SINR than table 1's MCS 0, and each the next more
    thr = bc.tb_sinr_at_bler_db(np.arange(7), 1064, "qam64lowse")
    assert np.all(np.diff(thr) > 0) and thr[mcs] < float(bc.tb_sinr_at_bler_db(0, 1064, "qam64"))


def test_repetition_with_llr_combining_shifts_the_snr_by_10_log10_n():
    """Independent check of the rule (Monte-Carlo, no code of rof's): Gray QPSK, each bit
    sent n times at per-copy SINR g, the receiver sums the copies' LLRs (maximum-ratio
    combining). The SINR at which the bit error rate after combining is 10 % lies
    10 log10(n) dB below that of one copy, Q(sqrt(g)) = 0.1 at g = 2.16 dB. n = 4 and
    3 are table 1's MCS 0 (R0 = 120/1024) over table 3's MCS 0 (30/1024) and 1 (40/1024)."""
    from scipy.special import erfc

    rng = np.random.default_rng(2018)
    n_sym = 100_000
    grid_db = np.arange(-5.5, 3.51, 0.25)

    def crossing_db(n_copies):
        bits = rng.integers(0, 2, (2, n_sym))
        x = (1 - 2 * bits) / np.sqrt(2.0)  # I and Q of unit-energy Gray QPSK
        ber = []
        for g_db in grid_db:
            g = 10 ** (g_db / 10)
            noise = rng.standard_normal((n_copies, 2, n_sym)) * np.sqrt(1 / (2 * g))
            llr = (2 * np.sqrt(2.0) * g * (x[None] + noise)).sum(axis=0)  # 2 a y / sigma^2
            ber.append(np.mean((llr < 0) != (bits == 1)))
        ber = np.array(ber)
        return float(np.interp(-0.1, -ber, grid_db))  # BER falls with SINR

    one = crossing_db(1)
    g_star = 10 * np.log10(1.2815516**2)  # Q(sqrt(g)) = 0.1: a bit of amplitude a, a^2/s^2 = g
    assert 0.5 * erfc(np.sqrt(10 ** (g_star / 10) / 2)) == pytest.approx(0.1, abs=1e-6)
    assert one == pytest.approx(g_star, abs=0.06)
    for n, r in ((4, 30), (3, 40)):
        shift = crossing_db(n) - one
        print(f"n = {n}: shift {shift:.3f} dB, rule {bc.repetition_shift_db(r):.3f} dB")
        assert shift == pytest.approx(bc.repetition_shift_db(r), abs=0.1)


def test_eesm_by_hand_and_betas_of_the_source():
    s = np.array([1.0, 100.0, 20.0, 5.0])
    ue = np.array([0, 0, 1, 1])
    got = bc.eesm_per_ue(ue, s, 2, [1.6, 30.0])
    for i, b in enumerate((1.6, 30.0)):
        assert got[i, 0] == pytest.approx(-b * np.log((np.exp(-1 / b) + np.exp(-100 / b)) / 2))
        assert got[i, 1] == pytest.approx(-b * np.log((np.exp(-20 / b) + np.exp(-5 / b)) / 2))
    # 5G-LENA BetaTable1 / BetaTable2 (first and last entries)
    assert bc.eesm_beta("qam64")[[0, 28]].tolist() == [1.6, 34.28]
    assert bc.eesm_beta("qam256")[[0, 27]].tolist() == [1.6, 132.54]


def test_large_blocks_sit_about_4_to_5_db_from_shannon():
    """The issue's observation: published NR curves ~4.5 dB from Shannon (the old rule: 2)."""
    m = np.arange(28)
    thr = bc.tb_sinr_at_bler_db(m, rates.tb_bits(m, 51, 12, "qam256"), "qam256")
    se = rates.mcs_table("qam256").spectral_efficiency
    gap = thr - 10 * np.log10(2**se - 1)
    assert 4.0 <= np.median(gap) <= 5.5


def test_cqi_table_3_quantises_to_the_even_mcs_of_table_3():
    """CQI c of table 3 is MCS 2(c - 1) of table 3 (TS 38.214 Tables 5.2.2.1-4 and
    5.1.3.1-3; srsRAN's CQI-to-MCS map), so quantising any MCS gives the even MCS at or
    below it."""
    m = np.arange(29)
    np.testing.assert_array_equal(cqi_mcs(m, "qam64lowse"), 2 * (m // 2))
    assert cqi_mcs(-1, "qam64lowse") == -1


def test_cqi_quantises_the_mcs_through_the_cqi_table():
    se_mcs = rates.mcs_table("qam256").spectral_efficiency
    se_cqi = rates.cqi_table("table2").spectral_efficiency
    m = np.arange(28)
    q = cqi_mcs(m, "qam256")
    assert np.all(q <= m) and np.all(np.diff(q) >= 0)
    assert np.unique(q[q >= 0]).size <= 15
    for a, b in zip(m, q, strict=True):  # the MCS below the highest CQI at or below a
        if b >= 0:
            cqi_se = se_cqi[se_cqi <= se_mcs[a]].max()
            assert se_mcs[b] <= cqi_se < (se_mcs[b + 1] if b + 1 < 28 else np.inf)
    assert cqi_mcs(27, "qam256") == 27 and cqi_mcs(-1, "qam256") == -1


def test_eesm_with_each_ues_own_beta_is_its_row_of_the_full_map():
    """The link adaptation judges each block with its MCS's beta only: bit for bit the
    entry of the all-betas map (same operations, same summation order)."""
    rng = np.random.default_rng(5)
    ue = rng.integers(0, 6, 60)
    s = 10 ** rng.uniform(-1.0, 3.0, 60)
    beta = bc.eesm_beta("qam256")
    full = bc.eesm_per_ue(ue, s, 7, beta)
    mcs = rng.integers(0, beta.size, 7)
    own = bc.eesm_per_ue_own_beta(ue, s, 7, beta[mcs])
    np.testing.assert_array_equal(own[:6], full[mcs[:6], np.arange(6)])
    assert np.isnan(own[6])  # UE 6 has no RBs
