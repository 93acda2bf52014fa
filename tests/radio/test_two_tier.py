"""Two-tier (macro + small cell) deployments and their merged link table (issue 16 item 6)."""

import numpy as np
import pytest

from rof.errors import RofError
from rof.radio.deployment import make_deployment
from rof.radio.linktable_reference import link_table_reference
from rof.radio.o2i import draw_o2i_loss
from rof.radio.two_tier import Tier, _tier_deployment, add_small_cells, build_two_tier_link_table


def _macro(seed=0):
    return make_deployment(
        "hex",
        rng=np.random.default_rng(seed),
        wraparound=True,
        indoor_fraction=0.5,
        n_sites=7,
        inter_site_distance_m=500.0,
        ue_per_site=20,
        site_height_m=25.0,
        scenario="UMa",
    )


def test_small_cells_respect_the_spacing_rules():
    dep, n_m = add_small_cells(_macro(), 3, np.random.default_rng(1))
    assert n_m == 7 and dep.n_sites == 7 + 21 and dep.n_cells == 21 + 21
    small = dep.site_xy_m[n_m:]
    imgs = (dep.site_xy_m[:n_m][None] + dep.wrap_shifts_m[:, None]).reshape(-1, 2)
    assert np.linalg.norm(small[:, None] - imgs[None], axis=2).min() >= 75.0
    dd = np.linalg.norm(small[:, None] - small[None], axis=2) + 1e9 * np.eye(len(small))
    assert dd.min() >= 40.0
    assert np.all(np.isnan(dep.cell_azimuth_deg[21:])) and np.all(dep.site_height_m[n_m:] == 10)


def test_impossible_density_is_refused():
    with pytest.raises(RofError, match="small_cells_per_site"):
        add_small_cells(_macro(), 10, np.random.default_rng(1), min_small_distance_m=300.0)


def test_merge_matches_dense_reference():
    dep, n_m = add_small_cells(_macro(), 2, np.random.default_rng(1))
    tiers = (
        Tier("UMa", "config1_10x1", 0.0),
        Tier("UMi", None, -10.0 + 5.0),  # 10 dB less power, 5 dBi omni
    )
    k = 5
    lt = build_two_tier_link_table(dep, n_m, tiers, fc_ghz=6.0, k=k, rng=np.random.default_rng(9))
    # dense reference: the same draws, every cell of each tier, then top-K by hand
    rng = np.random.default_rng(9)
    o2i = draw_o2i_loss("UMa", dep.ue_indoor, 6.0, rng)
    full = np.full((dep.n_ue, dep.n_cells), -np.inf)
    for tier, sites in zip(tiers, (np.arange(n_m), np.arange(n_m, dep.n_sites)), strict=True):
        sub, cells = _tier_deployment(dep, sites)
        opts = dict(o2i_loss=o2i)
        if tier.antenna is not None:
            opts["antenna"] = tier.antenna
        ref = link_table_reference(
            sub, scenario=tier.scenario, fc_ghz=6.0, k=sub.n_cells, rng=rng, **opts
        )
        rows = np.arange(dep.n_ue)[:, None]
        full[rows, cells[ref.cell]] = ref.gain_db.astype(float) + tier.gain_offset_db
    order = np.argsort(-full, axis=1)
    np.testing.assert_allclose(
        lt.gain_db, np.take_along_axis(full, order[:, :k], axis=1), atol=1e-4
    )
    # each kept cell is the cell of that gain (ties of float32 gains may swap order)
    rows = np.arange(dep.n_ue)[:, None]
    np.testing.assert_allclose(full[rows, lt.cell], lt.gain_db, atol=1e-4)
    assert np.all(np.diff(lt.gain_db, axis=1) <= 0)
    bg = (10 ** (np.take_along_axis(full, order[:, k:], axis=1) / 10)).sum(axis=1)
    np.testing.assert_allclose(lt.background_gain, bg, rtol=1e-5)
    # some UTs are served by a small cell
    assert np.any(lt.cell[:, 0] >= 21)


def test_scenario_keys_build_a_two_tier_world():
    from pathlib import Path

    from rof.edge.world import build_world
    from rof.scenario import Scenario

    uma = Path(__file__).resolve().parents[2] / "scenarios" / "calibration_uma.toml"
    scn = Scenario.from_toml(uma).with_overrides(
        {
            "deployment.small_cells_per_site": 1,
            "deployment.n_sites": 7,
            "radio.small_cell_power_dbm": 30.0,
        }
    )
    w = build_world(scn, np.random.default_rng(0))
    n_macro_cells = 21
    assert w.deployment.n_sites == 14 and w.deployment.n_cells == n_macro_cells + 7
    assert np.any(w.serving >= n_macro_cells) and np.any(w.serving < n_macro_cells)
    with pytest.raises(RofError, match="small_cells_per_site"):
        scn.with_overrides({"deployment.small_cells_per_site": -1})
