"""Antenna branches subcarrier-multiplexed on one laser (issue 19 item 6)."""

from __future__ import annotations

import numpy as np
import pytest

from rof.edge.mimo.scm import imd3_shares, scm_budget
from rof.edge.world import build_world
from rof.errors import RofError
from rof.scenario import as_scenario


@pytest.mark.parametrize("n", [2, 3, 8])
def test_imd3_shares_match_monte_carlo_products(n):
    """Third-order products f1 + f2 - f3 of uniform frequencies in [0, n): their in-band
    histogram per subcarrier, drawn independently, against the closed form."""
    rng = np.random.default_rng(n)
    f = rng.uniform(0.0, n, (3, 1_000_000))
    s = f[0] + f[1] - f[2]
    s = s[(s >= 0) & (s < n)]
    mc = np.bincount(s.astype(int), minlength=n) / s.size
    got = imd3_shares(n)
    np.testing.assert_allclose(got, mc, atol=5 * np.sqrt(mc.max() / s.size))
    np.testing.assert_allclose(got, got[::-1])  # symmetric, largest in the middle
    assert got[n // 2] > got[0] or n == 2
    assert got.sum() == pytest.approx(1.0)
    assert imd3_shares(1).tolist() == [1.0]


def _scn(**fh):
    return as_scenario(
        {
            "name": "scm",
            "seed": 2,
            "deployment": {"n_sites": 1, "inter_site_distance_m": 200.0, "ue_per_site": 9},
            "radio": {"fading": "rician", "bandwidth_mhz": 20.0, "rate_model": "shannon"},
            "fronthaul": {"fiber_length_km": 10.0, **fh},
            "edge": {"csi": "perfect", "pf_window_ttis": 4},
            "run": {"ttis": 1, "warmup_ttis": 0, "drops": 1},
            "mimo": {"n_ant": 8, "streams_per_cell": 4, "scheme": "single"},
        }
    )


def test_one_subcarrier_is_the_single_link_and_the_sum_is_the_composite():
    scn = _scn()
    world = build_world(scn, np.random.default_rng(0))
    fh, fc, bw = scn.fronthaul, 3.5e9, 20e6
    sndr1, sdr1 = scm_budget(fh, fc, bw, world.fiber_km, 1)
    np.testing.assert_allclose(sndr1[:, 0], world.snr_fh_db, rtol=1e-12)
    np.testing.assert_allclose(sdr1[:, 0], world.sdr_fh_db, rtol=1e-12)
    from rof.link.build import site_budgets

    comp = site_budgets(fh.parts(), fc, fh.rf_drive_dbm, 8 * bw, world.fiber_km)
    sndr8, sdr8 = scm_budget(fh, fc, bw, world.fiber_km, 8)
    # each subcarrier carries 1/8 of the signal: its distortion powers add to the composite's
    total = np.sum(10 ** (-sdr8 / 10) / 8, axis=1)
    np.testing.assert_allclose(total, 10 ** (-comp["sdr_db"] / 10), rtol=1e-10)
    # each branch's noise share: 1/8 of the signal over 1/8 of the band, the composite's SNR_n
    inv_n = 10 ** (-sndr8 / 10) - 10 ** (-sdr8 / 10)
    want = 10 ** (-comp["sndr_db"] / 10) - 10 ** (-comp["sdr_db"] / 10)
    np.testing.assert_allclose(inv_n, np.broadcast_to(want[:, None], inv_n.shape), rtol=1e-8)
    assert np.all(sdr8[:, 3] < sdr8[:, 0])  # composite triple beat peaks mid-band
    # against one link per antenna at the full drive: the noise part 8x (9 dB) worse, the
    # intermodulation ratio within 1 dB (1/8 of the power, 1/8 of the products on average)
    inv_n1 = 10 ** (-world.snr_fh_db / 10) - 10 ** (-world.sdr_fh_db / 10)
    np.testing.assert_allclose(inv_n[:, 0], 8 * inv_n1, rtol=1e-6)
    assert np.all(np.abs(sdr8 - world.sdr_fh_db[:, None]) < 1.0)


def test_scm_costs_throughput_against_one_link_per_antenna():
    """One TTI, perfect CSI, the same users: the SCM branches' share of one laser (1/8 of
    the drive each, the intermodulation of all eight) lowers what the cell delivers."""
    from rof.edge.mimo.loop import simulate_mimo

    scn = _scn(rf_drive_dbm=10.0)
    wdm = simulate_mimo(scn)
    scm = simulate_mimo(scn.with_overrides({"mimo.branch_mux": "scm"}))
    assert scm.kpis["ue_throughput_mean_bps"] < wdm.kpis["ue_throughput_mean_bps"]


def test_scm_with_wdm_crosstalk_is_refused():
    with pytest.raises(RofError) as exc:
        _scn().with_overrides({"mimo.branch_mux": "scm", "mimo.branch_crosstalk": "wdm"})
    assert "mimo.branch_crosstalk" in str(exc.value) and "scm" in str(exc.value)
