"""Benchmarks of the radio fading + SINR engine (run: pytest benches/test_bench_radio_sinr.py).

Goals (issue 3): SINR for 1,000 cells x 20,000 UEs x 50 RBs with K = 16 in at most 50 ms
per TTI; the 570-UE network (19 sites x 3 sectors) with TDL fading per RB, fading step plus
SINR, in at most 2 ms per TTI. Each case also records the plain-NumPy reference time (on a
reduced size where the dense reference would not fit in memory) and the ratio.
"""

import time

import numpy as np
import pytest

from rof.radio.fading import FadingProcess
from rof.radio.sinr import (
    noise_power_w,
    sinr_per_link,
    sinr_per_link_reference,
    sinr_scheduled,
    sinr_scheduled_reference,
)

RB_HZ = 360e3  # 30 kHz subcarrier spacing


def _network(n_cells, n_ue, k, seed=0, side_m=None):
    """Synthetic link table: random cell positions, power-law path loss, top-K per UE."""
    rng = np.random.default_rng(seed)
    side = side_m or np.sqrt(n_cells) * 200.0
    cells = rng.uniform(0, side, (n_cells, 2))
    ues = rng.uniform(0, side, (n_ue, 2))
    link = np.empty((n_ue, k), dtype=np.int32)
    g_ls = np.empty((n_ue, k))
    bg = np.empty(n_ue)
    for start in range(0, n_ue, 2000):
        d = np.linalg.norm(ues[start : start + 2000, None] - cells[None], axis=2)
        g = 10 ** (-(128.1 + 37.6 * np.log10(np.maximum(d, 10.0) / 1000)) / 10)
        top = np.argsort(-g, axis=1)[:, :k]
        link[start : start + 2000] = top
        g_ls[start : start + 2000] = np.take_along_axis(g, top, 1)
        bg[start : start + 2000] = g.sum(1) - g_ls[start : start + 2000].sum(1)
    return link, g_ls, bg, rng


def _schedule(link, n_cells, n_rb, rng):
    """Each cell serves, on each RB, a random UE among those it is strongest for."""
    assign = np.full((n_cells, n_rb), -1, dtype=np.int32)
    serving = link[:, 0]
    for c in range(n_cells):
        ues = np.nonzero(serving == c)[0]
        if ues.size:
            assign[c] = rng.choice(ues, n_rb)
    return assign


def _timeit(fn, repeat=5):
    fn()
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


@pytest.fixture(scope="module")
def big():
    n_cells, n_ue, k, n_rb = 1000, 20000, 16, 50
    link, g_ls, bg, rng = _network(n_cells, n_ue, k)
    fp = FadingProcess(
        n_ue, k, n_rb, model="rayleigh", doppler_hz=10.0, tti_s=5e-4, rb_bandwidth_hz=RB_HZ, rng=rng
    )
    gain = (g_ls[..., None] * fp.step()).astype(np.float32)  # 64 MB
    assign = _schedule(link, n_cells, n_rb, rng)
    power = np.full((n_cells, n_rb), 10 ** (35 / 10) * 1e-3 / n_rb)
    snr = 10 ** rng.uniform(2, 4, n_cells)
    noise = noise_power_w(RB_HZ, 9.0)
    return dict(
        link=link,
        gain=gain,
        bg=bg,
        assign=assign,
        power=power,
        snr=snr,
        noise=noise,
        fp=fp,
        g_ls=g_ls,
        bgp=float(power.mean()),
    )


def test_sinr_scheduled_1000_cells_20000_ues(benchmark, big):
    b = big
    args = (b["link"], b["gain"], b["bg"], b["assign"], b["power"], b["snr"], b["noise"], b["bgp"])
    out = benchmark(sinr_scheduled, *args)
    assert np.isfinite(out[b["assign"] >= 0]).all()
    # dense reference on a sub-network (the full dense matrix would be 20,000 x 1,000 x 50)
    link, g_ls, bg, rng = _network(100, 2000, 16, seed=1)
    gain = (g_ls[..., None] * rng.exponential(1.0, (2000, 16, 50))).astype(np.float32)
    sub = (
        link,
        gain,
        bg,
        _schedule(link, 100, 50, rng),
        b["power"][:100],
        b["snr"][:100],
        b["noise"],
        b["bgp"],
    )
    t_k = _timeit(lambda: sinr_scheduled(*sub))
    t_r = _timeit(lambda: sinr_scheduled_reference(*sub), repeat=2)
    benchmark.extra_info.update(
        ms_per_tti=benchmark.stats.stats.min * 1e3,
        subnet_kernel_ms=t_k * 1e3,
        subnet_reference_ms=t_r * 1e3,
        reference_over_kernel=t_r / t_k,
    )
    assert benchmark.stats.stats.min < 0.05


def test_sinr_per_link_1000_cells_20000_ues(benchmark, big):
    b = big
    args = (b["link"], b["gain"], b["bg"], b["power"], b["snr"], b["noise"], b["bgp"])
    out = benchmark(sinr_per_link, *args)
    assert out.shape == b["gain"].shape
    sub = tuple(a[:2000] for a in args[:3]) + args[3:]
    t_k = _timeit(lambda: sinr_per_link(*sub))
    t_r = _timeit(lambda: sinr_per_link_reference(*sub), repeat=2)
    benchmark.extra_info.update(
        ms_per_tti=benchmark.stats.stats.min * 1e3,
        reference_over_kernel_2000_ues=t_r / t_k,
    )


def test_fading_rayleigh_20000_ues(benchmark, big):
    fp = big["fp"]
    out = benchmark(fp.step)
    assert out.shape == (20000, 16, 50)
    benchmark.extra_info.update(ms_per_tti=benchmark.stats.stats.min * 1e3)


@pytest.fixture(scope="module")
def small():
    # 19 sites x 3 sectors = 57 cells on a 200 m grid, 10 UEs per cell, TDL-C 100 ns, 51 RBs
    n_cells, n_ue, k, n_rb = 57, 570, 16, 51
    link, g_ls, bg, rng = _network(n_cells, n_ue, k, side_m=900.0)
    fp = FadingProcess(
        n_ue,
        k,
        n_rb,
        model="tdl",
        doppler_hz=9.7,
        tti_s=5e-4,
        rb_bandwidth_hz=RB_HZ,
        delay_profile="TDL-C",
        delay_spread_s=100e-9,
        rng=rng,
    )
    assign = _schedule(link, n_cells, n_rb, rng)
    power = np.full((n_cells, n_rb), 10 ** (35 / 10) * 1e-3 / n_rb)
    snr = 10 ** rng.uniform(2, 4, n_cells)
    return dict(
        link=link,
        g_ls=g_ls[..., None].astype(np.float32),
        bg=bg,
        assign=assign,
        power=power,
        snr=snr,
        noise=noise_power_w(RB_HZ, 9.0),
        fp=fp,
        bgp=float(power.mean()),
    )


def test_tdl_fading_plus_sinr_570_ues(benchmark, small):
    s = small

    def tti():
        gain = s["fp"].step()
        gain *= s["g_ls"]
        return sinr_scheduled(
            s["link"], gain, s["bg"], s["assign"], s["power"], s["snr"], s["noise"], s["bgp"]
        )

    def tti_reference():
        gain = s["fp"].sample_reference(s["fp"].time_s) * s["g_ls"]
        return sinr_scheduled_reference(
            s["link"], gain, s["bg"], s["assign"], s["power"], s["snr"], s["noise"], s["bgp"]
        )

    benchmark(tti)
    t_fade = _timeit(s["fp"].step, repeat=20)
    t_ref = _timeit(tti_reference, repeat=3)
    t_k = benchmark.stats.stats.min
    benchmark.extra_info.update(
        ms_per_tti=t_k * 1e3,
        fading_ms=t_fade * 1e3,
        rank=s["fp"].rank,
        reference_ms=t_ref * 1e3,
        reference_over_kernel=t_ref / t_k,
    )
    assert t_k < 2e-3
