"""The Numba grid kernel against its plain-NumPy reference, and budget engines."""

import numpy as np
import pytest

from rof.errors import RofError
from rof.link import RoFLink
from rof.link.dispersed import drive_table
from rof.link.kernels import (
    FIELDS,
    INPUTS,
    THREADS_ENV,
    BudgetInputs,
    BudgetParams,
    budget_grid_numba,
    budget_grid_numpy,
    link_threads,
)
from rof.photonics import EDFA, CWLaser, DirectLaser, Fiber, MachZehnderModulator, Photodiode


def _args(x: dict, p: dict):
    """Kernel arguments from a dict of inputs and one of scalars (test shorthand)."""
    inputs = BudgetInputs(**x)
    params = BudgetParams(
        alpha=p["alpha"],
        adiabatic_hz2=p.get("adiabatic_hz2", 0.0),
        kt0=p["kt0"],
        kt_pd=p["kt_pd"],
        xt=p["xt"],
        rin_flat=p.get("rin_flat", 1.0),
        rin_faded=p.get("rin_faded", 0.0),
        pm_hz2=p.get("pm_hz2", 0.0),
        distortion_table=p.get("distortion_table"),
    )
    return inputs, params


def test_kernel_matches_reference_on_random_inputs():
    rng = np.random.default_rng(0)
    shape = (37, 53)
    x = {k: rng.uniform(0.1, 2.0, size=shape) for k in INPUTS}
    x["f_hz"] *= 1e9
    x["theta_l"] *= 1e-19
    x["gain_l"] *= 1e-3
    x["noise_l"] *= 1e-21
    x["noise_f"] *= 1e-22
    x["bw_hz"] *= 1e8
    params = {"alpha": 2.5, "kt0": 4e-21, "kt_pd": 4.1e-21, "xt": 0.01}
    a = budget_grid_numba(*_args(x, params))
    b = budget_grid_numpy(*_args(x, params))
    assert a.shape == b.shape == (len(FIELDS), *shape)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-10)


def test_kernel_handles_zero_stride_views_of_every_kind():
    rng = np.random.default_rng(1)
    shape = (70, 45)  # more rows than one block of the kernel
    params = {"alpha": -0.7, "kt0": 4e-21, "kt_pd": 4e-21, "xt": 0.0}
    kinds = [(shape[0], 1), (1, shape[1]), (1, 1), shape]
    x = {}
    for i, k in enumerate(INPUTS):
        x[k] = np.broadcast_to(rng.uniform(0.5, 2.0, size=kinds[i % 4]), shape)
    x["theta_l"] = np.broadcast_to(x["theta_l"] * 1e-19, shape)
    x["f_hz"] = np.broadcast_to(x["f_hz"] * 1e10, shape)
    # near fading nulls the figures are ill-conditioned in the last digits of cos
    np.testing.assert_allclose(
        budget_grid_numba(*_args(x, params)), budget_grid_numpy(*_args(x, params)), rtol=1e-9
    )


def _random_inputs(rng, kinds, shape_scale=1.0):
    x = {k: rng.uniform(0.5, 2.0, size=kinds[i % len(kinds)]) for i, k in enumerate(INPUTS)}
    x["f_hz"] = x["f_hz"] * 1e10
    x["theta_l"] = x["theta_l"] * 1e-19 * shape_scale
    return x


@pytest.mark.parametrize(
    "kinds",
    [
        [(4, 1, 1), (1, 9, 1), (1, 1, 33), (4, 9, 33)],  # drive x length x RF cube
        [(3, 1, 40, 1), (1, 2, 1, 70), (1, 1, 1, 1), (3, 2, 40, 70)],  # 4-D: leading merge
        [(5,), (1,), (5,)],  # 1-D
        [()],  # 0-d
    ],
)
def test_kernel_matches_reference_on_broadcast_shapes(kinds):
    rng = np.random.default_rng(4)
    x = _random_inputs(rng, kinds)
    params = {"alpha": 1.3, "kt0": 4e-21, "kt_pd": 4.1e-21, "xt": 0.02}
    a = budget_grid_numba(*_args(x, params))
    b = budget_grid_numpy(*_args(x, params))
    shape = np.broadcast_shapes(*kinds)
    assert a.shape == b.shape == (len(FIELDS), *shape)
    np.testing.assert_allclose(a, b, rtol=1e-9)


_GAIN_NOISE = (*INPUTS[:7], "rin_l")  # the inputs that gain and noise depend on


@pytest.mark.parametrize(
    ("gn_shapes", "drive_shape"),
    [
        ([(70, 1), (1, 45)], (3, 1, 1)),  # drive x length x RF: gain / noise reused
        ([(70, 1, 1), (1, 45)], (3, 1)),  # length x drive x RF: axes swapped inside
        ([(1, 45)], (70, 1)),  # drive x RF at one length: reused along rows
        ([(1, 45)], (70, 1, 1)),  # drive x 1 x RF
        ([(3, 70, 1), (1, 45)], (3, 70, 1)),  # everything varies: no reuse
    ],
)
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("table", [False, True])
def test_kernel_reuses_gain_and_noise_only_where_they_repeat(
    gn_shapes, drive_shape, threads, table
):
    rng = np.random.default_rng(8)
    x = {}
    for i, k in enumerate(INPUTS):
        own = gn_shapes[i % len(gn_shapes)] if k in _GAIN_NOISE else drive_shape
        x[k] = rng.uniform(0.5, 2.0, size=own)
    x["f_hz"] = x["f_hz"] * 1e10
    x["theta_l"] = x["theta_l"] * 1e-20
    params = {"alpha": 0.9, "kt0": 4e-21, "kt_pd": 4e-21, "xt": 0.05}
    if table:  # a chirp-free MZM's distortion looked up at the drive x cos^2(theta)
        x["drive_nl_w"] = x["drive_nl_w"] * 1e-2
        params |= {
            "alpha": 0.0,
            "distortion_table": drive_table(MachZehnderModulator().small_signal(), 0.02),
        }
    ref = budget_grid_numpy(*_args(x, params))
    # threads=2 with fewer than 2 x 65536 points still runs on one thread; the large
    # case below exercises the split
    got = budget_grid_numba(*_args(x, params), threads=threads)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-9)


def test_kernel_reuse_with_threads_on_a_large_swapped_grid():
    rng = np.random.default_rng(9)
    x = {k: rng.uniform(0.5, 2.0, size=(1, 1, 700)) for k in INPUTS}
    for k in ("theta_l", "gain_l", "noise_l"):
        x[k] = rng.uniform(0.5, 2.0, size=(150, 1, 1))  # length on axis 0
    for k in ("s_in_w", "inv_sdr", "bw_hz"):
        x[k] = rng.uniform(0.5, 2.0, size=(3, 1))  # drive on axis 1
    x["f_hz"] = x["f_hz"] * 1e10
    x["theta_l"] = x["theta_l"] * 1e-20
    x["drive_nl_w"] = rng.uniform(1e-4, 2e-2, size=(3, 700))
    for table in (None, drive_table(MachZehnderModulator().small_signal(), 0.02)):
        params = {"alpha": 0.0, "kt0": 4e-21, "kt_pd": 4e-21, "xt": 0.0}
        params["distortion_table"] = table
        one = budget_grid_numba(*_args(x, params), threads=1)
        np.testing.assert_array_equal(budget_grid_numba(*_args(x, params), threads=2), one)
        np.testing.assert_allclose(one, budget_grid_numpy(*_args(x, params)), rtol=1e-9)


def test_kernel_infinities_where_the_reference_has_them():
    """Zero gain (an exact fading null or no slope) and infinite distortion: the
    kernel's division by zero must give NumPy's inf, not an exception or NaN."""
    rng = np.random.default_rng(5)
    x = _random_inputs(rng, [(6, 1), (1, 8)])
    slope = np.array(x["slope_f"], dtype=float).reshape(1, 8)
    slope[0, 2] = 0.0
    isd = np.array(x["inv_sdr"], dtype=float).reshape(6, 1)
    isd[4, 0] = np.inf
    x["slope_f"], x["inv_sdr"] = slope, isd
    params = {"alpha": 0.0, "kt0": 4e-21, "kt_pd": 4e-21, "xt": 0.01}
    a = budget_grid_numba(*_args(x, params))
    b = budget_grid_numpy(*_args(x, params))
    assert not np.isnan(b).any()
    assert np.isneginf(b[0, :, 2]).all() and np.isposinf(b[3, 4, :]).all()
    assert not np.isnan(a).any()
    np.testing.assert_array_equal(np.isinf(a), np.isinf(b))
    np.testing.assert_array_equal(np.signbit(a[np.isinf(a)]), np.signbit(b[np.isinf(b)]))
    finite = np.isfinite(b)
    np.testing.assert_allclose(a[finite], b[finite], rtol=1e-12)


def test_kernel_empty_grid():
    x = _random_inputs(np.random.default_rng(6), [(0, 1), (1, 7)])
    out = budget_grid_numba(*_args(x, {"alpha": 0.0, "kt0": 4e-21, "kt_pd": 4e-21, "xt": 0.0}))
    assert out.shape == (len(FIELDS), 0, 7)


def test_threaded_kernel_equals_single_thread_and_reference(monkeypatch):
    rng = np.random.default_rng(7)
    x = _random_inputs(rng, [(3, 1, 1), (1, 301, 1), (1, 1, 517)])  # 467k points
    params = {"alpha": 0.4, "kt0": 4e-21, "kt_pd": 4e-21, "xt": 0.003}
    one = budget_grid_numba(*_args(x, params), threads=1)
    # Row blocks split unevenly over the threads; every point is computed exactly once.
    np.testing.assert_array_equal(budget_grid_numba(*_args(x, params), threads=3), one)
    monkeypatch.setenv(THREADS_ENV, "2")
    assert link_threads() == 2
    np.testing.assert_array_equal(budget_grid_numba(*_args(x, params)), one)
    np.testing.assert_allclose(one, budget_grid_numpy(*_args(x, params)), rtol=1e-9)


@pytest.mark.parametrize("raw", ["two", "0", "-1", "1.5"])
def test_threads_env_rejects_bad_values(monkeypatch, raw):
    monkeypatch.setenv(THREADS_ENV, raw)
    with pytest.raises(RofError, match=THREADS_ENV):
        link_threads()
    monkeypatch.delenv(THREADS_ENV)
    assert link_threads() == 1


@pytest.mark.parametrize(
    "link",
    [
        RoFLink(MachZehnderModulator(CWLaser(power_dbm=15.0)), Fiber(20.0), Photodiode()),
        RoFLink(
            DirectLaser(),
            Fiber(5.0),
            Photodiode(),
            EDFA(gain_db=6.0),
            optical_loss_db=8.0,
            crosstalk_ratios=(0.05,),
        ),
    ],
)
def test_budget_engines_agree_on_grids(link):
    f = np.linspace(0.5e9, 30e9, 41)
    length = np.linspace(0.0, 30.0, 17)[:, None]
    p = np.array([-10.0, 5.0, 15.0])[:, None, None]
    a = link.budget(f, p, 100e6, length_km=length)
    b = link.budget(f, p, 100e6, length_km=length, engine="numpy")
    for name in (*FIELDS, "snr_db", "noise_figure_db", "sfdr_db_hz23", "shot_noise_dbm_hz"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.shape == (3, 17, 41)
        finite = np.isfinite(y)
        assert np.array_equal(finite, np.isfinite(x)), name
        # near fading nulls logs of tiny numbers differ by rounding of cos
        np.testing.assert_allclose(x[finite], y[finite], rtol=1e-9, atol=1e-6, err_msg=name)


def test_four_dimensional_broadcast():
    link = RoFLink(MachZehnderModulator(), Fiber(10.0), Photodiode())
    b = link.budget(
        np.full((2, 1, 1, 1), 3.5e9),
        np.zeros((1, 3, 1, 1)),
        np.full((1, 1, 4, 1), 1e8),
        length_km=np.ones(5),
    )
    assert b.gain_db.shape == (2, 3, 4, 5)
    ref = link.budget(3.5e9, 0.0, 1e8, length_km=1.0)
    np.testing.assert_allclose(b.evm_percent, ref.evm_percent)
    assert isinstance(ref.max_modulation, str)


@pytest.mark.parametrize(
    ("fading", "drive_sin"),
    [((0.0, 0.0, 1.0), False), ((1.0, 0.5 * np.pi, 0.0), True), ((0.3, -0.4, 0.7), False)],
)
def test_kernel_sideband_fading_and_sin_drive_match_reference(fading, drive_sin):
    """The sideband fading (SSB, PM, any dual-drive setting) and the sin-scaled distortion
    lookup (a phase modulator) in the Numba kernel against the NumPy reference."""
    rng = np.random.default_rng(5)
    shape = (29, 41)
    x = {k: rng.uniform(0.5, 2.0, size=shape) for k in INPUTS}
    x["f_hz"] *= 1e10
    x["theta_l"] *= 1e-19
    x["drive_nl_w"] *= 1e-3
    ss = RoFLink(MachZehnderModulator(), Fiber(1.0), Photodiode()).transmitter.small_signal()
    table = drive_table(ss, 1e-2)
    inputs = BudgetInputs(**x)
    params = BudgetParams(0.0, 0.0, 4e-21, 4e-21, 0.0, 0.0, 1.0, 1e3, table, fading, drive_sin)
    np.testing.assert_allclose(
        budget_grid_numba(inputs, params), budget_grid_numpy(inputs, params), rtol=1e-9
    )
