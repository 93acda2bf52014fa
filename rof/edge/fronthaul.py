"""Per-site fronthaul: fiber lengths from the edge node and the analog link budget.

Each site is fed by one analog RoF link from the smart-edge node. Its fiber length
is ``fiber_route_factor`` times the straight-line distance from the edge node (the
sites' centroid or a given ``[x_m, y_m]``), since ducts follow streets rather than
straight lines; or one ``fiber_length_km`` for every site when the scenario sets
it. The link comes from the one builder (:func:`rof.link.site_budgets`, from the
``[fronthaul]`` component tables); its budget gives each site's SNDR (noise +
distortion; the fronthaul SNR used in the SINR), EVM and one-way latency.

With a ring transmitter the sites hang off the smart edge's silicon-photonic WDM node
(:class:`rof.photonics.siph.wdm.WdmNode`, one wavelength per site, ring modulators on
one bus and a ring demux): each site's link then carries the node's insertion loss and
inter-channel crosstalk for that channel, at the table's temperature offset and
heater-locking state.
"""

from __future__ import annotations

import numpy as np

from rof.errors import ConfigError

__all__ = ["edge_position_m", "fiber_lengths_km", "site_budgets"]


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


def site_budgets(fh, carrier_hz: float, bandwidth_hz: float, length_km) -> dict[str, np.ndarray]:
    """Link budget of every site's fronthaul (:func:`rof.link.site_budgets`).

    Parameters
    ----------
    fh : rof.scenario.Fronthaul
        The scenario's ``[fronthaul]`` table (its component tables and ``rf_drive_dbm``).
    carrier_hz : float
        RF carrier, Hz.
    bandwidth_hz : float
        Signal bandwidth, Hz.
    length_km : ndarray (n_sites,)

    Returns
    -------
    dict
        ``snr_fh_db`` (the budget's ``sndr_db``), ``sdr_fh_db`` (its intermodulation
        part, which follows the drive; the rest does not, see
        :func:`rof.radio.sinr.fronthaul_noise_w`), ``evm_percent``, ``latency_s`` (one
        way), each (n_sites,).
    """
    from rof.link.build import site_budgets as link_site_budgets

    out = link_site_budgets(fh.parts(), carrier_hz, fh.rf_drive_dbm, bandwidth_hz, length_km)
    return {
        "snr_fh_db": out["sndr_db"],
        "sdr_fh_db": out["sdr_db"],
        "evm_percent": out["evm_percent"],
        "latency_s": out["latency_s"],
    }
