"""Per-antenna fronthaul branches (issue 19 item 1)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from rof.edge.mimo.branches import Branches, wdm_mixing
from rof.edge.mimo.cluster import evaluate, plan_streams, precoders
from rof.errors import RofError
from rof.radio.sinr import fronthaul_noise_w, sinr_scheduled


def rayleigh(rng, shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2.0)


def budget(**kw):
    base = {"sndr_db": 25.0, "sdr_db": 32.0, "snr_db": 26.0, "gain_db": -20.0, "latency_s": 5e-5}
    return SimpleNamespace(**{**base, **kw})


def test_one_branch_per_site_is_the_single_antenna_link():
    """n_ant = 1: SINR equals rof.radio.sinr.sinr_scheduled with the same fronthaul noise."""
    rng = np.random.default_rng(1)
    n_cells, n_ue, k, n_rb, p = 5, 15, 3, 4, 0.2
    serving = np.arange(n_ue) % n_cells
    lc = np.empty((n_ue, k), dtype=np.int64)
    for u in range(n_ue):
        lc[u] = np.r_[
            serving[u], rng.permutation([c for c in range(n_cells) if c != serving[u]])[: k - 1]
        ]
    h = (
        rayleigh(rng, (n_rb, n_ue, k, 1))
        * np.sqrt(10 ** -rng.uniform(0, 3, (n_ue, k)))[None, :, :, None]
    )
    sched = np.full((n_rb, n_cells, 1), -1, dtype=np.int64)
    for b in range(n_rb):
        for c in range(n_cells):
            if (b + c) % 4:  # some cells mute some RBs
                mine = np.flatnonzero(serving == c)
                sched[b, c, 0] = mine[b % mine.size]
    noise = np.full(n_ue, 1e-3)
    bg = rng.uniform(0, 1e-3, n_ue)
    sndr = rng.uniform(15, 30, n_cells)
    br = Branches.from_budget(budget(sndr_db=sndr[:, None]), n_cells, 1, p)
    plan = plan_streams("single", sched, lc, n_ant=1)
    w = br.radiate(precoders(plan, h, lc, noise, p, n_cells, "mrt"), plan.tx)
    got = evaluate(plan, w, h, lc, noise, br.noise_w(w, plan.tx), extra_w=bg * p).sinr
    # the single-antenna path
    assign = sched[:, :, 0].T
    power = np.where(assign >= 0, p, 0.0)
    inv_n = 10 ** (-sndr / 10) - 10 ** (-3.2)
    fh = fronthaul_noise_w(power, p, 1 / inv_n, 10**3.2)
    ref = sinr_scheduled(
        lc.astype(np.int32),
        np.abs(h[..., 0].transpose(1, 2, 0)) ** 2,
        bg,
        assign,
        power,
        np.full(n_cells, np.inf),
        noise,
        p,
        fh,
    )
    on = assign.T >= 0
    np.testing.assert_allclose(got[on], ref.T[on], rtol=1e-12)
    assert np.all(np.isnan(got[~on]))


def test_wdm_crosstalk_and_phase_mismatch_leak_as_predicted():
    rng = np.random.default_rng(2)
    n_ant, n_ue = 4, 3
    h = rayleigh(rng, (1, n_ue, 1, n_ant))
    lc = np.zeros((n_ue, 1), dtype=np.int64)
    sched = np.arange(n_ue).reshape(1, 1, n_ue)
    plan = plan_streams("single", sched, lc, n_ant=n_ant)
    noise = np.full(n_ue, 1e-6)
    w = precoders(plan, h, lc, noise, 1.0, 1, "zf")

    from rof.photonics.siph.wdm import WdmNode

    m = wdm_mixing(WdmNode(n_channels=n_ant))
    assert np.all(np.diag(m) == 1) and 0 < m[0, 1] < 0.1
    br = Branches.from_budget(budget(), 1, n_ant, 0.25, mixing=m)
    e = evaluate(plan, br.radiate(w, plan.tx), h, lc, noise)
    wz = w[0, :, 0, :].T  # (n_ant, n_ue)
    a = np.abs(h[0, :, 0, :] @ m @ wz) ** 2
    np.testing.assert_allclose(e.interference_w[0], a.sum(1) - np.diag(a), rtol=1e-10)
    assert e.interference_w.min() > 1e-6  # ZF's nulls are filled

    # phase error phi ~ N(0, s^2):
    # E|sum_a h_a (g_a - 1) w_a|^2 = sum_a |h_a w_a|^2 2 (1 - exp(-s^2 / 2))
    s_deg, draws = 5.0, 1500
    leak = np.empty((draws, n_ue))
    for d in range(draws):
        bd = Branches.from_budget(budget(), 1, n_ant, 0.25, phase_mismatch_deg=s_deg, rng=rng)
        leak[d] = evaluate(plan, bd.radiate(w, plan.tx), h, lc, noise).interference_w[0]
    hw = np.abs(h[0, :, 0, :, None] * wz[None]) ** 2  # (k, a, j)
    per = hw.sum(1) * 2 * (1 - np.exp(-(np.radians(s_deg) ** 2) / 2))
    expect = per.sum(1) - np.diag(per)
    se = leak.std(0) / np.sqrt(draws)
    assert np.all(np.abs(leak.mean(0) - expect) < 4 * se)


def test_budget_from_a_real_link():
    from rof.link import build_link

    link = build_link({"transmitter": {"type": "mzm"}})
    lengths = np.array([[5.0, 5.0, 10.0, 10.0], [20.0, 20.0, 20.0, 20.0]])
    lb = link.budget(3.5e9, rf_in_dbm=0.0, bandwidth_hz=100e6, length_km=lengths)
    br = Branches.from_budget(lb, 2, 4, 0.1)
    np.testing.assert_allclose(br.latency_s, np.broadcast_to(lb.latency_s, (2, 4)))
    assert abs(br.gain[0, 0]) > 1 > abs(br.gain[0, 3])  # longer fiber, lower gain
    np.testing.assert_allclose(np.abs(br.gain[1]), 1.0)


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"gain_mismatch_db": -1.0}, ["mimo.gain_mismatch_db", ">= 0"]),
        ({"phase_mismatch_deg": 3.0}, ["needs rng"]),
    ],
)
def test_bad_input(kw, words):
    with pytest.raises(RofError) as exc:
        Branches.from_budget(budget(), 2, 4, 0.1, **kw)
    for w in words:
        assert w in str(exc.value)
