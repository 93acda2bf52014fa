"""Analytic link budget over a 1000 x 1000 (fiber length x RF frequency) grid.

Goal (issue #2): >= 20 M points/s for ``RoFLink.budget`` and the Numba kernel >= 5x
its plain-NumPy reference. Run: ``pytest benches/test_bench_link.py``; the points/s
figures are printed and stored in ``benchmark.extra_info``.
"""

import numpy as np
import pytest

from rof.link import RoFLink
from rof.link.kernels import INPUTS, budget_grid_numba, budget_grid_numpy
from rof.photonics import CWLaser, Fiber, MachZehnderModulator, Photodiode

N_L = N_F = 1000
POINTS = N_L * N_F


@pytest.fixture(scope="module")
def link():
    return RoFLink(MachZehnderModulator(CWLaser(power_dbm=16.0)), Fiber(20.0), Photodiode())


@pytest.fixture(scope="module")
def grid():
    return np.linspace(0.0, 50.0, N_L)[:, None], np.linspace(0.1e9, 40e9, N_F)


def _report(benchmark, label):
    mean = benchmark.stats.stats.mean
    benchmark.extra_info["points_per_s"] = POINTS / mean
    print(
        f"\n{label}: {mean * 1e3:.1f} ms per 1000x1000 grid = {POINTS / mean / 1e6:.1f} M points/s"
    )


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_bench_budget_grid(benchmark, link, grid, engine):
    length, rf = grid
    link.budget(rf, 0.0, 100e6, length_km=length, engine=engine)  # compile / warm up
    b = benchmark(link.budget, rf, 0.0, 100e6, length_km=length, engine=engine)
    assert b.gain_db.shape == (N_L, N_F)
    _report(benchmark, f"RoFLink.budget ({engine})")


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_bench_budget_all_fields(benchmark, link, grid, engine):
    """Budget plus materialising every derived figure (NF, SNR, OIP3, SFDR, noise terms)."""
    length, rf = grid
    names = (
        "snr_db",
        "noise_figure_db",
        "oip3_dbm",
        "sfdr_db_hz23",
        "rf_out_dbm",
        "input_noise_dbm_hz",
        "shot_noise_dbm_hz",
        "rin_noise_dbm_hz",
        "sig_ase_noise_dbm_hz",
    )

    def run():
        b = link.budget(rf, 0.0, 100e6, length_km=length, engine=engine)
        return [np.asarray(getattr(b, n)) for n in names]

    run()
    benchmark(run)
    _report(benchmark, f"RoFLink.budget + all figures ({engine})")


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_bench_kernel_only(benchmark, engine):
    """The grid kernel alone on the zero-stride input views the budget builds."""
    rng = np.random.default_rng(0)
    shape = (N_L, N_F)
    x = {}
    for i, k in enumerate(INPUTS):
        src = rng.uniform(0.5, 2.0, size=(N_L, 1) if i % 2 else (1, N_F))
        x[k] = np.broadcast_to(src, shape)
    x["theta_l"] = np.broadcast_to(x["theta_l"] * 1e-20, shape)
    params = {"alpha": 0.0, "kt0": 4e-21, "kt_pd": 4e-21, "xt": 0.0}
    fn = budget_grid_numba if engine == "numba" else budget_grid_numpy
    fn(x, params)
    out = benchmark(fn, x, params)
    assert out.shape[1:] == shape
    _report(benchmark, f"grid kernel ({engine})")
