"""The scheduler interface: what every scheduler sees and what it returns.

A scheduler is an object with ``name`` and ``__call__(inp) -> (assign, power_w)``,
where ``inp`` is a :class:`SchedulingInput` holding the *reported* channel state
(what the edge knows, possibly aged by the fronthaul latency) and the
proportional-fair weights. The decision is evaluated on the true channel by the
caller (:func:`rof.edge.simulate`), never by the scheduler itself.

Shapes follow the radio layer's link-table convention: ``n_ue`` users, each with
its ``K`` strongest cells ``link_cell (n_ue, K)``; ``n_rb`` resource blocks;
``n_cells`` cells (sectors).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace

import numpy as np

from rof.edge.rate_model import RateModel, rate_model

__all__ = ["DEFAULT_LINK", "Scheduler", "SchedulingInput"]

#: Link abstraction, MCS table, BLER target and CQI quantisation of the rate model when
#: a :class:`SchedulingInput` names none: the scenario schema's defaults.
DEFAULT_LINK = ("eesm", "qam256", 0.1, True)


@dataclass(frozen=True)
class SchedulingInput:
    """Everything a scheduler may use in one TTI.

    Parameters
    ----------
    link_cell : ndarray, shape (n_ue, K), int32
        Cell index of each UE's K strongest links (radio link table).
    gain : ndarray, shape (n_ue, K, n_rb)
        Reported linear power gain (large-scale x small-scale fading) of each link
        on each RB, as known at the edge when it schedules.
    large_scale : ndarray, shape (n_ue, K)
        Linear large-scale gain of each link (the mean of ``gain`` over fading).
    background_gain : ndarray, shape (n_ue,)
        Summed linear large-scale gain of all cells outside the top K (they are
        assumed to transmit at full power all the time).
    noise_w : ndarray, shape (n_ue,)
        Receiver noise power per RB, W.
    p_max_w : float
        Maximum transmit power per cell per RB, W.
    background_power_w : float
        Per-RB power assumed for the background cells, W.
    weight : ndarray, shape (n_ue,)
        Proportional-fair weight 1 / (average throughput); 0 marks a UE with no
        data to send (never scheduled).
    serving : ndarray, shape (n_ue,), int32
        The cell each UE is attached to (its strongest large-scale link).
    serve_k : ndarray, shape (n_ue,), int32
        Column of ``link_cell`` holding ``serving``.
    n_cells : int
        Number of cells.
    snr_fh : ndarray, shape (n_cells,)
        Linear fronthaul SNR (noise + distortion) of each cell's site; ``inf`` when
        the fronthaul is ideal. Only fronthaul-aware schedulers use it.
    csi_age_s : ndarray, shape (n_cells,)
        Age of the reported CSI of each cell's links, s.
    doppler_hz : ndarray, shape (n_ue,)
        Maximum Doppler frequency of each UE, Hz.
    use_fronthaul : bool
        Set by :class:`rof.edge.fronthaul_aware.FronthaulAware`: include
        ``snr_fh`` in the rate estimate.
    rng : numpy.random.Generator
        Random source for randomised schedulers (WMMSE random starts).
    rate : rof.edge.rate_model.RateModel, optional
        The rate per RB of the link abstraction in use (:mod:`rof.edge.rate_model`);
        left out, that of :data:`DEFAULT_LINK` for ``n_rb`` RBs.
    """

    link_cell: np.ndarray
    gain: np.ndarray
    large_scale: np.ndarray
    background_gain: np.ndarray
    noise_w: np.ndarray
    p_max_w: float
    background_power_w: float
    weight: np.ndarray
    serving: np.ndarray
    serve_k: np.ndarray
    n_cells: int
    snr_fh: np.ndarray
    csi_age_s: np.ndarray
    doppler_hz: np.ndarray
    rng: np.random.Generator = field(repr=False)
    use_fronthaul: bool = False
    rate: RateModel | None = field(default=None, repr=False)

    @property
    def n_ue(self) -> int:
        return int(self.link_cell.shape[0])

    @property
    def n_rb(self) -> int:
        return int(self.gain.shape[2])

    def fh_factor(self) -> np.ndarray:
        """``1 / SNR_fh`` per cell as the scheduler sees it (0 when not fronthaul-aware)."""
        if not self.use_fronthaul:
            return np.zeros(self.n_cells)
        return 1.0 / np.asarray(self.snr_fh, dtype=np.float64)

    def interference_floor_w(self) -> np.ndarray:
        """Background interference plus noise per UE per RB, W, shape (n_ue,)."""
        return np.asarray(
            self.background_gain, dtype=np.float64
        ) * self.background_power_w + np.asarray(self.noise_w, dtype=np.float64)

    def rate_model(self) -> RateModel:
        """The rate per RB the schedulers estimate with (``rate`` or the default's)."""
        if self.rate is not None:
            return self.rate
        abstraction, table, target, cqi = DEFAULT_LINK
        return rate_model(abstraction, table, self.n_rb, target, cqi)

    def with_(self, **changes) -> SchedulingInput:
        """A copy with some fields replaced."""
        return replace(self, **changes)


class Scheduler(ABC):
    """Base class of the schedulers; subclasses implement :meth:`__call__`.

    Rate estimates are :meth:`SchedulingInput.rate_model`: the spectral efficiency of
    the MCS link adaptation would send on the RB at the estimated SINR, 0 below the
    link abstraction's MCS-0 threshold (:mod:`rof.edge.rate_model`), so a scheduler
    values an RB exactly as link adaptation will use it.

    Attributes
    ----------
    name : str
        Registry name.
    coordinated : bool
        True when the scheduler decides all cells jointly (it may mute cells).
    """

    name: str = "base"
    coordinated: bool = False

    def reset(self) -> None:  # noqa: B027 - optional hook, stateless schedulers keep it
        """Forget state carried between TTIs (round-robin pointers, warm starts)."""

    @abstractmethod
    def __call__(self, inp: SchedulingInput) -> tuple[np.ndarray, np.ndarray]:
        """Decide one TTI.

        Returns
        -------
        assign : ndarray, shape (n_cells, n_rb), int32
            UE served by each cell on each RB; -1 = muted.
        power_w : ndarray, shape (n_cells, n_rb)
            Transmit power per cell per RB, W (0 where muted).
        """
