"""The uplink run: power control, per-cell PF, analog fronthaul and joint reception per TTI.

Per drop, the world of :func:`rof.edge.world.build_world` (same users, link table,
shadowing and fading as the downlink run of the same seed: the drop's first generator)
and each site's uplink cascade (:class:`rof.link.uplink.UplinkRoFLink`: the
``[uplink]`` LNA and post-amplifier around the ``[fronthaul]`` link at the site's fiber
length), whose budget gives each cell's fronthaul noise and IIP3 referred to its antenna.
Each TTI (one NR slot):

1. the fading advances; the complex channel of every link is
   :math:`\\sqrt{G_{ls}}\\,h` (:meth:`rof.radio.fading.FadingProcess.complex_gain`);
2. each cell schedules its users by proportional fair (:mod:`rof.edge.uplink.schedule`),
   estimating each user's noise as the cell's interference-plus-noise of the last TTI;
   with ``[uplink] scheduler = "coordinated"`` the edge then mutes users whose
   interference costs the neighbours more PF-weighted rate than they gain;
3. each user transmits with TS 38.213 open-loop power control over its RBs
   (:func:`rof.radio.uplink.olpc_power_dbm`, path loss = its coupling loss to the
   serving cell);
4. every site receives; its fronthaul adds noise and third-order products on each RB
   referred to its antenna (:func:`rof.radio.uplink.uplink_sinr`); the edge combines
   each user over its cluster (:func:`rof.edge.uplink.joint.joint_sinr`, ``[uplink]
   combining``), over every receive antenna of the cluster's cells with ``[uplink]
   n_ant > 1`` (per-antenna channels of :class:`rof.edge.mimo.channel.ArrayChannel`,
   each antenna its own LNA, link and products);
5. each served user sends one transport block: the MCS of its capacity-mapped effective
   SINR (the receiver measures the slot's own DMRS: ideal link adaptation), the block
   error drawn at the TS 38.214 rate model's BLER (:mod:`rof.radio.rates`), or with
   ``radio.rate_model = "shannon"`` TR 36.942 A.2's attenuated Shannon rate;
6. PF averages update as an EWMA with time constant ``edge.pf_window_ttis``.

The KPIs pool all drops' users with bootstrap intervals, as the downlink's
(:mod:`rof.edge.stats`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from rof.edge.result import DropColumns, Result, kpi_intervals, run_samples
from rof.edge.uplink.joint import array_channel_power, channel_power, joint_sinr
from rof.edge.uplink.schedule import coordinated_pf_uplink, pf_uplink
from rof.edge.world import build_world, numerology
from rof.scenario import as_scenario
from rof.units import THERMAL_NOISE_DBM_PER_HZ, db_to_lin, dbm_to_w

__all__ = ["TtiOutcome", "UplinkSites", "UplinkTti", "simulate_uplink", "uplink_sites"]

#: Data symbols per slot counted in the TB size (14 minus DMRS), as the downlink's.
DATA_SYMBOLS = 12
#: Initial PF average throughput, bit/s.
PF_INITIAL_BPS = 1e3
#: Composite received power at which the site transmitter's budget is read, dBm
#: (the noise figure and IIP3 it reports do not depend on it).
BUDGET_RF_IN_DBM = -60.0


@dataclass(frozen=True)
class UplinkSites:
    """Each cell's uplink receiver referred to its antenna, per RB.

    Attributes
    ----------
    noise_w : (n_cells,) thermal noise :math:`k T_0 B F_{LNA}`, W.
    fh_w : (n_cells,) fronthaul noise :math:`k T_0 B (F - F_{LNA})`, W (0 if ideal).
    iip3_w : (n_cells,) cascade IIP3, W (inf if ideal).
    noise_figure_db : (n_cells,) cascade noise figure, dB.
    sfdr_db : (n_cells,) SFDR in one RB, dB.
    """

    noise_w: np.ndarray
    fh_w: np.ndarray
    iip3_w: np.ndarray
    noise_figure_db: np.ndarray
    sfdr_db: np.ndarray


def uplink_sites(scn, world, *, ideal: bool = False) -> UplinkSites:
    """The uplink cascade of every cell (module docstring); ``ideal``: no fronthaul."""
    from rof.link import build_link
    from rof.link.uplink import RfAmplifier, UplinkRoFLink

    ul = scn.uplink
    tables = ul.amplifier_tables()
    lna = RfAmplifier(**tables["lna"])
    post = RfAmplifier(**tables["post_amplifier"]) if "post_amplifier" in tables else None
    site = world.deployment.cell_site
    n_cells, b = world.n_cells, world.rb_bandwidth_hz
    noise = np.full(n_cells, 1e-3 * db_to_lin(THERMAL_NOISE_DBM_PER_HZ + lna.noise_figure_db) * b)
    if ideal:
        inf = np.full(n_cells, np.inf)
        return UplinkSites(
            noise, np.zeros(n_cells), inf, np.full(n_cells, lna.noise_figure_db), inf
        )
    up = UplinkRoFLink(lna, build_link(scn.fronthaul.parts(), source="fronthaul"), post)
    bud = up.budget(
        scn.radio.carrier_ghz * 1e9,
        rf_in_dbm=BUDGET_RF_IN_DBM,
        bandwidth_hz=b,
        length_km=np.asarray(world.fiber_km, dtype=float),
    )
    fh = 1e-3 * db_to_lin(np.asarray(bud.fronthaul_noise_dbm_hz)) * b
    return UplinkSites(
        noise_w=noise,
        fh_w=np.atleast_1d(fh)[site].astype(float),
        iip3_w=np.atleast_1d(dbm_to_w(np.asarray(bud.iip3_dbm)))[site].astype(float),
        noise_figure_db=np.atleast_1d(bud.noise_figure_db)[site].astype(float),
        sfdr_db=np.atleast_1d(bud.sfdr_db(b))[site].astype(float),
    )


def simulate_uplink(scenario, *, ideal_fronthaul: bool = False) -> Result:
    """Run one scenario's uplink (module docstring).

    Parameters
    ----------
    scenario : rof.scenario.Scenario, TOML path or dict
        Its ``[uplink]`` table (defaults if absent) and the other tables as for
        :func:`rof.edge.simulate`.
    ideal_fronthaul : bool
        Leave the fronthaul out (the site's LNA is the receiver): the air interface.

    Returns
    -------
    Result
        ``ue_throughput_bps`` and the KPIs of :data:`rof.edge.stats.KPIS` with their
        95 % intervals, plus ``ul_noise_figure_db_mean``, ``ul_sfdr_db_min``,
        ``ul_rx_spread_db_p95`` (spread of the users' received powers per cell) and
        ``ul_power_limited_share``.

    Examples
    --------
    >>> res = simulate_uplink("scenarios/uplink.toml")  # doctest: +SKIP
    """
    from rof.scenario.uplink import Uplink

    scn = as_scenario(scenario)
    if scn.uplink is None:
        scn = scn.model_copy(update={"uplink": Uplink()})
    children = np.random.SeedSequence(int(scn.seed)).spawn(scn.run.drops + 1)
    drops = [_run_drop(scn, ss, ideal_fronthaul) for ss in children[:-1]]
    return _result(scn, drops, children[-1])


@dataclass
class _Drop:
    world: object
    sites: UplinkSites
    delivered: np.ndarray
    blocks: np.ndarray
    errors: np.ndarray
    muted: np.ndarray
    eligible: np.ndarray
    sinr_db: list
    times: list
    spread_db: np.ndarray
    power_limited: float


class TtiOutcome(NamedTuple):
    """One uplink TTI: the decision, the powers and the SINRs."""

    assign: np.ndarray  # (n_cells, n_rb) user per cell and RB, -1 none
    count: np.ndarray  # (n_ue,) RBs per user
    p_w: np.ndarray  # (n_ue,) power per RB, W
    p_dbm: np.ndarray  # (n_on,) PUSCH power of the scheduled users, dBm
    sinr_site: np.ndarray  # (n_cells, n_rb) single-site SINR, linear
    sinr: np.ndarray  # (n_cells, n_rb) after combining, linear
    im3_w: np.ndarray  # (n_cells, n_rb) third-order products on each RB (antenna mean), W
    signal_w: np.ndarray  # (n_cells, n_rb) received power of the served user, W


class UplinkTti:
    """Steps 2-4 of the module docstring for one drop's world and sites.

    Call with the complex channels ``h (n_ue, K, n_rb)`` (large-scale included), the PF
    weights and each cell's interference-plus-noise estimate per RB; returns a
    :class:`TtiOutcome`.
    """

    def __init__(self, scn, world, sites: UplinkSites):
        self.ul = scn.uplink
        self.mu = numerology(scn.radio.subcarrier_spacing_khz)[0]
        self.lc = world.link_cell.astype(np.int64)
        ls = world.large_scale.astype(np.float64)
        self.n_cells, self.n_rb = world.n_cells, world.n_rb
        self.bg = world.background_gain
        self.bg_share = world.background_gain / max(self.n_cells - self.lc.shape[1], 1)
        self.pl_db = -10.0 * np.log10(ls[:, 0])
        self.pcmax_w = float(dbm_to_w(self.ul.p_cmax_dbm))
        psd_dbm = self.ul.p0_dbm + 10.0 * np.log10(2.0**self.mu) + self.ul.alpha * self.pl_db
        self.psd_w = dbm_to_w(psd_dbm)
        self.serving = world.serving.astype(np.int64)
        self.sites = sites
        self.floor = sites.noise_w + sites.fh_w
        self.n_ant = int(self.ul.n_ant)

    def __call__(self, h, weight, in_cell_w) -> TtiOutcome:
        from rof.radio.uplink import uplink_sinr

        ul, sites, n_rb = self.ul, self.sites, self.n_rb
        if self.n_ant > 1:
            return self._array(h, weight, in_cell_w)
        g = channel_power(h)
        assign, count, p_w, p_dbm = self._schedule(g, weight, in_cell_w)
        sinr, _, im3 = uplink_sinr(
            self.lc, g, self.bg, assign, p_w, sites.noise_w, sites.fh_w, sites.iip3_w
        )
        if ul.combining != "none":  # a cluster of one runs the kernel too (tested equal)
            sinr_c = joint_sinr(
                self.lc,
                h,
                self.bg_share,
                assign,
                p_w,
                (self.floor[:, None] + im3)[:, None, :],
                ul.cluster_size,
                ul.combining,
            )
        else:
            sinr_c = sinr
        uu = np.where(assign >= 0, assign, 0)
        signal = np.where(assign >= 0, g[uu, 0, np.arange(n_rb)[None, :]] * p_w[uu], 0.0)
        return TtiOutcome(assign, count, p_w, p_dbm, sinr, sinr_c, im3, signal)

    def _schedule(self, g, weight, in_cell_w):
        """Steps 2-3: the RBs of each cell and each scheduled user's power."""
        from rof.radio.uplink import olpc_power_dbm

        ul = self.ul
        if ul.scheduler == "coordinated":
            assign, count = coordinated_pf_uplink(
                self.serving,
                self.lc,
                g,
                weight,
                self.psd_w,
                self.pcmax_w,
                in_cell_w,
                self.floor,
                ul.max_rb_per_ue,
            )
        else:
            assign, count = pf_uplink(
                self.serving,
                self.n_cells,
                g[:, 0, :],
                weight,
                self.psd_w,
                self.pcmax_w,
                in_cell_w[self.serving],
                ul.max_rb_per_ue,
            )
        on = count > 0
        p_w = np.zeros(count.size)
        p_dbm = olpc_power_dbm(
            ul.p0_dbm, ul.alpha, self.pl_db[on], count[on], mu=self.mu, p_cmax_dbm=ul.p_cmax_dbm
        )
        p_w[on] = dbm_to_w(p_dbm) / count[on]
        return assign, count, p_w, p_dbm

    def _array(self, h, weight, in_cell_w) -> TtiOutcome:
        """Steps 2-4 with ``n_ant`` receive antennas per cell, ``h`` (n_ue, K, n_ant, n_rb
        or 1). The scheduler sees each link's array gain :math:`\\sum_a |h_a|^2` (the
        MRC gain; the cell's interference-plus-noise estimate is per antenna); each
        antenna's LNA and link see their own composite power (their own third-order
        products); the site's SINR is the sum over its antennas of each branch's SINR
        (MRC with uncorrelated interference), the scheduler's estimate."""
        from rof.radio.uplink import uplink_sinr

        ul, sites, n_rb = self.ul, self.sites, self.n_rb
        g_ant, g = array_channel_power(h)  # (n_ant, n_ue, K, n_rb'), (n_ue, K, n_rb')
        g = np.ascontiguousarray(np.broadcast_to(g, (*g.shape[:2], n_rb)))
        assign, count, p_w, p_dbm = self._schedule(g, weight, in_cell_w)
        im3 = np.empty((self.n_cells, self.n_ant, n_rb))
        sinr = np.zeros(assign.shape)
        for a in range(self.n_ant):
            s_a, _, im3[:, a, :] = uplink_sinr(
                self.lc,
                g_ant[a],
                self.bg,
                assign,
                p_w,
                sites.noise_w,
                sites.fh_w,
                sites.iip3_w,
            )
            sinr += s_a
        cluster = ul.cluster_size if ul.combining != "none" else 1
        sinr_c = joint_sinr(
            self.lc,
            h,
            self.bg_share,
            assign,
            p_w,
            self.floor[:, None, None] + im3,
            cluster,
            ul.combining,
        )
        uu = np.where(assign >= 0, assign, 0)
        signal = np.where(assign >= 0, g[uu, 0, np.arange(n_rb)[None, :]] * p_w[uu], 0.0)
        return TtiOutcome(assign, count, p_w, p_dbm, sinr, sinr_c, im3.mean(axis=1), signal)


def _array_channel(scn, world, loop_ss):
    """Per-antenna channels of the drop's links (:class:`rof.edge.mimo.channel.ArrayChannel`):
    the ``[radio]`` fading's scattered model (flat or TDL) and its K factor on LOS links,
    from its own child of the loop's seed."""
    from rof.edge.mimo.channel import ArrayChannel
    from rof.errors import ConfigError

    radio = scn.radio
    if radio.fading == "none":
        raise ConfigError(
            "radio.fading = 'none' is not supported with uplink.n_ant > 1; "
            "allowed: 'rayleigh', 'rician', 'tdl'"
        )
    k_db = -np.inf if radio.fading == "rayleigh" else float(radio.rician_k_db)
    return ArrayChannel(
        world,
        int(scn.uplink.n_ant),
        np.random.default_rng(loop_ss.spawn(1)[0]),
        spacing_wavelengths=scn.uplink.spacing_wavelengths,
        rician_k_db=k_db,
        model="tdl" if radio.fading == "tdl" else "rayleigh",
    )


def _run_drop(scn, ss, ideal: bool) -> _Drop:
    from rof.radio import rates
    from rof.radio.effective_sinr import effective_sinr_per_ue

    ul, radio, edge, run = scn.uplink, scn.radio, scn.edge, scn.run
    world_ss, _, loop_ss = ss.spawn(3)  # the downlink run's order: world, traffic, loop
    world = build_world(scn, np.random.default_rng(world_ss))
    rng = np.random.default_rng(loop_ss)
    sites = uplink_sites(scn, world, ideal=ideal)
    tti = UplinkTti(scn, world, sites)
    n_ue, n_cells, n_rb = world.deployment.n_ue, world.n_cells, world.n_rb
    in_est = tti.floor.copy()
    avg = np.full(n_ue, PF_INITIAL_BPS)
    beta = 1.0 / edge.pf_window_ttis
    n_meas = run.ttis - run.warmup_ttis
    zeros_ue, zeros_cell = np.zeros(n_ue), np.zeros(n_cells)
    d = _Drop(
        world,
        sites,
        zeros_ue.copy(),
        zeros_ue.copy(),
        zeros_ue.copy(),
        zeros_cell.copy(),
        zeros_cell.copy(),
        [],
        [],
        np.zeros(0),
        0.0,
    )
    spreads, limited = [], []
    sqrt_ls = np.sqrt(world.large_scale.astype(np.float64))[:, :, None]
    fading = world.fading
    array = _array_channel(scn, world, loop_ss) if ul.n_ant > 1 else None
    for t in range(run.ttis):
        if array is None:
            h = sqrt_ls * fading.complex_gain(fading.time_s)
        else:
            h = array.at(fading.time_s)  # (n_rb or broadcast, n_ue, K, n_ant)
            h = np.moveaxis(h[:1] if h.strides[0] == 0 else h, 0, 3)
        fading.time_s += fading.tti_s
        t0 = time.perf_counter()
        out = tti(h, 1.0 / avg, in_est)
        dt = time.perf_counter() - t0
        served = out.assign >= 0
        # the scheduler's next estimate: each cell's interference-plus-noise this TTI
        with np.errstate(divide="ignore", invalid="ignore"):
            ipn = np.where(served & (out.sinr_site > 0), out.signal_w / out.sinr_site, np.nan)
            est = np.nanmean(ipn, axis=1)
        in_est = np.where(np.isfinite(est), est, tti.floor + out.im3_w.mean(axis=1))
        eff, nrb = effective_sinr_per_ue(out.assign, out.sinr, n_ue)
        ue = np.flatnonzero(nrb)
        eff_db = 10.0 * np.log10(np.maximum(eff[ue], 1e-30))
        if radio.rate_model == "mcs":
            mcs = rates.select_mcs(eff_db, radio.mcs_table, edge.bler_target)
            err = rng.random(ue.size) < rates.bler(eff_db, mcs, radio.mcs_table)
            tb = rates.tb_bits(mcs, nrb[ue], DATA_SYMBOLS, radio.mcs_table)
            bits = np.where(err, 0.0, tb)
            sent = mcs >= 0
        else:
            se = rates.shannon_attenuated(eff_db, se_max=rates.SE_MAX_NR_256QAM)
            bits = np.floor(se * 12 * DATA_SYMBOLS * nrb[ue])
            err = np.zeros(ue.size, dtype=bool)
            sent = bits > 0
        got = np.zeros(n_ue)
        got[ue] = bits
        avg = (1.0 - beta) * avg + beta * got / world.tti_s
        if t >= run.warmup_ttis:
            d.delivered += got
            d.blocks[ue[sent]] += 1
            d.errors[ue[sent & err]] += 1
            d.muted += np.sum(~served, axis=1)
            d.eligible += n_rb
            d.sinr_db.append(10.0 * np.log10(out.sinr[served]))
            d.times.append(dt)
            busy = served.any(axis=1)  # spread of the received powers in each busy cell
            rx_dbm = 10.0 * np.log10(np.where(served[busy], out.signal_w[busy], np.nan)) + 30.0
            spreads.append(np.nanmax(rx_dbm, axis=1) - np.nanmin(rx_dbm, axis=1))
            if out.p_dbm.size:
                limited.append(float(np.mean(out.p_dbm >= ul.p_cmax_dbm - 1e-9)))
    d.delivered /= n_meas * world.tti_s
    d.spread_db = np.concatenate(spreads) if spreads else np.zeros(0)
    d.power_limited = float(np.mean(limited)) if limited else 0.0
    return d


def _result(scn, drops: list[_Drop], ci_seed) -> Result:
    samples = run_samples(
        [DropColumns(d.world, d.delivered, d.blocks, d.errors, d.muted, d.eligible) for d in drops]
    )
    kpis = kpi_intervals(samples, ci_seed)
    spread = np.concatenate([d.spread_db for d in drops])
    spread = spread[np.isfinite(spread)]
    kpis.update(
        ul_noise_figure_db_mean=float(np.mean([d.sites.noise_figure_db.mean() for d in drops])),
        ul_sfdr_db_min=float(min(d.sites.sfdr_db.min() for d in drops)),
        ul_rx_spread_db_p95=float(np.percentile(spread, 95)) if spread.size else 0.0,
        ul_power_limited_share=float(np.mean([d.power_limited for d in drops])),
        ul_n_ant=float(scn.uplink.n_ant),
        fiber_km_mean=float(np.mean([d.world.fiber_km.mean() for d in drops])),
        drops=float(len(drops)),
    )
    times = np.concatenate([np.asarray(d.times) for d in drops])
    sinr = [x for d in drops for x in d.sinr_db]
    w0 = drops[0].world
    return Result(
        ue_throughput_bps=samples.ue["thr"],
        sinr_db=np.concatenate(sinr) if sinr else np.zeros(0),
        kpis=kpis,
        arrays={
            "fiber_km": w0.fiber_km,
            "ul_fh_noise_w": drops[0].sites.fh_w,
            "ul_iip3_w": drops[0].sites.iip3_w,
            "ue_drop": samples.ue["drop"],
        },
        scenario_name=scn.name,
        timings={
            "scheduler_time_per_tti_s": float(times.mean()) if times.size else 0.0,
            "scheduler_time_per_tti_p95_s": float(np.percentile(times, 95)) if times.size else 0.0,
            "scheduler_time_s": times,
        },
        samples=samples,
        ci_seed=ci_seed,
    )
