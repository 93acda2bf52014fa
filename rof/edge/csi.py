"""Channel-state history and the delayed report the edge schedules on.

The channel state of the link from cell ``c`` reaches the edge after the
fronthaul round trip of ``c``'s site plus the processing delay, ``tau_c``. With
TTI length ``T`` the delay is ``d_c = tau_c / T`` TTIs, generally fractional. The
reported fading at TTI ``t`` is the first-order hold (linear interpolation)
between the stored states of TTIs ``t - floor(d_c)`` and ``t - floor(d_c) - 1``:

.. math:: \\hat h_{t} = (1 - f)\\, h_{t - i} + f\\, h_{t - i - 1},
          \\quad i = \\lfloor d_c \\rfloor, f = d_c - i,

so the report ages continuously with fiber length instead of in whole-TTI steps.
Power gains are interpolated, which slightly smooths deep fades for fractional
delays; states older than the history hold the oldest state.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["CsiHistory", "delayed_state", "delayed_state_ref"]


@numba.njit(cache=True)
def _delayed_kernel(hist, head, count, link_cell, delay_ttis, out):
    depth = hist.shape[0]
    n_ue, n_k, n_rb = out.shape
    for u in range(n_ue):
        for k in range(n_k):
            d = delay_ttis[link_cell[u, k]]
            i = int(np.floor(d))
            f = d - i
            i0 = min(i, count - 1)
            i1 = min(i + 1, count - 1)
            s0 = (head - i0) % depth
            s1 = (head - i1) % depth
            for b in range(n_rb):
                out[u, k, b] = (1.0 - f) * hist[s0, u, k, b] + f * hist[s1, u, k, b]


def delayed_state(hist, head, count, link_cell, delay_ttis):
    """Interpolated past state per link (module docstring).

    Parameters
    ----------
    hist : ndarray (depth, n_ue, K, n_rb)
        Ring buffer of states; ``hist[head]`` is the newest.
    head : int
    count : int
        Number of valid states stored (<= depth).
    link_cell : ndarray (n_ue, K) int
    delay_ttis : ndarray (n_cells,)
        Report delay of each cell's links, in TTIs (>= 0).

    Returns
    -------
    ndarray (n_ue, K, n_rb) float32
    """
    out = np.empty(hist.shape[1:], dtype=np.float32)
    _delayed_kernel(
        hist,
        int(head),
        int(count),
        np.ascontiguousarray(link_cell, dtype=np.int64),
        np.ascontiguousarray(delay_ttis, dtype=np.float64),
        out,
    )
    return out


def delayed_state_ref(hist, head, count, link_cell, delay_ttis):
    """Plain-NumPy reference of :func:`delayed_state`."""
    depth = hist.shape[0]
    d = np.asarray(delay_ttis, dtype=np.float64)[link_cell]  # (n_ue, K)
    i = np.floor(d).astype(int)
    f = (d - i)[:, :, None]
    s0 = (head - np.minimum(i, count - 1)) % depth
    s1 = (head - np.minimum(i + 1, count - 1)) % depth
    uu, kk = np.indices(link_cell.shape)
    return ((1.0 - f) * hist[s0, uu, kk] + f * hist[s1, uu, kk]).astype(np.float32)


class CsiHistory:
    """Ring buffer of the last ``depth`` fading states.

    Parameters
    ----------
    max_delay_ttis : float
        Largest report delay needed, TTIs; the buffer holds ``floor(max) + 2`` states.
    shape : tuple
        ``(n_ue, K, n_rb)``.
    """

    def __init__(self, max_delay_ttis: float, shape: tuple[int, int, int]):
        self.depth = int(np.floor(max_delay_ttis)) + 2
        self.hist = np.zeros((self.depth, *shape), dtype=np.float32)
        self.head = -1
        self.count = 0

    def push(self, state: np.ndarray) -> None:
        """Store the newest state."""
        self.head = (self.head + 1) % self.depth
        self.hist[self.head] = state
        self.count = min(self.count + 1, self.depth)

    def delayed(self, link_cell: np.ndarray, delay_ttis: np.ndarray) -> np.ndarray:
        """The state as reported with the given per-cell delays (TTIs)."""
        return delayed_state(self.hist, self.head, self.count, link_cell, delay_ttis)
