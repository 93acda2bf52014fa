"""Per-antenna channels: array response and Clarke statistics (issue 19 item 5)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from scipy.special import j0

from rof.edge.mimo.channel import ArrayChannel, link_angles_deg
from rof.edge.world import build_world
from rof.scenario import as_scenario


def test_link_angles_and_ula_response_closed_form():
    dep = SimpleNamespace(
        cell_site=np.array([0]),
        site_xy_m=np.array([[0.0, 0.0]]),
        ue_xy_m=np.array([[100.0, 100.0], [0.0, -50.0]]),
        wrap_shifts_m=np.zeros((1, 2)),
        cell_azimuth_deg=np.array([30.0]),
        site_height_m=np.array([25.0]),
        ue_height_m=np.array([1.5, 1.5]),
    )
    phi, theta = link_angles_deg(dep, np.zeros((2, 1), dtype=np.int64))
    np.testing.assert_allclose(phi[:, 0], [45.0 - 30.0, -90.0 - 30.0])
    d2d = np.array([np.hypot(100, 100), 50.0])
    np.testing.assert_allclose(theta[:, 0], 90.0 + np.degrees(np.arctan(23.5 / d2d)))
    from rof.radio import PanelArray

    a = PanelArray(1, 4, 0.5, 90.0).steering_vector(phi, theta)
    n = np.arange(4)
    s = np.sin(np.radians(theta)) * np.sin(np.radians(phi))
    np.testing.assert_allclose(a, np.exp(2j * np.pi * 0.5 * n * s[..., None]), atol=1e-12)


def test_power_and_time_correlation_follow_clarke():
    scn = as_scenario(
        {
            "name": "c",
            "seed": 3,
            "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0, "ue_per_site": 30},
            "radio": {"fading": "rayleigh", "bandwidth_mhz": 20.0, "ue_speed_kmh": 30.0},
        }
    )
    world = build_world(scn, np.random.default_rng(0))
    ch = ArrayChannel(world, 4, np.random.default_rng(1), rician_k_db=-30.0)
    beta = world.large_scale.astype(float)[None, :, :, None]
    fd, tau = float(world.doppler_hz[0]), 2e-3
    h0, h1 = ch.at(0.0)[0:1] / np.sqrt(beta), ch.at(tau)[0:1] / np.sqrt(beta)
    p = np.mean(np.abs(h0) ** 2)
    corr = np.mean(h1 * np.conj(h0)).real
    n = h0.size
    assert abs(p - 1.0) < 4 * np.sqrt(1.0 / n)
    assert abs(corr - j0(2 * np.pi * fd * tau)) < 4 * np.sqrt(1.0 / n)
    assert ch.at(0.0).shape == (world.n_rb, world.deployment.n_ue, world.link_cell.shape[1], 4)
