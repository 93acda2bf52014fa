"""Link-table benchmarks (issue #3): 1,000 cells x 20,000 UTs, goal < 0.5 s and < 1 GB.

Run: ``python -m pytest benches/test_bench_radio_linktable.py -s``. The first call of
each test compiles (or loads the cached) numba kernel outside the timed rounds.
"""

import resource
import time
import tracemalloc

import numba
import numpy as np
import pytest

from rof.radio.deployment import Deployment, indoor_heights_m
from rof.radio.linktable import build_link_table
from rof.radio.linktable_reference import link_table_reference


def _network(n_sites, n_ue, sectors, seed=0, side_m=6000.0, indoor_fraction=0.8):
    """Uniform sites and UTs in a square torus (PPP-like, exact counts), UMi heights."""
    rng = np.random.default_rng(seed)
    sites = (rng.random((n_sites, 2)) - 0.5) * side_m
    ue = (rng.random((n_ue, 2)) - 0.5) * side_m
    indoor = rng.random(n_ue) < indoor_fraction
    h = np.where(indoor, indoor_heights_m(n_ue, rng), 1.5)
    g = np.array([0.0, -side_m, side_m])
    shifts = np.array([[a, b] for a in g for b in g])
    return Deployment(
        site_xy_m=sites,
        site_height_m=np.full(n_sites, 10.0),
        cell_site=np.repeat(np.arange(n_sites, dtype=np.int64), sectors),
        cell_azimuth_deg=np.tile([30.0, 150.0, 270.0] if sectors == 3 else [np.nan], n_sites),
        ue_xy_m=ue,
        ue_height_m=h,
        ue_indoor=indoor,
        ue_serving_site_hint=np.zeros(n_ue, np.int64),
        layout="ppp",
        region_bounds_m=(-side_m / 2, -side_m / 2, side_m / 2, side_m / 2),
        wrap_shifts_m=shifts,
    )


KW = dict(scenario="UMi", fc_ghz=3.5, k=16)


def _peak_mb(fn):
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


@pytest.mark.parametrize(
    "n_sites,sectors,shadowing",
    [(1000, 1, True), (1000, 1, False), (334, 3, True)],
    ids=["1000cells-shadowing", "1000cells-noshadowing", "334x3cells-shadowing"],
)
def test_bench_link_table_1000_cells_20000_ue(benchmark, n_sites, sectors, shadowing):
    dep = _network(n_sites, 20_000, sectors)
    build_link_table(dep, rng=np.random.default_rng(1), shadowing=shadowing, **KW)  # compile/warm
    peak = _peak_mb(
        lambda: build_link_table(dep, rng=np.random.default_rng(1), shadowing=shadowing, **KW)
    )
    t = benchmark.pedantic(
        lambda: build_link_table(dep, rng=np.random.default_rng(1), shadowing=shadowing, **KW),
        rounds=5,
        iterations=1,
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    c0 = time.process_time()
    build_link_table(dep, rng=np.random.default_rng(1), shadowing=shadowing, **KW)
    cpu = time.process_time() - c0
    benchmark.extra_info.update(
        peak_traced_mb=peak, max_rss_mb=rss_mb, n_cells=dep.n_cells, cpu_s=cpu
    )
    print(
        f"\nlink table {dep.n_cells} cells x {dep.n_ue} UTs (shadowing={shadowing}, "
        f"{numba.get_num_threads()} threads): min {benchmark.stats['min']:.3f} s, "
        f"median {benchmark.stats['median']:.3f} s wall; {cpu:.3f} CPU-s in all threads; "
        f"traced peak {peak:.0f} MB, process max RSS {rss_mb:.0f} MB"
    )
    assert t.cell.shape == (20_000, 16)
    assert peak < 1024.0


@pytest.mark.parametrize("shadowing", [False, True], ids=["noshadowing", "shadowing"])
def test_bench_kernel_vs_numpy_reference(benchmark, shadowing):
    dep = _network(200, 5000, 1, side_m=2700.0)
    kw = dict(KW, shadowing=shadowing)
    build_link_table(dep, rng=np.random.default_rng(1), **kw)
    t_ref = min(
        _timed(lambda: link_table_reference(dep, rng=np.random.default_rng(1), **kw))
        for _ in range(2)
    )
    benchmark.pedantic(lambda: build_link_table(dep, rng=np.random.default_rng(1), **kw), rounds=5)
    ratio = t_ref / benchmark.stats["min"]
    benchmark.extra_info.update(reference_s=t_ref, ratio=ratio)
    print(
        f"\n200 cells x 5000 UTs (shadowing={shadowing}): kernel "
        f"{benchmark.stats['min'] * 1e3:.1f} ms, NumPy reference {t_ref * 1e3:.1f} ms, "
        f"ratio {ratio:.1f}x"
    )
    assert ratio > 1.0


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0
