"""Dense 19-site, 3-sector UMi at 200 m ISD: coordinated_pf vs per-site proportional_fair."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from rof.edge import simulate


def _dense(seed, scheduler, ttis, bandwidth_mhz):
    return {
        "name": f"dense-umi-{scheduler}-{seed}",
        "seed": seed,
        "deployment": {
            "layout": "hex",
            "n_sites": 19,
            "inter_site_distance_m": 200.0,
            "sectors": 3,
            "wraparound": True,
            "ue_per_site": 10,
            "indoor_fraction": 0.8,
        },
        "radio": {
            "scenario": "UMi",
            "bandwidth_mhz": bandwidth_mhz,
            "fading": "tdl",
            "top_k_links": 8,
        },
        "edge": {"scheduler": scheduler, "csi": "delayed"},
        "run": {"ttis": ttis, "warmup_ttis": 50},
    }


def _gain(seeds, ttis, bandwidth_mhz):
    rel = []
    for seed in seeds:
        p5 = {}
        for s in ("proportional_fair", "coordinated_pf"):
            p5[s] = simulate(_dense(seed, s, ttis, bandwidth_mhz)).kpis["ue_throughput_p5_bps"]
        rel.append(p5["coordinated_pf"] / p5["proportional_fair"] - 1.0)
    rel = np.array(rel)
    half = stats.t.ppf(0.975, rel.size - 1) * rel.std(ddof=1) / np.sqrt(rel.size)
    print(
        f"coordination gain on 5th-percentile throughput over {rel.size} seeds: "
        f"{100 * rel.mean():+.1f} % (95 % CI {100 * (rel.mean() - half):+.1f} .. "
        f"{100 * (rel.mean() + half):+.1f} %); per seed {np.round(100 * rel, 1)}"
    )
    return rel, half


def test_coordinated_pf_beats_per_site_pf_on_p5_fast():
    rel, _half = _gain(seeds=(11, 12, 13), ttis=300, bandwidth_mhz=10.0)
    assert rel.mean() > 0.1
    assert np.all(rel > 0)


@pytest.mark.slow
def test_coordinated_pf_beats_per_site_pf_on_p5_confidence_interval():
    rel, half = _gain(seeds=range(100, 110), ttis=600, bandwidth_mhz=20.0)
    assert rel.mean() - half > 0.0
