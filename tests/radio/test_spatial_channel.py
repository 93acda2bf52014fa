"""The spatial channel of a drop: kernels against the NumPy reference, the link
table's path gain, co-sited sectors, time evolution and bad input."""

import math

import numpy as np
import pytest

from rof.errors import ParameterError, RofError
from rof.radio.arrays import PanelArray
from rof.radio.deployment import make_deployment
from rof.radio.linktable import build_link_table
from rof.radio.pathloss import pathloss_38901
from rof.radio.spatial import SpatialChannel, spatial_channel, spatial_drop
from rof.radio.spatial.clusters import Clusters
from rof.radio.spatial.model import LinkGeometry, kernel_inputs, response


def _dep(scenario="UMi", indoor=0.5, seed=1, ue_per_site=4):
    rng = np.random.default_rng(seed)
    isd, h = (200.0, 10.0) if scenario == "UMi" else (500.0, 25.0)
    dep = make_deployment(
        "hex",
        rng=rng,
        wraparound=True,
        indoor_fraction=indoor,
        n_sites=7,
        inter_site_distance_m=isd,
        ue_per_site=ue_per_site,
        site_height_m=h,
        scenario=scenario,
        min_ue_distance_m=10.0,
    )
    return dep, rng


@pytest.mark.parametrize(
    ("scenario", "bs", "ue", "seed"),
    [
        ("UMi", "panel_4x8", None, 1),
        ("UMa", PanelArray(2, 4, 0.5, 102.0, slant_deg=45.0), "panel_1x2", 3),
    ],
)
def test_kernels_match_the_numpy_reference(scenario, bs, ue, seed):
    dep, rng = _dep(scenario, ue_per_site=3, seed=seed)
    ch = spatial_drop(
        dep,
        scenario=scenario,
        fc_ghz=3.5,
        k=4,
        bs_array=bs,
        rng=rng,
        ue_array=ue,
        n_rb=12,
        ue_speed_kmh=60.0,
    )
    assert set(ch.state.ravel()) == {"LOS", "NLOS", "O2I"}
    for tti in (0, 7):
        h = ch.response(tti)
        assert h.dtype == np.complex64 and h.shape == ch.shape
        ref = ch.response_reference(tti * ch.tti_s)
        scale = np.abs(ref).max(axis=(2, 3, 4), keepdims=True)  # per link
        assert np.max(np.abs(h - ref) / scale) < 1e-5


def test_path_gain_is_the_link_tables_without_its_antenna_gain():
    """No shadowing, outdoor UEs, UMi (h_E = 1 m): path gain = -PL of Table 7.4.1-1;
    co-sited sectors share it (their antenna gains differ)."""
    dep, rng = _dep("UMi", indoor=0.0)
    ch = spatial_drop(
        dep,
        scenario="UMi",
        fc_ghz=3.5,
        k=6,
        bs_array="panel_4x8",
        rng=rng,
        link_options={"shadowing": False},
    )
    site = dep.cell_site[ch.cell]
    g = ch.geometry
    d3d = g.d3d_m.reshape(ch.cell.shape)
    h_bs = dep.site_height_m[site]
    h_ut = dep.ue_height_m[:, None] + 0 * d3d
    d2d = np.sqrt(d3d**2 - (h_bs - h_ut) ** 2)
    pl = pathloss_38901("UMi", d2d, d3d, 3.5, h_bs, h_ut, ch.state == "LOS")
    assert np.allclose(ch.path_gain_db, -pl, atol=2e-3)
    same = site[:, :, None] == site[:, None, :]
    diff = np.abs(ch.path_gain_db[:, :, None] - ch.path_gain_db[:, None, :])
    assert np.all(diff[same] < 2e-3)
    assert np.any(
        np.abs(ch.coupling_gain_db[:, :, None] - ch.coupling_gain_db[:, None, :])[same] > 0.1
    )


def test_co_sited_sectors_share_clusters_and_the_background_is_the_tables():
    dep, rng = _dep("UMa", indoor=0.3)
    rng_t = np.random.default_rng(5)
    table = build_link_table(dep, scenario="UMa", fc_ghz=3.5, k=6, rng=rng_t, antenna="panel_4x8")
    ch = spatial_channel(dep, table, scenario="UMa", fc_ghz=3.5, bs_array="panel_4x8", rng=rng)
    assert np.array_equal(ch.background_gain, table.background_gain)
    assert np.array_equal(ch.cell, table.cell)
    site = dep.cell_site[ch.cell].ravel()
    ue = np.repeat(np.arange(ch.n_ue), ch.k)
    key = ue * 1000 + site
    for kk in np.unique(key):
        idx = np.flatnonzero(key == kk)
        for a in (ch.clusters.delay_s, ch.clusters.aoa_deg, ch.clusters.phase):
            assert np.array_equal(a[idx], np.broadcast_to(a[idx[0]], a[idx].shape))
    # different sites of one UE: independent draws
    assert not np.array_equal(ch.clusters.delay_s[0], ch.clusters.delay_s[ch.k - 1]) or (
        site[0] == site[ch.k - 1]
    )


def test_doppler_of_a_single_ray_follows_eq_7_5_22():
    """A ray arriving from azimuth phi at a UE moving with v along x: H(t) =
    H(0) exp(j 2 pi v cos(phi) t / lambda)."""
    lam = 299_792_458.0 / 3.5e9
    n = 3
    phi = np.array([0.0, 60.0, 180.0])
    rng = np.random.default_rng(0)
    shape = (n, 1, 1)
    cl = Clusters(
        delay_s=np.zeros((n, 1)),
        delay_unscaled_s=np.zeros((n, 1)),
        power=np.ones((n, 1)),
        power_angles=np.ones((n, 1)),
        aoa_deg=phi.reshape(shape),
        aod_deg=np.zeros(shape),
        zoa_deg=np.full(shape, 90.0),
        zod_deg=np.full(shape, 90.0),
        xpr=np.full(shape, 10.0),
        phase=rng.uniform(-np.pi, np.pi, (*shape, 4)),
        k_r=np.zeros(n),
        los=np.zeros(n, bool),
        c_ds_s=np.zeros(n),
        strongest=np.zeros((n, 2), np.int64),
    )
    z = np.zeros(n)
    geo = LinkGeometry(z, z, z + 90, z + 90, z + 50, z, z, np.tile([20.0, 0.0, 0.0], (n, 1)), z + 1)
    inp = kernel_inputs(cl, geo, PanelArray(1, 1, 0.5, 90.0), None, lam, subclusters=False)
    t = 1.3e-3
    h0 = response(inp, 1, 30e3, 0.0)[:, 0, 0, 0]
    ht = response(inp, 1, 30e3, t)[:, 0, 0, 0]
    want = h0 * np.exp(2j * np.pi * 20.0 * np.cos(np.radians(phi)) * t / lam)
    assert np.allclose(ht, want, rtol=1e-5)


def test_consecutive_ttis_are_correlated_and_distant_ones_less():
    dep, rng = _dep("UMa", indoor=0.0, ue_per_site=6)
    ch = spatial_drop(
        dep, scenario="UMa", fc_ghz=3.5, k=2, bs_array="panel_4x8", rng=rng, ue_speed_kmh=30.0
    )
    h0, h1, h50 = ch.response(0), ch.response(1), ch.response(50)

    def rho(a, b):
        return abs(np.vdot(a, b)) / math.sqrt(np.vdot(a, a).real * np.vdot(b, b).real)

    r1 = np.mean([rho(h0[u, 0], h1[u, 0]) for u in range(ch.n_ue)])
    r50 = np.mean([rho(h0[u, 0], h50[u, 0]) for u in range(ch.n_ue)])
    assert r1 > 0.9 and r50 < r1 - 0.1  # J0(2 pi 97 Hz 1 ms) = 0.91 without LOS
    out = np.empty(ch.shape, np.complex64)
    assert ch.response(1, out=out) is not None and np.array_equal(out, h1)
    # the MIMO loop's layout (n_rb, n_ue, K, n_ant)
    at = ch.at(ch.tti_s)
    assert at.shape == (52, ch.n_ue, 2, 32)
    assert np.array_equal(at, np.moveaxis(h1[:, :, :, 0, :], -1, 0))


def test_bad_input_names_key_and_range():
    dep, rng = _dep("UMi", ue_per_site=2)
    kw = dict(scenario="UMi", fc_ghz=3.5, bs_array="panel_4x8", rng=rng)
    for k in (0, 22, 2.5, True):
        with pytest.raises(ParameterError, match=r"k = .* allowed: an integer in 1\.\.21"):
            spatial_drop(dep, k=k, **kw)
    with pytest.raises(RofError, match=r"scenario.*'RMa'.*UMa"):
        spatial_drop(dep, k=2, **{**kw, "scenario": "RMa"})
    with pytest.raises(RofError, match="n_rb"):
        spatial_drop(dep, k=2, n_rb=0, **kw)
    with pytest.raises(RofError, match="n_rb"):
        spatial_drop(dep, k=2, n_rb=1.5, **kw)
    with pytest.raises(RofError, match=r"bs_antenna = 'panel_9x9' is unknown; allowed: \["):
        spatial_drop(dep, k=2, **{**kw, "bs_array": "panel_9x9"})
    with pytest.raises(RofError, match=r"bs_array = 'element' is not a panel; allowed:.*panel_4x8"):
        spatial_drop(dep, k=2, **{**kw, "bs_array": "element"})
    with pytest.raises(RofError, match=r"PanelArray.rows = 0 .*allowed: >= 1"):
        PanelArray(0, 8)
    with pytest.raises(RofError, match=r"PanelArray.cols = 2.5 .*allowed: an integer >= 1"):
        PanelArray(4, 2.5)
    with pytest.raises(RofError, match="subcarrier_spacing_hz"):
        spatial_drop(dep, k=2, subcarrier_spacing_hz=20e3, **kw)
    with pytest.raises(RofError, match="ue_speed_kmh"):
        spatial_drop(dep, k=2, ue_speed_kmh=-1.0, **kw)
    ch = spatial_drop(dep, k=2, n_rb=4, **kw)
    assert isinstance(ch, SpatialChannel)
    with pytest.raises(RofError, match="tti"):
        ch.response(-1)
    with pytest.raises(RofError, match="out must be complex64"):
        ch.response(0, out=np.empty(ch.shape, np.complex128))
    ch2 = spatial_drop(dep, k=2, n_rb=4, ue_array="panel_1x2", **kw)
    with pytest.raises(RofError, match="at\\(\\) needs one UE antenna"):
        ch2.at(0.0)
