"""The world of one scenario: what build_world takes from the schema, and numerology."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rof.edge.world import build_world, numerology
from rof.scenario import Scenario

_BASE = {"name": "world", "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0}}


def _scn(**deployment):
    return Scenario.from_dict(
        {**_BASE, "deployment": {**_BASE["deployment"], "ue_per_site": 20, **deployment}}
    )


@pytest.mark.parametrize(("scs_khz", "mu"), [(15, 0), (30, 1), (60, 2), (120, 3)])
def test_numerology_of_ts38211(scs_khz, mu):
    """TS 38.211 4.2-4.3: slot 1 ms / 2^mu, RB of 12 subcarriers."""
    got_mu, slot_s, rb_hz = numerology(scs_khz)
    assert got_mu == mu
    assert slot_s == pytest.approx(1e-3 / 2**mu, rel=1e-15)
    assert rb_hz == pytest.approx(12 * scs_khz * 1e3, rel=1e-15)


def test_deployment_defaults_come_from_the_schema():
    """The schema's defaults (no wrap-around, all UTs outdoors) reach the deployment;
    before issue 14 the radio layer had its own (True, 0.8)."""
    scn = _scn()
    assert scn.deployment.wraparound is False and scn.deployment.indoor_fraction == 0.0
    w = build_world(scn, np.random.default_rng(0))
    assert not w.deployment.wraparound
    assert not w.deployment.ue_indoor.any()
    w2 = build_world(_scn(wraparound=True, indoor_fraction=1.0), np.random.default_rng(0))
    assert w2.deployment.wraparound and w2.deployment.ue_indoor.all()


def test_world_shapes_and_powers():
    scn = _scn()
    w = build_world(scn, np.random.default_rng(1))
    n_ue, k = w.link_cell.shape
    assert n_ue == 7 * 20 and k == min(scn.radio.top_k_links, w.n_cells)
    np.testing.assert_array_equal(w.serving, w.link_cell[:, 0])
    # the site power is split evenly over the RBs: 35 dBm default
    p_w = 10 ** ((scn.radio.site_power_dbm - 30) / 10)
    assert w.p_rb_w * w.n_rb == pytest.approx(p_w, rel=1e-12)
    # hex area: n_sites cells of sqrt(3)/2 ISD^2
    assert w.area_km2 == pytest.approx(7 * math.sqrt(3) / 2 * 200.0**2 / 1e6, rel=1e-12)
    assert np.all(np.diff(w.large_scale, axis=1) <= 0)  # strongest link first


def test_default_fading_follows_each_links_los_state_and_the_tr_delay_spread():
    """Issue 16 item 4: by default each link fades by its own LOS state (TDL-D on LOS
    links) with TR 38.901 Table 7.5-6's median delay spread per state; before, every
    link got TDL-C at a fixed 100 ns."""
    w = build_world(_scn(), np.random.default_rng(2))
    np.testing.assert_array_equal(w.fading.los, w.los)
    assert w.los.any() and not w.los.all()
    fc = Scenario.from_dict(_BASE).radio.carrier_ghz
    # Table 7.5-6, UMi street canyon: lgDS = -0.24 log10(1 + fc) - 6.83 (NLOS), - 7.14 (LOS)
    assert w.fading.delay_spread_s == pytest.approx(10 ** (-0.24 * math.log10(1 + fc) - 6.83))
    assert w.fading.delay_spread_los_s == pytest.approx(10 ** (-0.24 * math.log10(1 + fc) - 7.14))


def test_given_delay_spread_or_same_fading_is_kept():
    """A delay spread the user gives is used for every link; fading_los = "same" turns
    the LOS-aware fading off."""
    scn = Scenario.from_dict({**_BASE, "radio": {"delay_spread_ns": 250.0, "fading_los": "same"}})
    w = build_world(scn, np.random.default_rng(2))
    assert w.fading.los is None
    assert w.fading.delay_spread_s == pytest.approx(250e-9)
    assert w.fading.delay_spread_los_s == pytest.approx(250e-9)


def test_delay_spread_mode_survives_the_round_trip_through_to_dict():
    """`rof run` and sweeps pass the scenario through to_dict(); the delay spread must
    not turn 'given' on the way (it did: a written-out default counted as set, so
    `rof run` used 100 ns where `simulate(path)` used the TR's median)."""
    scn = Scenario.from_dict(_BASE)
    again = Scenario.from_dict(scn.to_dict())
    w1 = build_world(scn, np.random.default_rng(3))
    w2 = build_world(again, np.random.default_rng(3))
    assert w1.fading.delay_spread_s == w2.fading.delay_spread_s
    assert w1.fading.delay_spread_los_s == w2.fading.delay_spread_los_s
    assert w1.fading.delay_spread_s != pytest.approx(100e-9)
