"""What a multi-antenna run leaves: the :class:`rof.edge.result.Result` of
:func:`rof.edge.simulate`, so that ``rof run``, the result files and ``rof sweep`` read it
alike (KPIs with their bootstrap intervals from :mod:`rof.edge.stats`, per-user
throughput, per-stream SINR samples, per-drop arrays)."""

from __future__ import annotations

import numpy as np

from rof.edge import stats

__all__ = ["DropTally", "mimo_result"]


class DropTally:
    """The measured TTIs of one drop (after warm-up)."""

    def __init__(self, world, n_meas: int):
        n_ue, n_cells = world.deployment.n_ue, world.n_cells
        self.world = world
        self.n_meas = n_meas
        self.delivered = np.zeros(n_ue)
        self.blocks = np.zeros(n_ue)
        self.se_sum = np.zeros(n_ue)  # sum over TTIs of the mean log2(1 + SINR) per RB
        self.served = np.zeros(n_ue)
        self.muted = np.zeros(n_cells)
        self.streams = 0.0
        self.sinr_samples: list[np.ndarray] = []
        self.tti_time: list[float] = []
        self.precoder_time: list[float] = []
        self.csi_delay_ttis = np.zeros(n_cells)

    def record(self, bits, user, sinr, sched, per_rb, dt, dt_prec, sample) -> None:
        """One TTI: delivered ``bits`` per user; ``user``/``sinr`` of each active stream;
        ``sched`` (n_rb', n_cells, L) the users per cell; ``per_rb`` RBs each evaluated
        RB stands for; wall-clock ``dt`` (TTI) and ``dt_prec`` (precoders)."""
        n_ue = self.delivered.size
        self.delivered += bits
        n = np.bincount(user, minlength=n_ue)
        got = n > 0
        cap = np.bincount(user, weights=np.log2(1.0 + sinr), minlength=n_ue)
        self.se_sum[got] += cap[got] / n[got]
        self.served += got
        self.blocks += got  # one transport block per served user and TTI
        idle = np.all(sched < 0, axis=-1)  # (n_rb', n_cells)
        self.muted += idle.sum(axis=0) * per_rb
        self.streams += np.count_nonzero(sched >= 0) * per_rb
        self.tti_time.append(dt)
        self.precoder_time.append(dt_prec)
        if sample:
            self.sinr_samples.append(10.0 * np.log10(np.maximum(sinr, 1e-30)))

    def ue_sinr_db(self) -> np.ndarray:
        """Capacity-mapped mean SINR over each user's RBs and served TTIs, dB; NaN if never
        served."""
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_se = self.se_sum / self.served
            return np.where(self.served > 0, 10.0 * np.log10(2.0**mean_se - 1.0), np.nan)


def _samples(drops: list[DropTally]) -> stats.Samples:
    from rof.edge.result import DropColumns, run_samples

    return run_samples(
        [
            DropColumns(
                t.world,
                t.delivered / (t.n_meas * t.world.tti_s),
                t.blocks,
                np.zeros(t.delivered.size),
                t.muted,
                np.full(t.world.n_cells, float(t.world.n_rb * t.n_meas)),
            )
            for t in drops
        ]
    )


def mimo_result(scn, drops: list[DropTally], ci_seed):
    """Pool the drops as :func:`rof.edge.simulate` does (its ``_result``)."""
    from rof.edge.result import Result, run_arrays, run_kpis

    worlds = [d.world for d in drops]
    samples = _samples(drops)
    kpis = run_kpis(samples, worlds, [d.csi_delay_ttis for d in drops], ci_seed)
    cell_rbs = sum(d.world.n_cells * d.world.n_rb * d.n_meas for d in drops)
    kpis.update(
        n_ant=float(scn.mimo.n_ant),
        streams_per_cell_rb=float(sum(d.streams for d in drops) / max(cell_rbs, 1)),
    )

    arrays = run_arrays(
        scn,
        [d.world for d in drops],
        np.concatenate([d.ue_sinr_db() for d in drops]),
        samples.ue["drop"],
        drops[0].csi_delay_ttis,
    )
    tti = np.concatenate([np.asarray(d.tti_time) for d in drops])
    prec = np.concatenate([np.asarray(d.precoder_time) for d in drops])
    timings = {
        "scheduler_time_per_tti_s": float(tti.mean()),
        "scheduler_time_per_tti_p95_s": float(np.percentile(tti, 95)),
        "scheduler_time_s": tti,
        "precoder_time_per_tti_s": float(prec.mean()),
    }
    sinr = [x for d in drops for x in d.sinr_samples]
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
