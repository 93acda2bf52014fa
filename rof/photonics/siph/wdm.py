"""The smart edge's WDM optical node: ring modulators on one bus, feeder, ring demux."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_int_range, check_range
from rof.errors import ParameterError
from rof.photonics.siph.circuits import channel_wavelengths_nm, default_demux_ring, ring_demux
from rof.photonics.siph.grating import GratingCoupler
from rof.photonics.siph.microring import Microring
from rof.photonics.siph.modulator import MicroringModulator
from rof.photonics.siph.netlist import Netlist
from rof.photonics.siph.thermal import ThermalTuning, resonance_shift_nm_per_k

__all__ = ["WdmNode", "WdmSite"]


@dataclass(frozen=True)
class WdmSite:
    """Per-site optical figures of a :class:`WdmNode` (one channel, one site).

    Attributes
    ----------
    channel : int
    wavelength_nm : float
        The channel's laser wavelength.
    optical_loss_db : float
        Passive loss between the channel's modulator and its site's photodiode,
        excluding fiber: other modulators on the bus at this wavelength and the
        demux (bus, ring drop, gratings). Feed to ``RoFLink(optical_loss_db=...)``.
    crosstalk_ratios : tuple of float
        For every other channel j, its optical power at this site's drop port over
        this channel's (linear). Feed to ``RoFLink(crosstalk_ratios=...)``.
    signal_to_crosstalk_db : float
        RF signal-to-crosstalk ratio :math:`-10\\log_{10}\\sum_j \\rho_j^2`, dB.
    slope_w_per_v : float
        The channel modulator's small-signal slope :math:`|a_1|`, W/V.
    modulator_detuning_nm : float
        Laser minus the modulator ring's present resonance, nm.
    resonance_offset_nm : float
        Residual resonance offset of every ring (after locking, if on), nm.
    heater_power_mw : float
        Heater power per ring (0 without locking), mW.
    """

    channel: int
    wavelength_nm: float
    optical_loss_db: float
    crosstalk_ratios: tuple[float, ...]
    signal_to_crosstalk_db: float
    slope_w_per_v: float
    modulator_detuning_nm: float
    resonance_offset_nm: float
    heater_power_mw: float


@dataclass(frozen=True)
class WdmNode:
    """N sites on N wavelengths: ring modulators on one bus, feeder, ring demux.

    Channel k's laser sits on the grid of :func:`channel_wavelengths_nm`; its
    modulator ring (a copy of ``modulator.ring``) resonates ``detuning`` away from
    it; the N modulators share one bus; the feeder fiber carries all channels to a
    remote :func:`ring_demux` (with ``grating`` couplers in and out) whose drop
    port k feeds site k's photodiode. Received power of channel j at site i:

    .. math:: P_{ij} = P_j\\,\\prod_{m\\ne j} T^{(m)}_{through}(\\lambda_j)\\,
              L_{feeder}\\,|S^{demux}_{out_i,in}(\\lambda_j)|^2 ,

    where :math:`P_j` is modulator j's mean launched power. The crosstalk ratio
    is :math:`\\rho_{ij} = P_{ij}/P_{ii}`. Each interferer carries an uncorrelated
    RF signal of the same modulation depth; after square-law detection its
    photocurrent is :math:`\\rho_{ij}` times the wanted one and RF power goes as the
    square of the photocurrent, so its RF interference is :math:`\\rho_{ij}^2` of
    the wanted RF power (Cox, *Analog Optical Links*, Cambridge Univ. Press, 2004,
    ch. 2, link gain proportional to the square of the modulated photocurrent;
    incoherent inter-channel crosstalk of IM/DD WDM as in Ramaswami, Sivarajan &
    Sasaki, *Optical Networks*, 3rd ed., 2010, sec. 5.8, "Crosstalk"). Beat terms between channels
    fall at the channel spacing (>= 50 GHz), outside the photodiode bandwidth of
    an RF fronthaul receiver, and are not counted. The small modulation that an
    off-resonance modulator ring imprints on the other channels is not modelled.

    Temperature: every ring (modulators and demux) sits ``temperature_offset_k``
    from its design temperature; the lasers are wavelength-stabilised. With
    ``heater_locking`` each ring's :class:`ThermalTuning` loop cancels the drift
    within its heater range; otherwise the full drift detunes every ring.

    Parameters
    ----------
    n_channels : int
        Number of sites/wavelengths (1 to 64).
    channel_spacing_ghz : float
        Grid spacing, GHz (> 0).
    first_wavelength_nm : float
        Channel 0's wavelength, nm.
    modulator : MicroringModulator
        Template modulator (ring, laser power, detuning, efficiency).
    demux_ring : Microring
        Template add-drop demux ring.
    feeder_length_km : float
        Feeder fiber from the edge to the demux, km (>= 0).
    temperature_offset_k : float
        Ring temperature offset, K.
    heater_locking : bool
        Whether heaters lock the rings.
    thermal : ThermalTuning
        Heater parameters (same for every ring).
    grating : GratingCoupler, optional
        Coupler at the demux input and at each drop output; ``None`` for none.
    bus_length_um, drop_length_um : float
        Demux waveguide lengths, um.
    """

    n_channels: int = 4
    channel_spacing_ghz: float = 100.0
    first_wavelength_nm: float = 1550.0
    modulator: MicroringModulator = field(default_factory=MicroringModulator)
    demux_ring: Microring = field(default_factory=default_demux_ring)
    feeder_length_km: float = 0.0
    temperature_offset_k: float = 0.0
    heater_locking: bool = True
    thermal: ThermalTuning = field(default_factory=ThermalTuning)
    grating: GratingCoupler | None = field(default_factory=GratingCoupler)
    bus_length_um: float = 50.0
    drop_length_um: float = 20.0

    def __post_init__(self):
        check_int_range("WdmNode.n_channels", self.n_channels, 1, 64)
        check_range(
            "WdmNode.channel_spacing_ghz", self.channel_spacing_ghz, 0.0, None, lo_open=True
        )
        check_range("WdmNode.feeder_length_km", self.feeder_length_km, 0.0, None)
        check_range("WdmNode.temperature_offset_k", self.temperature_offset_k, -100.0, 100.0)
        if not isinstance(self.heater_locking, bool):
            raise ParameterError(f"WdmNode.heater_locking = {self.heater_locking!r} is not a bool")
        if not isinstance(self.modulator, MicroringModulator):
            raise ParameterError("WdmNode.modulator must be a MicroringModulator")
        wl = self.wavelengths_nm
        span = float(wl[-1] - wl[0]) * self.n_channels / max(self.n_channels - 1, 1)
        fsr = self.modulator.ring.fsr_nm
        if self.n_channels > 1 and span >= fsr:
            raise ParameterError(
                f"WdmNode.channel_spacing_ghz = {self.channel_spacing_ghz:g} spreads "
                f"{self.n_channels} channels over {span:.3g} nm, more than the modulator "
                f"ring FSR {fsr:.3g} nm; allowed: < "
                f"{self.channel_spacing_ghz * fsr / span:.4g} GHz"
            )
        self.demux()  # validates the demux grid against its FSR

    @property
    def wavelengths_nm(self) -> np.ndarray:
        """Laser wavelength of each channel, nm, shape ``(n_channels,)``."""
        return channel_wavelengths_nm(
            self.n_channels, self.channel_spacing_ghz, self.first_wavelength_nm
        )

    def _state(self, temperature_offset_k, heater_locking):
        dt = self.temperature_offset_k if temperature_offset_k is None else temperature_offset_k
        lock = self.heater_locking if heater_locking is None else heater_locking
        return float(dt), bool(lock)

    def _effective_offset_k(self, ring: Microring, dt: float, lock: bool) -> tuple[float, float]:
        """Equivalent ring temperature offset after locking, and the heater power."""
        resid = self.thermal.residual_detuning_nm(ring, dt, lock)
        heater = self.thermal.heater_power_mw(ring, dt) if lock else 0.0
        return resid / resonance_shift_nm_per_k(ring), heater

    def modulators(self, temperature_offset_k=None, heater_locking=None):
        """One :class:`MicroringModulator` per channel at the given thermal state."""
        dt, lock = self._state(temperature_offset_k, heater_locking)
        tmpl = self.modulator
        det_nm = tmpl.design_detuning_nm
        out = []
        for lam in self.wavelengths_nm:
            ring = dataclasses.replace(
                tmpl.ring, resonance_nm=float(lam) - det_nm, temperature_offset_k=0.0
            )
            t_eff, _ = self._effective_offset_k(ring, dt, lock)
            ring = dataclasses.replace(ring, temperature_offset_k=t_eff)
            out.append(dataclasses.replace(tmpl, ring=ring, detuning_pm=det_nm * 1e3))
        return out

    def demux(self, temperature_offset_k=None, heater_locking=None) -> Netlist:
        """The remote ring demux as a :class:`Netlist` at the given thermal state."""
        dt, lock = self._state(temperature_offset_k, heater_locking)
        ring = dataclasses.replace(self.demux_ring, resonance_nm=self.first_wavelength_nm)
        t_eff, _ = self._effective_offset_k(ring, dt, lock)
        return ring_demux(
            self.n_channels,
            self.channel_spacing_ghz,
            first_wavelength_nm=self.first_wavelength_nm,
            ring=dataclasses.replace(self.demux_ring, temperature_offset_k=t_eff),
            bus_length_um=self.bus_length_um,
            drop_length_um=self.drop_length_um,
            grating=self.grating,
            input_grating=self.grating,
        )

    def received_power_matrix(self, temperature_offset_k=None, heater_locking=None):
        """:math:`P_{ij}/L_{feeder}`: channel j's power at site i's drop port, W, (N, N)."""
        wl = self.wavelengths_nm
        mods = self.modulators(temperature_offset_k, heater_locking)
        launch = np.array([m.mean_power_w() for m in mods])
        bus = np.ones(wl.size)
        for m_idx, mod in enumerate(mods):
            t = mod.ring.through(wl)
            t[m_idx] = 1.0  # its own channel's through-port is in mean_power_w
            bus *= t
        net = self.demux(temperature_offset_k, heater_locking)
        s = net.s_matrix(wl)
        names = list(net.ports)
        src = names.index("fiber_in" if "fiber_in" in names else "in")
        outs = [names.index(f"out{i}") for i in range(self.n_channels)]
        h = np.abs(s[:, outs, src].T) ** 2  # (site i, channel j)
        return h * (launch * bus)[None, :], launch, bus, h

    def sites(self, temperature_offset_k=None, heater_locking=None) -> list[WdmSite]:
        """Per-site loss, crosstalk ratios and thermal state (see :class:`WdmSite`)."""
        dt, lock = self._state(temperature_offset_k, heater_locking)
        p, _, bus, h = self.received_power_matrix(dt, lock)
        mods = self.modulators(dt, lock)
        ring0 = mods[0].ring
        resid = self.thermal.residual_detuning_nm(
            dataclasses.replace(ring0, temperature_offset_k=0.0), dt, lock
        )
        heater = self.thermal.heater_power_mw(ring0, dt) if lock else 0.0
        out = []
        for i in range(self.n_channels):
            ratios = tuple(float(p[i, j] / p[i, i]) for j in range(self.n_channels) if j != i)
            sxr = -10.0 * math.log10(sum(r * r for r in ratios)) if ratios else math.inf
            out.append(
                WdmSite(
                    channel=i,
                    wavelength_nm=float(self.wavelengths_nm[i]),
                    optical_loss_db=float(-10.0 * np.log10(bus[i] * h[i, i])),
                    crosstalk_ratios=ratios,
                    signal_to_crosstalk_db=sxr,
                    slope_w_per_v=abs(mods[i].taylor_w_per_vn()[0]),
                    modulator_detuning_nm=mods[i].detuning_nm,
                    resonance_offset_nm=resid,
                    heater_power_mw=heater,
                )
            )
        return out

    def rf_gain_change_db(self, temperature_offset_k=None, heater_locking=None) -> np.ndarray:
        """Per-site RF gain change vs the aligned node (0 K), dB, shape ``(n_channels,)``.

        RF output power goes as (modulator slope x optical transmission)^2 (Cox 2004,
        ch. 2), so :math:`\\Delta G = 20\\log_{10}(|a_1|/|a_1^0|) - 2\\,\\Delta IL`.
        """
        ref = self.sites(0.0, False)
        now = self.sites(temperature_offset_k, heater_locking)
        return np.array(
            [
                20.0 * math.log10(max(n.slope_w_per_v, 1e-300) / r.slope_w_per_v)
                - 2.0 * (n.optical_loss_db - r.optical_loss_db)
                for n, r in zip(now, ref, strict=True)
            ]
        )

    def snr_penalty_db(
        self, reference_snr_db, temperature_offset_k=None, heater_locking=None
    ) -> np.ndarray:
        """Per-site SNDR penalty at a thermal state vs the aligned node, dB.

        For a receiver-noise-limited link (thermal and dark noise fixed), the SNR
        moves with the RF gain, :math:`SNR = SNR_0 + \\Delta G`, and crosstalk adds as
        interference: :math:`SNDR = (SNR^{-1} + SXR^{-1})^{-1}`; the penalty is
        :math:`SNDR(0\\,K) - SNDR(\\Delta T)` with ``reference_snr_db`` the aligned
        link's noise-only SNR. For RIN- or shot-limited links use
        :func:`rof.link.build_link` (a ring table with ``wdm_channels``) and
        ``RoFLink.budget`` at both states.
        """
        snr0 = 10.0 ** (np.asarray(reference_snr_db, dtype=float) / 10.0)
        ref = self.sites(0.0, False)
        now = self.sites(temperature_offset_k, heater_locking)
        dg = self.rf_gain_change_db(temperature_offset_k, heater_locking)
        out = []
        for i, (n, r) in enumerate(zip(now, ref, strict=True)):
            s_ref = 1.0 / (1.0 / snr0 + 10.0 ** (-r.signal_to_crosstalk_db / 10.0))
            snr = snr0 * 10.0 ** (dg[i] / 10.0)
            s_now = 1.0 / (1.0 / snr + 10.0 ** (-n.signal_to_crosstalk_db / 10.0))
            out.append(10.0 * np.log10(s_ref / s_now))
        return np.array(out)
