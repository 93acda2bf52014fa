"""``csi = "learnware"``: a channel predictor from the learnware dock ages the report forward.

What the dock's learnwares were trained on
------------------------------------------
The dock's task (:mod:`rof.edge.chanpred.task`) predicts the gain ``-PL - SF + 10 log10
|h(t + horizon)|^2`` (dB) of an *isotropic* link from its geometry, carrier, LOS state,
Doppler, horizon and its last ``N_LAGS`` gains spaced ``HISTORY_STEP_S``, where ``h`` is
one frequency-flat Rayleigh (NLOS) or Rician (LOS, TR 38.901 Table 7.5-6 K factor)
process with Clarke's autocorrelation ``J0(2 pi f_d tau)``.

What the edge feeds it
----------------------
The edge's link gain is ``G_ls |h_b(t)|^2``, where the large-scale gain ``G_ls``
(antenna gain - path loss - shadowing - O2I loss, :mod:`rof.radio.linktable`) is
constant during a run and known to the edge, and ``h_b`` is the small-scale fading on
resource block ``b``. Only the fading ages, so only the fading is predicted:

1. the known constant ``G_ls`` is removed from every reported gain and replaced by the
   isotropic median gain ``L_ref = -PL(d_3D, LOS)`` of the link's own geometry (TR
   38.901 Table 7.4.1-1, shadowing at its median 0 dB; the ``power_law`` model for
   that scenario), so the rows follow the dock's training distribution instead of
   being shifted by the antenna gain (up to ~+8 dBi) and the O2I loss (~-20 dB for
   indoor UEs);
2. the geometry columns describe each link's *equivalent reference link*: an outdoor
   ground-level UE (``h_UT = 1.5`` m, the reference height of TR 38.901 Table
   7.4.1-1 and of the dock's scenarios) at the link's own 2-D distance clipped to
   ``[10 m, r_cell]`` with ``r_cell = sqrt(A / (pi n_sites))`` the equal-area cell
   radius of the deployment; the BS height is the link's own. In rof's channel model
   the small-scale fading does not depend on distance or UE height
   (:class:`rof.radio.fading.FadingProcess` draws it from the Doppler and the delay
   profile only), so the reference link has exactly the fading statistics of the
   real one, while real floor heights (up to 22.5 m) and far interferers (several
   ISD) lie outside every shipped learnware's training support and would make the
   search answer "no good match" for that reason alone;
3. the LOS column is the link's own LOS state (TR 38.901 Table 7.4.2-1 draw of the
   link table), as the task defines it, and ``L_ref`` uses the LOS or NLOS path loss
   accordingly. The dock's LOS rows carry Rician fading (K = 9 dB for UMi) while the
   edge's ``"tdl"`` profiles TDL-A/B/C are Rayleigh on every link, a difference the
   search sees only through the gain deviations; describing every link as NLOS
   instead would claim a population the dock's UMi learnwares never saw (about 37 %
   of their rows are LOS) and raises the squared MMD by about 0.07;
4. with frequency-selective fading (``"tdl"``) each RB's gain is one row: on RB ``b``
   ``h_b(t) = sum_p x_p(t) B[p, b]`` is a complex Gaussian process with the same
   ``J0`` time correlation as the flat training processes (:mod:`rof.radio.fading`),
   so the per-RB history is exactly the training process; flat models need one row
   per link;
5. the Doppler feature is ``v f_c / c`` in Hz and the horizon the link's CSI age
   (fiber round trip plus processing) in seconds (``link_features`` turns it to ms);
6. the predicted fading is ``prediction - L_ref`` (dB), and the report handed to the
   scheduler is ``10^(that / 10)``, which the loop multiplies by ``G_ls``.

The RKME specification sent to the dock (``reduced_size`` points) is fitted on
``spec_rows`` of these rows at the first TTI with a full history; before that the plain
delayed report is used. The scenario's ``[edge.learnware]`` table
(:class:`rof.scenario.learnware.EdgeLearnware`) sets both, the number of hits
``top_k`` and the calibrated ``mmd_threshold``: when the best single learnware and the
best mixture both score above it (a deployment the dock's predictors do not cover,
such as UEs at 60 km/h), the edge says so once (a log warning and
:attr:`LearnwareCsi.message`) and keeps the delayed report instead of predicting with
a poor match. One compiled prediction per TTI covers every link and RB: the models
are validated arrays (:class:`rof.learnware.compiled.CompiledModel`), averaged with
the mixture weights into one ensemble. Per TTI one kernel pass reads every lag from
the history, NumPy's vectorised log turns them to dB, and the nine gain rows are
written as float32 into the transposed feature rows (the seven static rows are written
once), which the branch-free tree kernel reads directly
(:meth:`~rof.learnware.compiled.CompiledModel.predict_t`).

The prediction horizon is the fixed report delay (fiber round trip plus processing),
not the NR CSI timeline's age: the dock's predictors take a history sampled every
``HISTORY_STEP_S`` and horizons of 0.5-1 ms, while under the NR timeline the edge holds
one measurement per CSI-RS period and ages of several ms; that needs a task with its
own lag spacing and horizons, and predictors trained for it.
"""

from __future__ import annotations

import logging

import numba
import numpy as np

from rof.edge.chanpred.task import COLUMN, GAIN_DEV_COLUMNS
from rof.edge.csi import delayed_state

__all__ = [
    "REFERENCE_UE_HEIGHT_M",
    "LearnwareCsi",
    "history_span_ttis",
    "isotropic_median_gain_db",
    "reference_geometry",
]

log = logging.getLogger(__name__)
#: UE height of the equivalent reference link, m (TR 38.901 Table 7.4.1-1 reference).
REFERENCE_UE_HEIGHT_M = 1.5
#: Smallest 2-D distance of the reference link, m (TR 38.901 Table 7.4.1-1 range).
REFERENCE_D2D_MIN_M = 10.0


def history_span_ttis(tti_s: float) -> float:
    """Extra history depth (TTIs) the predictor needs beyond the report delay."""
    from rof.edge.chanpred.task import HISTORY_STEP_S, N_LAGS

    return (N_LAGS - 1) * HISTORY_STEP_S / tti_s


def reference_geometry(d3d_m, h_bs_m, h_ut_m, cell_radius_m):
    """3-D distance and UE height of each link's equivalent reference link.

    The reference UE stands at ``REFERENCE_UE_HEIGHT_M`` at the link's own 2-D distance
    clipped to ``[REFERENCE_D2D_MIN_M, cell_radius_m]`` (module docstring, item 2).

    Parameters
    ----------
    d3d_m, h_bs_m, h_ut_m : array_like
        The real link's 3-D distance and heights, m (broadcast together).
    cell_radius_m : float
        Largest 2-D distance kept, m.

    Returns
    -------
    d3d_ref_m, h_ut_ref_m : ndarray
    """
    d3d, hbs, hut = np.broadcast_arrays(
        np.asarray(d3d_m, float), np.asarray(h_bs_m, float), np.asarray(h_ut_m, float)
    )
    d2d = np.sqrt(np.maximum(d3d**2 - (hbs - hut) ** 2, 0.0))
    d2d = np.clip(d2d, REFERENCE_D2D_MIN_M, max(float(cell_radius_m), REFERENCE_D2D_MIN_M))
    h_ref = np.full(d3d.shape, REFERENCE_UE_HEIGHT_M)
    return np.sqrt(d2d**2 + (hbs - h_ref) ** 2), h_ref


def isotropic_median_gain_db(radio, d3d_m, h_bs_m, h_ut_m, los) -> np.ndarray:
    """Median large-scale gain of an isotropic link, ``-PL`` in dB (shadowing 0 dB).

    TR 38.901 Table 7.4.1-1 (:func:`rof.radio.pathloss.pathloss_38901`, distances
    outside the table's range evaluated as they are), or the scenario's power law
    (:func:`rof.radio.pathloss.pathloss_power_law`).

    Parameters
    ----------
    radio : the scenario's ``[radio]`` table
    d3d_m, h_bs_m, h_ut_m : array_like
        3-D distance and heights, m (broadcast together).
    los : bool or array_like of bool
    """
    from rof.radio.pathloss import pathloss_38901, pathloss_power_law

    d3d, hbs, hut = np.broadcast_arrays(
        np.asarray(d3d_m, float), np.asarray(h_bs_m, float), np.asarray(h_ut_m, float)
    )
    if radio.scenario == "power_law":
        pl = pathloss_power_law(
            d3d, radio.pathloss_exponent, radio.reference_loss_db, radio.reference_distance_m
        )
        return -np.asarray(pl, dtype=float)
    d2d = np.sqrt(np.maximum(d3d**2 - (hbs - hut) ** 2, 1.0))
    los = np.broadcast_to(np.asarray(los, dtype=bool), d3d.shape)
    pl = pathloss_38901(
        radio.scenario, d2d, d3d, radio.carrier_ghz, hbs, hut, los, on_range="ignore"
    )
    return -np.asarray(pl, dtype=float)


@numba.njit(cache=True)
def _lag_states(hist, head, count, link_cell, delay_ttis, lag_ttis, r, out):
    """Every lag's reported state of every row, (n_rows, n_lags), in place: the
    interpolation of :func:`rof.edge.csi.delayed_state`, rounded to its float32."""
    depth = hist.shape[0]
    n_ue, n_k = link_cell.shape
    n_lags = out.shape[1]
    for u in range(n_ue):
        for k in range(n_k):
            dc = delay_ttis[link_cell[u, k]]
            row0 = (u * n_k + k) * r
            for j in range(n_lags):  # oldest first
                d = dc + (n_lags - 1 - j) * lag_ttis
                i = int(np.floor(d))
                f = d - i
                s0 = (head - min(i, count - 1)) % depth
                s1 = (head - min(i + 1, count - 1)) % depth
                for b in range(r):
                    st = np.float32((1.0 - f) * hist[s0, u, k, b] + f * hist[s1, u, k, b])
                    out[row0 + b, j] = max(np.float64(st), 1e-12)


@numba.njit(cache=True)
def _gain_columns(g_db, ref_rows, x, col_mean, col_dev):
    """Mean gain (``L_ref`` plus the mean fading) and deviations of every row, in place."""
    n, n_lags = g_db.shape
    for row in range(n):
        mean = 0.0
        for j in range(n_lags):
            mean += g_db[row, j]
        mean /= n_lags
        x[row, col_mean] = ref_rows[row] + mean
        for j in range(n_lags):
            x[row, col_dev[j]] = g_db[row, j] - mean


@numba.njit(cache=True)
def _gain_rows_t(g_db, ref_rows, xt, col_mean, col_dev):
    """:func:`_gain_columns` into the transposed float32 rows ``xt`` (16, n) the tree
    kernel reads (each value the float32 rounding of the float64 feature)."""
    n, n_lags = g_db.shape
    for row in range(n):
        mean = 0.0
        for j in range(n_lags):
            mean += g_db[row, j]
        mean /= n_lags
        xt[col_mean, row] = np.float32(ref_rows[row] + mean)
        for j in range(n_lags):
            xt[col_dev[j], row] = np.float32(g_db[row, j] - mean)


class LearnwareCsi:
    """Predicts the present fading of every link (and RB) from its aged report history.

    Parameters
    ----------
    scn : Scenario
        Uses ``edge.dock`` (a relative path is taken from the working directory,
        and the shipped dock when the default ``models/dock`` is not there) and the
        ``[radio]`` table.
    world : rof.edge.world.World
    age_s : ndarray (n_cells,)
        CSI age of each cell's links, s (the prediction horizon).
    rng : numpy.random.Generator
        For fitting the user's RKME specification.

    Attributes
    ----------
    predictor : rof.edge.chanpred.ChannelPredictor or None
        Built at the first TTI with a full history (None when nothing matched).
    message : str or None
        The dock's verdict once searched ("best match ..." or "no good match ...").
    ref_db : ndarray (n_ue, K)
        The isotropic median gain ``L_ref`` standing in for the large-scale gain.
    """

    def __init__(self, scn, world, age_s, rng):
        from rof.edge.chanpred.task import HISTORY_STEP_S, N_LAGS, link_features

        self.scn, self.world, self.rng = scn, world, rng
        self.age_s = np.asarray(age_s, dtype=np.float64)
        self.delay_ttis = self.age_s / world.tti_s
        self.lag_ttis = HISTORY_STEP_S / world.tti_s
        self.n_lags = N_LAGS
        self.predictor = None
        self.searched = False
        self.message = None
        self.settings = scn.edge.learnware
        self.active = scn.radio.fading != "none"
        self.n_rows_rb = 1 if world.fading.flat else world.n_rb
        dep = world.deployment
        lc = world.link_cell
        n_ue, k = lc.shape
        h_bs = np.asarray(dep.site_height_m, dtype=np.float64)[np.asarray(dep.cell_site)[lc]]
        h_ut = np.broadcast_to(np.asarray(dep.ue_height_m, dtype=np.float64)[:, None], (n_ue, k))
        self.cell_radius_m = float(np.sqrt(world.area_km2 * 1e6 / (np.pi * dep.n_sites)))
        d3d, h_ut = reference_geometry(world.d3d_m, h_bs, h_ut, self.cell_radius_m)
        los = np.asarray(world.los, dtype=bool)
        self.ref_db = isotropic_median_gain_db(scn.radio, d3d, h_bs, h_ut, los)
        per_link = (
            d3d,
            h_bs,
            h_ut,
            np.full((n_ue, k), float(scn.radio.carrier_ghz)),
            np.asarray(los, dtype=np.float64),
            np.broadcast_to(np.asarray(world.doppler_hz, dtype=np.float64)[:, None], (n_ue, k)),
            self.age_s[lc],
        )
        r = self.n_rows_rb
        cols = [np.repeat(np.asarray(c, dtype=np.float64).ravel(), r) for c in per_link]
        # The static columns come from link_features itself (zero history), so the
        # transformation of every column is the dock's own.
        self._x = link_features(*cols, np.zeros((cols[0].size, N_LAGS)))
        self._ref_rows = np.repeat(self.ref_db.ravel(), r)
        self._lags = np.empty((self._x.shape[0], N_LAGS))
        self._dev_cols = np.asarray(GAIN_DEV_COLUMNS, dtype=np.int64)
        # the compiled models' input: float32 feature rows, transposed; the static
        # columns (geometry, carrier, LOS, Doppler, horizon) are written once here
        self._xt = np.ascontiguousarray(self._x.T.astype(np.float32))

    @classmethod
    def from_dock(cls, scn, world, age_s, rng=None):
        return cls(scn, world, age_s, np.random.default_rng(0) if rng is None else rng)

    def _dock_path(self):
        from rof.learnware.paths import resolve_dock_path

        return resolve_dock_path(self.scn.edge.dock)

    def ready(self, history) -> bool:
        """Whether the history holds the ``N_LAGS`` reported samples every link needs."""
        need = int(np.ceil(np.max(self.delay_ttis) + (self.n_lags - 1) * self.lag_ttis)) + 1
        return history.count >= min(need, history.depth)

    def features(self, history) -> np.ndarray:
        """Feature rows (n_ue K R, 16) of the reported histories, R RBs per link (1 if flat).

        Rows are ordered UE, link, RB; the gain columns are ``L_ref`` plus the reported
        fading in dB, oldest first (see the module docstring). One kernel pass reads
        every lag (:func:`rof.edge.csi.delayed_state`'s interpolation, rounded to its
        float32) and writes the gain columns; :meth:`features_ref` is its NumPy reference.
        """
        self._lags_db(history)
        _gain_columns(self._lags, self._ref_rows, self._x, COLUMN["mean_gain_db"], self._dev_cols)
        return self._x

    def features_t(self, history) -> np.ndarray:
        """:meth:`features` transposed and rounded to float32, (16, n_ue K R): what the
        compiled tree kernel reads (:meth:`rof.learnware.compiled.CompiledModel.predict_t`),
        written without the float64 rows and the transposing copies."""
        self._lags_db(history)
        _gain_rows_t(self._lags, self._ref_rows, self._xt, COLUMN["mean_gain_db"], self._dev_cols)
        return self._xt

    def _lags_db(self, history) -> None:
        """Every row's reported gains in dB (fading only), oldest first, into ``_lags``."""
        g = self._lags
        _lag_states(
            history.hist,
            int(history.head),
            int(history.count),
            np.ascontiguousarray(self.world.link_cell, dtype=np.int64),
            np.ascontiguousarray(self.delay_ttis, dtype=np.float64),
            float(self.lag_ttis),
            self.n_rows_rb,
            g,
        )
        np.log10(g, out=g)  # NumPy's vectorised log (numba's is scalar libm)
        g *= 10.0

    def features_ref(self, history) -> np.ndarray:
        """Plain-NumPy reference of :meth:`features` (a new array)."""
        lc = self.world.link_cell
        r = self.n_rows_rb
        fade_db = np.empty((lc.shape[0], lc.shape[1], r, self.n_lags))
        for j in range(self.n_lags):  # oldest first
            d = self.delay_ttis + (self.n_lags - 1 - j) * self.lag_ttis
            st = delayed_state(history.hist, history.head, history.count, lc, d)
            fade_db[:, :, :, j] = 10.0 * np.log10(np.maximum(st[:, :, :r].astype(float), 1e-12))
        fade_db = fade_db.reshape(-1, self.n_lags)
        mean = fade_db.mean(axis=1)
        x = self._x.copy()
        x[:, COLUMN["mean_gain_db"]] = self._ref_rows + mean
        x[:, list(GAIN_DEV_COLUMNS)] = fade_db - mean[:, None]
        return x

    def fit_predictor(self, x: np.ndarray):
        """Search the dock with the specification of ``spec_rows`` of ``x``.

        Returns the predictor, or None (and sets :attr:`message`) when the best match
        is above the threshold.
        """
        from rof.edge.chanpred.predictor import ChannelPredictor
        from rof.errors import ModelError

        st = self.settings
        rows = self.rng.choice(x.shape[0], size=min(st.spec_rows, x.shape[0]), replace=False)
        self.searched = True
        try:
            self.predictor = ChannelPredictor.from_dock(
                self._dock_path(),
                x[rows],
                rng=self.rng,
                top_k=st.top_k,
                reduced_size=st.reduced_size,
                mmd_threshold=st.mmd_threshold,
                single_match=True,
            )
        except ModelError as exc:
            if "no good match" not in str(exc):
                raise
            self.message = f"learnware CSI falls back to the delayed report: {exc}"
            log.warning("%s", self.message)
            return None
        self.message = self.predictor.result.message
        return self.predictor

    def predict_fading_db(self, history) -> np.ndarray:
        """Predicted present fading in dB, (n_ue, K, R) (R = n_rb, or 1 if flat)."""
        if not self.searched:
            self.fit_predictor(self.features(history))
        if self.predictor is None:
            return None
        if self.predictor.takes_transposed:
            pred = self.predictor.predict_t(self.features_t(history))
        else:
            pred = self.predictor.predict(self.features(history))
        pred -= self._ref_rows
        return pred.reshape(*self.world.link_cell.shape, self.n_rows_rb)

    def predict(self, history, report: np.ndarray) -> np.ndarray:
        """Predicted present fading (n_ue, K, n_rb), linear, from the history.

        Returns ``report`` (the delayed state) unchanged until the history is full,
        and always for ``fading = "none"`` (nothing ages).
        """
        if not self.active or not self.ready(history) or (self.searched and not self.predictor):
            return report
        pred_db = self.predict_fading_db(history)
        if pred_db is None:  # no good match: the delayed report stands
            return report
        fad = 10.0 ** (pred_db / 10.0)
        return np.broadcast_to(fad, report.shape).astype(np.float32)
