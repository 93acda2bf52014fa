"""``csi = "learnware"``: a channel predictor from the learnware dock ages the report forward.

The edge describes each link by the features of the dock's channel task
(:mod:`rof.learnware.data`: geometry, carrier, LOS, Doppler, horizon and the last
``N_LAGS`` reported gains spaced ``HISTORY_STEP_S``), sends the RKME specification
of a sample of those rows to the dock, and reuses the best mixture of learnwares
(:class:`rof.learnware.ChannelPredictor`). Each TTI the predictor maps every link's
reported history to its gain one CSI delay ahead, i.e. to the present.

The dock's task predicts one (wideband) gain per link. For frequency-selective
fading the per-RB report is rescaled so that its RB average equals the predicted
gain (the report's shape over frequency is kept); for flat fading this is exact.
The predictor is built on the first TTI at which the history is full; before that
the plain delayed report is used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rof.edge.csi import delayed_state

__all__ = ["LearnwareCsi", "history_span_ttis"]

#: Feature rows sent (as an RKME specification) to the dock's search.
SPEC_ROWS = 2000
#: Learnwares the dock may mix.
TOP_K = 3


def history_span_ttis(tti_s: float) -> float:
    """Extra history depth (TTIs) the predictor needs beyond the report delay."""
    from rof.learnware.data import HISTORY_STEP_S, N_LAGS

    return (N_LAGS - 1) * HISTORY_STEP_S / tti_s


class LearnwareCsi:
    """Predicts the present fading of every link from its aged report history.

    Parameters
    ----------
    scn : Scenario
        Uses ``edge.dock`` (a relative path is taken from the working directory,
        and the shipped dock when the default ``models/dock`` is not there) and
        ``radio.carrier_ghz``.
    world : rof.edge.world.World
    age_s : ndarray (n_cells,)
        CSI age of each cell's links, s (the prediction horizon).
    rng : numpy.random.Generator
        For fitting the user's RKME specification.
    """

    def __init__(self, scn, world, age_s, rng):
        from rof.learnware.data import HISTORY_STEP_S, N_LAGS

        self.scn, self.world, self.rng = scn, world, rng
        self.age_s = np.asarray(age_s, dtype=np.float64)
        self.delay_ttis = self.age_s / world.tti_s
        self.lag_ttis = HISTORY_STEP_S / world.tti_s
        self.n_lags = N_LAGS
        self.predictor = None
        dep = world.deployment
        lc = world.link_cell
        site = np.asarray(dep.cell_site)[lc]
        self._static = (
            world.d3d_m.ravel(),
            np.asarray(dep.site_height_m, dtype=np.float64)[site].ravel(),
            np.repeat(np.asarray(dep.ue_height_m, dtype=np.float64), lc.shape[1]),
            float(scn.radio.carrier_ghz),
            world.los.ravel().astype(float),
            np.repeat(world.doppler_hz, lc.shape[1]),
            self.age_s[lc].ravel(),
        )
        self._ls_db = 10.0 * np.log10(world.large_scale.astype(np.float64))

    @classmethod
    def from_dock(cls, scn, world, age_s, rng=None):
        return cls(scn, world, age_s, np.random.default_rng(0) if rng is None else rng)

    def _dock_path(self):
        from rof.learnware.predict import default_dock_path

        p = Path(self.scn.edge.dock)
        if not p.exists() and self.scn.edge.dock == "models/dock":
            return default_dock_path()
        return p

    def features(self, history) -> tuple[np.ndarray, np.ndarray]:
        """Feature rows (n_ue K, 16) and the newest reported wideband fading (n_ue, K)."""
        from rof.learnware.data import link_features

        lc = self.world.link_cell
        wide = np.empty((lc.shape[0], lc.shape[1], self.n_lags))
        for j in range(self.n_lags):  # oldest first
            d = self.delay_ttis + (self.n_lags - 1 - j) * self.lag_ttis
            st = delayed_state(history.hist, history.head, history.count, lc, d)
            wide[:, :, j] = st.mean(axis=2, dtype=np.float64)
        hist_db = self._ls_db[:, :, None] + 10.0 * np.log10(np.maximum(wide, 1e-12))
        x = link_features(*self._static, hist_db.reshape(-1, self.n_lags))
        return x, wide[:, :, -1]

    def predict(self, history, report: np.ndarray) -> np.ndarray:
        """Predicted present fading (n_ue, K, n_rb) from the history and the delayed report."""
        from rof.learnware import ChannelPredictor

        need = int(np.ceil(np.max(self.delay_ttis) + (self.n_lags - 1) * self.lag_ttis)) + 1
        if history.count < min(need, history.depth):
            return report
        x, newest = self.features(history)
        if self.predictor is None:
            rows = self.rng.choice(x.shape[0], size=min(SPEC_ROWS, x.shape[0]), replace=False)
            self.predictor = ChannelPredictor.from_dock(
                self._dock_path(), x[rows], rng=self.rng, top_k=TOP_K
            )
        pred_db = self.predictor.predict(x).reshape(self._ls_db.shape)
        fad = 10.0 ** ((pred_db - self._ls_db) / 10.0)
        scale = fad / np.maximum(newest, 1e-12)
        return (report * scale[:, :, None]).astype(np.float32)
