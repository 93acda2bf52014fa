"""Turn whatever a point function returns into plain KPIs and arrays.

A point function (by default :func:`rof.edge.simulate`) returns a ``Result`` with
``kpis`` (dict of floats), ``arrays`` (dict of ndarrays), ``ue_throughput_bps``,
``sinr_db`` and optionally ``timings`` (wall-clock seconds: floats or arrays), or a plain
dict with those keys. The payload that travels back to the parent is
``{"kpis": {str: float}, "arrays": {str: ndarray}, "timings": {str: float | ndarray}}``:
nothing else, so the store writes only numbers and numeric arrays (never pickles).
Timings are kept apart from the KPIs because they differ between two runs of the same
scenario, while the KPIs and arrays are reproducible bit for bit.

Derived KPIs added when the point function did not set them (the names
:func:`rof.edge.kpis.throughput_kpis` uses, so plots find them either way):

* ``ue_throughput_mean_bps``: mean of ``ue_throughput_bps``;
* ``ue_throughput_p5_bps``: its 5th percentile (linear interpolation between order
  statistics, ``numpy.percentile`` default; the "cell-edge user rate" of ITU-R M.2412
  clause 7.1.2);
* ``sinr_median_db``: median of ``sinr_db`` samples;
* ``area_throughput_bps_per_km2``: sum of user throughputs over the deployment area
  (ITU-R M.2412 clause 7.1.3 area traffic capacity), where the scenario defines the area;
* ``site_density_per_km2``: sites per km^2 where the scenario defines it.
"""

from __future__ import annotations

import numbers

import numpy as np

from rof.errors import DataError

__all__ = ["normalise_result"]


def _name(name) -> str:
    if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
        raise DataError(f"result name {name!r} is not allowed; allowed: non-empty, no '/'")
    return name


def normalise_result(result, scenario=None) -> dict:
    """The payload ``{"kpis": ..., "arrays": ..., "timings": ...}`` of a point's result.

    Parameters
    ----------
    result : Result-like or dict
        Object with ``kpis`` and ``arrays`` attributes (and optionally
        ``ue_throughput_bps``, ``sinr_db``, ``timings``), or a dict with those keys.
    scenario : Scenario, optional
        The point's scenario, used for the area-based derived KPIs.

    Raises
    ------
    DataError
        A KPI is not a real number, or an array is not numeric/boolean.
    """
    get = result.get if isinstance(result, dict) else (lambda k, d=None: getattr(result, k, d))
    kpis_in = get("kpis", {}) or {}
    arrays_in = dict(get("arrays", {}) or {})
    for extra in ("ue_throughput_bps", "sinr_db"):
        if extra not in arrays_in and get(extra) is not None:
            arrays_in[extra] = get(extra)
    kpis: dict[str, float] = {}
    for k, v in kpis_in.items():
        if isinstance(v, np.ndarray) and v.ndim == 0:
            v = v.item()
        if not isinstance(v, numbers.Real):
            raise DataError(f"KPI {k!r} = {v!r} is not allowed; allowed: a real number")
        kpis[_name(k)] = float(v)
    arrays: dict[str, np.ndarray] = {}
    for k, v in arrays_in.items():
        a = np.asarray(v)
        if a.dtype.kind not in "biuf":
            raise DataError(
                f"array {k!r} has dtype {a.dtype}; allowed: boolean, integer or float arrays"
            )
        arrays[_name(k)] = np.ascontiguousarray(a)
    timings: dict = {}
    for k, v in (get("timings", {}) or {}).items():
        a = np.asarray(v)
        if a.dtype.kind not in "iuf":
            raise DataError(f"timing {k!r} has dtype {a.dtype}; allowed: numbers (seconds)")
        timings[_name(k)] = float(a) if a.ndim == 0 else np.ascontiguousarray(a, np.float64)
    _derive(kpis, arrays, scenario)
    return {"kpis": kpis, "arrays": arrays, "timings": timings}


def _derive(kpis: dict, arrays: dict, scenario) -> None:
    thr = arrays.get("ue_throughput_bps")
    if thr is not None and thr.size:
        t = thr.astype(np.float64).ravel()
        kpis.setdefault("ue_throughput_mean_bps", float(np.mean(t)))
        kpis.setdefault("ue_throughput_p5_bps", float(np.percentile(t, 5.0)))
    sinr = arrays.get("sinr_db")
    if sinr is not None and sinr.size:
        kpis.setdefault("sinr_median_db", float(np.nanmedian(sinr.astype(np.float64))))
    if scenario is None:
        return
    dep = scenario.deployment
    if dep.site_density_per_km2 is not None:
        kpis.setdefault("site_density_per_km2", float(dep.site_density_per_km2))
    area_km2 = kpis.get("area_km2", dep.area_m2 / 1e6 if dep.area_m2 is not None else None)
    if thr is not None and area_km2:
        kpis.setdefault(
            "area_throughput_bps_per_km2", float(np.sum(thr, dtype=np.float64) / area_km2)
        )
