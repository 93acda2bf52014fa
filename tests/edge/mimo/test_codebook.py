"""TS 38.214 Type I single-panel codebook and PMI feedback (issue 19 item 5)."""

from __future__ import annotations

import numpy as np
import pytest

from rof.edge.mimo.codebook import type1_codebook, type1_report
from rof.edge.precoding import mrt, rzf, sinr, zf
from rof.errors import RofError


def _pick(w, ids, key):
    return w[np.flatnonzero((ids == key).all(axis=1))[0]]


def test_rank1_vectors_are_the_ts_formula():
    """W_{l,m,n} = [v; phi_n v] / sqrt(P), v_{l,m} = a_l (x) u_m, written out by hand."""
    w, ids = type1_codebook(4, 1, 1)
    assert w.shape == (4 * 4 * 4, 8, 1)  # N1 O1 = 16 beams x 4 co-phasings
    e = np.exp(1j * np.pi / 8)  # e^{j 2 pi l / (O1 N1)} with l = 1, O1 N1 = 16
    want = np.array([1, e, e**2, e**3, 1j, 1j * e, 1j * e**2, 1j * e**3]) / np.sqrt(8)
    np.testing.assert_allclose(_pick(w, ids, (1, 0, 0, 1))[:, 0], want, atol=1e-12)
    # (N1, N2) = (2, 2), O1 = O2 = 4: l = 3, m = 2, n = 2 (phi = -1); u_m inner
    w, ids = type1_codebook(2, 2, 1)
    a, u = np.exp(2j * np.pi * 3 / 8), np.exp(2j * np.pi * 2 / 8)
    v = np.array([1, u, a, a * u])
    np.testing.assert_allclose(_pick(w, ids, (3, 2, 0, 2))[:, 0], np.r_[v, -v] / np.sqrt(8))


def test_rank2_layers_and_i13_offsets():
    """Table 5.2.2.2.1-3 for N1 > 2, N2 = 1: i13 = 1 is k1 = O1; the layers are
    [v_l; phi v_l] and [v_{l+k1}; -phi v_{l+k1}], orthogonal, each of norm 1/sqrt(2)."""
    w, ids = type1_codebook(4, 1, 2)
    got = _pick(w, ids, (2, 0, 1, 1))
    v1 = np.exp(2j * np.pi * 2 * np.arange(4) / 16)
    v2 = np.exp(2j * np.pi * 6 * np.arange(4) / 16)
    want = np.c_[np.r_[v1, 1j * v1], np.r_[v2, -1j * v2]] / np.sqrt(16)
    np.testing.assert_allclose(got, want, atol=1e-12)
    gram = np.einsum("cpl,cpk->clk", np.conj(w), w)
    np.testing.assert_allclose(gram, np.broadcast_to(np.eye(2) / 2, gram.shape), atol=1e-12)


def test_single_user_gain_between_closed_form_bounds():
    """i.i.d. CN(0, I_8): on any orthonormal set the gains |h w|^2 are i.i.d. Exp(1); the
    codebook holds 8 orthonormal words (beams l = 0, 4, 8, 12 x phi = +-1), so the PMI's
    mean gain is at least H_8 = 2.718 (harmonic number), and below full-CSI MRT's E||h||^2 = 8."""
    w, _ = type1_codebook(4, 1, 1)
    rng = np.random.default_rng(5)
    h = (rng.standard_normal((40000, 1, 8)) + 1j * rng.standard_normal((40000, 1, 8))) / np.sqrt(2)
    idx, h_hat = type1_report(h, w)
    g = np.abs(np.einsum("nrp,np->n", h, w[idx][..., 0])) ** 2
    h8 = sum(1 / k for k in range(1, 9))
    se = g.std() / np.sqrt(g.size)
    assert h8 + 4 * se < g.mean() < 8.0 - 4 * se
    # the rebuilt channel is exact along the beam
    np.testing.assert_allclose(np.einsum("nrp,np->n", h_hat, w[idx][..., 0]), np.sqrt(g))


def test_on_grid_channels_give_full_csi_zero_forcing():
    """Channels along codewords (any gain and phase): the rebuilt channels differ only by a
    phase per user, so ZF on them nulls the true interference exactly."""
    w, _ = type1_codebook(4, 1, 1)
    rng = np.random.default_rng(1)
    pick = rng.choice(64, size=(50, 4), replace=True)
    c = rng.uniform(0.5, 2, (50, 4)) * np.exp(2j * np.pi * rng.uniform(size=(50, 4)))
    h = c[..., None] * np.conj(w[pick][..., 0])
    _, h_hat = type1_report(h[..., None, :], w)
    h_hat = h_hat[..., 0, :]
    ok = np.linalg.matrix_rank(h) == 4
    s_full = sinr(h[ok], zf(h[ok], 10.0), 1.0)
    s_t1 = sinr(h[ok], zf(h_hat[ok], 10.0), 1.0)
    np.testing.assert_allclose(s_t1, s_full, rtol=1e-9)


@pytest.mark.parametrize("snr_db", [10.0, 20.0])
def test_type1_rate_between_full_csi_rzf_and_mrt_on_dual_polarised_los(snr_db):
    """The codebook's channel model: a 4-element half-wavelength array per polarisation, a
    random direction and polarisation phase per user. Type I + RZF loses to full-CSI RZF
    (the beam grid and 4 co-phasings quantise it) but beats full-CSI MRT (it still
    separates the users)."""
    w, _ = type1_codebook(4, 1, 1)
    rng = np.random.default_rng(int(snr_db))
    n, k = 3000, 4
    a = np.exp(1j * np.pi * rng.uniform(-1, 1, (n, k, 1)) * np.arange(4))
    h = np.concatenate([a, np.exp(2j * np.pi * rng.uniform(size=(n, k, 1))) * a], axis=-1)
    _, h_hat = type1_report(h[..., None, :], w)
    p = 10 ** (snr_db / 10)

    def rate(wts):
        return np.log2(1 + sinr(h, wts, 1.0)).sum(-1).mean()

    full, t1, m = rate(rzf(h, p, 1.0)), rate(rzf(h_hat[..., 0, :], p, 1.0)), rate(mrt(h, p))
    assert m < t1 < full


def test_bad_configuration():
    with pytest.raises(RofError) as exc:
        type1_codebook(5, 1)
    assert "(N1, N2) = (5, 1)" in str(exc.value) and "(4, 1)" in str(exc.value)
    from rof.scenario import Scenario

    with pytest.raises(RofError) as exc:
        Scenario.from_dict(
            {
                "name": "x",
                "mimo": {
                    "n_ant": 6,
                    "streams_per_cell": 2,
                    "csi_feedback": "type1",
                    "codebook_n1": 2,
                    "codebook_n2": 2,
                },
            }
        )
    assert "mimo.csi_feedback" in str(exc.value) and "2 N1 N2 = n_ant" in str(exc.value)
    from rof.edge.mimo.loop import simulate_mimo

    with pytest.raises(RofError) as exc:  # 2 x 5 x 1 = 10 ports, but (5, 1) is not in the table
        simulate_mimo(
            {"name": "x", "deployment": {"n_sites": 1, "inter_site_distance_m": 200.0},
             "mimo": {"n_ant": 10, "streams_per_cell": 2, "csi_feedback": "type1"}}
        )  # fmt: skip
    assert "(N1, N2) = (5, 1)" in str(exc.value) and "Table 5.2.2.2.1-2" in str(exc.value)


def test_loop_runs_with_type1_feedback():
    from rof.edge.mimo.loop import simulate_mimo

    def scenario(**mimo):
        return {
            "name": "type1",
            "seed": 4,
            "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0, "ue_per_site": 6},
            "radio": {"fading": "rician", "bandwidth_mhz": 20.0, "rate_model": "shannon"},
            "edge": {"pf_window_ttis": 4, "csi": "perfect"},
            "run": {"ttis": 8, "warmup_ttis": 4, "drops": 1},
            "mimo": {"n_ant": 8, "streams_per_cell": 2, "scheme": "single", **mimo},
        }

    full = simulate_mimo(scenario())
    t1 = simulate_mimo(scenario(csi_feedback="type1"))
    assert 0 < t1.kpis["ue_throughput_mean_bps"] < full.kpis["ue_throughput_mean_bps"]
