"""Waveform-level benchmarks, side by side with OptiCommPy where it is installed.

Run with ``python -m pytest benches/test_bench_waveform.py``. OptiCommPy is not a
dependency; its cases are skipped when ``import optic`` fails.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from rof.photonics import DirectLaser, Fiber, Photodiode
from rof.photonics.timedomain import propagate_linear, ssfm, ssfm_local_error

try:
    from optic.models.channels import linearFiberChannel
    from optic.models.channels import ssfm as ocp_ssfm
    from optic.utils import parameters
except ImportError:  # pragma: no cover - depends on the environment
    linearFiberChannel = None

needs_ocp = pytest.mark.skipif(linearFiberChannel is None, reason="OptiCommPy not installed")

FS = 64e9


def _min_time(fn, repeats):
    """Minimum wall time of ``repeats`` calls, s (the machine is shared: minimum, not mean)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _field(n, seed=0):
    rng = np.random.default_rng(seed)
    return np.sqrt(1e-3 / 2) * (rng.normal(size=n) + 1j * rng.normal(size=n))


def test_linear_fiber_2p20_rof(benchmark):
    x = _field(2**20)
    fiber = Fiber(50.0)
    propagate_linear(x, FS, fiber)
    benchmark(propagate_linear, x, FS, fiber)


@needs_ocp
def test_linear_fiber_2p20_opticommpy(benchmark):
    x = _field(2**20)
    p = parameters()
    p.Fs, p.L, p.alpha, p.D, p.Fc = FS, 50.0, 0.2, 17.0, 299792458.0 / 1550e-9
    np.testing.assert_allclose(
        linearFiberChannel(x, p), propagate_linear(x, FS, Fiber(50.0)), atol=1e-9
    )
    benchmark(linearFiberChannel, x, p)


def test_ssfm_50km_2p16_500steps_rof(benchmark):
    x = _field(2**16)
    fiber = Fiber(50.0)
    ssfm(x, FS, fiber, n_steps=500)
    benchmark(ssfm, x, FS, fiber, gamma_per_w_km=1.3, n_steps=500)


@needs_ocp
def test_ssfm_50km_2p16_500steps_opticommpy(benchmark):
    x = _field(2**16)
    p = parameters()
    p.Fs, p.Ltotal, p.Lspan, p.hz = FS, 50.0, 50.0, 0.1
    p.alpha, p.D, p.gamma, p.Fc = 0.2, 17.0, 1.3, 299792458.0 / 1550e-9
    p.amp, p.prgsBar = None, False
    ref = ocp_ssfm(x, p)
    ours = ssfm(x, FS, Fiber(50.0), gamma_per_w_km=1.3, n_steps=500)
    assert np.max(np.abs(ref - ours)) / np.max(np.abs(ref)) < 1e-3
    benchmark(ocp_ssfm, x, p)


@needs_ocp
def test_linear_fiber_2p20_side_by_side(benchmark):
    """Goal (issue 8): at least 2x OptiCommPy's linearFiberChannel, same run, interleaved."""
    x = _field(2**20)
    fiber = Fiber(50.0)
    p = parameters()
    p.Fs, p.L, p.alpha, p.D, p.Fc = FS, 50.0, 0.2, 17.0, 299792458.0 / 1550e-9
    ours, theirs = float("inf"), float("inf")
    for _ in range(5):
        ours = min(ours, _min_time(lambda: propagate_linear(x, FS, fiber), 3))
        theirs = min(theirs, _min_time(lambda: linearFiberChannel(x, p), 3))
    benchmark.extra_info |= {"rof_s": ours, "opticommpy_s": theirs, "speedup": theirs / ours}
    benchmark.pedantic(propagate_linear, (x, FS, fiber), rounds=5, iterations=1)


@needs_ocp
def test_ssfm_50km_2p16_500steps_side_by_side(benchmark):
    """Goal (issue 8): at least 3x OptiCommPy's ssfm, same run, interleaved."""
    x = _field(2**16)
    fiber = Fiber(50.0)
    p = parameters()
    p.Fs, p.Ltotal, p.Lspan, p.hz = FS, 50.0, 50.0, 0.1
    p.alpha, p.D, p.gamma, p.Fc = 0.2, 17.0, 1.3, 299792458.0 / 1550e-9
    p.amp, p.prgsBar = None, False
    ours, theirs = float("inf"), float("inf")
    for _ in range(3):
        ours = min(ours, _min_time(lambda: ssfm(x, FS, fiber, n_steps=500), 1))
        theirs = min(theirs, _min_time(lambda: ocp_ssfm(x, p), 1))
    benchmark.extra_info |= {"rof_s": ours, "opticommpy_s": theirs, "speedup": theirs / ours}
    benchmark.pedantic(ssfm, (x, FS, fiber), {"n_steps": 500}, rounds=3, iterations=1)


@needs_ocp
def test_ssfm_local_error_side_by_side_equal_accuracy(benchmark):
    """Goal (issue 18): at least 3x OptiCommPy's ssfm at equal accuracy, same run,
    interleaved. Both against a fine reference (20000 equal symmetric steps): OptiCommPy
    at its 0.1 km step (500 steps), rof's local-error method (fourth order, Sinkin et
    al. 2003) at the local target that first reaches at least that accuracy."""
    x = _field(2**16)
    fiber = Fiber(50.0)
    p = parameters()
    p.Fs, p.Ltotal, p.Lspan, p.hz = FS, 50.0, 50.0, 0.1
    p.alpha, p.D, p.gamma, p.Fc = 0.2, 17.0, 1.3, 299792458.0 / 1550e-9
    p.amp, p.prgsBar = None, False
    ref = ssfm(x, FS, fiber, n_steps=20000)

    def nmse_db(y):
        return 10 * np.log10(np.sum(np.abs(y - ref) ** 2) / np.sum(np.abs(ref) ** 2))

    theirs_db = nmse_db(ocp_ssfm(x, p))
    target = 1e-5
    ours_db = nmse_db(ssfm_local_error(x, FS, fiber, local_error=target))
    assert ours_db <= theirs_db
    ours, theirs = float("inf"), float("inf")
    for _ in range(3):
        ours = min(ours, _min_time(lambda: ssfm_local_error(x, FS, fiber, local_error=target), 1))
        theirs = min(theirs, _min_time(lambda: ocp_ssfm(x, p), 1))
    benchmark.extra_info |= {
        "rof_s": ours,
        "opticommpy_s": theirs,
        "speedup": theirs / ours,
        "rof_nmse_db": ours_db,
        "opticommpy_nmse_db": theirs_db,
        "goal_speedup": 3.0,
    }
    benchmark.pedantic(
        ssfm_local_error, (x, FS, fiber), {"local_error": target}, rounds=3, iterations=1
    )


def _nr_slot_dml_20km(benchmark, carrier_hz):
    from rof.link import RoFLink
    from rof.link.waveform import simulate_link
    from rof.signals import evm_percent, nr_ofdm

    w = nr_ofdm(
        100, 30, "256QAM", 14, np.random.default_rng(0), carrier_hz=carrier_hz, power_dbm=-5.0
    )
    link = RoFLink(DirectLaser(), Fiber(20.0), Photodiode())

    def run():
        rx = simulate_link(link, w, np.random.default_rng(1))
        return evm_percent(rx, None)

    evm = run()
    assert evm < 10.0
    benchmark.extra_info["samples"] = int(w.samples.size)
    benchmark.extra_info["evm_percent"] = float(evm)
    benchmark.pedantic(run, rounds=3, iterations=1)


def test_nr_slot_dml_20km_evm(benchmark):
    """One 100 MHz NR slot (30 kHz, 14 symbols) at 3.5 GHz: DML, 20 km, PD, EVM.
    Goal (issue 18): under 2 s (19.7 M optical samples; 12.4 s when the issue was filed,
    5.0 s at 01403fb, 1.95-2.08 s mean after the lane kernel; with the scratch pool,
    threaded serial passes and the frame-by-frame Langevin draws 1.49-1.67 s min,
    1.58-1.72 s mean over six runs; quiet 2-core box)."""
    benchmark.extra_info["goal_s"] = 2.0
    _nr_slot_dml_20km(benchmark, 3.5e9)


def test_nr_slot_dml_20km_evm_if(benchmark):
    """The same NR slot as IF-over-fiber (carrier 0.75 GHz, so the waveform is sampled at
    1.77 GS/s; 5.4 M optical samples): DML, 20 km, PD, EVM. Goal (issue 18): under
    0.5 s (2.95 s when filed, 1.24 s at 01403fb, 0.50-0.56 s mean after the lane kernel;
    now 0.39-0.44 s min, 0.40-0.46 s mean over six runs)."""
    benchmark.extra_info["goal_s"] = 0.5
    _nr_slot_dml_20km(benchmark, 0.75e9)
