"""The TR 38.901 section 7.5 spatial channel of a drop: K strongest links per UE.

:func:`spatial_drop` builds the link table of a deployment (path loss, shadowing,
LOS state and O2I loss of :mod:`rof.radio.linktable`, which reads the
:mod:`rof.radio.tr38901` scenario objects) with the BS panel's fixed-beam gain, keeps
the K cells of largest coupling gain per UE, and draws for each kept link the fast
fading of TR 38.901 V17.1.0 section 7.5 (steps 4-11): correlated large-scale
parameters (Table 7.5-6), clusters, rays, random coupling, XPR, initial phases
(:mod:`rof.radio.spatial.clusters`), and the per-element channel coefficients with
Doppler (:mod:`rof.radio.spatial.model`). :func:`spatial_channel` does the last part
for a link table built elsewhere.

What the links share and what they do not:

* co-sited cells of a UE share their LSPs and clusters (TR 38.901 step 4: "LSPs for
  links from co-sited sectors to a UT are the same"); each cell sees them through its
  own panel bearing;
* LSPs of different UEs, and of different sites, are drawn independently (no
  spatial consistency, section 7.6.3, and no decorrelation distances: like Sionna's
  system-level channel); the shadow fading applied is the link table's (spatially
  correlated maps), so Table 7.5-6's cross-correlations of SF with DS, ASD, ... are
  imposed among the drawn LSPs but not on the link table's SF realisation;
* indoor UEs use the O2I parameters (Table 7.5-6 O2I columns, no LOS ray, ZOA
  centred at 90 deg);
* UEs move at ``ue_speed_kmh`` in a direction uniform in azimuth; positions and
  clusters stay as dropped, time enters only through the ray Doppler terms of
  eq. 7.5-22 (a drop-based model, as TR 38.901 section 7.5 is).

The path gain of a link is the link table's coupling gain minus the fixed-beam gain
of the table's antenna toward the LOS direction (the per-element patterns of the
channel coefficients replace it). Every panel element is a port: the panel's
electrical tilt only shapes the fixed beam that ranks the cells, the responses carry
no beam weights (the precoder forms the beam). The links not kept are summed in
``background_gain`` (the link table's, with its fixed-beam gain; wideband, per UE).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rof._validate import check_choice, check_int_range, check_range
from rof.errors import ParameterError
from rof.radio.antenna import AntennaPattern, antenna_gain_db
from rof.radio.arrays import BS_PRESETS, PanelArray, bs_antenna, ue_antenna
from rof.radio.deployment import Deployment
from rof.radio.linktable import LinkTable, build_link_table
from rof.radio.spatial.clusters import Clusters, draw_clusters, merge_clusters
from rof.radio.spatial.model import (
    KernelInputs,
    LinkGeometry,
    kernel_inputs,
    rb_frequencies_hz,
    response,
    response_reference,
)
from rof.radio.spatial.params import SCENARIOS, draw_lsps, spatial_params

__all__ = ["SUBCARRIER_SPACINGS_HZ", "SpatialChannel", "spatial_channel", "spatial_drop"]

#: NR numerologies (TS 38.211 Table 4.2-1), Hz.
SUBCARRIER_SPACINGS_HZ = (15e3, 30e3, 60e3, 120e3, 240e3)
_C = 299_792_458.0


@dataclass(frozen=True, eq=False)
class SpatialChannel:
    """Per-element channels of each UE's K strongest links (one drop).

    Attributes
    ----------
    cell : int (n_ue, K)
        Kept cells, by descending coupling gain (the link table's).
    state : str (n_ue, K)
        "LOS", "NLOS" or "O2I" (the Table 7.5-6 column used).
    coupling_gain_db : float (n_ue, K)
        The link table's gain (with the fixed-beam antenna gain), dB.
    path_gain_db : float (n_ue, K)
        Path gain without antenna gain (path loss, shadowing, O2I), dB.
    background_gain : float (n_ue,)
        Linear sum of the coupling gains of the cells not kept (wideband).
    clusters : Clusters
        Clusters and rays of the n_ue K links (row ``u K + k``).
    geometry : LinkGeometry
    inputs : KernelInputs
        The prepared kernel inputs.
    n_rb : int
    subcarrier_spacing_hz, tti_s, wavelength_m : float
    bs_array : PanelArray
    ue_array : PanelArray or None
    """

    cell: np.ndarray
    state: np.ndarray
    coupling_gain_db: np.ndarray
    path_gain_db: np.ndarray
    background_gain: np.ndarray
    clusters: Clusters
    geometry: LinkGeometry
    inputs: KernelInputs
    n_rb: int
    subcarrier_spacing_hz: float
    tti_s: float
    wavelength_m: float
    bs_array: PanelArray
    ue_array: PanelArray | None

    @property
    def n_ue(self) -> int:
        return int(self.cell.shape[0])

    @property
    def k(self) -> int:
        return int(self.cell.shape[1])

    @property
    def shape(self) -> tuple[int, int, int, int, int]:
        """(n_ue, K, n_bs_ant, n_ue_ant, n_rb) of :meth:`response`."""
        n_a = 1 if self.ue_array is None else self.ue_array.n_elements
        return (self.n_ue, self.k, self.bs_array.n_elements, n_a, self.n_rb)

    def response_at(self, t_s: float, out: np.ndarray | None = None) -> np.ndarray:
        """Frequency responses at time ``t_s`` (s), complex64 :attr:`shape`.

        ``H[u, k, b, a, i]`` is the channel from element ``b`` of cell
        ``cell[u, k]`` to antenna ``a`` of UE ``u`` at the centre of RB ``i``, path
        gain included (``|H|^2`` averages to the path gain times the element gains).
        ``out`` (complex64, :attr:`shape`, C-contiguous) is filled in place if given.
        """
        if out is not None:
            if out.shape != self.shape or out.dtype != np.complex64:
                raise ParameterError(f"out must be complex64 of shape {self.shape}")
            flat = out.reshape((-1, *self.shape[2:]))
        else:
            flat = None
        h = response(self.inputs, self.n_rb, self.subcarrier_spacing_hz, t_s, flat)
        return h.reshape(self.shape)

    def response(self, tti: int = 0, out: np.ndarray | None = None) -> np.ndarray:
        """Frequency responses at TTI ``tti`` (time ``tti * tti_s``); see
        :meth:`response_at`. Consecutive TTIs are correlated through the ray Doppler
        terms of eq. 7.5-22."""
        check_int_range("tti", tti, 0)
        return self.response_at(tti * self.tti_s, out)

    def at(self, t_s: float) -> np.ndarray:
        """Channels at time ``t_s`` as (n_rb, n_ue, K, n_bs_ant) complex64, the layout
        of :meth:`rof.edge.mimo.channel.ArrayChannel.at` (single-antenna UEs only)."""
        if self.shape[3] != 1:
            raise ParameterError(
                f"at() needs one UE antenna; this channel has {self.shape[3]} "
                "(use response_at, shape (n_ue, K, n_bs_ant, n_ue_ant, n_rb))"
            )
        return np.moveaxis(self.response_at(t_s)[:, :, :, 0, :], -1, 0)

    def response_reference(self, t_s: float = 0.0) -> np.ndarray:
        """:meth:`response_at` by the plain-NumPy reference (slow; small drops)."""
        h = response_reference(
            self.clusters,
            self.geometry,
            self.bs_array,
            self.ue_array,
            self.wavelength_m,
            rb_frequencies_hz(self.n_rb, self.subcarrier_spacing_hz),
            t_s,
        )
        return h.reshape(self.shape)


def _antenna_gain(ant, phi_deg, theta_deg):
    if isinstance(ant, PanelArray):
        return np.asarray(ant.gain_dbi(phi_deg, theta_deg), float)
    return np.asarray(antenna_gain_db(phi_deg, theta_deg, ant), float)


def _link_geometry(dep: Deployment, site: np.ndarray):
    """d2D, hBS, hUT, d3D, LOS AoD and ZOD (deg) of links to ``site`` (n_ue, K), over
    the nearest wrap-around copy of each site (as the link table)."""
    n_ue, k = site.shape
    imgs = dep.site_xy_m[site][:, :, None, :] + dep.wrap_shifts_m[None, None]
    dxy = dep.ue_xy_m[:, None, None, :] - imgs
    best = np.argmin(np.einsum("ukic,ukic->uki", dxy, dxy), axis=2)
    dxy = np.take_along_axis(dxy, best[:, :, None, None], axis=2)[:, :, 0, :]
    d2d = np.hypot(dxy[..., 0], dxy[..., 1])
    h_bs = dep.site_height_m[site]
    h_ut = np.broadcast_to(dep.ue_height_m[:, None], (n_ue, k))
    dz = h_bs - h_ut
    aod = np.degrees(np.arctan2(dxy[..., 1], dxy[..., 0]))
    zod = 90.0 + np.degrees(np.arctan2(dz, d2d))
    return d2d, h_bs, h_ut, np.hypot(d2d, dz), aod, zod


def _resolve(ant, presets):
    return presets(ant) if isinstance(ant, str) else ant


def _panel(bs_array) -> PanelArray:
    bs = _resolve(bs_array, bs_antenna)
    if not isinstance(bs, PanelArray):
        raise ParameterError(
            f"bs_array = {bs_array!r} is not a panel; allowed: a PanelArray or one of "
            f"{sorted(n for n, v in BS_PRESETS.items() if isinstance(v, PanelArray))}"
        )
    return bs


def spatial_channel(
    deployment: Deployment,
    table: LinkTable,
    *,
    scenario: str,
    fc_ghz: float,
    bs_array: PanelArray | str,
    rng: np.random.Generator,
    table_antenna: AntennaPattern | PanelArray | str | None = None,
    ue_array: PanelArray | str | None = None,
    n_rb: int = 52,
    subcarrier_spacing_hz: float = 30e3,
    ue_speed_kmh: float = 3.0,
    tti_s: float = 1e-3,
) -> SpatialChannel:
    """Spatial channels of the links of ``table`` (module docstring).

    Parameters
    ----------
    deployment : Deployment
        The drop the link table was built on.
    table : LinkTable
        Each UE's K strongest cells (:func:`rof.radio.linktable.build_link_table`).
    scenario : {"UMa", "UMi"}
        TR 38.901 scenario of the fast fading (Table 7.5-6).
    fc_ghz : float
        Carrier frequency, GHz (0.5..100).
    bs_array : PanelArray or preset name
        BS panel; every element is a port (:data:`rof.radio.arrays.BS_PRESETS`).
    rng : numpy.random.Generator
        Draws, in order: UE headings and bearings, then per state (LOS, NLOS, O2I)
        the LSPs and the clusters of the links that start a site.
    table_antenna : AntennaPattern, PanelArray or preset name, optional
        The antenna the link table was built with (default ``bs_array``); its
        fixed-beam gain is taken out of the coupling gain.
    ue_array : PanelArray, preset name or None
        UE antenna (None or "omni": isotropic, vertically polarised).
    n_rb : int
        Resource blocks, 1..275.
    subcarrier_spacing_hz : float
        15, 30, 60, 120 or 240 kHz.
    ue_speed_kmh : float
        UE speed, km/h (0..500).
    tti_s : float
        TTI duration of :meth:`SpatialChannel.response`, s.

    Returns
    -------
    SpatialChannel
    """
    check_choice("scenario", scenario, SCENARIOS)
    fc = float(check_range("fc_ghz", fc_ghz, 0.5, 100.0))
    n_rb = check_int_range("n_rb", n_rb, 1, 275)
    scs = float(
        check_choice("subcarrier_spacing_hz", float(subcarrier_spacing_hz), SUBCARRIER_SPACINGS_HZ)
    )
    speed = float(check_range("ue_speed_kmh", ue_speed_kmh, 0.0, 500.0)) / 3.6
    tti_s = float(check_range("tti_s", tti_s, 0.0, 1.0, lo_open=True))
    bs = _panel(bs_array)
    ue = None if ue_array in (None, "omni") else _resolve(ue_array, ue_antenna)
    if ue is not None and not isinstance(ue, PanelArray):
        raise ParameterError(
            f"ue_array = {ue_array!r} is not allowed; allowed: None, 'omni' or a PanelArray"
        )
    tab_ant = bs if table_antenna is None else _resolve(table_antenna, bs_antenna)
    if table.n_ue != deployment.n_ue:
        raise ParameterError(
            f"table has {table.n_ue} UEs; allowed: the deployment's {deployment.n_ue}"
        )
    n_ue, k = table.cell.shape
    cell = np.asarray(table.cell, np.int64)
    site = deployment.cell_site[cell]
    d2d, h_bs, h_ut, d3d, aod, zod = _link_geometry(deployment, site)
    az = deployment.cell_azimuth_deg[cell]
    if np.any(np.isnan(az)):
        raise ParameterError(
            "deployment has omni cells; allowed: sectorised cells (each panel needs a bearing)"
        )
    g_ant = _antenna_gain(tab_ant, aod - az, zod)
    path_gain_db = np.asarray(table.gain_db, float) - g_ant
    indoor = np.broadcast_to(deployment.ue_indoor[:, None], (n_ue, k))
    los = np.asarray(table.los, bool) & ~indoor
    state = np.where(indoor, "O2I", np.where(los, "LOS", "NLOS"))
    # UE motion and bearing
    heading = rng.uniform(0.0, 2.0 * np.pi, n_ue)
    bearing = rng.uniform(-180.0, 180.0, n_ue)
    vel = np.stack([speed * np.cos(heading), speed * np.sin(heading), np.zeros(n_ue)], axis=1)
    # co-sited cells share LSPs and clusters: draw once per (UE, site)
    first = np.argmax(site[:, :, None] == site[:, None, :], axis=2)
    starts = (first == np.arange(k)[None, :]).ravel()
    flat = {
        n: a.ravel()
        for n, a in {"d2d": d2d, "h_ut": h_ut, "h_bs": h_bs, "aod": aod, "zod": zod}.items()
    }
    st = state.ravel()
    parts = []
    for name in ("LOS", "NLOS", "O2I"):
        idx = np.flatnonzero(starts & (st == name))
        if idx.size == 0:
            continue
        p = spatial_params(scenario, name, fc)
        lsp = draw_lsps(p, fc, flat["d2d"][idx], flat["h_ut"][idx], flat["h_bs"][idx], rng)
        cl = draw_clusters(
            p,
            lsp,
            np.mod(flat["aod"][idx] + 360.0, 360.0) - 180.0,
            flat["aod"][idx],
            180.0 - flat["zod"][idx],
            flat["zod"][idx],
            rng,
        )
        parts.append((idx, cl))
    src = (np.arange(n_ue)[:, None] * k + first).ravel()
    clusters = merge_clusters(parts, src)
    geo = LinkGeometry(
        los_aoa_deg=(np.mod(aod + 360.0, 360.0) - 180.0).ravel(),
        los_aod_deg=aod.ravel(),
        los_zoa_deg=(180.0 - zod).ravel(),
        los_zod_deg=zod.ravel(),
        d3d_m=d3d.ravel(),
        cell_az_deg=az.ravel().astype(float),
        ue_bearing_deg=np.repeat(bearing, k),
        velocity_mps=np.repeat(vel, k, axis=0),
        path_gain=10.0 ** (path_gain_db.ravel() / 10.0),
    )
    lam = _C / (fc * 1e9)
    inputs = kernel_inputs(clusters, geo, bs, ue, lam)
    return SpatialChannel(
        cell=cell,
        state=state,
        coupling_gain_db=np.asarray(table.gain_db, float),
        path_gain_db=path_gain_db,
        background_gain=np.asarray(table.background_gain, float),
        clusters=clusters,
        geometry=geo,
        inputs=inputs,
        n_rb=n_rb,
        subcarrier_spacing_hz=scs,
        tti_s=tti_s,
        wavelength_m=lam,
        bs_array=bs,
        ue_array=ue,
    )


def spatial_drop(
    deployment: Deployment,
    *,
    scenario: str,
    fc_ghz: float,
    k: int,
    bs_array: PanelArray | str,
    rng: np.random.Generator,
    link_options: dict | None = None,
    **channel_options,
) -> SpatialChannel:
    """Link table plus spatial channel of one drop.

    Parameters
    ----------
    deployment : Deployment
        Sectorised cells (three per site, TR 38.901 Table 7.8-1).
    scenario : {"UMa", "UMi"}
    fc_ghz : float
    k : int
        Links kept per UE, 1..n_cells (the cells of the deployment).
    bs_array : PanelArray or preset name
        BS panel: its fixed-beam gain ranks the cells, its elements are the ports.
    rng : numpy.random.Generator
        Draws the link table first (:func:`~rof.radio.linktable.build_link_table`),
        then the channel (:func:`spatial_channel`).
    link_options : dict, optional
        Extra options of :func:`~rof.radio.linktable.build_link_table`.
    **channel_options
        ``ue_array``, ``n_rb``, ``subcarrier_spacing_hz``, ``ue_speed_kmh``, ``tti_s``
        of :func:`spatial_channel`.
    """
    check_choice("scenario", scenario, SCENARIOS)
    n_cells = deployment.n_cells
    ok = isinstance(k, int | np.integer) and not isinstance(k, bool)
    if not ok or not 1 <= int(k) <= n_cells:
        raise ParameterError(
            f"k = {k!r} is out of range; allowed: an integer in 1..{n_cells} (the number of cells)"
        )
    bs = _panel(bs_array)
    table = build_link_table(
        deployment,
        scenario=scenario,
        fc_ghz=fc_ghz,
        k=int(k),
        rng=rng,
        antenna=bs,
        **(link_options or {}),
    )
    return spatial_channel(
        deployment, table, scenario=scenario, fc_ghz=fc_ghz, bs_array=bs, rng=rng, **channel_options
    )
