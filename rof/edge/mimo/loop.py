"""The multi-antenna TTI loop of a scenario with a ``[mimo]`` table.

:func:`rof.edge.simulate` (hence ``rof run`` and ``rof sweep``) hands such a scenario to
:func:`simulate_mimo`, which returns the same :class:`rof.edge.result.Result`. Per TTI
(one slot):

1. the per-antenna channels (:class:`rof.edge.mimo.channel.ArrayChannel`) at ``t``
   (true) and as last reported (:class:`rof.edge.mimo.reporting.ReportClock`: the NR
   CSI timeline's measurement by default, its age a per-cell sawtooth), the report
   optionally quantised (``mimo.csi_bits``) or, with ``mimo.csi_feedback = "type1"``,
   replaced by the channel the edge rebuilds from each UE's Type I PMI and CQI gain per
   cell (:mod:`rof.edge.mimo.codebook`; rank 1, the UEs have one antenna);
2. user selection by semi-orthogonal user selection on the reported channels with PF
   weights ``1 / R_u``, ranking by the weighted rate ``log2(1 + SNR_u) / R_u`` of each
   candidate's channel scaled to its stream power over its noise plus the interference
   of the cells outside its cluster (:func:`selection_scale`, :func:`rof.edge.mimo.sus`):
   per cell for ``single`` and ``cb``;
   for ``jt_static`` and ``jt_user`` over the union of the users of each static cluster
   of ``cluster_size`` cells (:func:`rof.edge.mimo.cluster.static_clusters`), on their
   channels to all the cluster's antennas, at most ``streams_per_cell`` per serving cell
   (a cluster-wide scheduler: a user is chosen because it is semi-orthogonal to the
   cluster's other users, not only to its own cell's);
3. precoders per ``mimo.scheme`` from the report (:mod:`rof.edge.mimo.cluster`);
4. each antenna's analog branch radiates them with its mismatch and crosstalk and adds
   its fronthaul noise (:mod:`rof.edge.mimo.branches`; none without
   ``edge.fronthaul_noise``); with ``mimo.branch_mux = "scm"`` the branches share one
   laser on subcarriers and each gets its share of their intermodulation
   (:mod:`rof.edge.mimo.scm`);
5. every stream's SINR on the true channel, the background of cells outside the link
   table at full power added as interference; bits per RB from the attenuated Shannon
   bound (TR 36.942 A.2, ``rof.radio.rates.shannon_attenuated``, NR's 256QAM cap;
   the ``rate_model = "shannon"`` of :func:`rof.edge.simulate`), 12 data symbols per slot;
6. each user's PF average is an EWMA over TTIs of its delivered rate (time constant
   ``pf_window_ttis``, as :func:`rof.edge.simulate`); it weights step 2 of the next TTI.

Frequency: with flat fading every RB has the same channel, so steps 2-5 give the same
decision and SINR on every RB; they are computed on one RB and its bits counted on all
``n_rb`` (exactly what the per-RB computation gives). With frequency-selective fading
the selection and precoders are computed per subband of ``mimo.subband_prbs`` RBs from
the report at the subband's centre RB (a subband precoder, TS 38.214 Sec. 5.2.1.4) and
evaluated on every RB's true channel.

Drops are seeded exactly as :func:`rof.edge.simulate` seeds them (the ``d``-th child of
``SeedSequence(seed)``, its first grandchild building the world), so a drop has the
same users, link table and fading settings as the single-antenna run of the same
scenario, and :func:`rof.edge.stats.paired_gain` compares the two on the same users.
The per-antenna fading draws from the loop's own generator. Full-buffer traffic only.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np

from rof.edge.mimo.branches import Branches, wdm_mixing
from rof.edge.mimo.channel import ArrayChannel
from rof.edge.mimo.cluster import evaluate, plan_streams, precoders, static_clusters
from rof.edge.mimo.reporting import ReportClock
from rof.edge.mimo.sus import sus
from rof.errors import ConfigError

__all__ = [
    "MimoDrop",
    "select_users",
    "selection_clusters",
    "selection_scale",
    "simulate_mimo",
]

#: Data symbols per slot counted in the bits of an RB (as rof.edge.simulate).
DATA_SYMBOLS = 12
#: Initial PF average, bit/s (as rof.edge.simulate).
PF_INITIAL_BPS = 1e3
#: Cap on stored per-stream SINR samples (Result.sinr_db), as rof.edge.simulate.
MAX_SINR_SAMPLES = 500_000


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


def _fading(scn) -> tuple[str, float]:
    """Scattered model and LOS K factor (dB) of the per-antenna channel: those of the
    single-antenna cells (``[radio]``) unless ``mimo.rician_k_db`` is given."""
    radio, k_db = scn.radio, scn.mimo.rician_k_db
    if radio.fading == "none":
        raise ConfigError(
            "radio.fading = 'none' is not supported with [mimo]; "
            "allowed: 'rayleigh', 'rician', 'tdl'"
        )
    model = "tdl" if radio.fading == "tdl" else "rayleigh"
    if k_db is None:
        k_db = -np.inf if radio.fading == "rayleigh" else float(radio.rician_k_db)
    return model, k_db


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
    if m.branch_mux == "scm":  # per-branch SNDR of the subcarrier-multiplexed link
        from rof.edge.mimo.scm import scm_budget

        sndr, sdr = scm_budget(
            scn.fronthaul, scn.radio.carrier_ghz * 1e9, scn.radio.bandwidth_mhz * 1e6,
            world.fiber_km, m.n_ant,
        )  # fmt: skip
        budget.sndr_db, budget.sdr_db = sndr[site], sdr[site]
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


def selection_clusters(scheme: str, site_xy_m, cluster_size: int) -> np.ndarray:
    """Cells whose users one SUS chooses among (module docstring, step 2): one cell each
    for ``single``/``cb``, the static clusters for ``jt_*``; (n_clusters, C), -1 pads."""
    xy = np.asarray(site_xy_m, dtype=float)
    if scheme in ("single", "cb") or cluster_size == 1:
        return np.arange(xy.shape[0], dtype=np.int64)[:, None]
    return np.unique(static_clusters(xy, cluster_size), axis=0)


def selection_scale(world, clusters, n_sched: int) -> np.ndarray:
    """``sqrt(P / L / (sigma^2 + I_out))`` per user: the factor that turns its reported
    channel into the SNR-scaled one of the rate metric (:func:`rof.edge.mimo.sus`).

    ``P / L`` is a stream's share of its cell's per-RB power; ``I_out`` the mean power of
    the cells outside the user's selection cluster at full power (``beta P`` per link
    of the link table, plus the background of cells outside it), ``sigma^2`` its noise.
    """
    n_cells = world.n_cells
    member = np.zeros((n_cells + 1, n_cells + 1), dtype=bool)  # member[c, c']: same cluster
    for row in clusters:
        r = row[row >= 0]
        member[np.ix_(r, r)] = True
    lc = world.link_cell
    own = world.serving
    inside = member[own[:, None], np.where(lc >= 0, lc, n_cells)]
    ls = np.asarray(world.large_scale, dtype=float)
    out_w = np.sum(np.where(inside | (lc < 0), 0.0, ls), axis=1) * world.p_rb_w
    den = world.noise_w + world.background_gain * world.p_rb_w + out_w
    return np.sqrt(world.p_rb_w / n_sched / den)


def select_users(h_rep, cells, clusters, serving, link_cell, weight, n_sched, epsilon, scale=None):
    """Step 2 of the module docstring: the users each cell schedules per RB.

    Parameters
    ----------
    h_rep : ndarray (n_rb, n_ue, K, n_ant) complex
        Reported channels.
    cells : ndarray (n_cells, U) int
        Users of each cell (-1 pads).
    clusters : ndarray (n_clusters, C) int
        :func:`selection_clusters`.
    serving, weight : ndarray (n_ue,)
        Serving cell and PF weight of each user.
    link_cell : ndarray (n_ue, K) int
    n_sched : int
        Streams per cell.
    epsilon : float
        SUS threshold.
    scale : ndarray (n_ue,), optional
        :func:`selection_scale`: SUS then ranks by the weighted rate ``w log2(1 +
        ||g||^2)`` of the scaled channels; without it by ``w ||g||^2``.

    Returns
    -------
    ndarray (n_rb, n_cells, n_sched) int
        Users per cell and RB (-1: none).
    """
    n_rb, n_ue, k, n_ant = h_rep.shape
    n_cells = cells.shape[0]
    n_cl, c = clusters.shape
    h_ext = np.zeros((n_rb, n_ue + 1, k + 1, n_ant), dtype=np.complex128)
    h_ext[:, :n_ue, :k] = h_rep if scale is None else h_rep * scale[:, None, None]
    pos = np.full((n_ue + 1, n_cells + 1), k, dtype=np.int64)
    uu, kk = np.nonzero(link_cell >= 0)
    pos[uu, link_cell[uu, kk]] = kk
    mem = np.where(clusters >= 0, clusters, n_cells)
    cand = np.where(clusters[..., None] >= 0, cells[np.maximum(clusters, 0)], -1)
    group = np.broadcast_to(np.arange(c)[None, :, None], cand.shape).reshape(n_cl, -1)
    cand = np.where(cand >= 0, cand, n_ue).reshape(n_cl, -1)  # n_ue: the zero user
    slot = pos[cand[:, :, None], mem[:, None, :]]  # (n_cl, CU, C)
    hc = h_ext[:, cand[:, :, None], slot].reshape(n_rb, n_cl, cand.shape[1], c * n_ant)
    wt = np.r_[weight, 0.0][cand]
    metric = "gain" if scale is None else "rate"
    sel = sus(hc, wt[None], n_sched * c, epsilon, group[None], n_sched, metric)
    users = np.where(sel >= 0, cand[np.arange(n_cl)[None, :, None], np.maximum(sel, 0)], -1)
    sched = np.full((n_rb, n_cells + 1, n_sched), -1, dtype=np.int64)
    count = np.zeros((n_rb, n_cells + 1), dtype=np.int64)
    rb = np.arange(n_rb)[:, None]
    srv = np.r_[np.asarray(serving, dtype=np.int64), n_cells]
    for i in range(users.shape[-1]):  # clusters are disjoint: (rb, cell) unique per i
        u = users[..., i]
        s = srv[np.where(u >= 0, u, n_ue)]
        ok = u >= 0
        rr = np.broadcast_to(rb, u.shape)
        sched[rr[ok], s[ok], count[rr, s][ok]] = u[ok]
        count[rr[ok], s[ok]] += 1
    return sched[:, :n_cells]


def _subbands(n_rb: int, size: int, flat: bool):
    """Representative RB of each subband and each RB's subband (flat: one for all)."""
    if flat:
        return np.array([0]), np.zeros(n_rb, dtype=np.int64)
    start = np.arange(0, n_rb, size)
    width = np.minimum(size, n_rb - start)
    return start + width // 2, np.arange(n_rb) // size


#: Compute a flat channel's identical RBs once (module docstring); tests turn it off to
#: check that the per-RB computation gives the same result.
REDUCE_FLAT = True


class MimoDrop:
    """One drop of the loop (module docstring): its world, channels, branches and PF state.

    ``step(t)`` runs TTI ``t``; ``stages`` accumulates wall-clock seconds per stage
    (``channel``, ``selection``, ``precoders``, ``evaluation``) for the benchmarks.
    """

    def __init__(self, scn, ss: np.random.SeedSequence):
        from rof.edge.mimo.outcome import DropTally
        from rof.edge.world import build_world

        m, run = scn.mimo, scn.run
        self.scn = scn
        world_ss, _, loop_ss = ss.spawn(3)
        self.world = world = build_world(scn, np.random.default_rng(world_ss))
        rng = np.random.default_rng(loop_ss)
        model, k_db = _fading(scn)
        if m.channel == "tr38901":
            from rof.edge.mimo.channel import SpatialArrayChannel

            self.chan = SpatialArrayChannel(scn, world, rng)
            model = "tdl"  # frequency selective: per-subband selection and precoders
        else:
            self.chan = ArrayChannel(
                world,
                m.n_ant,
                rng,
                spacing_wavelengths=m.spacing_wavelengths,
                rician_k_db=k_db,
                model=model,
            )
        self.branches = _branches(scn, world, rng)
        self.clock = ReportClock(scn, world)
        self.cells = _cells(world)
        self.lc = world.link_cell.astype(np.int64)
        self.site_xy = np.asarray(world.deployment.site_xy_m)[world.deployment.cell_site]
        from rof.edge.mimo.cluster import _check_cluster

        top_k = self.lc.shape[1] if m.scheme in ("jt_user", "cb") else None
        _check_cluster(m.cluster_size, world.n_cells, top_k)  # the scheme's own range
        self.clusters = selection_clusters(m.scheme, self.site_xy, m.cluster_size)
        self.n_sched = min(m.streams_per_cell, m.n_ant)
        self.scale = selection_scale(world, self.clusters, self.n_sched)
        flat = model == "rayleigh" and REDUCE_FLAT
        self.rep_rb, self.sb_of = _subbands(world.n_rb, m.subband_prbs, flat)
        self.per_rb = world.n_rb if flat else 1  # RBs each evaluated stream stands for
        self.extra = world.background_gain * world.p_rb_w
        self.avg = np.full(world.deployment.n_ue, PF_INITIAL_BPS)
        n_meas = run.ttis - run.warmup_ttis
        self.stride = max(
            1, -(-n_meas * world.n_cells * world.n_rb * run.drops // MAX_SINR_SAMPLES)
        )
        self.tally = DropTally(world, n_meas)
        self.codebook = None
        if m.csi_feedback == "type1":
            from rof.edge.mimo.codebook import type1_codebook

            n1 = m.codebook_n1 if m.codebook_n1 is not None else m.n_ant // 2
            self.codebook = type1_codebook(n1, m.codebook_n2 or 1, rank=1)[0]
        self.stages = dict.fromkeys(("channel", "selection", "precoders", "evaluation"), 0.0)

    def step(self, t: int):
        """TTI ``t`` (steps 1-6 of the module docstring); returns its Evaluation."""
        from rof.edge.precoding import quantise
        from rof.radio import rates

        m, world, lc = self.scn.mimo, self.world, self.lc
        n_ue, n_cells, n_rb = world.deployment.n_ue, world.n_cells, world.n_rb
        t0 = time.perf_counter()
        h_true = self.chan.at(t * world.tti_s)
        h_rep = np.asarray(self.clock.reported(self.chan, t, lc, self.rep_rb))
        if m.csi_bits:
            h_rep = quantise(h_rep, m.csi_bits)
        if self.codebook is not None:  # Type I PMI per cell: the edge's rebuilt channel
            from rof.edge.mimo.codebook import type1_report

            h_rep = type1_report(h_rep[..., None, :], self.codebook)[1][..., 0, :]
        t1 = time.perf_counter()
        sched = select_users(
            h_rep, self.cells, self.clusters, world.serving, lc, 1.0 / self.avg, self.n_sched,
            m.sus_epsilon, self.scale,
        )  # fmt: skip
        plan = plan_streams(
            m.scheme, sched, lc, cluster_size=m.cluster_size, site_xy_m=self.site_xy,
            n_ant=m.n_ant, cb_nulls=m.cb_nulls,
        )  # fmt: skip
        t2 = time.perf_counter()
        w = precoders(plan, h_rep, lc, world.noise_w, world.p_rb_w, n_cells, m.precoder)
        t3 = time.perf_counter()
        if self.per_rb == 1 and self.rep_rb.size != n_rb:  # subband decisions onto their RBs
            plan = type(plan)(*(x[self.sb_of] for x in plan))
            w, sched = w[self.sb_of], sched[self.sb_of]
        else:
            h_true = h_true[: plan.user.shape[0]]
        w = self.branches.radiate(w, plan.tx)
        fh = self.branches.noise_w(w, plan.tx)
        ev = evaluate(plan, w, h_true, lc, world.noise_w, fh, self.extra)
        on = plan.user >= 0
        se = rates.shannon_attenuated(
            10.0 * np.log10(np.maximum(ev.sinr[on], 1e-30)), se_max=rates.SE_MAX_NR_256QAM
        )
        rb_bits = np.floor(se * 12 * DATA_SYMBOLS) * self.per_rb
        bits = np.bincount(plan.user[on], weights=rb_bits, minlength=n_ue)
        beta = 1.0 / self.scn.edge.pf_window_ttis
        self.avg = (1.0 - beta) * self.avg + beta * bits / world.tti_s
        t4 = time.perf_counter()
        for k, dt in zip(self.stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            self.stages[k] += dt
        warm = self.scn.run.warmup_ttis
        if t >= warm:
            sample = (t - warm) % self.stride == 0
            self.tally.record(
                bits, plan.user[on], ev.sinr[on], sched, self.per_rb, t4 - t0, t3 - t2, sample
            )
        return ev


def _run_drop(scn, ss: np.random.SeedSequence, index: int):
    drop = MimoDrop(scn, ss)
    for t in range(scn.run.ttis):
        drop.step(t)
    drop.tally.csi_delay_ttis = drop.clock.age_ttis_mean()
    return drop.tally


def simulate_mimo(scenario):
    """Run a scenario with a ``[mimo]`` table through the multi-antenna loop.

    Parameters
    ----------
    scenario : rof.scenario.Scenario, TOML path or dict

    Returns
    -------
    rof.edge.result.Result
        As :func:`rof.edge.simulate`'s: every KPI of :data:`rof.edge.stats.KPIS` with its
        95 % interval (``bler`` 0: the Shannon rate never fails; ``muted_rb_share``: RBs
        on which a cell sends no stream), per-user throughput, per-stream SINR samples,
        per-drop columns in ``samples`` for :func:`rof.edge.stats.paired_gain`, plus
        ``streams_per_cell_rb`` (mean streams a cell serves per RB).
    """
    from rof._status import say
    from rof.edge.mimo.outcome import mimo_result
    from rof.scenario import as_scenario

    scn = as_scenario(scenario)
    if scn.mimo is None or scn.mimo.scheme == "off":
        raise ConfigError(
            "the scenario has no active [mimo] table; allowed: mimo.scheme other than 'off'"
        )
    if scn.edge.traffic != "full_buffer":
        raise ConfigError(
            f"edge.traffic = {scn.edge.traffic!r} is not supported with [mimo]; "
            "allowed: 'full_buffer'"
        )
    children = np.random.SeedSequence(int(scn.seed)).spawn(scn.run.drops + 1)
    drops, t0, n = [], time.perf_counter(), scn.run.drops
    for i, ss in enumerate(children[:-1]):
        drops.append(_run_drop(scn, ss, i))
        say(f"  drop {i + 1} of {n}: {scn.run.ttis} TTIs in {time.perf_counter() - t0:.1f} s")
    return mimo_result(scn, drops, children[-1])
