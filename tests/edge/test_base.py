"""The scheduler interface: SchedulingInput's derived quantities."""

import dataclasses

import numpy as np

from rof.edge._base import SchedulingInput
from rof.radio import bler_curves, rates


def _inp(**changes):
    n_ue, k, n_rb, n_cells = 5, 3, 4, 3
    rng = np.random.default_rng(0)
    base = SchedulingInput(
        link_cell=rng.integers(0, n_cells, (n_ue, k)).astype(np.int32),
        gain=rng.random((n_ue, k, n_rb)),
        large_scale=rng.random((n_ue, k)),
        background_gain=np.array([1e-9, 2e-9, 0.0, 5e-10, 1e-8]),
        noise_w=np.full(n_ue, 1e-13),
        p_max_w=0.2,
        background_power_w=0.05,
        weight=np.ones(n_ue),
        serving=np.zeros(n_ue, np.int32),
        serve_k=np.zeros(n_ue, np.int32),
        n_cells=n_cells,
        snr_fh=np.array([10.0, 1000.0, np.inf]),
        csi_age_s=np.zeros(n_cells),
        doppler_hz=np.full(n_ue, 10.0),
        rng=rng,
    )
    return dataclasses.replace(base, **changes)


def test_shapes():
    inp = _inp()
    assert (inp.n_ue, inp.n_rb) == (5, 4)


def test_fronthaul_factor_only_when_fronthaul_aware():
    inp = _inp()
    np.testing.assert_array_equal(inp.fh_factor(), np.zeros(3))
    aware = inp.with_(use_fronthaul=True)
    np.testing.assert_allclose(aware.fh_factor(), [0.1, 1e-3, 0.0])
    assert not inp.use_fronthaul  # with_ copies


def test_interference_floor_is_background_power_plus_noise():
    inp = _inp()
    want = inp.background_gain * 0.05 + 1e-13
    np.testing.assert_allclose(inp.interference_floor_w(), want, rtol=1e-15)


def test_default_rate_model_is_5g_lena_mcs_staircase():
    """Without a rate model the schedulers use the default link abstraction's (EESM on
    5G-LENA's curves): floor the highest MCS-0 10 %-BLER SINR of any allocation of the
    carrier, cap the top MCS of TS 38.214 Table 5.1.3.1-2 (Qm R = 8 x 948 / 1024)."""
    inp = _inp()
    model = inp.rate_model()
    floor_db = max(
        float(bler_curves.tb_sinr_at_bler_db(0, rates.tb_bits(0, n, 12, "qam256"), "qam256"))
        for n in range(1, inp.n_rb + 1)
    )
    assert abs(10 * np.log10(model.thr[0]) - floor_db) < 1e-9
    assert model.se[0] == 2 * 120 / 1024
    assert model.se[-1] == 8 * 948 / 1024
    assert np.all(np.diff(model.thr) >= 0) and np.all(np.diff(model.se) >= 0)
