"""Edge scheduler benchmarks (run with ``pytest benches/test_bench_edge.py -s``).

Reference: Sionna 2.2's per-sector PF scheduler (``PFSchedulerSUMIMO``) takes about
2.7 ms per slot for 57 sectors x 52 PRBs on this machine (figure from the issue).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from rof.edge import make_scheduler, simulate
from rof.edge._base import SchedulingInput
from rof.edge.world import build_world
from rof.scenario import as_scenario

SIONNA_PF_S = 2.7e-3


def _input(world, seed=0):
    rng = np.random.default_rng(seed)
    fad = world.fading.step()
    n_ue = world.link_cell.shape[0]
    return SchedulingInput(
        link_cell=world.link_cell,
        gain=world.large_scale[:, :, None] * fad,
        large_scale=world.large_scale,
        background_gain=world.background_gain,
        noise_w=world.noise_w,
        p_max_w=world.p_rb_w,
        background_power_w=world.p_rb_w,
        weight=1.0 / rng.uniform(1e6, 1e7, n_ue),
        serving=world.serving,
        serve_k=np.zeros(n_ue, dtype=np.int32),
        n_cells=world.n_cells,
        snr_fh=np.full(world.n_cells, np.inf),
        csi_age_s=np.zeros(world.n_cells),
        doppler_hz=world.doppler_hz,
        rng=rng,
    )


@pytest.fixture(scope="module")
def umi57():
    """19 sites x 3 sectors = 57 cells, 10 UEs per site, 10 MHz at 15 kHz = 52 PRBs, K = 16."""
    scn = as_scenario(
        {
            "name": "bench-57",
            "seed": 1,
            "deployment": {
                "n_sites": 19,
                "inter_site_distance_m": 200.0,
                "wraparound": True,
                "ue_per_site": 10,
            },
            "radio": {
                "bandwidth_mhz": 10.0,
                "subcarrier_spacing_khz": 15,
                "fading": "tdl",
                "top_k_links": 16,
            },
        }
    )
    world = build_world(scn, np.random.default_rng(1))
    assert world.n_cells == 57 and world.n_rb == 52
    return _input(world)


_RESULTS: dict[str, float] = {}


@pytest.mark.parametrize("name", ["proportional_fair", "coordinated_pf"])
def test_bench_57_cells_52_prbs(benchmark, umi57, name):
    sched = make_scheduler(name)
    sched(umi57)  # compile
    benchmark(sched, umi57)
    t = benchmark.stats.stats.median
    _RESULTS[name] = t
    print(
        f"\n{name}: {t * 1e3:.3f} ms per TTI (Sionna PF {SIONNA_PF_S * 1e3:.1f} ms: "
        f"{SIONNA_PF_S / t:.1f}x faster)"
    )
    if name == "proportional_fair":
        assert t < SIONNA_PF_S
    else:
        assert t < 5 * SIONNA_PF_S
        if "proportional_fair" in _RESULTS:
            print(f"coordinated_pf / proportional_fair = {t / _RESULTS['proportional_fair']:.1f}")


def _large(ue_per_site, ttis=100):
    return {
        "name": f"bench-1000-sites-{ue_per_site}",
        "seed": 2,
        "deployment": {
            "layout": "ppp",
            "density_per_km2": 25.0,
            "area_km2": 40.0,
            "sectors": 1,
            "wraparound": True,
            "ue_per_site": ue_per_site,
        },
        "radio": {
            "scenario": "UMi",
            "bandwidth_mhz": 10.0,
            "subcarrier_spacing_khz": 15,
            "fading": "tdl",
            "top_k_links": 8,
        },
        "edge": {"scheduler": "coordinated_pf"},
        "run": {"ttis": ttis, "warmup_ttis": 5, "drops": 1},
    }


def test_bench_1000_sites_20000_ues_100_ttis(benchmark):
    """Whole run (world, fading, scheduling, SINR, link adaptation): goal < 60 s."""
    t0, c0 = time.perf_counter(), time.process_time()
    res = benchmark.pedantic(simulate, args=(_large(20),), rounds=1, iterations=1)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    k = res.kpis
    print(
        f"\n1000-site run: {k['n_cells']:.0f} cells, {k['n_ue']:.0f} UEs, 100 TTIs x "
        f"{k['n_rb']:.0f} PRBs: {wall:.1f} s wall ({cpu:.1f} s CPU), scheduler "
        f"{res.timings['scheduler_time_per_tti_s'] * 1e3:.0f} ms per TTI; {res.summary()}"
    )
    assert wall < 120.0


def test_bench_scheduler_growth_in_ues(benchmark):
    """coordinated_pf time per TTI at 5, 10 and 20 UEs per site (1000 sites): fitted exponent."""
    sizes, times = [], []
    sched = make_scheduler("coordinated_pf")
    for ups in (5, 10, 20):
        world = build_world(as_scenario(_large(ups)), np.random.default_rng(3))
        inp = _input(world)
        sched(inp)
        if ups == 20:
            benchmark.pedantic(sched, args=(inp,), rounds=3, iterations=1)
            t = benchmark.stats.stats.median
        else:
            ts = []
            for _ in range(3):
                t0 = time.perf_counter()
                sched(inp)
                ts.append(time.perf_counter() - t0)
            t = float(np.median(ts))
        sizes.append(inp.n_ue)
        times.append(t)
    slope = np.polyfit(np.log(sizes), np.log(times), 1)[0]
    print(
        "\ncoordinated_pf per TTI: "
        + ", ".join(f"{n} UEs {t * 1e3:.0f} ms" for n, t in zip(sizes, times, strict=True))
        + f"; fitted exponent {slope:.2f}"
    )
    assert slope < 1.25


def test_bench_rof_run_coordination(benchmark, tmp_path):
    """``rof run scenarios/coordination.toml`` (4 drops x 1100 TTIs, intervals, result file)
    warm: goal < 10 s (issue 15)."""
    from pathlib import Path

    import rof.cli

    scn = Path(__file__).resolve().parents[1] / "scenarios" / "coordination.toml"
    simulate(as_scenario(scn).without_sweep().with_overrides({"run.ttis": 20, "run.drops": 1,
                                                              "run.warmup_ttis": 5}))  # fmt: skip
    out = tmp_path / "c.h5"

    def run():
        out.unlink(missing_ok=True)
        return rof.cli.main(["run", str(scn), "-o", str(out), "-q"])

    t0, c0 = time.perf_counter(), time.process_time()
    assert benchmark.pedantic(run, rounds=1, iterations=1) == 0
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"\nrof run coordination.toml: {wall:.1f} s wall ({cpu:.1f} s CPU)")
    assert wall < 10.0


@pytest.mark.slow
def test_bench_capacity_vs_fiber_sweep_two_workers(benchmark, tmp_path):
    """``rof sweep scenarios/capacity_vs_fiber.toml --workers 2`` (12 points of 4 drops x
    1100 TTIs): goal < 10 min (issue 15). Minutes long, so marked slow and run by name:
    ``pytest benches/test_bench_edge.py -m slow -k capacity_vs_fiber -s``."""
    from pathlib import Path

    import rof.cli

    scn = Path(__file__).resolve().parents[1] / "scenarios" / "capacity_vs_fiber.toml"
    out = tmp_path / "cvf.h5"

    def run():
        out.unlink(missing_ok=True)
        return rof.cli.main(["sweep", str(scn), "-o", str(out), "--workers", "2", "-q"])

    t0 = time.perf_counter()
    assert benchmark.pedantic(run, rounds=1, iterations=1) == 0
    wall = time.perf_counter() - t0
    print(f"\nrof sweep capacity_vs_fiber.toml --workers 2: {wall:.0f} s wall")
    assert wall < 600.0
