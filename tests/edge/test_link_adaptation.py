"""Outer-loop link adaptation (the effective SINR is tested in tests/radio)."""

import warnings

import numpy as np
import pytest

from rof.edge import simulate
from rof.edge.link_adaptation import OuterLoop
from rof.errors import RofError


def test_outer_loop_converges_to_bler_target():
    """With a fixed error probability curve p(offset), OLLA settles where p = target."""
    rng = np.random.default_rng(1)
    ol = OuterLoop(n_ue=200, bler_target=0.1, step_up_db=0.3)
    # error probability falls with the offset (backing off makes blocks safer)
    for _ in range(4000):
        p_err = 1.0 / (1.0 + np.exp(2.0 * ol.offset_db))
        err = rng.random(200) < p_err
        ol.update(np.arange(200), err)
    p_final = 1.0 / (1.0 + np.exp(2.0 * ol.offset_db))
    # fixed point: p = 0.1  <=>  offset = ln(9) / 2
    assert abs(np.mean(p_final) - 0.1) < 0.02
    assert abs(np.mean(ol.offset_db) - np.log(9) / 2) < 0.15


def test_outer_loop_rejects_bad_target():
    with pytest.raises(RofError, match="bler_target"):
        OuterLoop(3, bler_target=1.2)


def test_outer_loop_offset_is_bounded():
    ol = OuterLoop(2, bler_target=0.1, step_up_db=1.0, max_offset_db=4.0)
    for _ in range(20):
        ol.update(np.array([0, 1]), np.array([True, False]))
    np.testing.assert_allclose(ol.offset_db, [4.0, -20 / 9])
    for _ in range(200):
        ol.update(np.array([1]), np.array([False]))
    assert ol.offset_db[1] == -4.0


def test_cqi_quantisation_by_hand():
    """4-bit CQI of TS 38.214 Table 5.2.2.1-3: CQI 1 is QPSK 78/1024 (SE 0.1523), CQI 15 is
    256QAM 948/1024 (SE 7.4063); each CQI's 10 %-BLER SINR is 10 log10(2^SE - 1) + 2 dB."""
    from rof.edge.link_adaptation import cqi_sinr_db

    thr1 = 10 * np.log10(2**0.1523 - 1) + 2.0
    thr15 = 10 * np.log10(2**7.4063 - 1) + 2.0
    assert cqi_sinr_db(thr1, "qam256") == pytest.approx(thr1)
    assert cqi_sinr_db(thr1 - 0.01, "qam256") == -np.inf  # CQI 0: out of range
    assert cqi_sinr_db(40.0, "qam256") == pytest.approx(thr15)
    x = np.linspace(-10.0, 35.0, 2001)
    q = cqi_sinr_db(x, "qam256")
    finite = q[np.isfinite(q)]
    assert np.unique(finite).size == 15
    assert np.all(q <= x) and np.all(np.diff(finite) >= 0)
    # table 1 (64QAM) tops out at CQI 15 = 64QAM 948/1024, SE 5.5547
    assert cqi_sinr_db(40.0, "qam64") == pytest.approx(10 * np.log10(2**5.5547 - 1) + 2.0)


def test_low_se_table_reports_cqi_table_3():
    """MCS table 3 is reported with CQI table 3 (TS 38.214 Table 5.2.2.1-4): CQI 1 is QPSK
    30/1024 (SE 0.0586), CQI 15 64QAM 772/1024 (SE 4.5234)."""
    from rof.edge.link_adaptation import CQI_TABLE_OF_MCS, cqi_sinr_db

    assert CQI_TABLE_OF_MCS["qam64lowse"] == "table3"
    thr1 = 10 * np.log10(2**0.0586 - 1) + 2.0  # -11.8 dB on the SE-gap scale
    assert cqi_sinr_db(thr1, "qam64lowse") == pytest.approx(thr1)
    assert cqi_sinr_db(thr1 - 0.01, "qam64lowse") == -np.inf
    assert cqi_sinr_db(40.0, "qam64lowse") == pytest.approx(10 * np.log10(2**4.5234 - 1) + 2.0)
    q = cqi_sinr_db(np.linspace(-15.0, 35.0, 2001), "qam64lowse")
    assert np.unique(q[np.isfinite(q)]).size == 15


@pytest.mark.parametrize("table", ["qam1024", "qam64LowSE"])
def test_unknown_mcs_table_lists_the_valid_ones(table):
    from .test_simulate import scenario

    with pytest.raises(RofError, match=r"radio\.mcs_table") as exc:
        simulate(scenario(**{"radio.mcs_table": table}))
    for name in ("'qam64'", "'qam256'", "'qam64lowse'"):
        assert name in str(exc.value)


def test_outer_loop_keeps_bler_near_target_with_stale_csi():
    """Users at 30 km/h with the NR CSI timeline: the report is ~8 ms old, past where
    J0(2 pi 97 Hz tau) decorrelates it, so the CQI overstates the channel about as often
    as it understates it. With the outer loop the block error rate settles near the 10 %
    target (the residual excess is from UEs already at MCS 0, below which it cannot back
    off); without it, the MCS follows the stale CQI and half the blocks fail."""
    from .test_simulate import scenario

    def run(outer_loop):
        over = {"radio.fading": "tdl", "radio.ue_speed_kmh": 30.0, "edge.outer_loop": outer_loop,
                "run.ttis": 1000, "run.warmup_ttis": 500, "edge.pf_window_ttis": 20}  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # short PF window on purpose
            return simulate(scenario(**over)).kpis

    with_olla, without = run(True), run(False)
    print(f"BLER with OLLA {with_olla['bler']:.3f}, without {without['bler']:.3f}")
    assert abs(with_olla["bler"] - 0.1) < 0.04
    assert without["bler"] > 0.3
    assert with_olla["ue_throughput_mean_bps"] > without["ue_throughput_mean_bps"]
