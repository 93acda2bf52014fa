"""The multi-antenna TTI loop of a scenario with a ``[mimo]`` table.

Per TTI (one slot):

1. the per-antenna channels (:class:`rof.edge.mimo.channel.ArrayChannel`) at ``t``
   (true) and at ``t - tau_c`` (reported; ``tau_c`` the cell's fiber round trip plus
   ``edge.processing_delay_ms``, as ``csi_timeline = "fixed"`` in :func:`rof.edge.simulate`;
   0 for ``csi = "perfect"``), the report optionally quantised (``mimo.csi_bits``);
2. each cell chooses up to ``streams_per_cell`` of its users per RB by semi-orthogonal
   user selection on their reported channels with PF weights (:func:`rof.edge.mimo.sus`);
3. precoders per ``mimo.scheme`` from the report (:mod:`rof.edge.mimo.cluster`);
4. each antenna's analog branch radiates them with its mismatch and crosstalk and adds
   its fronthaul noise (:mod:`rof.edge.mimo.branches`; none without
   ``edge.fronthaul_noise``);
5. every stream's SINR on the true channel, the background of cells outside the link
   table at full power added as interference; bits per RB from the attenuated Shannon
   bound (TR 36.942 A.2, ``rof.radio.rates.shannon_attenuated``, NR's 256QAM cap;
   the ``rate_model = "shannon"`` of :func:`rof.edge.simulate`), 12 data symbols per slot;
6. PF averages as in :func:`rof.edge.simulate` (EWMA over ``pf_window_ttis``).

Drops are seeded exactly as :func:`rof.edge.simulate` seeds them (the ``d``-th child of
``SeedSequence(seed)``, its first grandchild building the world), so a drop has the
same users, link table and fading settings as the single-antenna run of the same
scenario, and :func:`rof.edge.stats.paired_gain` compares the two on the same users.
The per-antenna fading draws from the loop's own generator. Full-buffer traffic only.
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np

from rof.edge import stats
from rof.edge.mimo.branches import Branches, wdm_mixing
from rof.edge.mimo.channel import ArrayChannel
from rof.edge.mimo.cluster import evaluate, plan_streams, precoders
from rof.edge.mimo.sus import sus
from rof.errors import ConfigError

__all__ = ["MimoResult", "simulate_mimo"]

#: Data symbols per slot counted in the bits of an RB (as rof.edge.simulate).
DATA_SYMBOLS = 12
#: Initial PF average, bit/s.
PF_INITIAL_BPS = 1e3


class MimoResult(NamedTuple):
    """KPIs (with 95 % bootstrap intervals), per-user samples and timings of a run."""

    kpis: dict
    samples: stats.Samples
    timings: dict


def _cells(world):
    """Users served by each cell, padded with -1: (n_cells, U)."""
    n_cells = world.n_cells
    counts = np.bincount(world.serving, minlength=n_cells)
    out = np.full((n_cells, max(int(counts.max(initial=0)), 1)), -1, dtype=np.int64)
    order = np.argsort(world.serving, kind="stable")
    start = np.r_[0, np.cumsum(counts)[:-1]]
    slot = np.arange(order.size) - np.repeat(start, counts)
    out[world.serving[order], slot] = order
    return out


def _branches(scn, world, rng) -> Branches:
    """Every antenna branch is the cell site's [fronthaul] link (module docstring)."""
    m = scn.mimo
    site = world.deployment.cell_site
    budget = SimpleNamespace(
        sndr_db=world.snr_fh_db[site][:, None],
        snr_db=world.snr_fh_db[site][:, None],
        sdr_db=world.sdr_fh_db[site][:, None],
        gain_db=0.0,
        latency_s=world.latency_s[site][:, None],
    )
    mixing = None
    if m.branch_crosstalk == "wdm":
        from rof.photonics.siph.wdm import WdmNode

        mixing = wdm_mixing(WdmNode(n_channels=m.n_ant))
    if not scn.edge.fronthaul_noise:
        budget.sndr_db = budget.snr_db = budget.sdr_db = np.inf
    return Branches.from_budget(
        budget,
        world.n_cells,
        m.n_ant,
        world.p_rb_w / m.n_ant,
        gain_mismatch_db=m.gain_mismatch_db,
        phase_mismatch_deg=m.phase_mismatch_deg,
        mixing=mixing,
        rng=rng,
    )


def _report_ages_s(scn, world) -> np.ndarray:
    edge = scn.edge
    if edge.csi == "perfect":
        return np.zeros(world.n_cells)
    if edge.csi != "delayed":
        raise ConfigError(
            f"edge.csi = {edge.csi!r} is not supported with [mimo]; allowed: 'perfect', 'delayed'"
        )
    rtt = 2.0 * world.latency_s[world.deployment.cell_site] if edge.csi_ageing else 0.0
    return np.round(rtt + edge.processing_delay_ms * 1e-3, 9) + np.zeros(world.n_cells)


def _reported(chan, t_s, ages_s, link_cell):
    """The channel each link's report saw: the process at ``t - tau`` of its cell."""
    uniq = np.unique(ages_s)
    if uniq.size == 1:
        return chan.at(t_s - uniq[0])
    out = None
    age_link = ages_s[link_cell]  # (n_ue, K)
    for a in uniq:
        h = chan.at(t_s - a)
        if out is None:
            out = np.array(h)
        sel = age_link == a
        out[:, sel] = h[:, sel]
    return out


def _run_drop(scn, ss: np.random.SeedSequence, index: int):
    from rof.edge.precoding import quantise
    from rof.edge.world import build_world
    from rof.radio import rates

    m, edge, run = scn.mimo, scn.edge, scn.run
    world_ss, _, loop_ss = ss.spawn(3)
    world = build_world(scn, np.random.default_rng(world_ss))
    rng = np.random.default_rng(loop_ss)
    model = "tdl" if scn.radio.fading == "tdl" else "rayleigh"
    chan = ArrayChannel(
        world,
        m.n_ant,
        rng,
        spacing_wavelengths=m.spacing_wavelengths,
        rician_k_db=m.rician_k_db,
        model=model,
    )
    branches = _branches(scn, world, rng)
    ages = _report_ages_s(scn, world)
    cells = _cells(world)
    n_ue, n_cells = world.deployment.n_ue, world.n_cells
    lc = world.link_cell.astype(np.int64)
    site_xy = np.asarray(world.deployment.site_xy_m)[world.deployment.cell_site]
    extra = world.background_gain * world.p_rb_w
    avg = np.full(n_ue, PF_INITIAL_BPS)
    beta = 1.0 / edge.pf_window_ttis
    delivered = np.zeros(n_ue)
    n_sched = min(m.streams_per_cell, m.n_ant)
    t_prec, t_all = [], []
    for t in range(run.ttis):
        t0 = time.perf_counter()
        ts = t * world.tti_s
        h_true = chan.at(ts)
        h_rep = _reported(chan, ts, ages, lc)
        if m.csi_bits:
            h_rep = quantise(h_rep, m.csi_bits)
        cand = np.where(cells >= 0, cells, n_ue)  # n_ue: a zero channel, weight 0
        h_srv = np.concatenate([h_rep[:, :, 0, :], np.zeros((world.n_rb, 1, m.n_ant))], axis=1)
        weight = np.r_[1.0 / avg, 0.0][cand]
        sel = sus(h_srv[:, cand], weight[None], n_sched, m.sus_epsilon)
        sched = np.where(sel >= 0, cells[np.arange(n_cells)[None, :, None], np.maximum(sel, 0)], -1)
        plan = plan_streams(
            m.scheme, sched, lc, cluster_size=m.cluster_size, site_xy_m=site_xy, n_ant=m.n_ant
        )
        t1 = time.perf_counter()
        w = precoders(plan, h_rep, lc, world.noise_w, world.p_rb_w, n_cells, m.precoder)
        t2 = time.perf_counter()
        w = branches.radiate(w, plan.tx)
        ev = evaluate(plan, w, h_true, lc, world.noise_w, branches.noise_w(w, plan.tx), extra)
        on = plan.user >= 0
        se = rates.shannon_attenuated(
            10.0 * np.log10(np.maximum(ev.sinr[on], 1e-30)), se_max=rates.SE_MAX_NR_256QAM
        )
        bits = np.bincount(plan.user[on], weights=np.floor(se * 12 * DATA_SYMBOLS), minlength=n_ue)
        avg = (1.0 - beta) * avg + beta * bits / world.tti_s
        if t >= run.warmup_ttis:
            delivered += bits
        t_prec.append(t2 - t1)
        t_all.append(time.perf_counter() - t0)
    n_meas = run.ttis - run.warmup_ttis
    bw = world.n_rb * world.rb_bandwidth_hz
    ue = {
        "thr": delivered / (n_meas * world.tti_s),
        "cell_w": np.full(n_ue, n_cells / n_ue),
        "area_w": np.full(n_ue, world.area_km2 / n_ue),
        "se_w": np.full(n_ue, bw * n_cells / n_ue),
        "blocks": np.zeros(n_ue),
        "errors": np.zeros(n_ue),
        "drop": np.full(n_ue, index, dtype=np.int64),
    }
    cell = {
        "muted": np.zeros(n_cells),
        "eligible": np.zeros(n_cells),
        "drop": np.full(n_cells, index, dtype=np.int64),
    }
    return ue, cell, np.array(t_prec), np.array(t_all), world


def simulate_mimo(scenario) -> MimoResult:
    """Run a scenario with a ``[mimo]`` table through the multi-antenna loop.

    Parameters
    ----------
    scenario : rof.scenario.Scenario, TOML path or dict

    Returns
    -------
    MimoResult
        ``kpis`` as :func:`rof.edge.simulate`'s throughput KPIs (``bler`` and
        ``muted_rb_share`` left out: no link adaptation, no muting), each with its
        ``_ci_low``/``_ci_high``; ``samples`` for :func:`rof.edge.stats.paired_gain`.
    """
    from rof.scenario import as_scenario

    scn = as_scenario(scenario)
    if scn.mimo is None:
        raise ConfigError("the scenario has no [mimo] table; allowed: a [mimo] table")
    if scn.edge.traffic != "full_buffer":
        raise ConfigError(
            f"edge.traffic = {scn.edge.traffic!r} is not supported with [mimo]; "
            "allowed: 'full_buffer'"
        )
    children = np.random.SeedSequence(int(scn.seed)).spawn(scn.run.drops + 1)
    out = [_run_drop(scn, ss, i) for i, ss in enumerate(children[:-1])]

    def cat(rows):
        return {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}

    samples = stats.Samples(cat([o[0] for o in out]), cat([o[1] for o in out]), len(out))
    kpis = {}
    for name in stats.KPIS:
        if name in ("bler", "muted_rb_share"):
            continue
        kpis[name] = stats.point(samples, name)
        lo, hi = stats.interval(samples, name, stats.CI_LEVEL, seed=children[-1])
        kpis[f"{name}_ci_low"], kpis[f"{name}_ci_high"] = lo, hi
    t_prec = np.concatenate([o[2] for o in out])
    t_all = np.concatenate([o[3] for o in out])
    timings = {
        "precoder_time_per_tti_s": float(t_prec.mean()),
        "tti_time_s": float(t_all.mean()),
    }
    return MimoResult(kpis, samples, timings)
