"""Numba kernels of rof.learnware against their plain-NumPy references and closed forms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rof.learnware import _kernels as kn


@pytest.fixture
def data():
    rng = np.random.default_rng(1)
    return rng.normal(size=(300, 5)), rng.normal(size=(40, 5)), rng.dirichlet(np.ones(40))


def test_gauss_kernel_matches_reference_and_closed_form(data):
    x, z, _ = data
    k = kn.gauss_kernel(z, x, 0.3)
    np.testing.assert_allclose(k, kn.gauss_kernel_ref(z, x, 0.3), rtol=1e-12)
    # closed form for one entry
    assert k[3, 7] == pytest.approx(np.exp(-0.3 * np.sum((z[3] - x[7]) ** 2)), rel=1e-13)


def test_z_gradient_matches_reference_and_finite_differences(data):
    x, z, beta = data
    gamma = 0.2
    g, c = kn.z_gradient(z, beta, x, gamma)
    g_ref, c_ref = kn.z_gradient_ref(z, beta, x, gamma)
    np.testing.assert_allclose(g, g_ref, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(c, c_ref, rtol=1e-12)

    def f(zz):
        kzz = kn.gauss_kernel_ref(zz, zz, gamma)
        return beta @ kzz @ beta - 2 * beta @ kn.gauss_kernel_ref(zz, x, gamma).mean(1)

    h = 1e-6
    for j, k in [(0, 0), (5, 3), (39, 4)]:
        zp, zm = z.copy(), z.copy()
        zp[j, k] += h
        zm[j, k] -= h
        assert g[j, k] == pytest.approx((f(zp) - f(zm)) / (2 * h), rel=1e-5, abs=1e-10)


def test_z_data_and_z_model_match_their_sums_written_out(data):
    """The two parts of the gradient the fit keeps apart (the data part is reused when
    only beta changes), against the sums of the docstring entry by entry."""
    x, z, beta = data
    gamma = 0.2
    d, c = kn.z_data(z, x, gamma)
    d_ref, c_ref = kn.z_data_ref(z, x, gamma)
    np.testing.assert_allclose(d, d_ref, rtol=1e-11, atol=1e-15)
    np.testing.assert_allclose(c, c_ref, rtol=1e-12)
    kzz = kn.gauss_kernel(z, z, gamma)
    mo = kn.z_model(z, beta, kzz)
    np.testing.assert_allclose(mo, kn.z_model_ref(z, beta, kzz), rtol=1e-11, atol=1e-15)
    for j in (0, 17, 39):
        kj = np.exp(-gamma * ((z[j] - x) ** 2).sum(1))
        assert c[j] == pytest.approx(kj.mean(), rel=1e-13)
        np.testing.assert_allclose(d[j], (kj[:, None] * (z[j] - x)).mean(0), rtol=1e-11)
        kb = np.exp(-gamma * ((z[j] - z) ** 2).sum(1))
        np.testing.assert_allclose(mo[j], ((beta * kb)[:, None] * (z[j] - z)).sum(0), rtol=1e-11)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=1, max_size=30))
def test_simplex_projection_is_the_euclidean_projection(v):
    v = np.asarray(v)
    p = kn.project_simplex(v)
    np.testing.assert_allclose(p, kn.project_simplex_ref(v), atol=1e-12)
    assert p.min() >= 0 and p.sum() == pytest.approx(1.0, abs=1e-12)
    # optimality (variational inequality): (v - p) . (q - p) <= 0 for simplex vertices q
    for i in range(v.size):
        q = np.zeros(v.size)
        q[i] = 1.0
        assert (v - p) @ (q - p) <= 1e-9


def test_simplex_qp_matches_reference_and_slsqp():
    from scipy.optimize import minimize

    rng = np.random.default_rng(3)
    a = rng.normal(size=(8, 6))
    k = a.T @ a + 0.1 * np.eye(6)
    c = rng.normal(size=6)
    x0 = np.full(6, 1 / 6)
    w = kn.simplex_qp(k, c, x0, 5000, 1e-14)
    np.testing.assert_allclose(w, kn.simplex_qp_ref(k, c, x0, 5000, 1e-14), atol=1e-10)
    res = minimize(
        lambda b: b @ k @ b - 2 * c @ b,
        x0,
        jac=lambda b: 2 * (k @ b - c),
        bounds=[(0, 1)] * 6,
        constraints=[{"type": "eq", "fun": lambda b: b.sum() - 1}],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    assert w @ k @ w - 2 * c @ w <= res.fun + 1e-9
    np.testing.assert_allclose(w, res.x, atol=1e-5)


def test_kmeans_and_seeding_match_references(data):
    x, _, _ = data
    rng = np.random.default_rng(5)
    u = rng.random(12)
    seeds = kn.kmeanspp_seed(x, 17, u)
    np.testing.assert_array_equal(seeds, kn.kmeanspp_seed_ref(x, 17, u))
    c, lab, cnt = kn.kmeans_lloyd(x, seeds, 20)
    c_ref, lab_ref, cnt_ref = kn.kmeans_lloyd_ref(x, seeds, 20)
    np.testing.assert_allclose(c, c_ref, atol=1e-12)
    np.testing.assert_array_equal(lab, lab_ref)
    np.testing.assert_array_equal(cnt, cnt_ref)


def test_mmd_cross_many_matches_reference(data):
    _, z, beta = data
    rng = np.random.default_rng(2)
    sizes = [5, 12, 1, 30]
    zs = rng.normal(size=(sum(sizes), 5))
    bs = np.concatenate([rng.dirichlet(np.ones(s)) for s in sizes])
    off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    got = kn.mmd_cross_many(z, beta, zs, bs, off, 0.4)
    np.testing.assert_allclose(got, kn.mmd_cross_many_ref(z, beta, zs, bs, off, 0.4), rtol=1e-12)


def test_min_sq_dist_matches_reference(data):
    x, z, _ = data
    got = kn.min_sq_dist(z, x)
    np.testing.assert_allclose(got, kn.min_sq_dist_ref(z, x), rtol=1e-12)
    assert kn.min_sq_dist(x[:3], x).max() == 0.0
