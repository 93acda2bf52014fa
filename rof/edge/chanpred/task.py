"""The channel-prediction task: features of a site-UE link and simulated training data.

This task lives beside the edge that uses it; the dock (:mod:`rof.learnware`) stays
generic and knows it only through its :class:`~rof.learnware.schema.FeatureSchema`.

Task ``"channel_gain_ahead"``: from a link's geometry and its last ``N_LAGS`` channel
gains, sampled every ``HISTORY_STEP_S``, predict its gain (dB) one
fronthaul-plus-processing delay (``horizon``) after the newest sample.

Features (one row per link and instant, :data:`FEATURE_NAMES`):

======================  =====================================================
``log10_d3d_m``         log10 of the 3-D site-UE distance in metres
``h_bs_m``, ``h_ut_m``  antenna heights, m
``carrier_ghz``         carrier frequency, GHz
``los``                 1 for line of sight, 0 otherwise
``log10_doppler_hz``    log10 of the maximum-Doppler estimate (Hz, floored at 20)
``horizon_ms``          prediction horizon, ms
``mean_gain_db``        mean of the last ``N_LAGS`` gains, dB
``dev_gain_db_lagK``    gain ``K`` samples before the newest minus that mean, dB
======================  =====================================================

An RKME sees only the input distribution, so the measured gains are features:
scenarios differing only in propagation (path loss, shadowing, fading) differ in
``mean_gain_db`` and the deviations. The one fixed standardisation of the task
(:func:`channel_schema`) uses physical scales, not per-data-set statistics, chosen
for what a predictor needs to match. The Doppler scale is 0.2 decades (a factor 1.6):
the fading's correlation over the horizon, ``J0(2 pi f_d tau)``, changes a lot between
30 and 60 km/h, so a factor-2 Doppler difference must cost 1.5 standardised units.
The horizon scale is 1 ms: the predictors take the horizon as an input over their
whole 0.5-1.0 ms training range, so a deployment with one fixed horizon inside it
must not look foreign for that alone. With 0.5 decades and 0.25 ms, a 60 km/h
deployment scored as close to the 30 km/h learnware (squared MMD 0.05-0.09) as fresh
30 km/h data (0.02-0.06), and the shipped 3 km/h scenarios (horizon 0.5 ms) scored
0.13-0.15 against their own learnware; now covered speeds score 0.007-0.055, the
shipped scenarios 0.017-0.035 and 60 km/h 0.17-0.23 (tests/edge/test_learnware_csi.py).

Data (:func:`simulate_channel_data`): distances area-uniform in the scenario's cell,
LOS drawn with TR 38.901 Table 7.4.2-1 probabilities
(:func:`rof.radio.los.los_probability_38901`), path loss of Table 7.4.1-1
(:func:`rof.radio.pathloss.pathloss_38901`), log-normal shadowing of the table's
sigma_SF (constant over the few-ms window), and time-correlated flat fading from
:class:`rof.radio.fading.FadingProcess` (Rayleigh for NLOS, Rician with the
Table 7.5-6 mean K factor for LOS; autocorrelation J0(2 pi f_d tau)). Isotropic
antennas: the gain is ``-PL - SF + 10 log10 |h|^2``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rof._validate import check_choice, check_int_range, check_range
from rof.errors import DataError
from rof.learnware.schema import FeatureSchema

__all__ = [
    "COLUMN",
    "FEATURE_NAMES",
    "GAIN_DEV_COLUMNS",
    "HISTORY_STEP_S",
    "HORIZONS_MS",
    "N_LAGS",
    "SHIPPED_SCENARIOS",
    "TASK",
    "ChannelScenario",
    "channel_schema",
    "link_features",
    "simulate_channel_data",
]

TASK = "channel_gain_ahead"
#: Number of past gain samples per feature row.
N_LAGS = 8
#: Spacing of the gain history, s (one 30 kHz-SCS slot).
HISTORY_STEP_S = 0.5e-3
#: Prediction horizons in the training data, ms (0.5 ms processing plus fiber
#: round trips of 0 to ~50 km).
HORIZONS_MS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
#: Kernel parameter of the task (standardised units); chosen so that one standardised
#: unit of difference in a few features separates scenarios (see search.DEFAULT_MMD_THRESHOLD).
DEFAULT_GAMMA = 0.1

FEATURE_NAMES: tuple[str, ...] = (
    "log10_d3d_m",
    "h_bs_m",
    "h_ut_m",
    "carrier_ghz",
    "los",
    "log10_doppler_hz",
    "horizon_ms",
    "mean_gain_db",
    *(f"dev_gain_db_lag{k}" for k in range(N_LAGS - 1, -1, -1)),
)

#: Doppler floor of the feature, Hz: over the longest horizon (1 ms) a Doppler below it
#: turns Clarke's correlation J0(2 pi f_d tau) by at most 0.13 rad (J0 >= 0.996), so the
#: channel is static over the horizon whatever the exact Doppler (3 km/h at 3.5 or
#: 4.9 GHz alike).
DOPPLER_FLOOR_HZ = 20.0

#: Column of each feature by name (address features by name, never by number).
COLUMN: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}
#: Columns of the gain deviations, oldest first.
GAIN_DEV_COLUMNS: tuple[int, ...] = tuple(
    COLUMN[f"dev_gain_db_lag{k}"] for k in range(N_LAGS - 1, -1, -1)
)

_LOC = (2.0, 15.0, 1.5, 10.0, 0.5, 2.0, 0.75, -100.0, *(0.0,) * N_LAGS)
_SCALE = (0.5, 10.0, 1.0, 10.0, 0.5, 0.2, 1.0, 20.0, *(5.0,) * N_LAGS)


def channel_schema(gamma: float = DEFAULT_GAMMA) -> FeatureSchema:
    """The task's feature schema with its fixed physical standardisation."""
    return FeatureSchema(TASK, FEATURE_NAMES, _LOC, _SCALE, gamma)


def link_features(
    d3d_m, h_bs_m, h_ut_m, carrier_ghz, los, doppler_hz, horizon_s, gain_history_db
) -> np.ndarray:
    """Feature matrix (n, 16) of the channel task from link quantities.

    Parameters
    ----------
    d3d_m, h_bs_m, h_ut_m, carrier_ghz, los, doppler_hz, horizon_s : array_like (n,) or scalar
        3-D distance (m), heights (m), carrier (GHz), LOS flag, maximum Doppler
        estimate (Hz), prediction horizon (s); broadcast to ``n``.
    gain_history_db : array_like (n, N_LAGS)
        Past gains in dB, oldest first, spaced ``HISTORY_STEP_S``, the newest last.
    """
    g = np.asarray(gain_history_db, dtype=float)
    if g.ndim != 2 or g.shape[1] != N_LAGS:
        raise DataError(f"gain_history_db has shape {g.shape}; expected (n, {N_LAGS})")
    if not np.all(np.isfinite(g)):
        raise DataError("gain_history_db contains NaN or infinite values")
    n = g.shape[0]
    cols = [
        np.broadcast_to(np.asarray(v, dtype=float), (n,))
        for v in (d3d_m, h_bs_m, h_ut_m, carrier_ghz, los, doppler_hz, horizon_s)
    ]
    d3d, hbs, hut, fc, lo, fd, hz = cols
    mean = g.mean(axis=1)
    x = np.empty((n, len(FEATURE_NAMES)))
    x[:, COLUMN["log10_d3d_m"]] = np.log10(np.maximum(d3d, 1.0))
    x[:, COLUMN["h_bs_m"]] = hbs
    x[:, COLUMN["h_ut_m"]] = hut
    x[:, COLUMN["carrier_ghz"]] = fc
    x[:, COLUMN["los"]] = (lo > 0.5).astype(float)
    x[:, COLUMN["log10_doppler_hz"]] = np.log10(np.maximum(fd, DOPPLER_FLOOR_HZ))
    x[:, COLUMN["horizon_ms"]] = hz * 1e3
    x[:, COLUMN["mean_gain_db"]] = mean
    x[:, list(GAIN_DEV_COLUMNS)] = g - mean[:, None]
    return x


@dataclass(frozen=True)
class ChannelScenario:
    """One deployment for which a learnware is trained.

    Parameters
    ----------
    name : str
    scenario : {"UMa", "UMi", "InH", "RMa"}
        TR 38.901 scenario (path loss, LOS probability, shadowing).
    carrier_ghz, speed_kmh : float
    h_bs_m, h_ut_m : float
        Antenna heights (TR 38.901 Table 7.2-1 defaults in :data:`SHIPPED_SCENARIOS`).
    d2d_min_m, d2d_max_m : float
        Horizontal distance range (area-uniform in the annulus).
    rician_k_db : float
        Rician K factor of LOS links (TR 38.901 Table 7.5-6, mean of lgKF).
    """

    name: str
    scenario: str
    carrier_ghz: float
    speed_kmh: float
    h_bs_m: float
    h_ut_m: float
    d2d_min_m: float
    d2d_max_m: float
    rician_k_db: float

    def __post_init__(self):
        check_choice("ChannelScenario.scenario", self.scenario, ("UMa", "UMi", "InH", "RMa"))
        check_range("ChannelScenario.carrier_ghz", self.carrier_ghz, 0.5, 100.0)
        check_range("ChannelScenario.speed_kmh", self.speed_kmh, 0.0, 1000.0)
        check_range("ChannelScenario.h_bs_m", self.h_bs_m, 1.0, 150.0)
        check_range("ChannelScenario.h_ut_m", self.h_ut_m, 0.5, 22.5)
        check_range("ChannelScenario.d2d_min_m", self.d2d_min_m, 0.0, lo_open=True)
        check_range("ChannelScenario.d2d_max_m", self.d2d_max_m, self.d2d_min_m, 1e4, lo_open=True)
        check_range("ChannelScenario.rician_k_db", self.rician_k_db, -30.0, 40.0)

    @property
    def doppler_hz(self) -> float:
        """Maximum Doppler shift v f_c / c, Hz (:func:`rof.radio.fading.doppler_hz`)."""
        from rof.radio.fading import doppler_hz

        return float(doppler_hz(self.speed_kmh / 3.6, self.carrier_ghz * 1e9))

    def to_meta(self) -> dict:
        """Metadata recorded with the learnware."""
        return {
            "name": self.name,
            "task": TASK,
            "scenario": self.scenario,
            "carrier_ghz": self.carrier_ghz,
            "speed_kmh": self.speed_kmh,
            "h_bs_m": self.h_bs_m,
            "h_ut_m": self.h_ut_m,
            "d2d_range_m": [self.d2d_min_m, self.d2d_max_m],
        }


# TR 38.901 Table 7.2-1 (heights, ISD) and Table 7.5-6 (LOS K factor): cell radius
# ISD / sqrt(3) for the hexagonal layouts; InH: 120 m x 50 m hall.
_GEOMETRY = {
    "UMa": dict(h_bs_m=25.0, h_ut_m=1.5, d2d_min_m=10.0, d2d_max_m=289.0, rician_k_db=9.0),
    "UMi": dict(h_bs_m=10.0, h_ut_m=1.5, d2d_min_m=10.0, d2d_max_m=115.0, rician_k_db=9.0),
    "InH": dict(h_bs_m=3.0, h_ut_m=1.0, d2d_min_m=1.0, d2d_max_m=50.0, rician_k_db=7.0),
    "RMa": dict(h_bs_m=35.0, h_ut_m=1.5, d2d_min_m=10.0, d2d_max_m=1000.0, rician_k_db=7.0),
}


def _shipped() -> tuple[ChannelScenario, ...]:
    out = []
    for sc in ("UMa", "UMi", "InH", "RMa"):
        for v in (3.0, 30.0, 120.0):
            out.append(ChannelScenario(f"{sc}-3.5GHz-{v:g}kmh", sc, 3.5, v, **_GEOMETRY[sc]))
    for sc in ("UMa", "UMi"):
        for v in (3.0, 30.0):
            out.append(ChannelScenario(f"{sc}-28GHz-{v:g}kmh", sc, 28.0, v, **_GEOMETRY[sc]))
    return tuple(out)


#: The 16 scenarios of the shipped dock.
SHIPPED_SCENARIOS: tuple[ChannelScenario, ...] = _shipped()


def simulate_channel_data(
    sc: ChannelScenario,
    n_samples: int,
    rng: np.random.Generator,
    *,
    doppler_error: float = 0.1,
    links_per_draw: int = 500,
) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and targets of ``sc`` (see the module docstring).

    Parameters
    ----------
    sc : ChannelScenario
    n_samples : int
        Rows returned.
    rng : numpy.random.Generator
    doppler_error : float
        Standard deviation of the log-normal error of the Doppler estimate (natural
        log units; 0.1 is about 10 %).
    links_per_draw : int
        Links simulated per fading-process draw.

    Returns
    -------
    X : ndarray (n_samples, 16)
    y : ndarray (n_samples,)
        Gain in dB ``horizon`` after the newest history sample.
    """
    from rof.radio.fading import FadingProcess
    from rof.radio.los import los_probability_38901
    from rof.radio.pathloss import breakpoint_distance_m, pathloss_38901
    from rof.radio.shadowing import shadow_fading_std_db

    n_samples = check_int_range("simulate_channel_data n_samples", n_samples, 1)
    xs, ys = [], []
    done = 0
    while done < n_samples:
        n = min(links_per_draw, n_samples - done)
        r2 = rng.uniform(sc.d2d_min_m**2, sc.d2d_max_m**2, size=n)
        d2d = np.sqrt(r2)
        d3d = np.sqrt(d2d**2 + (sc.h_bs_m - sc.h_ut_m) ** 2)
        los = rng.random(n) < los_probability_38901(sc.scenario, d2d, sc.h_ut_m)
        pl = pathloss_38901(
            sc.scenario, d2d, d3d, sc.carrier_ghz, sc.h_bs_m, sc.h_ut_m, los, on_range="ignore"
        )
        if sc.scenario == "RMa":
            after = d2d > breakpoint_distance_m(
                sc.carrier_ghz, sc.h_bs_m, sc.h_ut_m, effective=False
            )
            sig_los = np.where(
                after,
                shadow_fading_std_db("RMa", True, after_breakpoint=True),
                shadow_fading_std_db("RMa", True),
            )
        else:
            sig_los = shadow_fading_std_db(sc.scenario, True)
        sigma = np.where(los, sig_los, shadow_fading_std_db(sc.scenario, False))
        large_db = -pl - sigma * rng.standard_normal(n)
        fd = sc.doppler_hz
        t0 = rng.uniform(1.0, 100.0)
        times = t0 + HISTORY_STEP_S * np.arange(-(N_LAGS - 1), 1)
        hz_idx = rng.integers(len(HORIZONS_MS), size=n)
        fade = np.empty((n, N_LAGS + len(HORIZONS_MS)))
        for is_los, model in ((True, "rician"), (False, "rayleigh")):
            sel = np.flatnonzero(los == is_los)
            if sel.size == 0:
                continue
            fp = FadingProcess(
                sel.size, 1, 1, model=model, doppler_hz=fd, rician_k_db=sc.rician_k_db, rng=rng
            )
            for j, t in enumerate(list(times) + [t0 + h * 1e-3 for h in HORIZONS_MS]):
                fade[sel, j] = fp.sample(t)[:, 0, 0]
        fade_db = 10.0 * np.log10(np.maximum(fade, 1e-12))
        hist = large_db[:, None] + fade_db[:, :N_LAGS]
        target = large_db + fade_db[np.arange(n), N_LAGS + hz_idx]
        fd_est = fd * np.exp(doppler_error * rng.standard_normal(n))
        horizon_s = np.asarray(HORIZONS_MS)[hz_idx] * 1e-3
        xs.append(
            link_features(d3d, sc.h_bs_m, sc.h_ut_m, sc.carrier_ghz, los, fd_est, horizon_s, hist)
        )
        ys.append(target)
        done += n
    return np.vstack(xs), np.concatenate(ys)
