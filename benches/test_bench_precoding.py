"""Multi-antenna precoding benchmarks (issue 19; run with
``pytest benches/test_bench_precoding.py -s``).

Goal: 57 cells x 8 antennas, 570 UEs, 52 PRBs, RZF with user-centric clusters of 3
cells and 4 streams per cell: under 20 ms per TTI, stating the share spent in the
batched linear algebra (Gram matrices, Cholesky solves and beams of
:func:`rof.edge.mimo.cluster.precoders`); the TTI cost grows at most linearly in the
number of cells for a fixed cluster size.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from rof.edge.mimo.branches import Branches
from rof.edge.mimo.channel import ArrayChannel
from rof.edge.mimo.cluster import evaluate, plan_streams, precoders
from rof.edge.mimo.loop import _cells
from rof.edge.mimo.sus import sus
from rof.edge.world import build_world
from rof.scenario import as_scenario

N_ANT, STREAMS, CLUSTER = 8, 4, 3


def _world(n_sites: int, ue_per_site: int):
    scn = as_scenario(
        {
            "name": f"bench-mimo-{n_sites}",
            "seed": 1,
            "deployment": {
                "n_sites": n_sites,
                "inter_site_distance_m": 200.0,
                "wraparound": True,
                "ue_per_site": ue_per_site,
            },
            "radio": {
                "bandwidth_mhz": 10.0,
                "subcarrier_spacing_khz": 15,
                "fading": "rayleigh",
                "top_k_links": 8,
            },
        }
    )
    return build_world(scn, np.random.default_rng(1))


class _Tti:
    """One TTI of the multi-antenna loop (rof.edge.mimo.loop) with per-stage timers."""

    def __init__(self, world):
        rng = np.random.default_rng(2)
        self.world = world
        self.chan = ArrayChannel(world, N_ANT, rng)
        site = world.deployment.cell_site
        budget = type(
            "B",
            (),
            {
                "sndr_db": world.snr_fh_db[site][:, None],
                "snr_db": world.snr_fh_db[site][:, None],
                "sdr_db": world.sdr_fh_db[site][:, None],
                "gain_db": 0.0,
                "latency_s": world.latency_s[site][:, None],
            },
        )
        self.branches = Branches.from_budget(budget, world.n_cells, N_ANT, world.p_rb_w / N_ANT)
        self.cells = _cells(world)
        self.lc = world.link_cell.astype(np.int64)
        self.weight = 1.0 / rng.uniform(1e6, 1e7, world.deployment.n_ue)
        self.t = 0
        self.stages = {"channel": 0.0, "sus": 0.0, "precoders": 0.0, "evaluate": 0.0}

    def __call__(self):
        w, n_ue, n_cells = self.world, self.world.deployment.n_ue, self.world.n_cells
        t0 = time.perf_counter()
        ts = self.t * w.tti_s
        self.t += 1
        h_true, h_rep = self.chan.at(ts), self.chan.at(ts - 1e-3)
        t1 = time.perf_counter()
        cand = np.where(self.cells >= 0, self.cells, n_ue)
        h_srv = np.concatenate([h_rep[:, :, 0, :], np.zeros((w.n_rb, 1, N_ANT))], axis=1)
        sel = sus(h_srv[:, cand], np.r_[self.weight, 0.0][cand][None], STREAMS, 0.4)
        sched = np.where(
            sel >= 0, self.cells[np.arange(n_cells)[None, :, None], np.maximum(sel, 0)], -1
        )
        plan = plan_streams("jt_user", sched, self.lc, cluster_size=CLUSTER, n_ant=N_ANT)
        t2 = time.perf_counter()
        wts = precoders(plan, h_rep, self.lc, w.noise_w, w.p_rb_w, n_cells, "rzf")
        t3 = time.perf_counter()
        wts = self.branches.radiate(wts, plan.tx)
        ev = evaluate(plan, wts, h_true, self.lc, w.noise_w, self.branches.noise_w(wts, plan.tx))
        t4 = time.perf_counter()
        for k, dt in zip(self.stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            self.stages[k] += dt
        return ev


@pytest.fixture(scope="module")
def tti57():
    world = _world(19, 30)
    assert world.n_cells == 57 and world.n_rb == 52 and world.deployment.n_ue == 570
    tti = _Tti(world)
    tti()  # compile / load the cached kernels
    tti.stages = dict.fromkeys(tti.stages, 0.0)
    return tti


@pytest.mark.xfail(
    reason="goal not met yet: about 50 ms per TTI on 2 threads, 70 ms on 1 (Dec 2026, 2 shared "
    "cores); the precoders are about 45 % of it",
    strict=False,
)
def test_bench_rzf_user_centric_57_cells(benchmark, tti57):
    benchmark.pedantic(tti57, rounds=20, iterations=1)
    t = benchmark.stats.stats.median
    total = sum(tti57.stages.values())
    shares = ", ".join(f"{k} {v / total:.0%}" for k, v in tti57.stages.items())
    n_str = int(np.sum(~np.isnan(tti57().sinr)))
    print(
        f"\n57 cells x {N_ANT} antennas, 570 UEs, 52 PRBs, RZF over user-centric clusters of "
        f"{CLUSTER} ({n_str} streams on the last TTI): {t * 1e3:.1f} ms per TTI "
        f"(median of 20); {shares}"
    )
    assert t < 0.020


def test_bench_growth_in_cells(benchmark):
    """Per-TTI time per cell at 7, 19 and 37 sites (21, 57, 111 cells), fixed cluster size."""
    per_cell = []
    for n_sites in (7, 19, 37):
        tti = _Tti(_world(n_sites, 30))
        tti()
        best = np.inf
        for _ in range(5):
            t0 = time.perf_counter()
            tti()
            best = min(best, time.perf_counter() - t0)
        per_cell.append(best / tti.world.n_cells)
        print(f"\n{tti.world.n_cells} cells: {best * 1e3:.1f} ms per TTI")
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    print(f"time per cell, 21 -> 111 cells: {[f'{x * 1e6:.0f} us' for x in per_cell]}")
    assert per_cell[-1] < 2.0 * per_cell[0]  # at most linear (within noise)
