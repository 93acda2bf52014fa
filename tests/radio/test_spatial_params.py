"""Table 7.5-6 coefficients against the cited values, and the correlated LSP draws.

The cited values below are transcribed from 3GPP TR 38.901 V17.1.0 Table 7.5-6
Part-1 and Tables 7.5-2/-3/-4, and agree with Sionna 1.2.1's transcription
(NVlabs/sionna, src/sionna/phy/channel/tr38901/models/{UMa,UMi,RMa}_*.json and
rays.py; that rays.py has one typo, ray 16's offset -0.1481 for -1.1481). They are
written here independently of the package's CSV files, which the tests read through
the package's own functions.
"""

import math

import numpy as np
import pytest

from rof.errors import ParameterError, RofError
from rof.radio.spatial.params import (
    LSP_NAMES,
    RAY_OFFSETS_DEG,
    correlation_sqrt,
    draw_lsps,
    scaling_factors,
    spatial_params,
    zsd_mean_and_offset,
)
from rof.radio.tdl import median_delay_spread_s
from rof.radio.tr38901 import get_scenario

# (scenario, state): mu_lgDS = a log10(x) + c, sigma_lgDS, x = fc or 1 + fc
CITED_LGDS = {
    ("UMa", "LOS"): (-0.0963, -6.955, 0.66, "fc", 6.0),
    ("UMa", "NLOS"): (-0.204, -6.28, 0.39, "fc", 6.0),
    ("UMi", "LOS"): (-0.24, -7.14, 0.38, "1+fc", 2.0),
    ("UMi", "NLOS"): (-0.24, -6.83, None, "1+fc", 2.0),  # sigma 0.16 log10(1+fc) + 0.28
    ("InH", "LOS"): (-0.01, -7.692, None, "1+fc", 6.0),
    ("InH", "NLOS"): (-0.28, -7.173, None, "1+fc", 6.0),
    ("RMa", "LOS"): (0.0, -7.49, None, "fc", 0.5),
    ("RMa", "NLOS"): (0.0, -7.43, None, "fc", 0.5),
}
# (scenario, state): N, M, r_tau, c_ASD, c_ASA, c_ZSA, zeta, muXPR, sigmaXPR, sigmaSF, muK, sigmaK
CITED_MISC = {
    ("UMa", "LOS"): (12, 20, 2.5, 5, 11, 7, 3, 8, 4, 4, 9, 3.5),
    ("UMa", "NLOS"): (20, 20, 2.3, 2, 15, 7, 3, 7, 3, 6, None, None),
    ("UMa", "O2I"): (12, 20, 2.2, 5, 8, 3, 4, 9, 5, 7, None, None),
    ("UMi", "LOS"): (12, 20, 3.0, 3, 17, 7, 3, 9, 3, 4, 9, 5),
    ("UMi", "NLOS"): (19, 20, 2.1, 10, 22, 7, 3, 8, 3, 7.82, None, None),
    ("UMi", "O2I"): (12, 20, 2.2, 5, 8, 3, 4, 9, 5, 7, None, None),
}
# at fc = 3.5 GHz (UMa evaluated at 6 GHz, UMi at 3.5): lgASD, lgASA, lgZSA means
CITED_ANGLES_35 = {
    ("UMa", "LOS"): (1.06 + 0.1114 * math.log10(6), 1.81, 0.95),
    ("UMa", "NLOS"): (
        1.5 - 0.1144 * math.log10(6),
        2.08 - 0.27 * math.log10(6),
        1.512 - 0.3236 * math.log10(6),
    ),
    ("UMi", "LOS"): (
        1.21 - 0.05 * math.log10(4.5),
        1.73 - 0.08 * math.log10(4.5),
        0.73 - 0.1 * math.log10(4.5),
    ),
    ("UMi", "NLOS"): (
        1.53 - 0.23 * math.log10(4.5),
        1.81 - 0.08 * math.log10(4.5),
        0.92 - 0.04 * math.log10(4.5),
    ),
}
# cross-correlations (a subset, every row of the table at least once)
CITED_CORR = {
    ("UMa", "LOS"): {
        ("asd", "ds"): 0.4,
        ("asa", "ds"): 0.8,
        ("asa", "sf"): -0.5,
        ("ds", "k"): -0.4,
        ("zsa", "sf"): -0.8,
        ("zsd", "asd"): 0.5,
        ("zsa", "asa"): 0.4,
        ("zsd", "asa"): -0.3,
    },
    ("UMa", "NLOS"): {
        ("asd", "ds"): 0.4,
        ("asa", "ds"): 0.6,
        ("asd", "sf"): -0.6,
        ("asd", "asa"): 0.4,
        ("zsa", "sf"): -0.4,
        ("zsd", "ds"): -0.5,
        ("zsa", "asd"): -0.1,
    },
    ("UMi", "LOS"): {
        ("asd", "ds"): 0.5,
        ("ds", "k"): -0.7,
        ("sf", "k"): 0.5,
        ("asd", "k"): -0.2,
        ("asa", "k"): -0.3,
        ("zsa", "ds"): 0.2,
        ("zsa", "asd"): 0.3,
    },
    ("UMi", "NLOS"): {
        ("asa", "ds"): 0.4,
        ("ds", "sf"): -0.7,
        ("asa", "sf"): -0.4,
        ("zsa", "asd"): 0.5,
        ("zsa", "asa"): 0.2,
        ("zsd", "ds"): -0.5,
    },
}
CITED_C_PHI = {
    4: 0.779,
    5: 0.860,
    8: 1.018,
    10: 1.090,
    11: 1.123,
    12: 1.146,
    14: 1.190,
    15: 1.211,
    16: 1.226,
    19: 1.273,
    20: 1.289,
    25: 1.358,
}
CITED_C_THETA = {
    8: 0.889,
    10: 0.957,
    11: 1.031,
    12: 1.104,
    15: 1.1088,
    19: 1.184,
    20: 1.178,
    25: 1.282,
}
CITED_ALPHA = (0.0447, 0.1413, 0.2492, 0.3715, 0.5129, 0.6797, 0.8844, 1.1481, 1.5195, 2.1551)
# shadow-fading decorrelation distances (m) and mean K (dB) of Table 7.5-6
CITED_SF_DCORR = {
    ("UMa", "LOS"): 37,
    ("UMa", "NLOS"): 50,
    ("UMa", "O2I"): 7,
    ("UMi", "LOS"): 10,
    ("UMi", "NLOS"): 13,
    ("UMi", "O2I"): 7,
    ("InH", "LOS"): 10,
    ("InH", "NLOS"): 6,
    ("RMa", "LOS"): 37,
    ("RMa", "NLOS"): 120,
    ("RMa", "O2I"): 120,
}
CITED_MU_K = {"UMa": 9.0, "UMi": 9.0, "InH": 7.0, "RMa": 7.0}


@pytest.mark.parametrize("key", sorted(CITED_LGDS))
@pytest.mark.parametrize("fc", [0.7, 3.5, 28.0])
def test_existing_fading_table_lgds_matches_cited(key, fc):
    """rof.radio.tdl's median delay spread (the fading table) = 10^mu_lgDS cited."""
    sc, st = key
    a, c, _, form, fmin = CITED_LGDS[key]
    f = max(fc, fmin)
    mu = a * math.log10(f if form == "fc" else 1 + f) + c
    assert median_delay_spread_s(sc, st == "LOS", fc) == pytest.approx(10**mu, rel=1e-12)


@pytest.mark.parametrize("key", sorted(CITED_SF_DCORR))
def test_existing_sf_decorrelation_matches_cited(key):
    sc, st = key
    assert get_scenario(sc).sf_decorrelation_m(st) == CITED_SF_DCORR[key]


@pytest.mark.parametrize("sc", sorted(CITED_MU_K))
def test_existing_rician_k_matches_cited(sc):
    assert get_scenario(sc).rician_k_db == CITED_MU_K[sc]


@pytest.mark.parametrize("key", sorted(CITED_MISC))
def test_spatial_table_matches_cited(key):
    sc, st = key
    p = spatial_params(sc, st, 3.5)
    n, m, r_tau, c_asd, c_asa, c_zsa, zeta, mu_xpr, s_xpr, s_sf, mu_k, s_k = CITED_MISC[key]
    assert (p.n_clusters, p.n_rays) == (n, m)
    assert (p.r_tau, p.c_asd_deg, p.c_asa_deg, p.c_zsa_deg, p.zeta_db) == (
        r_tau,
        c_asd,
        c_asa,
        c_zsa,
        zeta,
    )
    assert (p.mu_xpr_db, p.sigma_xpr_db, p.sigma_sf_db) == (mu_xpr, s_xpr, s_sf)
    if mu_k is not None:
        assert (p.mu_k_db, p.sigma_k_db) == (mu_k, s_k)
    if key in CITED_LGDS:
        a, c, sig, form, fmin = CITED_LGDS[key]
        f = max(3.5, fmin)
        assert p.mu_lgds == pytest.approx(
            a * math.log10(f if form == "fc" else 1 + f) + c, abs=1e-12
        )
        if sig is not None:
            assert p.sigma_lgds == pytest.approx(sig)
    if key == ("UMi", "NLOS"):
        assert p.sigma_lgds == pytest.approx(0.16 * math.log10(4.5) + 0.28)
    if key in CITED_ANGLES_35:
        assert (p.mu_lgasd, p.mu_lgasa, p.mu_lgzsa) == pytest.approx(
            CITED_ANGLES_35[key], abs=1e-12
        )
    for (x, y), v in CITED_CORR.get(key, {}).items():
        assert p.corr[LSP_NAMES.index(x), LSP_NAMES.index(y)] == v
        assert p.corr[LSP_NAMES.index(y), LSP_NAMES.index(x)] == v
    # c_DS: UMa max(0.25, 6.5622 - 3.4084 log10(fc)) ns at fc = 6 GHz; O2I and UMi
    # NLOS 11 ns, UMi LOS 5 ns
    uma = 6.5622 - 3.4084 * math.log10(6)
    want = {("UMa", "LOS"): uma, ("UMa", "NLOS"): uma, ("UMi", "LOS"): 5.0}.get(key, 11.0)
    assert p.c_ds_s == pytest.approx(want * 1e-9)


def test_c_ds_uma_floor_at_high_frequency():
    # 6.5622 - 3.4084 log10(100) = -0.25 -> floor 0.25 ns
    assert spatial_params("UMa", "LOS", 100.0).c_ds_s == pytest.approx(0.25e-9)


def test_scaling_and_offset_tables_match_cited():
    for n, v in CITED_C_PHI.items():
        c_phi, c_theta = scaling_factors(n)
        assert c_phi == v
        if n in CITED_C_THETA:
            assert c_theta == CITED_C_THETA[n]
    assert RAY_OFFSETS_DEG.shape == (20,)
    assert np.array_equal(np.abs(RAY_OFFSETS_DEG[0::2]), CITED_ALPHA)
    assert np.array_equal(RAY_OFFSETS_DEG[1::2], -RAY_OFFSETS_DEG[0::2])


def test_zsd_tables_7_5_7_and_7_5_8():
    # UMa NLOS at fc = 3.5 (-> 6 GHz), d2D = 200 m, hUT = 1.5 m
    p = spatial_params("UMa", "NLOS", 3.5)
    mu, off = zsd_mean_and_offset(p, 3.5, 200.0, 1.5, 25.0)
    lf = math.log10(6.0)
    want_off = (7.66 * lf - 5.96) - 10 ** (
        (0.208 * lf - 0.782) * math.log10(200) + (-0.13 * lf + 2.03)
    )
    assert mu == pytest.approx(max(-0.5, -2.1 * 0.2 + 0.9))
    assert off == pytest.approx(want_off)
    p = spatial_params("UMi", "NLOS", 3.5)
    mu, off = zsd_mean_and_offset(p, 3.5, 100.0, 1.5, 10.0)
    assert mu == pytest.approx(max(-0.5, -3.1 * 0.1 + 0.2))
    assert off == pytest.approx(-(10 ** (-1.5 * 2 + 3.3)))
    p = spatial_params("UMi", "LOS", 3.5)
    mu, off = zsd_mean_and_offset(p, 3.5, 50.0, 1.5, 10.0)
    assert mu == pytest.approx(-14.8 * 0.05 + 0.01 * 8.5 + 0.83) and off == 0.0


@pytest.mark.parametrize("key", [("UMa", "LOS"), ("UMa", "NLOS"), ("UMi", "LOS"), ("UMi", "NLOS")])
def test_drawn_lsps_have_table_moments_and_correlations(key):
    sc, st = key
    p = spatial_params(sc, st, 3.5)
    n = 20000
    rng = np.random.default_rng(5)
    lsp = draw_lsps(p, 3.5, np.full(n, 100.0), np.full(n, 1.5), np.full(n, 25.0), rng)
    lg = {
        "ds": np.log10(lsp.ds_s),
        "asd": np.log10(lsp.asd_deg),
        "asa": np.log10(lsp.asa_deg),
        "zsa": np.log10(lsp.zsa_deg),
        "sf": lsp.sf_db,
    }
    assert lg["ds"].mean() == pytest.approx(p.mu_lgds, abs=0.02)
    assert lg["ds"].std() == pytest.approx(p.sigma_lgds, rel=0.03)
    assert lg["asd"].mean() == pytest.approx(p.mu_lgasd, abs=0.02)
    if st == "LOS":
        lg["k"] = lsp.k_db
        assert lsp.k_db.mean() == pytest.approx(p.mu_k_db, abs=0.1)
        assert lsp.k_db.std() == pytest.approx(p.sigma_k_db, rel=0.03)
    # every cited cross-correlation between LSPs that are not capped
    for (x, y), v in CITED_CORR[key].items():
        if x in lg and y in lg:
            r = np.corrcoef(lg[x], lg[y])[0, 1]
            assert r == pytest.approx(v, abs=0.04), (x, y)


def test_correlation_sqrt_is_a_square_root():
    for sc, st in CITED_CORR:
        p = spatial_params(sc, st, 3.5)
        s = correlation_sqrt(p.corr, p.los)
        c = (
            p.corr
            if p.los
            else np.where(
                np.eye(7, dtype=bool),
                1.0,
                p.corr * (np.arange(7) != 1)[:, None] * (np.arange(7) != 1)[None, :],
            )
        )
        assert np.allclose(s @ s.T, c, atol=0.02)


def test_unknown_scenario_and_state():
    with pytest.raises(ParameterError, match=r"scenario = 'RMa'.*allowed: \['UMa', 'UMi'\]"):
        spatial_params("RMa", "LOS", 3.5)
    with pytest.raises(RofError, match=r"state = 'LoS'.*allowed"):
        spatial_params("UMa", "LoS", 3.5)
    with pytest.raises(RofError, match="fc_ghz"):
        spatial_params("UMa", "LOS", 200.0)
