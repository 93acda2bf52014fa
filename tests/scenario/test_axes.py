"""Sweep axes: product and zip orders, and per-point seeds from SeedSequence.spawn."""

import itertools

import numpy as np
import pytest

from rof.sweep import Scenario, point_seed, sweep_points

BASE = {"name": "axes", "seed": 1234, "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0}}


def _scn(sweep):
    return Scenario.from_dict({**BASE, "sweep": sweep})


def test_product_order_is_last_axis_fastest():
    a, b = [0.0, 5.0, 10.0], ["round_robin", "wmmse"]
    pts = sweep_points(_scn({"fronthaul.fiber_length_km": a, "edge.scheduler": b}))
    expect = list(itertools.product(a, b))
    assert [
        (p.values["fronthaul.fiber_length_km"], p.values["edge.scheduler"]) for p in pts
    ] == expect
    for p in pts:
        assert p.scenario.fronthaul.fiber_length_km == p.values["fronthaul.fiber_length_km"]
        assert p.scenario.edge.scheduler == p.values["edge.scheduler"]
        assert p.scenario.sweep is None


def test_zip_pairs_values():
    pts = sweep_points(
        _scn(
            {
                "mode": "zip",
                "radio.carrier_ghz": [3.5, 28.0],
                "radio.subcarrier_spacing_khz": [30, 120],
            }
        )
    )
    assert [(p.scenario.radio.carrier_ghz, p.scenario.radio.resource_blocks) for p in pts] == [
        (3.5, 273),
        (28.0, 66),
    ]


def test_seeds_are_spawned_children():
    pts = sweep_points(_scn({"radio.ue_speed_kmh": [3.0, 30.0, 120.0, 60.0]}))
    # Independent reference: NumPy's own SeedSequence spawning, child i -> point i.
    children = np.random.SeedSequence(1234).spawn(4)
    for p, child in zip(pts, children, strict=True):
        state = child.generate_state(2, dtype=np.uint32)
        assert p.seed == ((int(state[1]) << 32) | int(state[0])) & (2**63 - 1)
        assert p.scenario.seed == p.seed
    assert len({p.seed for p in pts}) == 4
    # Generators built from the point seeds draw independent-looking streams.
    draws = np.array([np.random.default_rng(p.seed).standard_normal(2000) for p in pts])
    corr = np.corrcoef(draws)
    assert np.all(np.abs(corr[~np.eye(4, dtype=bool)]) < 0.1)


def test_point_seed_range():
    for s in np.random.SeedSequence(0).spawn(50):
        assert 0 <= point_seed(s) < 2**63


def test_seed_depends_on_index_not_on_other_points():
    one = sweep_points(_scn({"radio.ue_speed_kmh": [3.0, 30.0]}))
    two = sweep_points(_scn({"radio.ue_speed_kmh": [3.0, 30.0, 120.0]}))
    assert [p.seed for p in one] == [p.seed for p in two[:2]]


def test_single_run_keeps_scenario_seed():
    (p,) = sweep_points(Scenario.from_dict(BASE))
    assert p.seed == 1234 and p.values == {} and p.index == 0


def test_repeated_values_rejected():
    with pytest.raises(ValueError, match="repeats a value"):
        _scn({"radio.ue_speed_kmh": [3.0, 3.0]})


def test_common_seed_gives_every_point_the_first_child():
    pts = sweep_points(_scn({"common_seed": True, "radio.ue_speed_kmh": [3.0, 30.0, 120.0]}))
    first = point_seed(np.random.SeedSequence(1234).spawn(1)[0])
    assert [p.seed for p in pts] == [first] * 3
    with pytest.raises(ValueError, match=r"sweep\.common_seed"):
        _scn({"common_seed": "yes", "radio.ue_speed_kmh": [3.0]})
