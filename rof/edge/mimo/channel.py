"""Per-antenna channels of every UE's top-K links: large scale x (LOS array response +
time-correlated scattered fading).

For the link from cell ``c`` (a horizontal uniform linear array of ``n_ant`` elements,
``rof.radio.PanelArray(1, n_ant)``) to UE ``u``:

.. math:: h_{u,c}(t) = \\sqrt{\\beta_{u,c}} \\Big( \\sqrt{\\tfrac{K}{K+1}}\\,
          e^{j(2\\pi f_d \\cos\\theta_0 t + \\phi_0)}\\, a(\\varphi_{u,c}, \\vartheta_{u,c})
          + \\sqrt{\\tfrac{1}{K+1}}\\, g_{u,c}(t) \\Big),

with ``beta`` the link table's large-scale gain (path loss, shadowing, the element
pattern), ``a`` the array's location phases toward the UE
(:meth:`rof.radio.PanelArray.steering_vector`; TR 38.901 Eq. 7.5-22's exponent),
``K`` the Rician factor on LOS links (0 on NLOS ones) and ``g`` i.i.d. CN(0, 1) per
antenna, each a Clarke/Jakes process of :class:`rof.radio.fading.FadingProcess`
(autocorrelation ``J0(2 pi f_d tau)``), flat or TDL frequency-selective. The LOS
Doppler term is that of :mod:`rof.radio.fading` (Stueber Eq. 2.46). Evaluating the same
process at ``t - tau`` gives the channel a report ``tau`` old saw: ageing exactly as
Clarke's model has it. Scattered parts of different antennas are uncorrelated (a rich
scattering environment). :class:`SpatialArrayChannel` is the alternative with the TR
38.901 Sec. 7.5 spatial channel of :mod:`rof.radio.spatial` (clusters and rays, so
antennas correlate through the angular spreads and the response is frequency selective
through the delay spread), on the same links and in the same layout.
"""

from __future__ import annotations

import numpy as np

from rof.errors import ParameterError

__all__ = ["ArrayChannel", "SpatialArrayChannel", "link_angles_deg"]


def link_angles_deg(deployment, link_cell) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth relative to the cell's boresight and zenith angle of every link, deg.

    Over the nearest wrap-around copy of the site; an omni cell (NaN boresight) uses
    azimuth 0 as its reference. Both (n_ue, K).
    """
    dep = deployment
    site = np.asarray(dep.cell_site)[link_cell]  # (n_ue, K)
    sxy = np.asarray(dep.site_xy_m)[site]  # (n_ue, K, 2)
    uxy = np.asarray(dep.ue_xy_m)[:, None, None, :]  # (n_ue, 1, 1, 2)
    shifts = np.asarray(dep.wrap_shifts_m)[None, None, :, :]  # (1, 1, n_img, 2)
    d = uxy - (sxy[:, :, None, :] + shifts)  # (n_ue, K, n_img, 2)
    best = np.argmin(np.hypot(d[..., 0], d[..., 1]), axis=-1)
    d = np.take_along_axis(d, best[..., None, None], axis=2)[:, :, 0]
    az = np.degrees(np.arctan2(d[..., 1], d[..., 0]))
    bore = np.nan_to_num(np.asarray(dep.cell_azimuth_deg, float)[link_cell], nan=0.0)
    phi = (az - bore + 180.0) % 360.0 - 180.0
    d2d = np.hypot(d[..., 0], d[..., 1])
    dh = np.asarray(dep.site_height_m)[site] - np.asarray(dep.ue_height_m)[:, None]
    theta = 90.0 + np.degrees(np.arctan2(dh, np.maximum(d2d, 1e-9)))
    return phi, theta


class ArrayChannel:
    """Per-antenna channels (module docstring) of a :class:`rof.edge.world.World`.

    Parameters
    ----------
    world : rof.edge.world.World
        Its deployment, link table (cells, gains, LOS) and fading settings.
    n_ant : int
        Antennas per cell (1 to 64).
    rng : numpy.random.Generator
    spacing_wavelengths : float
        Element spacing (> 0).
    rician_k_db : float
        K factor of LOS links, dB; NLOS links are Rayleigh.
    model : {"rayleigh", "tdl"}
        Scattered part flat or TR 38.901 TDL (``world.fading``'s profile and spread).
    """

    def __init__(
        self,
        world,
        n_ant: int,
        rng: np.random.Generator,
        *,
        spacing_wavelengths: float = 0.5,
        rician_k_db: float = 9.0,
        model: str = "rayleigh",
    ):
        from rof.radio import PanelArray
        from rof.radio.fading import FadingProcess

        if not isinstance(n_ant, int | np.integer) or not 1 <= n_ant <= 64:
            raise ParameterError(f"mimo.n_ant = {n_ant!r} is out of range; allowed: an int 1 to 64")
        if model not in ("rayleigh", "tdl"):
            raise ParameterError(
                f"mimo.fading = {model!r} is not known; allowed: 'rayleigh', 'tdl'"
            )
        self.n_ant = int(n_ant)
        self.link_cell = world.link_cell
        n_ue, k = world.link_cell.shape
        self.n_rb = world.n_rb
        fad = world.fading
        self._flat = model == "rayleigh"
        self.scattered = FadingProcess(
            n_ue,
            k * self.n_ant,
            1 if self._flat else world.n_rb,
            model=model,
            doppler_hz=world.doppler_hz,
            tti_s=world.tti_s,
            rb_bandwidth_hz=world.rb_bandwidth_hz,
            delay_profile=fad.delay_profile,
            delay_spread_s=fad.delay_spread_s,
            rng=rng,
        )
        array = PanelArray(1, self.n_ant, spacing_wavelengths=spacing_wavelengths, tilt_deg=90.0)
        phi, theta = link_angles_deg(world.deployment, world.link_cell)
        self.response = array.steering_vector(phi, theta)  # (n_ue, K, n_ant)
        kf = np.where(world.los, 10.0 ** (rician_k_db / 10.0), 0.0)
        amp = np.sqrt(np.asarray(world.large_scale, dtype=float))
        self._los_amp = amp * np.sqrt(kf / (kf + 1.0))
        self._nlos_amp = amp * np.sqrt(1.0 / (kf + 1.0))
        theta0 = rng.uniform(0.0, 2.0 * np.pi, size=(n_ue, k))
        self._los_w = 2.0 * np.pi * np.asarray(world.doppler_hz)[:, None] * np.cos(theta0)
        self._los_phi = rng.uniform(0.0, 2.0 * np.pi, size=(n_ue, k))

    def at(self, t_s: float) -> np.ndarray:
        """Channels at time ``t_s``: (n_rb, n_ue, K, n_ant) complex128 (a read-only
        broadcast over the RBs for flat fading)."""
        g = self.scattered.complex_gain(float(t_s))  # (n_ue, K n_ant, n_rb')
        n_ue, k = self.link_cell.shape
        g = g.reshape(n_ue, k, self.n_ant, -1).transpose(3, 0, 1, 2)
        los = self._los_amp * np.exp(1j * (self._los_w * float(t_s) + self._los_phi))
        h = los[..., None] * self.response + self._nlos_amp[..., None] * g
        if self._flat:
            return np.broadcast_to(h, (self.n_rb, *h.shape[1:]))
        return h


class SpatialArrayChannel:
    """The TR 38.901 Sec. 7.5 channel of a world's links (``mimo.channel = "tr38901"``).

    The same interface and layout as :class:`ArrayChannel`: :meth:`at` gives (n_rb, n_ue,
    K, n_ant) complex128 at time ``t_s``, the cells of ``world.link_cell`` in order, from
    :func:`rof.radio.spatial.spatial_channel` on the world's link table (the fixed-beam
    gain of ``radio``'s antenna taken out of the coupling gain, each of the cell's
    ``n_ant`` elements of a horizontal panel with ``spacing_wavelengths`` a port with the
    Table 7.3-1 element pattern), time-correlated by the rays' Doppler terms (Eq. 7.5-22).
    """

    def __init__(self, scn, world, rng: np.random.Generator):
        from types import SimpleNamespace

        from rof.radio import PanelArray
        from rof.radio.spatial import spatial_channel

        m, radio = scn.mimo, scn.radio
        if radio.scenario not in ("UMa", "UMi"):
            raise ParameterError(
                f"mimo.channel = 'tr38901' needs radio.scenario 'UMa' or 'UMi' (Table 7.5-6 "
                f"here); radio.scenario = {radio.scenario!r}; allowed: mimo.channel = 'clarke'"
            )
        self.n_ant = int(m.n_ant)
        self.link_cell = world.link_cell
        self.n_rb = world.n_rb
        gain = np.asarray(world.large_scale, dtype=float)
        table = SimpleNamespace(
            cell=world.link_cell,
            gain_db=10.0 * np.log10(np.maximum(gain, 1e-300)),
            los=np.asarray(world.los, bool),
            background_gain=np.asarray(world.background_gain, dtype=float),
            n_ue=int(world.link_cell.shape[0]),
        )
        panel = PanelArray(1, self.n_ant, spacing_wavelengths=m.spacing_wavelengths)
        self.spatial = spatial_channel(
            world.deployment,
            table,
            scenario=radio.scenario,
            fc_ghz=radio.carrier_ghz,
            bs_array=panel,
            rng=rng,
            table_antenna=radio.bs_antenna_model(),
            n_rb=world.n_rb,
            subcarrier_spacing_hz=radio.subcarrier_spacing_khz * 1e3,
            ue_speed_kmh=radio.ue_speed_kmh,
            tti_s=world.tti_s,
        )

    def at(self, t_s: float) -> np.ndarray:
        """Channels at time ``t_s``: (n_rb, n_ue, K, n_ant) complex128."""
        return self.spatial.at(float(t_s)).astype(np.complex128)
