"""The Numba grid kernel against its plain-NumPy reference, and budget engines."""

import numba
import numpy as np
import pytest

from rof.link import RoFLink
from rof.link.kernels import FIELDS, INPUTS, budget_grid_numba, budget_grid_numpy, cos_sq
from rof.photonics import EDFA, CWLaser, DirectLaser, Fiber, MachZehnderModulator, Photodiode


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
    a = budget_grid_numba(x, params)
    b = budget_grid_numpy(x, params)
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
        budget_grid_numba(x, params), budget_grid_numpy(x, params), rtol=1e-9
    )


def test_cos_sq_accuracy_including_near_zeros():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40

    @numba.njit
    def run(x):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = cos_sq(x[i])
        return out

    rng = np.random.default_rng(2)
    x = np.concatenate(
        [
            rng.uniform(0.0, 5000.0, 100),
            (np.arange(1, 101) + 0.5) * np.pi + rng.uniform(-1e-6, 1e-6, 100),
        ]
    )
    exact = np.array([float(mpmath.cos(mpmath.mpf(float(v))) ** 2) for v in x])
    np.testing.assert_allclose(run(x), exact, rtol=1e-13, atol=0)
    big = rng.uniform(0.0, 1e4, 100_000)
    np.testing.assert_allclose(run(big), np.cos(big) ** 2, rtol=0, atol=1e-15)


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
