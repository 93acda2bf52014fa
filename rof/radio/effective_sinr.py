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
"""

from __future__ import annotations

import numpy as np

from rof._validate import check_choice, check_range

__all__ = ["effective_sinr"]


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
    with np.errstate(invalid="ignore"):
        if method == "capacity":
            out = np.exp2(np.nanmean(np.log2(1.0 + s), axis=axis)) - 1.0
        else:
            if beta is None:
                check_range("effective_sinr.beta", np.nan, 0.0, lo_open=True)
            b = check_range("effective_sinr.beta", beta, 0.0, lo_open=True)
            out = -b * np.log(np.nanmean(np.exp(-s / b), axis=axis))
    return float(out) if np.ndim(out) == 0 else out
