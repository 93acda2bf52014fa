"""MRC and MMSE combining: closed forms and MMSE >= MRC."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rof.edge.uplink.combining import mmse_sinr, mrc_sinr


def _crandn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(0, 5))
def test_mmse_is_at_least_mrc(seed, n_branch, n_int):
    rng = np.random.default_rng(seed)
    h = _crandn(rng, n_branch) * 10 ** rng.uniform(-3, 0, n_branch)
    g = _crandn(rng, n_int, n_branch) * 10 ** rng.uniform(-3, 0, (n_int, n_branch))
    q = 10 ** rng.uniform(-2, 1, n_int)
    noise = 10 ** rng.uniform(-6, -2, n_branch)
    p = 10 ** rng.uniform(-2, 1)
    a, b = mmse_sinr(h, p, g, q, noise), mrc_sinr(h, p, g, q, noise)
    assert a >= b * (1 - 1e-9)


def test_mmse_two_sites_one_interferer_closed_form():
    """Sherman-Morrison: p (sum |h|^2/n - q |sum g* h / n|^2 / (1 + q sum |g|^2/n))."""
    rng = np.random.default_rng(2)
    for _ in range(20):
        h, g = _crandn(rng, 2), _crandn(rng, 2)
        p, q = 10 ** rng.uniform(-1, 1, 2)
        n1, n2 = 10 ** rng.uniform(-2, 0, 2)
        a = abs(h[0]) ** 2 / n1 + abs(h[1]) ** 2 / n2
        cross = np.conj(g[0]) * h[0] / n1 + np.conj(g[1]) * h[1] / n2
        gg = abs(g[0]) ** 2 / n1 + abs(g[1]) ** 2 / n2
        expected = p * (a - q * abs(cross) ** 2 / (1 + q * gg))
        got = mmse_sinr(h, p, g[None, :], np.array([q]), np.array([n1, n2]))
        assert float(got) == pytest.approx(expected, rel=1e-12)


def test_mrc_without_interference_adds_branch_snrs():
    h = np.array([1 + 1j, 0.5j, -0.2])
    noise = np.array([0.1, 0.2, 0.05])
    expected = 2.0 * np.sum(np.abs(h) ** 2 / noise)
    assert float(mrc_sinr(h, 2.0, np.zeros((0, 3)), np.zeros(0), noise)) == pytest.approx(expected)
    assert float(mmse_sinr(h, 2.0, np.zeros((0, 3)), np.zeros(0), noise)) == pytest.approx(expected)


def test_mrc_with_interference_closed_form():
    h = np.array([1.0, 1j])
    g = np.array([[1.0, 1.0]])
    noise = np.array([1.0, 2.0])
    w = h / noise
    expected = abs(np.vdot(w, h)) ** 2 / (
        abs(np.vdot(w, g[0])) ** 2 * 3.0 + np.sum(np.abs(w) ** 2 * noise)
    )
    assert float(mrc_sinr(h, 1.0, g, np.array([3.0]), noise)) == pytest.approx(expected)


def test_batched_shapes():
    rng = np.random.default_rng(0)
    h = _crandn(rng, 5, 7, 3)
    g = _crandn(rng, 5, 7, 4, 3)
    q = np.ones((5, 7, 4))
    out = mmse_sinr(h, 1.0, g, q, np.ones(3))
    assert out.shape == (5, 7)
    one = mmse_sinr(h[2, 3], 1.0, g[2, 3], q[2, 3], np.ones(3))
    assert out[2, 3] == pytest.approx(float(one))
