"""Statistics of a run: KPIs of the pooled drops with bootstrap confidence intervals.

A run is ``run.drops`` independent drops (fresh users, shadowing and fading, each
seeded from the scenario's ``SeedSequence``) of ``run.ttis`` TTIs each. Every KPI is
computed once on the users (or cells) of all drops pooled, and its confidence
interval comes from the bootstrap: the KPI is recomputed on resamples drawn with
replacement from the independent units, and the bias-corrected and accelerated
(BCa) interval is read from the resampled values (Efron, "Better bootstrap
confidence intervals", JASA 82(397), 1987; DiCiccio and Efron, Statistical Science
11(3), 1996), computed by :func:`scipy.stats.bootstrap`.

The resampling unit
-------------------
``unit = "user"`` (default): users are dropped i.i.d. in every drop, so the pooled
users are the exchangeable unit of the per-user KPIs (mean, percentiles, Jain's
index, BLER) and of the throughput sums (per cell, per area, spectral efficiency);
the muted-RB share resamples cells. Users of one drop share its cells and its
scheduler, so where that coupling matters (few users per cell, a KPI of the
drop as a whole), ``unit = "drop"`` resamples whole drops instead (the cluster
bootstrap; Davison and Hinkley, *Bootstrap Methods and their Application*, CUP
1997, Sec. 3.8): every user and cell of a drawn drop enters together, so the
interval carries the correlation inside a drop, at the price of needing many
drops (with fewer than ~10 the interval is too short).

A paired comparison (:func:`paired_gain`) resamples the *same* units for both
runs, so the interval of ``KPI_a / KPI_b - 1`` is free of the drop-to-drop and
user-to-user variance both runs share; both runs must come from the same
scenario and seed (same drops, same users) with, e.g., another scheduler.

Each KPI is defined once, in :data:`KPIS`, as a ratio or statistic of per-unit
columns; the point value of a run is the same function on all units.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

__all__ = [
    "CI_LEVEL",
    "KPIS",
    "N_RESAMPLES",
    "Samples",
    "interval",
    "paired_gain",
    "point",
]

#: Confidence level of the intervals stored with the KPIs (``<kpi>_ci_low``/``_high``).
CI_LEVEL = 0.95
#: Bootstrap resamples per interval (Efron and Tibshirani 1993, Sec. 14.3: about
#: 1000-2000 for BCa intervals at the 95 % level).
N_RESAMPLES = 2000
#: Above this many units BCa's acceleration comes from a grouped jackknife of
#: :data:`JACKKNIFE_GROUPS` groups instead of the n leave-one-out values (whose cost
#: grows as n^2: 165 s of the 20,880-user bench); below it, scipy's exact BCa.
JACKKNIFE_MAX_UNITS = 5000
JACKKNIFE_GROUPS = 1000
UNITS = ("user", "drop")


class Samples(NamedTuple):
    """Per-unit columns of a run, pooled over its drops.

    Attributes
    ----------
    ue : dict[str, ndarray]
        Per user, all of shape ``(n_users,)``: ``thr`` (mean delivered throughput,
        bit/s), ``cell_w``, ``area_w``, ``se_w`` (the user's share of its drop's
        cells, km^2 and Hz x cells: ``n_cells / n_ue`` etc., so that a sum over the
        users of a drop gives the drop's total), ``blocks`` and ``errors``
        (transport blocks sent and failed), ``drop`` (drop index).
    cell : dict[str, ndarray]
        Per cell of every drop: ``muted`` and ``eligible`` (muted RBs and RBs of
        cells that had data, counted over the measured TTIs), ``drop``.
    n_drops : int
    """

    ue: dict
    cell: dict
    n_drops: int


def _nansum(c, k):
    return np.nansum(c[k], axis=-1)


def _ratio(num: str, den: str) -> Callable:
    def f(c):
        with np.errstate(invalid="ignore", divide="ignore"):
            return _nansum(c, num) / _nansum(c, den)

    return f


def _pct(q: float) -> Callable:
    def f(c):
        x = c["thr"]
        if np.isnan(x).any():
            return np.nanpercentile(x, q, axis=-1)
        return np.percentile(x, q, axis=-1)

    return f


def _mean(c):
    return np.nanmean(c["thr"], axis=-1)


def _jain(c):
    """Jain's index (sum x)^2 / (n sum x^2) (see :func:`rof.edge.kpis.jain_fairness`)."""
    x = c["thr"]
    n = np.sum(~np.isnan(x), axis=-1)
    s, s2 = np.nansum(x, axis=-1), np.nansum(x * x, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s2 > 0.0, s * s / (n * s2), 1.0)


#: KPI name -> (table of units it resamples, statistic of the gathered columns).
KPIS: dict[str, tuple[str, Callable]] = {
    "ue_throughput_mean_bps": ("ue", _mean),
    "ue_throughput_p5_bps": ("ue", _pct(5.0)),
    "ue_throughput_p50_bps": ("ue", _pct(50.0)),
    "ue_throughput_p95_bps": ("ue", _pct(95.0)),
    "cell_throughput_bps": ("ue", _ratio("thr", "cell_w")),
    "area_throughput_bps_per_km2": ("ue", _ratio("thr", "area_w")),
    "spectral_efficiency_bps_per_hz_per_cell": ("ue", _ratio("thr", "se_w")),
    "jain_fairness": ("ue", _jain),
    "bler": ("ue", _ratio("errors", "blocks")),
    "muted_rb_share": ("cell", _ratio("muted", "eligible")),
}


def _padded(drop: np.ndarray, n_drops: int) -> np.ndarray:
    """``(n_drops, L)`` row indices of each drop's units, padded with -1."""
    counts = np.bincount(drop, minlength=n_drops)
    out = np.full((n_drops, max(int(counts.max(initial=0)), 1)), -1, dtype=np.int64)
    for d in range(n_drops):
        rows = np.flatnonzero(drop == d)
        out[d, : rows.size] = rows
    return out


def _gather(cols: dict, rows: np.ndarray) -> dict:
    """Columns at ``rows`` (any shape); -1 rows give NaN."""
    pad = rows < 0
    safe = np.where(pad, 0, rows)
    out = {}
    for k, v in cols.items():
        if k == "drop":
            continue
        g = np.asarray(v, dtype=np.float64)[safe]
        out[k] = np.where(pad, np.nan, g) if pad.any() else g
    return out


def _rows(samples: Samples, table: str, unit: str, idx: np.ndarray) -> np.ndarray:
    """Rows of ``table`` for resampled unit indices ``idx`` (..., n_units)."""
    if unit == "user":
        return idx
    pad = _padded(np.asarray(samples[0 if table == "ue" else 1]["drop"]), samples.n_drops)
    r = pad[idx]  # (..., n_drops, L)
    return r.reshape(*r.shape[:-2], -1)


def _n_units(samples: Samples, table: str, unit: str) -> int:
    if unit == "drop":
        return samples.n_drops
    return int(np.asarray(getattr(samples, table)["drop"]).size)


def _check(kpi: str, unit: str, level: float) -> tuple[str, Callable]:
    from rof.errors import ConfigError

    if kpi not in KPIS:
        raise ConfigError(f"kpi = {kpi!r} has no interval; allowed: {', '.join(sorted(KPIS))}")
    if unit not in UNITS:
        raise ConfigError(f"unit = {unit!r}; allowed: 'user' or 'drop'")
    if not 0.0 < level < 1.0:
        raise ConfigError(f"level = {level!r}; allowed: 0 < level < 1")
    return KPIS[kpi]


def point(samples: Samples, kpi: str) -> float:
    """The KPI on all units of the run (its point value)."""
    table, fn = _check(kpi, "user", CI_LEVEL)
    cols = getattr(samples, table)
    n = np.asarray(cols["drop"]).size
    return float(fn(_gather(cols, np.arange(n))))


def _rng_keyword(gen) -> dict:
    """SciPy >= 1.15 names the generator ``rng``; older releases ``random_state``."""
    import inspect

    from scipy.stats import bootstrap

    name = "rng" if "rng" in inspect.signature(bootstrap).parameters else "random_state"
    return {name: gen}


def _bca_grouped(stat, n: int, full: float, dist: np.ndarray, level: float, seed, groups: int):
    """BCa interval from a bootstrap distribution with the acceleration of a grouped
    (delete-a-group) jackknife (Efron and Tibshirani 1993, Sec. 14.3 eq. 14.15 and
    Sec. 11.5; the units split at random into ``groups`` near-equal groups).

    ``z0 = Phi^-1(#{dist < full} / B)`` (ties half), ``a = sum d^3 / (6 (sum d^2)^1.5)`` with
    ``d = mean(theta_(g)) - theta_(g)``; the ends are the quantiles of ``dist`` at
    ``Phi(z0 + (z0 + z) / (1 - a (z0 + z)))`` for ``z = Phi^-1((1 -/+ level) / 2)``.
    With ``groups = n`` this is scipy's BCa (leave-one-out jackknife).
    """
    from scipy.special import ndtr, ndtri

    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    order = np.random.default_rng(ss.spawn(1)[0]).permutation(n)
    parts = np.array_split(order, min(groups, n))
    keep = np.ones(n, dtype=bool)
    theta = np.empty(len(parts))
    for g, part in enumerate(parts):
        keep[part] = False
        theta[g] = stat(np.flatnonzero(keep))
        keep[part] = True
    d = theta.mean() - theta
    den = 6.0 * np.sum(d * d) ** 1.5
    a = np.sum(d**3) / den if den > 0 else 0.0
    below = np.count_nonzero(dist < full) + np.count_nonzero(dist <= full)
    z0 = ndtri(below / (2.0 * dist.size))  # ties count half, as scipy's BCa
    z = ndtri(np.array([(1.0 - level) / 2.0, (1.0 + level) / 2.0]))
    alpha = ndtr(z0 + (z0 + z) / (1.0 - a * (z0 + z)))
    if not np.all(np.isfinite(alpha)):
        return (np.nan, np.nan)
    lo, hi = np.quantile(dist, alpha)
    return (float(lo), float(hi))


def _bootstrap(
    stat, n: int, level: float, seed, n_resamples: int, groups: int | None = None
) -> tuple[float, float]:
    """BCa interval of ``stat`` over ``n`` resampled units (module docstring); above
    :data:`JACKKNIFE_MAX_UNITS` units (or with ``groups``) its acceleration from a
    grouped jackknife (:func:`_bca_grouped`)."""
    from scipy.stats import bootstrap

    if n < 2:
        return (np.nan, np.nan)
    full = float(stat(np.arange(n)))
    if groups is None and n > JACKKNIFE_MAX_UNITS:
        groups = JACKKNIFE_GROUPS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate samples (e.g. no errors): NaN below
        res = bootstrap(
            (np.arange(n),),
            lambda i, axis=-1: stat(i),
            n_resamples=n_resamples,
            vectorized=True,
            confidence_level=level,
            method="BCa" if groups is None else "percentile",
            batch=500,
            **_rng_keyword(np.random.default_rng(seed)),
        )
        if groups is None:
            lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
        else:
            dist = np.asarray(res.bootstrap_distribution, dtype=float)
            lo, hi = _bca_grouped(stat, n, full, dist, level, seed, groups)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        dist = res.bootstrap_distribution
        if np.all(dist == full):  # every resample gives the same value
            return (full, full)
        a = (1.0 - level) / 2.0
        lo, hi = (float(v) for v in np.nanquantile(dist, [a, 1.0 - a]))
    return (lo, hi)


def interval(
    samples: Samples,
    kpi: str,
    level: float = CI_LEVEL,
    *,
    unit: str = "user",
    seed=0,
    n_resamples: int = N_RESAMPLES,
) -> tuple[float, float]:
    """Bootstrap BCa confidence interval ``(low, high)`` of a KPI (module docstring).

    Parameters
    ----------
    samples : Samples
    kpi : str
        A key of :data:`KPIS`.
    level : float
        Confidence level in (0, 1).
    unit : {"user", "drop"}
        Resampling unit.
    seed : int or SeedSequence
        Seeds the resampling, so the interval is reproducible.
    n_resamples : int

    Returns
    -------
    (float, float)
        NaN where fewer than two units exist.
    """
    table, fn = _check(kpi, unit, level)
    cols = getattr(samples, table)

    def stat(idx):
        return fn(_gather(cols, _rows(samples, table, unit, idx)))

    return _bootstrap(stat, _n_units(samples, table, unit), level, seed, n_resamples)


def paired_gain(
    a: Samples,
    b: Samples,
    kpi: str,
    level: float = CI_LEVEL,
    *,
    unit: str = "user",
    seed=0,
    n_resamples: int = N_RESAMPLES,
) -> tuple[float, tuple[float, float]]:
    """Relative gain ``KPI(a) / KPI(b) - 1`` of two runs on the same units, with its
    paired bootstrap interval (the same resampled units for both runs).

    Returns
    -------
    (gain, (low, high))
    """
    from rof.errors import ConfigError

    table, fn = _check(kpi, unit, level)
    ca, cb = getattr(a, table), getattr(b, table)
    if a.n_drops != b.n_drops or not np.array_equal(ca["drop"], cb["drop"]):
        raise ConfigError(
            "paired runs have different drops or users; allowed: the same scenario, seed, "
            "run.drops and deployment, differing only in what is compared"
        )

    def stat(idx):
        ra, rb = _rows(a, table, unit, idx), _rows(b, table, unit, idx)
        with np.errstate(invalid="ignore", divide="ignore"):
            return fn(_gather(ca, ra)) / fn(_gather(cb, rb)) - 1.0

    n = _n_units(a, table, unit)
    gain = float(stat(np.arange(n)))
    return gain, _bootstrap(stat, n, level, seed, n_resamples)
