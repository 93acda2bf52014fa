"""Sweep machinery benchmarks: overhead per trivial point, and parallel speed-up.

Run with ``pytest benches/test_bench_sweep.py``. Goals (issue 5): under 50 ms of
overhead per trivial point locally; a 16-point sweep of ~0.3 s CPU points at least
1.7x faster on 2 worker processes than on 1.
"""

import functools
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from rof.sweep import InlineExecutor, LocalExecutor, Scenario, probe_point, run_sweep


def _scenario(n_points: int) -> dict:
    return {
        "name": "bench",
        "seed": 1,
        "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0, "ue_per_site": 2},
        "sweep": {"radio.ue_speed_kmh": [float(v) for v in range(n_points)]},
    }


@pytest.mark.parametrize("executor", ["inline", "local-2"])
def test_overhead_per_trivial_point(benchmark, tmp_path, executor):
    n = 200
    scn = _scenario(n)
    counter = iter(range(10**6))

    def run():
        ex = InlineExecutor() if executor == "inline" else LocalExecutor(2)
        with ex:  # pool start-up and shutdown are counted in the overhead
            run_sweep(
                scn, tmp_path / f"o{next(counter)}.h5", ex, point_fn=probe_point, progress=False
            )

    benchmark.pedantic(run, rounds=3, iterations=1)
    per_point_ms = benchmark.stats.stats.min / n * 1e3
    benchmark.extra_info["per_point_ms"] = per_point_ms
    print(f"\n{executor}: {per_point_ms:.2f} ms per trivial point ({n} points)")
    assert per_point_ms < 50.0


def _raw_pool_seconds(workers: int, fn, scn, n: int) -> float:
    """Wall time of ``n`` calls of ``fn(scn)`` on a bare process pool (no sweep machinery)."""
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        list(pool.map(probe_point, [scn] * workers))  # start the workers
        t0 = time.perf_counter()
        list(pool.map(fn, [scn] * n))
        return time.perf_counter() - t0


def _sweep_seconds(workers: int, fn, scn, path) -> float:
    with LocalExecutor(workers) as ex:
        warm = _scenario(workers)
        run_sweep(warm, path.with_suffix(".warm.h5"), ex, point_fn=probe_point, progress=False)
        t0 = time.perf_counter()
        run_sweep(scn, path, ex, point_fn=fn, progress=False)
        return time.perf_counter() - t0


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs 2 CPUs")
def test_two_workers_speed_up_16_points(benchmark, tmp_path):
    """Up to 3 interleaved rounds; each measures what a bare process pool gets from the
    machine right now (the ceiling) next to the sweep's speed-up, since shared machines
    lend their second core only part of the time."""
    scn = _scenario(16)
    fn = functools.partial(probe_point, cpu_s=0.3)
    one = Scenario.from_dict(scn).without_sweep()
    rounds = []
    for r in range(3):
        ceiling = _raw_pool_seconds(1, fn, one, 16) / _raw_pool_seconds(2, fn, one, 16)
        t1 = _sweep_seconds(1, fn, scn, tmp_path / f"r{r}w1.h5")
        t2 = _sweep_seconds(2, fn, scn, tmp_path / f"r{r}w2.h5")
        rounds.append((t1 / t2, ceiling, t1, t2))
        print(
            f"\nround {r}: 16 points x 0.3 s CPU: 1 worker {t1:.2f} s, 2 workers {t2:.2f} s, "
            f"speed-up {t1 / t2:.2f}x (bare process pool just before: {ceiling:.2f}x)"
        )
        if t1 / t2 >= 1.7:
            break
    best = max(rounds)
    benchmark.extra_info.update(speedup=best[0], ceiling=best[1], t1_s=best[2], t2_s=best[3])
    benchmark.pedantic(
        _sweep_seconds, args=(2, fn, scn, tmp_path / "bench.h5"), rounds=1, iterations=1
    )
    if best[0] < 1.7 and max(c for _, c, _, _ in rounds) < 1.8:
        pytest.skip("the machine lent two processes under 1.8x in every round (shared CPUs)")
    assert best[0] >= 1.7


def test_commit_into_a_large_result_file(benchmark, tmp_path):
    """Adding one point to a ~50 MB result file: the commit loads the file into memory,
    adds the point and writes it back by temporary file, fsync and rename (rof.store).
    Goal: under 3 s, so the checkpoint interval (5x the last commit) stays short."""
    import numpy as np

    from rof.store import SweepWriter

    n = 60
    axes = {"radio.ue_speed_kmh": [float(v) for v in range(n)]}
    path = tmp_path / "big.h5"
    rng = np.random.default_rng(0)
    big = {"kpis": {"k": 1.0}, "arrays": {"sinr_db": rng.standard_normal(110_000)}}
    seeds = list(range(n))
    with SweepWriter(path, 'name = "b"\n', axes, axes, seeds, "zip", checkpoint_s=1e9) as w:
        for i in range(n - 1):
            w.add(i, big)
    size_mb = path.stat().st_size / 1e6
    w = SweepWriter(path, 'name = "b"\n', axes, axes, seeds, "zip", resume=True)

    def commit():
        w.add(n - 1, big)
        w.flush()

    try:
        benchmark.pedantic(commit, rounds=3, iterations=1)
    finally:
        w.close()
    best = benchmark.stats.stats.min
    benchmark.extra_info.update(file_mb=size_mb, commit_s=best)
    print(f"\ncommit into a {size_mb:.0f} MB file: {best:.2f} s ({size_mb / best:.0f} MB/s)")
    assert best < 3.0
