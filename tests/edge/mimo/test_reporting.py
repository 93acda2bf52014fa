"""The per-antenna CSI report's age follows the NR CSI timeline slot by slot (issue 19)."""

from __future__ import annotations

import numpy as np
import pytest

from rof.edge.mimo.channel import ArrayChannel
from rof.edge.mimo.reporting import ReportClock
from rof.edge.world import build_world
from rof.scenario import as_scenario


def _scn(fiber_km, **edge):
    return as_scenario(
        {
            "name": "clock",
            "seed": 3,
            "deployment": {"n_sites": 1, "inter_site_distance_m": 200.0, "ue_per_site": 6},
            "radio": {"fading": "rayleigh", "bandwidth_mhz": 5.0, "subcarrier_spacing_khz": 30},
            "fronthaul": {"fiber_length_km": fiber_km},
            "edge": {"processing_delay_ms": 0.5, **edge},
            "mimo": {"n_ant": 2, "streams_per_cell": 1},
        }
    )


@pytest.mark.parametrize(("fiber_km", "d"), [(0.0, 1), (10.0, 2), (20.0, 2)])
def test_age_per_slot_is_the_nr_sawtooth(fiber_km, d):
    """30 kHz (mu = 1, 0.5 ms slots), CSI-RS every 10 slots at offset 0, report in slot
    9 mod 10, reference resource n_ref = 4 * 2^mu = 8 slots (TS 38.214 5.2.2.5), edge delay
    d = ceil((2 x fiber + 0.5 ms) / 0.5 ms): 1 slot at 0 km, 2 at 10 and 20 km (the fiber's
    98 / 196 us round trip stays inside the second slot).

    By hand for d = 2: in slot 22 the newest usable report is slot 19 (22 - 1 - 2), which
    carries the CSI-RS of slot 10 (<= 19 - 8): age 12; it serves until slot 31 (age 21); in
    slot 32 the report of slot 29 (CSI-RS of slot 20) arrives: age 12 again.
    """
    scn = _scn(fiber_km)
    world = build_world(scn, np.random.default_rng(0))
    clock = ReportClock(scn, world)
    assert clock.timeline.edge_delay_slots.tolist() == [d] * world.n_cells
    ages = np.array([clock.age_s(t) / world.tti_s for t in range(21, 44)])
    assert np.allclose(ages, ages[:, :1])  # one fiber length: every cell alike
    want = np.array([21, *range(12, 22), *range(12, 22), 12, 13])
    if d == 1:  # one slot less delay: reports arrive a slot earlier
        want = np.array([*range(11, 21), *range(11, 21), 11, 12, 13])
    np.testing.assert_allclose(ages[:, 0], want, atol=1e-9)
    assert clock.age_ttis_mean().mean() == pytest.approx(np.mean(want[1:11]))


def test_reported_channel_is_the_measurement_slot_state():
    scn = _scn(10.0)
    world = build_world(scn, np.random.default_rng(0))
    chan = ArrayChannel(world, 2, np.random.default_rng(1), rician_k_db=-np.inf)
    clock = ReportClock(scn, world)
    for t in (22, 25, 31, 32):
        m = t - clock.age_s(t)[0] / world.tti_s
        got = clock.reported(chan, t, world.link_cell)
        np.testing.assert_array_equal(got, chan.at(m * world.tti_s))
    # between two reports the report does not change; the next one differs
    np.testing.assert_array_equal(clock.reported(chan, 23, world.link_cell), chan.at(10 * 5e-4))
    assert not np.allclose(clock.reported(chan, 32, world.link_cell), chan.at(10 * 5e-4))


def test_fixed_and_perfect_modes():
    scn = _scn(10.0, csi_timeline="fixed")
    world = build_world(scn, np.random.default_rng(0))
    clock = ReportClock(scn, world)
    lat = world.latency_s[world.deployment.cell_site]
    np.testing.assert_allclose(clock.age_s(7), 2 * lat + 0.5e-3, atol=1e-9)
    perfect = ReportClock(_scn(10.0, csi="perfect"), world)
    assert np.all(perfect.age_s(7) == 0.0)


def test_run_reports_the_timeline_mean_age():
    from rof.edge import simulate

    scn = _scn(10.0).with_overrides({"run.ttis": 30, "run.warmup_ttis": 10, "run.drops": 1})
    with pytest.warns(RuntimeWarning):
        res = simulate(scn)
    assert res.kpis["csi_delay_ttis_mean"] == pytest.approx(16.5)  # mean of 12..21


def test_cells_at_different_fiber_lengths_see_their_own_report():
    """Sites at 0 and 20 km from the edge (one slot apart in edge delay): each link's
    report is its own cell's measurement slot, also when only some RBs are asked for."""
    scn = _scn(10.0, csi_rs_period_slots=4)
    world = build_world(scn, np.random.default_rng(0))
    chan = ArrayChannel(world, 2, np.random.default_rng(1), rician_k_db=-np.inf)
    clock = ReportClock(scn, world)
    clock.timeline = type(clock.timeline)(
        **{**clock.timeline.__dict__, "edge_delay_s": np.array([0.4e-3, 0.4e-3, 0.9e-3])}
    )
    for t in range(20, 28):
        ages = clock.age_s(t) / world.tti_s
        got = clock.reported(chan, t, world.link_cell, np.array([0, 3]))
        for u in range(world.link_cell.shape[0]):
            for k, c in enumerate(world.link_cell[u]):
                want = chan.at((t - ages[c]) * world.tti_s)[[0, 3], u, k]
                np.testing.assert_array_equal(got[:, u, k], want)
    assert any(len(set(clock.age_s(t))) == 2 for t in range(20, 28))
