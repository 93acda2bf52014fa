"""Effective SINR of a transport block spread over RBs of different SINR (link-to-system map).

A transport block coded across RBs with SINRs ``s_1 .. s_n`` is mapped to the single AWGN
SINR that gives the same block error rate, so that :func:`rof.radio.rates.select_mcs` and
:func:`rof.radio.rates.bler` can be applied to it.

* ``"capacity"``: mutual-information effective SINR with Gaussian inputs (MIESM with the
  Shannon information function; Brueninghaus et al., "Link performance models for system
  level simulations of broadband radio access systems", IEEE PIMRC 2005, Eq. 4 with
  ``I(s) = log2(1 + s)``)::

      s_eff = 2^{ mean_i log2(1 + s_i) } - 1.

* ``"eesm"``: exponential effective SINR mapping (same paper, Eq. 2; Ericsson R1-030999)::

      s_eff = -beta ln( mean_i exp(-s_i / beta) ),

  with a calibration factor ``beta`` (linear) that depends on the MCS; it must be supplied
  (no link-level calibration ships with ``rof``).

Both equal ``s`` when every RB has the same SINR ``s`` and lie between the smallest and the
mean SINR.

:func:`effective_sinr` maps along an axis; :func:`effective_sinr_per_ue` maps each UE's
RBs of one TTI's assignment (the edge's link adaptation), with a numba kernel beside its
NumPy reference :func:`effective_sinr_per_ue_ref`. Both use the capacity mapping's two
halves, :func:`capacity_information` and :func:`capacity_inverse`.
"""

from __future__ import annotations

import warnings

import numba
import numpy as np

from rof._validate import check_choice, check_range

__all__ = [
    "capacity_information",
    "capacity_inverse",
    "effective_sinr",
    "effective_sinr_per_ue",
    "effective_sinr_per_ue_ref",
]


def capacity_information(sinr):
    """Information of the capacity mapping, bit: ``I(s) = log2(1 + s)`` (linear ``s``)."""
    return np.log2(1.0 + sinr)


def capacity_inverse(mean_information):
    """SINR whose information is ``mean_information`` bit: ``2^I - 1`` (linear)."""
    return np.exp2(mean_information) - 1.0


def effective_sinr(sinr, axis=-1, method: str = "capacity", beta: float | None = None):
    """Effective SINR (linear) over ``axis`` of per-RB linear SINRs.

    Parameters
    ----------
    sinr : array_like
        Linear SINRs (>= 0); NaN entries (e.g. muted RBs) are ignored.
    axis : int
        Axis that runs over the RBs of one transport block.
    method : {"capacity", "eesm"}
        Mapping (module docstring).
    beta : float, optional
        EESM calibration factor (linear, > 0); required for ``"eesm"``.

    Returns
    -------
    ndarray or float
        Effective SINR (linear); NaN where every entry is NaN.

    Examples
    --------
    >>> round(float(effective_sinr([1.0, 3.0])), 6)  # 2^{(1 + 2)/2} - 1
    1.828427
    """
    check_choice("effective_sinr.method", method, ("capacity", "eesm"))
    s = np.asarray(sinr, dtype=float)
    if np.any(s < 0):
        check_range("effective_sinr.sinr", s[s < 0], 0.0)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN slice gives NaN
        if method == "capacity":
            out = capacity_inverse(np.nanmean(capacity_information(s), axis=axis))
        else:
            if beta is None:
                check_range("effective_sinr.beta", np.nan, 0.0, lo_open=True)
            b = check_range("effective_sinr.beta", beta, 0.0, lo_open=True)
            out = -b * np.log(np.nanmean(np.exp(-s / b), axis=axis))
    return float(out) if np.ndim(out) == 0 else out


@numba.njit(cache=True)
def _per_ue_kernel(assign, sinr, acc, cnt):  # pragma: no cover - jit
    """Sum of ``log2(1 + s)`` (:func:`capacity_information`) and RB count per UE."""
    n_cells, n_rb = assign.shape
    for c in range(n_cells):
        for b in range(n_rb):
            u = assign[c, b]
            if u >= 0:
                acc[u] += np.log2(1.0 + sinr[c, b])
                cnt[u] += 1


def effective_sinr_per_ue(assign, sinr, n_ue):
    """Capacity-mapped effective SINR of each UE over the RBs it was given in one TTI.

    .. math:: \\gamma_{eff,u} = 2^{\\frac{1}{N_u}\\sum_{(c,b): a_{c,b} = u}
              \\log_2(1 + \\gamma_{c,b})} - 1

    (the ``"capacity"`` mapping of the module docstring over the UE's RBs).

    Parameters
    ----------
    assign : ndarray (n_cells, n_rb) int
        Served UE per cell and RB (-1 muted).
    sinr : ndarray (n_cells, n_rb)
        Linear SINR per cell and RB (ignored where muted).
    n_ue : int

    Returns
    -------
    eff : ndarray (n_ue,)
        Effective linear SINR (0 for UEs not served).
    n_rb : ndarray (n_ue,) int64
        Number of RBs each UE received.
    """
    acc = np.zeros(n_ue)
    cnt = np.zeros(n_ue, dtype=np.int64)
    _per_ue_kernel(
        np.ascontiguousarray(assign, dtype=np.int64),
        np.ascontiguousarray(sinr, dtype=np.float64),
        acc,
        cnt,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        eff = np.where(cnt > 0, capacity_inverse(acc / np.maximum(cnt, 1)), 0.0)
    return eff, cnt


def effective_sinr_per_ue_ref(assign, sinr, n_ue):
    """Plain-NumPy reference of :func:`effective_sinr_per_ue`."""
    on = assign >= 0
    u = assign[on]
    acc = np.bincount(u, weights=capacity_information(sinr[on]), minlength=n_ue)
    cnt = np.bincount(u, minlength=n_ue)
    eff = np.zeros(n_ue)
    eff[cnt > 0] = capacity_inverse(acc[cnt > 0] / cnt[cnt > 0])
    return eff, cnt
