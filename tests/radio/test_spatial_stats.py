"""The generated channel against TR 38.901's own statistics and closed forms.

Every expected value here comes from the TR's tables (Table 7.5-6 via the cited
``spatial_params`` numbers, checked in test_spatial_params.py) or a closed form
(Clarke's J0, the array's steering vector), and every statistic is computed here
from the generated delays, powers, angles or frequency responses with plain NumPy.
"""

import math

import numpy as np
import pytest
from scipy.special import j0

from rof.radio.antenna import AntennaPattern
from rof.radio.arrays import PanelArray
from rof.radio.spatial.clusters import Clusters, draw_clusters
from rof.radio.spatial.model import LinkGeometry, kernel_inputs, response
from rof.radio.spatial.params import draw_lsps, spatial_params

FC = 3.5
LAM = 299_792_458.0 / (FC * 1e9)
ISO = AntennaPattern(g_max_dbi=0.0, a_max_db=0.0, sla_v_db=0.0, downtilt_deg=0.0)
ISO_1 = PanelArray(1, 1, 0.5, 90.0, element=ISO)
ISO_4X8 = PanelArray(4, 8, 0.5, 90.0, element=ISO)


def _links(sc, st, n, rng):
    """n links of one scenario/state with their LSPs, clusters and a geometry."""
    p = spatial_params(sc, st, FC)
    h_bs = 25.0 if sc == "UMa" else 10.0
    d2d = rng.uniform(35.0, 400.0, n)
    aod = rng.uniform(-180.0, 180.0, n)
    zod = 90.0 + np.degrees(np.arctan2(h_bs - 1.5, d2d))
    lsp = draw_lsps(p, FC, d2d, np.full(n, 1.5), np.full(n, h_bs), rng)
    aoa = np.mod(aod + 360.0, 360.0) - 180.0
    cl = draw_clusters(p, lsp, aoa, aod, 180.0 - zod, zod, rng)
    geo = LinkGeometry(
        los_aoa_deg=aoa,
        los_aod_deg=aod,
        los_zoa_deg=180.0 - zod,
        los_zod_deg=zod,
        d3d_m=np.hypot(d2d, h_bs - 1.5),
        cell_az_deg=aod.copy(),
        ue_bearing_deg=np.zeros(n),
        velocity_mps=np.zeros((n, 3)),
        path_gain=np.ones(n),
    )
    return p, lsp, cl, geo


def _rms_ds(tau, p):
    p = p / p.sum(axis=-1, keepdims=True)
    m = (p * tau).sum(axis=-1)
    return np.sqrt(np.maximum((p * tau**2).sum(axis=-1) - m**2, 0.0))


def _circular_as_deg(phi_deg, p, step_deg=1.0):
    """rms angular spread of TR 25.996 Annex A (minimised over the shift Delta)."""
    phi = np.radians(phi_deg)
    p = p / p.sum(axis=-1, keepdims=True)
    best = np.full(phi.shape[0], np.inf)
    for d in np.radians(np.arange(0.0, 360.0, step_deg)):
        x = np.mod(phi + d + np.pi, 2 * np.pi) - np.pi
        mu = (p * x).sum(axis=-1, keepdims=True)
        y = np.mod(x - mu + np.pi, 2 * np.pi) - np.pi
        best = np.minimum(best, np.sqrt((p * y**2).sum(axis=-1)))
    return np.degrees(best)


def _los_powers(cl):
    pw = cl.power / (cl.k_r[:, None] + 1.0)
    pw[:, 0] += cl.k_r / (cl.k_r + 1.0)
    return pw


CASES = [("UMa", "LOS"), ("UMa", "NLOS"), ("UMa", "O2I"), ("UMi", "LOS"), ("UMi", "NLOS")]


@pytest.mark.parametrize("case", CASES)
def test_cluster_delay_spread_follows_table_7_5_6(case):
    """rms DS of the generated clusters: lognormal with Table 7.5-6's mu, sigma.

    LOS links are measured with the LOS powers (eq. 7.5-8) on the scaled delays
    (eq. 7.5-4): the TR scales the delays so that the LOS peak keeps the LSP's DS.
    """
    sc, st = case
    p, _, cl, _ = _links(sc, st, 2000, np.random.default_rng(11))
    pw = _los_powers(cl) if st == "LOS" else cl.power
    lg = np.log10(_rms_ds(cl.delay_s, pw))
    assert lg.mean() == pytest.approx(p.mu_lgds, abs=0.06)
    assert lg.std() == pytest.approx(p.sigma_lgds, abs=0.05)


def _omni_inputs(cl, geo, n_copies, rng, bs=ISO_1):
    """Each link repeated n_copies times with fresh initial phases (step 10)."""
    rep = np.repeat(np.arange(cl.power.shape[0]), n_copies)
    cl2 = Clusters(*(a[rep] for a in cl))
    cl2 = cl2._replace(phase=rng.uniform(-np.pi, np.pi, cl2.phase.shape))
    geo2 = LinkGeometry(*(a[rep] for a in geo))
    return cl2, geo2, kernel_inputs(cl2, geo2, bs, None, LAM)


@pytest.mark.parametrize("case", [("UMa", "NLOS"), ("UMi", "NLOS")])
def test_power_delay_profile_of_the_frequency_response(case):
    """DS of the PDP (inverse FFT of H over 205 MHz, averaged over 16 phase draws)
    equals the clusters' DS (sub-clusters included) and follows Table 7.5-6."""
    sc, st = case
    rng = np.random.default_rng(3)
    n, r = 48, 16
    p, _, cl, geo = _links(sc, st, n, rng)
    _, _, inp = _omni_inputs(cl, geo, r, rng)
    nf, df = 4096, 50e3
    h = response(inp, nf, df / 12.0, 0.0)[:, 0, 0, :]  # (n r, nf) at (k - nf/2 + .5) df
    h = h * np.hanning(nf)
    pdp = (np.abs(np.fft.ifft(h, axis=1)) ** 2).reshape(n, r, nf).mean(axis=1)
    k = np.arange(nf)
    tau = np.where(k < nf - 64, k, k - nf) / (nf * df)  # the window's main lobe wraps
    ds_pdp = _rms_ds(tau, pdp)
    # the clusters' own DS with the sub-clusters of eq. 7.5-28
    taus, pws = [cl.delay_s], [cl.power.copy()]
    strong = np.zeros_like(cl.power, bool)
    np.put_along_axis(strong, cl.strongest, True, axis=1)
    for off, share in ((1.28, 6 / 20), (2.56, 4 / 20)):
        taus.append(cl.delay_s + off * cl.c_ds_s[:, None])
        pws.append(np.where(strong, cl.power * share, 0.0))
    pws[0] = np.where(strong, cl.power * 10 / 20, cl.power)
    ds_cl = _rms_ds(np.concatenate(taus, axis=1), np.concatenate(pws, axis=1))
    ratio = ds_pdp / ds_cl
    assert np.median(ratio) == pytest.approx(1.0, abs=0.05)
    assert np.mean(np.abs(ratio - 1.0) < 0.25) > 0.85
    assert np.log10(ds_pdp).mean() == pytest.approx(p.mu_lgds, abs=0.15)


@pytest.mark.parametrize("case", [("UMa", "NLOS"), ("UMa", "O2I"), ("UMi", "NLOS"), ("UMa", "LOS")])
def test_ray_angle_spreads_follow_drawn_asa_asd(case):
    """Circular (TR 25.996 Annex A) rms spreads of the rays, weighted by the ray
    powers of step 6 (LOS: eq. 7.5-8), against the drawn ASA and ASD.

    In LOS only the ASD (median 15 deg in UMa) is compared: with the LOS ray
    holding K/(K+1) of the power, the rest must spread far to reach the drawn ASA
    (median 65 deg in UMa LOS); it then wraps around the circle and the circular
    spread falls short of the drawn one (the TR's construction, not tested here).
    """
    sc, st = case
    _, lsp, cl, _ = _links(sc, st, 200, np.random.default_rng(8))
    n, _, m = cl.aoa_deg.shape
    pw = _los_powers(cl) if st == "LOS" else cl.power
    pr = np.repeat(pw[:, :, None] / m, m, axis=2).reshape(n, -1)
    pairs = [(cl.aod_deg, lsp.asd_deg)]
    if st != "LOS":
        pairs.append((cl.aoa_deg, lsp.asa_deg))
    for ang, drawn in pairs:
        real = _circular_as_deg(ang.reshape(n, -1), pr, step_deg=3.0)
        sel = drawn < 30.0 if st == "LOS" else np.ones(n, bool)
        assert sel.sum() > 80
        d = np.log10(real[sel]) - np.log10(drawn[sel])
        assert d.mean() == pytest.approx(0.0, abs=0.1)
        assert np.median(np.abs(d)) < 0.15


def test_los_k_factor_of_the_generated_channel_equals_the_drawn_k():
    """Over redraws of the initial phases, |E H|^2 / var H = K_R (eq. 7.5-30)."""
    rng = np.random.default_rng(21)
    _, _, cl, geo = _links("UMi", "LOS", 3, rng)
    for i in range(3):
        one = Clusters(*(a[i : i + 1] for a in cl))
        g1 = LinkGeometry(*(a[i : i + 1] for a in geo))
        _, _, inp = _omni_inputs(one, g1, 3000, rng, bs=ISO_4X8)
        h = response(inp, 4, 30e3, 0.0)[:, :, 0, :]  # (3000, 32, 4)
        k_est = np.abs(h.mean(axis=0)) ** 2 / h.var(axis=0)
        assert np.median(k_est) == pytest.approx(cl.k_r[i], rel=0.08)
        # total power = path gain (1)
        assert np.mean(np.abs(h) ** 2) == pytest.approx(1.0, rel=0.05)


@pytest.mark.parametrize("case", [("UMa", "NLOS"), ("UMi", "LOS"), ("UMa", "O2I")])
def test_mean_power_per_element_is_the_path_gain(case):
    """Isotropic vertically polarised elements: E|H|^2 = path gain over drops."""
    rng = np.random.default_rng(4)
    _, _, cl, geo = _links(*case, 600, rng)
    pg = 10.0 ** rng.uniform(-12.0, -8.0, 600)
    geo = geo._replace(path_gain=pg)
    inp = kernel_inputs(cl, geo, ISO_4X8, None, LAM)
    h = response(inp, 52, 30e3, 0.0)
    p = (np.abs(h) ** 2).mean(axis=(1, 2, 3)) / pg
    assert p.mean() == pytest.approx(1.0, abs=0.06)


def _single_cluster(n_links, n_rays, rng, aoa=None, zoa=None, aod=None, zod=None, xpr=1e12):
    shape = (n_links, 1, n_rays)

    def fill(v, default):
        return np.broadcast_to(default if v is None else v, shape).astype(float).copy()

    return Clusters(
        delay_s=np.zeros((n_links, 1)),
        delay_unscaled_s=np.zeros((n_links, 1)),
        power=np.ones((n_links, 1)),
        power_angles=np.ones((n_links, 1)),
        aoa_deg=fill(aoa, 0.0),
        aod_deg=fill(aod, 0.0),
        zoa_deg=fill(zoa, 90.0),
        zod_deg=fill(zod, 90.0),
        xpr=np.full(shape, xpr),
        phase=rng.uniform(-np.pi, np.pi, (*shape, 4)),
        k_r=np.zeros(n_links),
        los=np.zeros(n_links, bool),
        c_ds_s=np.zeros(n_links),
        strongest=np.zeros((n_links, 2), np.int64),
    )


def _plain_geometry(n, velocity=(0.0, 0.0, 0.0), cell_az=0.0):
    z = np.zeros(n)
    return LinkGeometry(
        los_aoa_deg=z,
        los_aod_deg=z,
        los_zoa_deg=z + 90.0,
        los_zod_deg=z + 90.0,
        d3d_m=z + 100.0,
        cell_az_deg=z + cell_az,
        ue_bearing_deg=z,
        velocity_mps=np.tile(np.asarray(velocity, float), (n, 1)),
        path_gain=np.ones(n),
    )


def test_time_correlation_is_clarke_j0():
    """One cluster of 100 rays uniform in azimuth (horizontal): the correlation of
    H(t) across time is J0(2 pi f_d tau) (Clarke), f_d = v / lambda; 3000 links
    give a standard error of about 0.02."""
    rng = np.random.default_rng(9)
    n, m, v = 3000, 100, 30.0
    cl = _single_cluster(n, m, rng, aoa=rng.uniform(-180.0, 180.0, (n, 1, m)))
    inp = kernel_inputs(cl, _plain_geometry(n, (v, 0.0, 0.0)), ISO_1, None, LAM, subclusters=False)
    f_d = v / LAM
    h0 = response(inp, 1, 30e3, 0.0)[:, 0, 0, 0]
    for tau in (0.2e-3, 0.5e-3, 1.0e-3, 1.5e-3, 2.5e-3, 4e-3):
        ht = response(inp, 1, 30e3, tau)[:, 0, 0, 0]
        rho = np.mean(ht * np.conj(h0)) / np.mean(np.abs(h0) ** 2)
        assert rho.real == pytest.approx(j0(2 * np.pi * f_d * tau), abs=0.06)
        assert abs(rho.imag) < 0.06


@pytest.mark.parametrize("slant", [0.0, 45.0])
def test_single_ray_array_response_is_the_steering_vector(slant):
    """One ray: H over the elements is sqrt(G_E) (cos zeta) times the panel's
    closed-form steering vector exp(j 2 pi r . d) (TR 38.901 eq. 7.5-22)."""
    rng = np.random.default_rng(2)
    arr = PanelArray(4, 8, 0.5, 102.0, slant_deg=slant)
    phi = np.array([-50.0, -10.0, 0.0, 25.0, 70.0])
    theta = np.array([60.0, 85.0, 100.0, 95.0, 120.0])
    n = phi.size
    cl = _single_cluster(n, 1, rng, aod=phi[:, None, None], zod=theta[:, None, None])
    cl = cl._replace(phase=np.zeros_like(cl.phase))
    geo = _plain_geometry(n, cell_az=0.0)
    h = response(kernel_inputs(cl, geo, arr, None, LAM, subclusters=False), 1, 30e3, 0.0)
    h = h[:, :, 0, 0]
    m_, n_ = np.meshgrid(np.arange(4), np.arange(8), indexing="ij")
    for i in range(n):
        u = np.radians([theta[i], phi[i]])
        # closed form: element (m, n) at (0, n/2, m/2) wavelengths
        a = np.exp(
            2j * np.pi * 0.5 * (n_ * math.sin(u[0]) * math.sin(u[1]) + m_ * math.cos(u[0]))
        ).ravel()
        assert np.allclose(a, arr.steering_vector(phi[i], theta[i]), atol=1e-12)
        g_e = 10.0 ** (arr.element_gain_dbi(phi[i], theta[i]) / 10.0)
        # vertical UE sees the theta component sqrt(G_E) cos(zeta); xpr -> inf
        want = math.sqrt(g_e) * math.cos(math.radians(slant)) * a
        assert np.allclose(h[i], want, rtol=2e-5, atol=1e-6 * abs(want).max())


@pytest.mark.slow
@pytest.mark.parametrize("case", [*CASES, ("UMi", "O2I")])
@pytest.mark.parametrize("fc", [2.0, 3.5, 28.0])
def test_cluster_delay_spread_follows_table_7_5_6_large(case, fc):
    """The default run's DS check with 20,000 links per case and three carriers.

    Measured offsets of the realised mean lg DS from Table 7.5-6's (the same at 2,
    3.5 and 28 GHz): LOS 0.000 (UMa) / -0.003 (UMi), NLOS -0.022, O2I -0.040: the
    finite set of exponentially spread clusters and the -25 dB removal realise the
    spread a little below the drawn LSP (its target); the std is within +0.025.
    """
    global FC
    sc, st = case
    old, FC = FC, fc
    try:
        p, _, cl, _ = _links(sc, st, 20000, np.random.default_rng(12))
    finally:
        FC = old
    pw = _los_powers(cl) if st == "LOS" else cl.power
    lg = np.log10(_rms_ds(cl.delay_s, pw))
    assert lg.mean() == pytest.approx(p.mu_lgds, abs=0.01 if st == "LOS" else 0.05)
    assert lg.std() == pytest.approx(p.sigma_lgds, abs=0.035)
