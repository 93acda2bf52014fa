"""Precoders against closed forms and plain-NumPy references (issue 19)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, special, stats

from rof.edge.precoding import (
    PRECODERS,
    age_channel,
    leakage_w,
    limit_power,
    mrt,
    precode,
    quantise,
    rzf,
    sinr,
    zf,
)
from rof.errors import RofError


def rayleigh(rng, shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2.0)


def test_zf_nulls_interference_and_matches_pinv():
    rng = np.random.default_rng(1)
    h = rayleigh(rng, (50, 4, 8))
    w = zf(h, power=2.0)
    a = h @ w
    off = a - np.einsum("...kk->...k", a)[..., None] * np.eye(4)
    assert np.max(np.abs(off)) < 1e-12 * np.max(np.abs(a))
    # directions equal the pseudo-inverse's columns (an independent reference)
    ref = np.linalg.pinv(h)
    ref = ref / np.linalg.norm(ref, axis=-2, keepdims=True) * np.sqrt(2.0 / 4)
    np.testing.assert_allclose(w, ref, atol=1e-12)
    np.testing.assert_allclose(np.sum(np.abs(w) ** 2, axis=(-2, -1)), 2.0)


def test_zf_mean_rate_matches_gamma_closed_form():
    """Per-user SNR ~ Gamma(M - K + 1, 1) x P / (K sigma^2) (Tse & Viswanath Eq. 8.54)."""
    m, k, p, n0 = 6, 3, 10.0, 1.0
    rng = np.random.default_rng(2)
    h = rayleigh(rng, (20_000, k, m))
    rate = np.log2(1.0 + sinr(h, zf(h, p), n0))
    s = p / (k * n0)
    shape = m - k + 1
    closed, _ = integrate.quad(
        lambda x: np.log2(1.0 + s * x) * stats.gamma.pdf(x, shape), 0.0, np.inf
    )
    se = rate.std() / np.sqrt(rate.size)
    assert abs(rate.mean() - closed) < 4.0 * se
    # and a wrong degree of freedom (M - K) would fail it
    wrong, _ = integrate.quad(
        lambda x: np.log2(1.0 + s * x) * stats.gamma.pdf(x, shape - 1), 0.0, np.inf
    )
    assert abs(rate.mean() - wrong) > 4.0 * se


def test_rzf_limits():
    rng = np.random.default_rng(3)
    h = rayleigh(rng, (20, 4, 8))
    np.testing.assert_allclose(rzf(h, 1.0, noise_w=1e-12), zf(h, 1.0), atol=1e-9)
    np.testing.assert_allclose(rzf(h, 1.0, noise_w=1e12), mrt(h, 1.0), atol=1e-9)
    # the default regularisation is K sigma^2 / P (Peel et al. 2005)
    np.testing.assert_allclose(
        rzf(h, 2.0, noise_w=0.5), rzf(h, 2.0, regularisation=4 * 0.5 / 2.0), atol=1e-14
    )
    # and RZF beats both ZF and MRT in sum rate at a moderate SNR
    rates = {
        n: np.log2(1 + sinr(h, precode(n, h, 1.0, noise_w=0.25), 0.25)).sum(-1).mean()
        for n in PRECODERS
    }
    assert rates["rzf"] >= rates["zf"] and rates["rzf"] >= rates["mrt"]


def test_mrt_is_matched_filter():
    rng = np.random.default_rng(4)
    h = rayleigh(rng, (3, 8))
    w = mrt(h, 3.0)
    ref = h.conj().T / np.linalg.norm(h, axis=1)
    np.testing.assert_allclose(w, ref, atol=1e-14)
    w = mrt(h, 3.0, normalisation="matrix")
    np.testing.assert_allclose(np.sum(np.abs(w) ** 2), 3.0)


def test_padded_users_get_nothing():
    rng = np.random.default_rng(5)
    h = rayleigh(rng, (4, 8))
    hp = np.concatenate([h, np.zeros((2, 8))])
    w, wp = zf(h, 1.0), zf(hp, 1.0)
    np.testing.assert_allclose(wp[:, :4], w, atol=1e-12)
    assert np.all(wp[:, 4:] == 0)
    np.testing.assert_allclose(rzf(hp, 1.0, 0.1)[:, :4], rzf(h, 1.0, 0.1), atol=1e-12)


def test_limit_power_per_antenna_and_per_site():
    rng = np.random.default_rng(6)
    h = rayleigh(rng, (10, 4, 8))
    w = zf(h, 8.0)
    wa = limit_power(w, 1.0)
    row = np.sum(np.abs(wa) ** 2, axis=-1)
    np.testing.assert_allclose(row.max(axis=-1), 1.0)
    a = h @ wa
    off = a - np.einsum("...kk->...k", a)[..., None] * np.eye(4)
    assert np.max(np.abs(off)) < 1e-12
    sites = np.repeat([0, 1], 4)
    ws = limit_power(w, [3.0, 5.0], sites)
    per = np.stack([np.sum(np.abs(ws[:, sites == s]) ** 2, axis=(-2, -1)) for s in (0, 1)], -1)
    assert np.all(per <= np.array([3.0, 5.0]) * (1 + 1e-12))
    np.testing.assert_allclose(np.max(per / [3.0, 5.0], axis=-1), 1.0)


def test_aged_zf_leakage_closed_form():
    """E[leakage_k] = (1 - rho^2) beta_k P (K - 1) / K for ZF with equal stream power on
    a Gauss-Markov-aged report (derivation in rof.edge.mimo.cluster)."""
    m, k, p = 8, 4, 2.0
    fd, tau = 100.0, 1e-3
    rho = special.j0(2 * np.pi * fd * tau)
    beta = np.array([1.0, 0.5, 2.0, 0.1])
    rng = np.random.default_rng(7)
    h_rep = rayleigh(rng, (40_000, k, m)) * np.sqrt(beta)[:, None]
    h_true = age_channel(h_rep, rho, rng, variance=beta[:, None])
    leak = leakage_w(h_true, zf(h_rep, p))
    expect = (1 - rho**2) * beta * p * (k - 1) / k
    se = leak.std(axis=0) / np.sqrt(leak.shape[0])
    assert np.all(np.abs(leak.mean(axis=0) - expect) < 4 * se)
    # perfect CSI: no leakage
    assert np.max(leakage_w(h_rep, zf(h_rep, p))) < 1e-20


def test_quantise():
    rng = np.random.default_rng(8)
    h = rayleigh(rng, (100, 4, 8))
    q8, q2 = quantise(h, 8), quantise(h, 2)
    e8 = np.mean(np.abs(q8 - h) ** 2)
    e2 = np.mean(np.abs(q2 - h) ** 2)
    assert e8 < e2 / 100
    peak = np.max(np.maximum(abs(h.real), abs(h.imag)), axis=-1, keepdims=True)
    # uniform quantiser: error at most half a step per component
    assert np.all(np.abs(q2.real - h.real) <= peak * 0.25 + 1e-15)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda h: zf(h[:5, :4]), ["n_ue = 5", "n_tx = 4"]),
        (lambda h: rzf(h, regularisation=-1.0), ["rzf.regularisation", ">= 0"]),
        (lambda h: rzf(h, noise_w=-1.0), ["rzf.noise_w", ">= 0"]),
        (lambda h: precode("svd", h), ["'svd'", "'mrt', 'zf', 'rzf'"]),
        (lambda h: mrt(h, power=-1.0), ["mrt.power", ">= 0"]),
        (lambda h: zf(h, normalisation="peak"), ["'peak'", "'column', 'matrix'"]),
        (lambda h: quantise(h, 0), ["quantise.bits", "1 to 16"]),
        (lambda h: limit_power(zf(h), -1.0), ["limit_w", ">= 0"]),
        (lambda h: zf(h[0]), ["zf.h", "n_ue, n_tx"]),
    ],
)
def test_bad_input(call, words):
    h = rayleigh(np.random.default_rng(9), (6, 8))
    with pytest.raises(RofError) as exc:
        call(h)
    msg = str(exc.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg
