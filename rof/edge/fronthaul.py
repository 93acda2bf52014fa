"""Per-site fronthaul: fiber lengths from the edge node and the analog link budget.

Each site is fed by one analog RoF link from the smart-edge node. Its fiber length
is ``fiber_route_factor`` times the straight-line distance from the edge node (the
sites' centroid or a given ``[x_m, y_m]``), since ducts follow streets rather than
straight lines; or one ``fiber_length_km`` for every site when the scenario sets
it. :meth:`rof.link.RoFLink.budget`, evaluated for all sites at once with
``length_km`` as an array, gives each site's SNDR (noise + distortion; the
fronthaul SNR used in the SINR), EVM and one-way latency.

With ``transmitter = "ring"`` the sites hang off the smart edge's silicon-photonic
WDM node (:class:`rof.photonics.siph.wdm.WdmNode`, one wavelength per site, ring
modulators on one bus and a ring demux): each site's link then carries the node's
insertion loss and inter-channel crosstalk for that channel, at the scenario's
temperature offset and heater-locking state.
"""

from __future__ import annotations

import numpy as np

from rof.errors import ConfigError

__all__ = ["fiber_lengths_km", "make_link", "site_budgets"]


def fiber_lengths_km(site_xy_m, edge_location="centroid", route_factor=1.5, fixed_length_km=None):
    """Fiber length of every site, km.

    Parameters
    ----------
    site_xy_m : ndarray (n_sites, 2)
        Site positions, m.
    edge_location : "centroid" or sequence of 2 floats
        Position of the edge node, m.
    route_factor : float
        Route length over straight-line distance (>= 1).
    fixed_length_km : float, optional
        If given, every site gets this length.

    Returns
    -------
    ndarray (n_sites,)
    """
    xy = np.asarray(site_xy_m, dtype=np.float64)
    if fixed_length_km is not None:
        return np.full(xy.shape[0], float(fixed_length_km))
    edge = edge_position_m(xy, edge_location)
    return float(route_factor) * np.hypot(*(xy - edge).T) / 1e3


def edge_position_m(site_xy_m, edge_location="centroid"):
    """Position of the smart-edge node, m: the sites' centroid or the given ``[x_m, y_m]``."""
    if isinstance(edge_location, str):
        if edge_location != "centroid":
            raise ConfigError(
                f"fronthaul.edge_location = {edge_location!r} is not known; "
                "allowed: 'centroid' or [x_m, y_m]"
            )
        return np.asarray(site_xy_m, dtype=np.float64).mean(axis=0)
    return np.asarray(edge_location, dtype=np.float64).reshape(2)


def make_link(fh):
    """The scenario's RoF link (``[fronthaul]`` table ``fh``); each site's length is set later.

    ``transmitter = "mzm"``: a CW laser and a quadrature-biased Mach-Zehnder modulator;
    ``"dml"``: a directly modulated laser (bias, threshold, slope efficiency, chirp).
    (``"ring"`` links come from the WDM node, see :func:`site_budgets`.)
    """
    from rof.link import RoFLink
    from rof.photonics import CWLaser, DirectLaser, Fiber, MachZehnderModulator, Photodiode

    if fh.transmitter == "mzm":
        laser = CWLaser(
            power_dbm=fh.laser_power_dbm,
            wavelength_nm=fh.wavelength_nm,
            rin_db_per_hz=fh.rin_db_per_hz,
        )
        tx = MachZehnderModulator(laser=laser, v_pi_v=fh.v_pi_v)
    elif fh.transmitter == "dml":
        tx = DirectLaser(
            wavelength_nm=fh.wavelength_nm,
            bias_current_ma=fh.bias_current_ma,
            threshold_current_ma=fh.threshold_current_ma,
            slope_efficiency_w_per_a=fh.slope_efficiency_w_per_a,
            rin_db_per_hz=fh.rin_db_per_hz,
            chirp_alpha=fh.chirp_alpha,
        )
    else:
        raise ConfigError(
            f"fronthaul.transmitter = {fh.transmitter!r} is not supported by rof.edge; "
            "allowed: 'mzm', 'dml'"
        )
    fiber = Fiber(
        length_km=0.0,
        attenuation_db_per_km=fh.attenuation_db_per_km,
        dispersion_ps_per_nm_km=fh.dispersion_ps_per_nm_km,
        wavelength_nm=fh.wavelength_nm,
    )
    pd = Photodiode(responsivity_a_per_w=fh.photodiode_responsivity_a_per_w)
    return RoFLink(tx, fiber, pd)


def _mapping(fh) -> dict:
    if hasattr(fh, "model_dump"):
        return fh.model_dump()
    return dict(vars(fh))


def _ring_budgets(fh, carrier_hz, bandwidth_hz, length_km):
    from rof.photonics import Photodiode
    from rof.photonics.siph.config import wdm_node_from_config

    length_km = np.atleast_1d(np.asarray(length_km, dtype=np.float64))
    node = wdm_node_from_config(_mapping(fh), length_km.size)
    links = node.site_links(
        Photodiode(responsivity_a_per_w=fh.photodiode_responsivity_a_per_w),
        length_km,
        fiber_kwargs={
            "attenuation_db_per_km": fh.attenuation_db_per_km,
            "dispersion_ps_per_nm_km": fh.dispersion_ps_per_nm_km,
        },
    )
    out = {"snr_fh_db": [], "evm_percent": [], "latency_s": []}
    for link in links:
        lb = link.budget(carrier_hz, rf_in_dbm=fh.rf_drive_dbm, bandwidth_hz=bandwidth_hz)
        out["snr_fh_db"].append(float(lb.sndr_db))
        out["evm_percent"].append(float(lb.evm_percent))
        out["latency_s"].append(float(lb.latency_s))
    return {k: np.asarray(v) for k, v in out.items()}


def site_budgets(fh, carrier_hz: float, bandwidth_hz: float, length_km) -> dict[str, np.ndarray]:
    """Link budget of every site's fronthaul.

    Parameters
    ----------
    fh : the scenario's ``[fronthaul]`` table
    carrier_hz : float
        RF carrier, Hz.
    bandwidth_hz : float
        Signal bandwidth, Hz.
    length_km : ndarray (n_sites,)

    Returns
    -------
    dict
        ``snr_fh_db`` (the budget's ``sndr_db``), ``evm_percent``, ``latency_s``
        (one way), each (n_sites,).
    """
    if fh.transmitter == "ring":
        return _ring_budgets(fh, carrier_hz, bandwidth_hz, length_km)
    link = make_link(fh)
    lb = link.budget(
        carrier_hz, rf_in_dbm=fh.rf_drive_dbm, bandwidth_hz=bandwidth_hz, length_km=length_km
    )
    shape = np.shape(length_km)
    return {
        "snr_fh_db": np.broadcast_to(np.asarray(lb.sndr_db, float), shape).copy(),
        "evm_percent": np.broadcast_to(np.asarray(lb.evm_percent, float), shape).copy(),
        "latency_s": np.broadcast_to(np.asarray(lb.latency_s, float), shape).copy(),
    }
