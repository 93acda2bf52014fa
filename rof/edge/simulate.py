"""The smart-edge TTI loop: report, schedule, evaluate, adapt, deliver.

Per TTI (one NR slot, 1 ms / 2^mu):

1. the fading process advances; its state enters the CSI history;
2. the edge sees each link's channel as reported: with ``csi = "delayed"`` and
   ``csi_timeline = "nr"`` (default) the measurement of the NR CSI timeline
   (periodic CSI-RS, the report in an uplink slot, the fiber round trip and
   ``processing_delay_ms``; :mod:`rof.edge.csi_timeline`), with ``"fixed"`` (and for
   ``"learnware"``, whose predictor extrapolates the report) the state delayed by the
   fiber round trip (2 x one-way latency, if ``csi_ageing``) plus
   ``processing_delay_ms``; ``csi = "perfect"``: no delay; see :mod:`rof.edge.csi`.
   With ``edge.cqi_report = "wideband"`` or ``"subband"`` the edge knows each UE's
   serving link only through its 4-bit CQI report (TS 38.214 Sec. 5.2.2.1; the subband
   CQIs as 2-bit offsets to the wideband one): the serving gain of every RB is the one
   that gives the SINR of the RB's reconstructed CQI (:mod:`rof.edge.cqi_report`), and
   steps 3 and 5 use it; ``"per_rb"`` (default) keeps the per-RB report;
3. the scheduler decides ``assign (n_cells, n_rb)`` and ``power_w``;
4. :func:`rof.radio.sinr.sinr_scheduled` evaluates the decision on the *true*
   channel (fronthaul noise included if ``fronthaul_noise``: its RIN, shot, thermal
   and crosstalk part radiated on every RB of a cell, muted or not, its
   intermodulation following the cell's drive, :func:`rof.radio.sinr.fronthaul_noise_w`;
   the schedulers estimate with the SNDR);
5. link adaptation: each served UE sends one transport block; its MCS comes from
   the effective SINR of the *reported* channel under the same decision, quantised
   to the UE's 4-bit CQI (``cqi_quantised``, :func:`rof.edge.link_adaptation.cqi_sinr_db`),
   minus the outer-loop offset (:mod:`rof.edge.link_adaptation`), at least MCS 0 while the
   UE's CQI is in range (:func:`~rof.edge.link_adaptation.scheduled_mcs`); the block fails
   with the BLER at the true effective SINR, drawn from the run's generator. With
   ``radio.link_abstraction = "eesm"`` (default) the effective SINR is EESM and the BLER
   5G-LENA's link-level curve of the MCS and block size (:mod:`rof.radio.bler_curves`);
   with ``"se_gap"`` the capacity-mapped SINR and :func:`rof.radio.rates.bler`
   (:func:`rof.edge.link_adaptation.link_mcs`); the schedulers value each RB at the MCS
   this choice gives it (:mod:`rof.edge.rate_model`); the
   TB size is TS 38.214 Sec. 5.1.3.2
   (:func:`rof.radio.rates.tb_bits`, 12 data symbols per slot). With ``edge.harq =
   "chase"`` (EESM) a failed block is sent again after the HARQ round trip and decoded at
   the chase-combined SINR (:mod:`rof.edge.harq`). With
   ``rate_model = "shannon"`` the block carries the attenuated Shannon rate of TR
   36.942 A.2 at the true effective SINR and never fails;
6. delivered bits leave the buffers; PF averages update as an EWMA with time
   constant ``pf_window_ttis`` (Jalali, Padovani, Pankaj, VTC 2000).

A run is ``run.drops`` independent drops of ``run.ttis`` TTIs. Drop ``d`` draws from
the ``d``-th child of ``SeedSequence(scenario.seed)``, split again into three
generators: the world (users, link table, shadowing, fading), the traffic arrivals and
the TTI loop (scheduler, block errors). Identical seeds give identical results, and two
runs that differ only in the scheduler see the same users, fading and arrivals in every
drop, so they compare paired (:func:`rof.edge.compare.compare`). The KPIs pool the users
of all drops and carry bootstrap confidence intervals (:mod:`rof.edge.stats`).
"""

from __future__ import annotations

import time
import warnings
from functools import lru_cache, partial
from typing import NamedTuple

import numpy as np

from rof._status import say
from rof._validate import check_range
from rof.edge import stats
from rof.edge._base import SchedulingInput
from rof.edge.cqi_report import CqiReport, KnownSinrCache, reported_gain
from rof.edge.csi import CsiHistory
from rof.edge.harq import ChaseHarq, PendingBlock, combined_sinr
from rof.edge.link_adaptation import OuterLoop, link_mcs
from rof.edge.rate_model import rate_model
from rof.edge.registry import make_scheduler
from rof.edge.result import DropColumns, Result, run_arrays, run_kpis, run_samples
from rof.edge.traffic import Traffic
from rof.edge.world import build_world
from rof.scenario import as_scenario
from rof.units import db_to_lin

__all__ = ["simulate"]

#: Data symbols per slot counted in the TB size (14 minus PDCCH/DMRS).
DATA_SYMBOLS = 12
#: Cap on stored SINR samples (Result.sinr_db).
MAX_SINR_SAMPLES = 500_000
#: Initial PF average throughput, bit/s (equal weights at start).
PF_INITIAL_BPS = 1e3
#: A drop should measure at least this many PF windows after warm-up (issue 15).
MIN_PF_WINDOWS = 10


def _csi_delays(world, edge, ageing: bool):
    """Report delay of each cell's links, s and TTIs."""
    site = world.deployment.cell_site
    if edge.csi == "perfect":
        age = np.zeros(world.n_cells)
    else:
        rtt = 2.0 * world.latency_s[site] if ageing else np.zeros(world.n_cells)
        age = rtt + edge.processing_delay_ms * 1e-3
    return age, age / world.tti_s


def _timeline(scn, world, edge_delay_s):
    """The NR CSI timeline of ``csi = "delayed"`` with ``csi_timeline = "nr"``, else None."""
    from rof.edge.csi_timeline import CsiTimeline
    from rof.edge.world import numerology

    edge = scn.edge
    if edge.csi != "delayed" or edge.csi_timeline != "nr":
        return None
    mu, slot_s, _ = numerology(scn.radio.subcarrier_spacing_khz)
    return CsiTimeline.from_scenario(edge, mu, slot_s, edge_delay_s)


def _learnware_predictor(scn, world, age_s, rng):
    from rof.edge.learnware_csi import LearnwareCsi

    return LearnwareCsi.from_dock(scn, world, age_s, rng)


def simulate(scenario) -> Result:
    """Run one scenario through the smart-edge TTI loop (module docstring).

    Parameters
    ----------
    scenario : rof.scenario.Scenario, str or Path (TOML file), or dict
        The scenario; its ``[deployment]``, ``[radio]``, ``[fronthaul]``, ``[edge]``
        and ``[run]`` tables drive the run (a ``[sweep]`` table is ignored).

    Returns
    -------
    Result

    Raises
    ------
    RofError
        For invalid scenarios (the message names the key).

    Examples
    --------
    >>> from rof.edge import simulate
    >>> res = simulate("scenario.toml")  # doctest: +SKIP
    >>> res.kpis["ue_throughput_p5_bps"]  # doctest: +SKIP
    """
    scn = as_scenario(scenario)
    _warn_short(scn)
    if scn.mimo is not None and scn.mimo.scheme != "off":  # multi-antenna cells (issue 19)
        from rof.edge.mimo.loop import simulate_mimo

        return simulate_mimo(scn)
    children = np.random.SeedSequence(int(scn.seed)).spawn(scn.run.drops + 1)
    drops, t0, n = [], time.perf_counter(), scn.run.drops
    for i, ss in enumerate(children[:-1]):
        drops.append(_run_drop(scn, ss, i))
        # progress on the command line (stderr, at a terminal only; see rof._status)
        say(f"  drop {i + 1} of {n}: {scn.run.ttis} TTIs in {time.perf_counter() - t0:.1f} s")
    return _result(scn, drops, children[-1])


class _SinrInputs(NamedTuple):
    """The per-drop inputs of :func:`rof.radio.sinr.sinr_scheduled_prepared` (the per-RB
    fronthaul term ideal: all fronthaul noise is in ``fh_w``)."""

    bg: np.ndarray
    noise: np.ndarray
    bgp: np.ndarray
    inv_snr: np.ndarray


def _sinr_inputs(world) -> _SinrInputs:
    """Contiguous float64 static SINR inputs, checked once by a full
    :func:`rof.radio.sinr.sinr_scheduled` evaluation."""
    from rof.radio.sinr import sinr_scheduled

    n_ue, n_k = world.link_cell.shape
    n_cells, n_rb = world.n_cells, world.n_rb
    bg = np.ascontiguousarray(world.background_gain, dtype=np.float64)
    noise = np.ascontiguousarray(world.noise_w, dtype=np.float64)
    bgp = np.full(n_rb, float(world.p_rb_w))
    sinr_scheduled(world.link_cell, np.ones((n_ue, n_k, n_rb)), bg, np.full((n_cells, n_rb), -1),
                   np.zeros((n_cells, n_rb)), np.inf, noise, bgp)  # fmt: skip
    return _SinrInputs(bg, noise, bgp, np.zeros(n_cells))


class _FronthaulNoise:
    """Fronthaul noise each cell radiates per RB, from its SNDR and SDR at full drive.

    The SNDR's signal-independent part (RIN, shot, thermal, crosstalk:
    ``1/SNR_n = 1/SNDR - 1/SDR``) persists on muted and power-reduced RBs; the
    intermodulation follows the cell's drive (:func:`rof.radio.sinr.fronthaul_noise_w`).
    At full power on every RB this is the budget's SNDR exactly. Without
    ``fronthaul_noise`` it is zero.
    """

    def __init__(self, world, on: bool):
        site = world.deployment.cell_site
        inv_sndr = 1.0 / db_to_lin(world.snr_fh_db)[site]
        inv_sdr = np.minimum(1.0 / db_to_lin(world.sdr_fh_db)[site], inv_sndr)
        self.on = on
        self.p_ref_w = world.p_rb_w
        with np.errstate(divide="ignore"):
            self.snr_noise = 1.0 / (inv_sndr - inv_sdr)
            self.sdr = 1.0 / inv_sdr
        self.inf = np.full(world.n_cells, np.inf)
        p_ref = float(check_range("fronthaul_noise_w.p_ref_w", self.p_ref_w, 0.0, lo_open=True))
        with np.errstate(divide="ignore"):  # fronthaul_noise_w's inputs, prepared once
            self._prepared = (p_ref, 1.0 / self.snr_noise, 1.0 / self.sdr)

    def __call__(self, power_w) -> np.ndarray:
        """:func:`rof.radio.sinr.fronthaul_noise_w` of the float64 ``power_w``."""
        from rof.radio.sinr import fronthaul_noise_prepared

        if not self.on:
            return np.zeros(self.inf.shape)
        return fronthaul_noise_prepared(power_w, *self._prepared)


def _warn_short(scn) -> None:
    """Warn when a drop measures fewer than MIN_PF_WINDOWS PF windows after warm-up."""
    run, window = scn.run, scn.edge.pf_window_ttis
    measured = run.ttis - run.warmup_ttis
    if measured < MIN_PF_WINDOWS * window or run.warmup_ttis < window:
        warnings.warn(
            f"run.ttis - run.warmup_ttis = {measured} TTIs (warm-up {run.warmup_ttis}) is "
            f"short for edge.pf_window_ttis = {window}: the proportional-fair averages have "
            f"not converged; allowed without this warning: warm-up >= {window} and at least "
            f"{MIN_PF_WINDOWS * window} measured TTIs per drop",
            RuntimeWarning,
            stacklevel=3,
        )


class _Drop(NamedTuple):
    """What one drop leaves for the result."""

    world: object
    tally: object
    delay_ttis: np.ndarray
    traffic: object


def _run_drop(scn, ss: np.random.SeedSequence, index: int) -> _Drop:
    """One drop: its world and the TTI loop (module docstring), from seed ``ss``."""
    from rof.radio.sinr import sinr_scheduled_prepared as sinr_scheduled

    edge, run = scn.edge, scn.run
    world_ss, traffic_ss, loop_ss = ss.spawn(3)
    world = build_world(scn, np.random.default_rng(world_ss))
    rng = np.random.default_rng(loop_ss)
    traffic_rng = np.random.default_rng(traffic_ss)
    n_ue, n_cells, n_rb, tti_s = world.deployment.n_ue, world.n_cells, world.n_rb, world.tti_s
    link_cell, ls = world.link_cell, world.large_scale
    serve_k = np.zeros(n_ue, dtype=np.int32)
    snr_fh_cell = db_to_lin(world.snr_fh_db)[world.deployment.cell_site]
    snr_eval = snr_fh_cell if edge.fronthaul_noise else np.full(n_cells, np.inf)
    radiated = _FronthaulNoise(world, edge.fronthaul_noise)
    static = _sinr_inputs(world)
    age_s, delay_ttis = _csi_delays(world, edge, edge.csi_ageing)
    timeline = _timeline(scn, world, age_s)
    depth = float(np.max(delay_ttis, initial=0.0)) if timeline is None else timeline.max_age_slots
    predictor = None
    if edge.csi == "learnware":
        from rof.edge.learnware_csi import history_span_ttis

        depth += history_span_ttis(tti_s)
        predictor = _learnware_predictor(scn, world, age_s, rng)
    history = CsiHistory(depth, (n_ue, link_cell.shape[1], n_rb))

    scheduler = make_scheduler(
        edge.scheduler,
        fronthaul_aware=edge.fronthaul_aware,
        wmmse_iterations=edge.wmmse_iterations,
        wmmse_starts=edge.wmmse_starts,
        wmmse_polish_levels=edge.wmmse_polish_levels,
    )
    rate = rate_model(
        scn.radio.link_abstraction, scn.radio.mcs_table, n_rb, edge.bler_target, edge.cqi_quantised
    )  # the schedulers' rate per RB: the MCS link adaptation would choose
    cqi_report = CqiReport.from_scenario(scn, n_rb)  # None: the per-RB reported SINR
    if cqi_report is not None:
        cqi_report = KnownSinrCache(cqi_report)
    p_rb = world.p_rb_w
    floor_w = world.background_gain * p_rb + world.noise_w  # SchedulingInput.interference_floor_w
    traffic = Traffic(n_ue, edge.traffic, edge.arrival_rate_per_s, edge.file_size_bits)
    olla = OuterLoop(n_ue, bler_target=edge.bler_target, enabled=edge.outer_loop)
    harq = _harq(scn, n_ue)
    avg = np.full(n_ue, PF_INITIAL_BPS)
    beta = 1.0 / edge.pf_window_ttis

    n_meas = run.ttis - run.warmup_ttis
    stride = max(1, -(-n_meas * n_cells * n_rb * run.drops // MAX_SINR_SAMPLES))
    tally = _Tally(n_ue, n_cells, n_meas)
    for t in range(run.ttis):
        fad = world.fading.step()
        history.push(fad)
        traffic.arrive(tti_s, traffic_rng)
        if edge.csi == "perfect":
            rep = fad
        else:
            if timeline is not None:
                delay_ttis = timeline.age_slots(t).astype(np.float64)
                age_s = delay_ttis * tti_s
            rep = history.delayed(link_cell, delay_ttis)
            if predictor is not None:
                rep = predictor.predict(history, rep)
        gain_true = ls[:, :, None] * fad
        gain_rep = ls[:, :, None] * rep
        if cqi_report is not None:  # the serving gain the UE's wideband/subband CQI implies
            gain_rep = reported_gain(link_cell, gain_rep, serve_k, floor_w, p_rb, cqi_report)
        has_data = traffic.has_data()
        inp = SchedulingInput(
            link_cell=link_cell,
            gain=gain_rep,
            large_scale=ls,
            background_gain=world.background_gain,
            noise_w=world.noise_w,
            p_max_w=world.p_rb_w,
            background_power_w=world.p_rb_w,
            weight=np.where(has_data, 1.0 / avg, 0.0),
            serving=world.serving,
            serve_k=serve_k,
            n_cells=n_cells,
            snr_fh=snr_eval,
            csi_age_s=age_s,
            doppler_hz=world.doppler_hz,
            rng=rng,
            rate=rate,
        )
        t0 = time.perf_counter()
        assign, power = scheduler(inp)
        dt = time.perf_counter() - t0
        power = np.ascontiguousarray(power, dtype=np.float64)
        args = (static.bg, assign, power, static.inv_snr, static.noise, static.bgp, radiated(power))
        sinr_true = sinr_scheduled(link_cell, gain_true, *args)
        reported = partial(sinr_scheduled, link_cell, gain_rep, *args)
        blocks = _send_blocks(scn, olla, rng, assign, sinr_true, reported, harq, t)
        bits = np.zeros(n_ue)
        bits[blocks.ue] = blocks.bits
        got = traffic.deliver(bits)
        avg = (1.0 - beta) * avg + beta * got / tti_s
        if t >= run.warmup_ttis:
            busy = np.bincount(world.serving[has_data], minlength=n_cells) > 0
            sample = (t - run.warmup_ttis) % stride == 0
            tally.record(got, blocks, dt, assign, busy, sinr_true if sample else None)
    if timeline is not None:
        delay_ttis = timeline.mean_age_slots()
    return _Drop(world, tally, delay_ttis, traffic)


class _Blocks(NamedTuple):
    """One TTI's transport blocks: served UEs, their true effective SINR (dB), bits
    delivered, block errors and whether a block was sent."""

    ue: np.ndarray
    true_db: np.ndarray
    bits: np.ndarray
    err: np.ndarray
    sent: np.ndarray


def _send_blocks(
    scn, olla, rng, assign, sinr_true, reported_sinr, harq=None, t: int = 0
) -> _Blocks:
    """Step 5 of the module docstring: one transport block per served UE.

    ``reported_sinr()`` gives the per-RB SINR of the reported channel under the same
    decision (evaluated only for ``rate_model = "mcs"``); the block error is drawn
    from ``rng``. ``harq`` (:class:`rof.edge.harq.ChaseHarq`, EESM only) retransmits
    failed blocks at TTI ``t``.
    """
    from rof.radio import rates
    from rof.radio.effective_sinr import effective_sinr_per_ue

    radio = scn.radio
    if radio.rate_model == "mcs" and radio.link_abstraction == "eesm":
        return _send_blocks_eesm(scn, olla, rng, assign, sinr_true, reported_sinr, harq, t)
    n_ue = olla.offset_db.shape[0]
    eff_true, nrb = effective_sinr_per_ue(assign, sinr_true, n_ue)
    ue = np.flatnonzero(nrb)
    true_db = 10.0 * np.log10(eff_true[ue])
    if radio.rate_model == "mcs":
        eff_rep, _ = effective_sinr_per_ue(assign, reported_sinr(), n_ue)
        rep_db = 10.0 * np.log10(eff_rep[ue])
        mcs = link_mcs(rep_db, nrb[ue], olla.offset_db[ue], **_link(scn, assign.shape[1]))
        err = rng.random(ue.size) < rates.bler(true_db, mcs, radio.mcs_table)
        tb = rates.tb_bits(mcs, nrb[ue], DATA_SYMBOLS, radio.mcs_table)
        bits_ue = np.where(err, 0.0, tb)
        sent = mcs >= 0
        olla.update(ue[sent], err[sent])
    else:
        se = rates.shannon_attenuated(true_db, se_max=rates.SE_MAX_NR_256QAM)
        bits_ue = np.floor(se * 12 * DATA_SYMBOLS * nrb[ue])
        err = np.zeros(ue.size, dtype=bool)
        sent = bits_ue > 0
    return _Blocks(ue, true_db, bits_ue, err, sent)


def _send_blocks_eesm(
    scn, olla, rng, assign, sinr_true, reported_sinr, harq=None, t: int = 0
) -> _Blocks:
    """Step 5 with ``radio.link_abstraction = "eesm"``: the MCS is the highest whose EESM
    SINR of the reported RBs (its own beta), minus the outer-loop offset, reaches the
    10 %-BLER SINR of its transport block on 5G-LENA's link-level curves
    (:mod:`rof.radio.bler_curves`), then quantised through the UE's 4-bit CQI
    (``cqi_quantised``, :func:`rof.edge.link_adaptation.cqi_mcs`); the block fails with
    the curve's BLER at the true EESM SINR (all blocks of the TTI in one kernel,
    :func:`rof.edge._block_error.block_error`). With ``harq`` a UE whose oldest failed block
    is due gets it again (its MCS, size and curve) at the chase-combined SINR
    (:mod:`rof.edge.harq`), and the outer loop learns from first transmissions only."""
    from rof.edge._block_error import block_error, packed_curves
    from rof.radio import bler_curves

    radio = scn.radio
    table = radio.mcs_table
    n_ue = olla.offset_db.shape[0]
    beta = bler_curves.eesm_beta(table)
    on = assign >= 0
    ue_rb = assign[on]
    nrb_all = np.bincount(ue_rb, minlength=n_ue)
    ue = np.flatnonzero(nrb_all)
    nrb = nrb_all[ue]
    with np.errstate(divide="ignore"):
        rep_db = 10.0 * np.log10(bler_curves.eesm_per_ue(ue_rb, reported_sinr()[on], n_ue, beta))
    mcs = link_mcs(rep_db[:, ue], nrb, olla.offset_db[ue], **_link(scn, assign.shape[1]))
    retx = np.zeros(ue.size, dtype=bool)
    if harq is not None:
        state = harq.due(ue, t)
        retx = state == 1
        mcs = np.where(state < 0, -1, mcs)  # every process busy, none due: nothing new
        for i in np.flatnonzero(retx):
            mcs[i] = harq.oldest(ue[i]).mcs
    beta_ue = np.ones(n_ue)
    beta_ue[ue] = beta[np.maximum(mcs, 0)]  # each UE's block is judged with its MCS's beta
    true_all = bler_curves.eesm_per_ue_own_beta(ue_rb, sinr_true[on], n_ue, beta_ue)
    true_db = 10.0 * np.log10(true_all[ue])
    eff_db = true_db.copy()  # the SINR each block is decoded at (combined for a retransmission)
    first_rb = nrb.copy()
    for i in np.flatnonzero(retx):
        blk = harq.oldest(ue[i])
        comb = combined_sinr(blk.sinr_lin, true_all[ue[i]], nrb[i], blk.n_rb)
        eff_db[i], first_rb[i] = 10.0 * np.log10(comb), blk.n_rb
    curves = packed_curves(table, assign.shape[1], DATA_SYMBOLS, scn.edge.bler_target)
    p_err = block_error(mcs, first_rb, eff_db, curves)
    err = rng.random(ue.size) < p_err
    tb = np.where(mcs >= 0, _tbs_table(table, assign.shape[1])[np.maximum(mcs, 0), nrb], 0)
    sent = mcs >= 0
    first = sent & ~retx
    olla.update(ue[first], err[first])
    if harq is not None:
        for i in np.flatnonzero(sent):
            u = int(ue[i])
            if retx[i]:
                old = harq.oldest(u)
                blk = old._replace(sinr_lin=10.0 ** (eff_db[i] / 10.0), n_tx=old.n_tx + 1)
                tb[i] = old.bits
            else:
                blk = PendingBlock(float(tb[i]), int(mcs[i]), int(nrb[i]),
                                   float(true_all[u]), 1, t)  # fmt: skip
            harq.settle(u, blk, bool(err[i]), t, bool(retx[i]))
    return _Blocks(ue, true_db, np.where(err, 0.0, tb), err, sent)


@lru_cache(maxsize=8)
def _tbs_table(table: str, n_rb: int) -> np.ndarray:
    """TB size (bits) per (MCS, allocated RBs): :func:`rof.radio.rates.tb_bits` once."""
    from rof.radio import rates

    n_mcs = rates.mcs_table(table).index.size
    return rates.tb_bits(
        np.arange(n_mcs)[:, None], np.arange(n_rb + 1)[None, :], DATA_SYMBOLS, table
    )


def _harq(scn, n_ue: int):
    """The UEs' HARQ buffers with ``edge.harq = "chase"`` (EESM link abstraction), else None."""
    from rof.errors import ConfigError

    edge, radio = scn.edge, scn.radio
    if edge.harq == "none":
        return None
    if radio.rate_model != "mcs" or radio.link_abstraction != "eesm":
        raise ConfigError(
            f"edge.harq = {edge.harq!r} needs radio.link_abstraction = 'eesm' and "
            "radio.rate_model = 'mcs'; allowed with other link models: edge.harq = 'none'"
        )
    return ChaseHarq(n_ue, edge.harq_rtt_slots, edge.harq_max_transmissions, edge.harq_processes)


def _link(scn, n_rb: int) -> dict:
    """The link-adaptation settings of :func:`rof.edge.link_adaptation.link_mcs`."""
    return dict(
        link_abstraction=scn.radio.link_abstraction,
        table=scn.radio.mcs_table,
        n_rb_max=int(n_rb),
        bler_target=scn.edge.bler_target,
        cqi_quantised=scn.edge.cqi_quantised,
    )


class _Tally:
    """What the measurement TTIs (after warm-up) accumulate for the KPIs."""

    def __init__(self, n_ue: int, n_cells: int, n_meas: int):
        self.n_meas = n_meas
        self.delivered = np.zeros(n_ue)
        self.ue_sinr_db_sum = np.zeros(n_ue)
        self.ue_served = np.zeros(n_ue)
        self.ue_blocks = np.zeros(n_ue)
        self.ue_errors = np.zeros(n_ue)
        self.cell_muted = np.zeros(n_cells)
        self.cell_eligible = np.zeros(n_cells)
        self.sinr_samples: list[np.ndarray] = []
        self.sched_time: list[float] = []

    def record(self, got, blocks: _Blocks, dt, assign, busy, sinr=None) -> None:
        """Add one measurement TTI: delivered bits, blocks, scheduler time, muted RBs of
        cells with data (``busy``), and the per-RB SINR sample when given."""
        self.delivered += got
        self.ue_sinr_db_sum[blocks.ue] += blocks.true_db
        self.ue_served[blocks.ue] += 1
        self.sched_time.append(dt)
        self.ue_blocks[blocks.ue[blocks.sent]] += 1
        self.ue_errors[blocks.ue[blocks.err & blocks.sent]] += 1
        self.cell_muted += np.count_nonzero((assign < 0) & busy[:, None], axis=1)
        self.cell_eligible += busy * assign.shape[1]
        if sinr is not None:
            self.sinr_samples.append(10.0 * np.log10(sinr[assign >= 0]))

    def ue_sinr_db(self) -> np.ndarray:
        """Mean effective SINR (dB) over the TTIs each UE was served; NaN if never."""
        served = self.ue_served > 0
        return np.where(served, self.ue_sinr_db_sum / np.maximum(self.ue_served, 1), np.nan)


def _samples(drops: list[_Drop]) -> stats.Samples:
    """Per-user and per-cell columns of all drops (:class:`rof.edge.stats.Samples`)."""
    return run_samples(
        [
            DropColumns(
                world,
                tally.delivered / (tally.n_meas * world.tti_s),
                tally.ue_blocks,
                tally.ue_errors,
                tally.cell_muted,
                tally.cell_eligible,
            )
            for world, tally, _, _ in drops
        ]
    )


def _result(scn, drops: list[_Drop], ci_seed: np.random.SeedSequence) -> Result:
    """Pool the drops: KPIs with their 95 % intervals, arrays, timings."""
    world0 = drops[0].world
    worlds = [d.world for d in drops]
    samples = _samples(drops)
    kpis = run_kpis(samples, worlds, [d.delay_ttis for d in drops], ci_seed)
    if drops[0].traffic.kind == "bursty":
        offered = sum(d.traffic.offered_bits.sum() for d in drops)
        kpis["offered_load_bps"] = float(offered / (len(drops) * scn.run.ttis * world0.tti_s))

    arrays = run_arrays(
        scn,
        [d.world for d in drops],
        np.concatenate([d.tally.ue_sinr_db() for d in drops]),
        samples.ue["drop"],
        drops[0].delay_ttis,
    )
    st = np.concatenate([np.asarray(d.tally.sched_time) for d in drops])
    timings = {  # wall clock: apart from the KPIs, which are reproducible bit for bit
        "scheduler_time_per_tti_s": float(st.mean()),
        "scheduler_time_per_tti_p95_s": float(np.percentile(st, 95)),
        "scheduler_time_s": st,
    }
    sinr = [x for d in drops for x in d.tally.sinr_samples]
    return Result(
        ue_throughput_bps=samples.ue["thr"],
        sinr_db=np.concatenate(sinr) if sinr else np.zeros(0),
        kpis=kpis,
        arrays=arrays,
        timings=timings,
        scenario_name=str(scn.name),
        samples=samples,
        ci_seed=ci_seed,
    )
