"""The tables of a scenario: ``[deployment]``, ``[radio]``, ``[fronthaul]``, ``[edge]``, ``[run]``.

Every field carries its unit in its name and its allowed range in its type; a value
outside it is a :class:`rof.errors.ConfigError` naming the key path (see
:mod:`rof.scenario.schema`). Ranges are the validity ranges of the models that consume
the values (e.g. TR 38.901 covers carriers of 0.5 to 100 GHz) or physical limits
(e.g. a photodiode's responsivity cannot exceed one electron per photon).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from rof.radio.arrays import BS_PRESETS
from rof.radio.tr38901 import SCENARIO_NAMES as TR38901_SCENARIOS
from rof.scenario.checks import hex_count_ok, sites_xy
from rof.scenario.fronthaul import Fronthaul
from rof.scenario.learnware import EdgeLearnware
from rof.scenario.section import CrossFieldError, Section
from rof.signals.numerology import frequency_range, nrb_table

__all__ = ["CrossFieldError", "Deployment", "Edge", "Fronthaul", "Radio", "Run"]


class Deployment(Section):
    """Sites and users. Lengths in metres, areas in km^2, densities per km^2."""

    section: ClassVar[str] = "deployment"
    layout: Literal["hex", "ppp", "file"] = "hex"
    n_sites: Annotated[int, Field(ge=1, le=10_000)] | None = None
    inter_site_distance_m: Annotated[float, Field(ge=10.0, le=100_000.0)] | None = None
    density_per_km2: Annotated[float, Field(gt=0.0, le=100_000.0)] | None = None
    area_km2: Annotated[float, Field(gt=0.0, le=10_000.0)] | None = None
    sites_file: Annotated[str, Field(min_length=1)] | None = None
    sectors: Literal[1, 3] = 3
    wraparound: bool = False
    ue_per_site: Annotated[int, Field(ge=1, le=1000)] = 10
    ue_height_m: Annotated[float, Field(ge=1.0, le=30.0)] = 1.5
    indoor_fraction: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    ue_distribution: Literal["uniform", "hotspot"] = "uniform"
    #: Minimum 2-D BS-UT distance, m (TR 38.901 Table 7.8-1: 35 UMa, 10 UMi); below the ISD.
    min_ue_distance_m: Annotated[float, Field(ge=0.0, le=100_000.0)] = 0.0
    #: Small cells under the macro sites (two tiers, rof.radio.two_tier): mean count per
    #: macro site, antenna height, minimum distances to macro sites and to each other, m.
    small_cells_per_site: Annotated[float, Field(ge=0.0, le=50.0)] = 0.0
    small_cell_height_m: Annotated[float, Field(ge=1.0, le=150.0)] = 10.0
    small_cell_min_macro_distance_m: Annotated[float, Field(ge=0.0, le=10_000.0)] = 75.0
    small_cell_min_distance_m: Annotated[float, Field(ge=0.0, le=10_000.0)] = 40.0

    @model_validator(mode="after")
    def _layout_keys(self):
        needs = {
            "hex": ("n_sites", "inter_site_distance_m"),
            "ppp": ("density_per_km2", "area_km2"),
            "file": ("sites_file",),
        }
        for layout, keys in needs.items():
            for key in keys:
                if self.layout == layout and getattr(self, key) is None:
                    raise CrossFieldError(
                        self.section, key, None, f"required with layout = {layout!r}"
                    )
                if self.layout != layout and getattr(self, key) is not None:
                    self._bad(key, f"omit it with layout = {self.layout!r} (used by {layout!r})")
        if self.layout == "file" and not Path(self.sites_file).is_file():
            self._bad("sites_file", "an existing CSV file (relative to the scenario file)")
        if self.layout == "file" and self.wraparound:
            self._bad("wraparound", "false with layout = 'file'")
        if self.layout == "hex" and not hex_count_ok(self.n_sites):
            self._bad(
                "n_sites",
                "complete hexagonal rings: 1, 7, 19, 37, 61, ... (1 + 3k(k+1) sites)",
            )
        if self.layout == "file":
            sites_xy(self.sites_file)  # every row checked now, not later in a worker
        if self.layout == "hex" and self.min_ue_distance_m >= self.inter_site_distance_m:
            self._bad("min_ue_distance_m", f"[0, {self.inter_site_distance_m:g}) m (below the ISD)")
        return self

    @property
    def area_m2(self) -> float | None:
        """Area the sites cover in m^2 (hex: ``n_sites`` cells of area sqrt(3)/2 ISD^2)."""
        if self.layout == "hex":
            return self.n_sites * math.sqrt(3.0) / 2.0 * self.inter_site_distance_m**2
        if self.layout == "ppp":
            return self.area_km2 * 1e6
        return None

    @property
    def site_density_per_km2(self) -> float | None:
        """Sites per km^2 (hex: one site per hexagonal cell of area sqrt(3)/2 ISD^2)."""
        if self.layout == "hex":
            return 1e6 / (math.sqrt(3.0) / 2.0 * self.inter_site_distance_m**2)
        if self.layout == "ppp":
            return self.density_per_km2
        return None


class Radio(Section):
    """Air interface. Carrier in GHz, bandwidth in MHz, powers in dBm, heights in m.

    ``resource_blocks`` must equal ``N_RB`` of TS 38.104 Table 5.3.2-1 (FR1, carriers up
    to 7.125 GHz) or Table 5.3.2-2 (FR2-1, above) for the bandwidth and subcarrier
    spacing; left out, it is taken from the table. ``pathloss_exponent``,
    ``reference_loss_db`` and ``reference_distance_m`` parameterise the ``power_law``
    model PL(d) = reference_loss_db + 10 n log10(d / reference_distance_m); the defaults
    (n = 3.76, 128.1 dB at 1 km) are TR 36.942 clause 4.5's urban macro model at 2 GHz,
    L = 128.1 + 37.6 log10(R / km).
    """

    section: ClassVar[str] = "radio"
    scenario: Literal[(*TR38901_SCENARIOS, "power_law")] = "UMi"  # rof.radio.tr38901 registry
    carrier_ghz: Annotated[float, Field(ge=0.5, le=100.0)] = 3.5
    bandwidth_mhz: Annotated[float, Field(gt=0.0)] = 100.0
    subcarrier_spacing_khz: Literal[15, 30, 60, 120] = 30
    resource_blocks: Annotated[int, Field(ge=1, le=275)] | None = None
    site_power_dbm: Annotated[float, Field(ge=0.0, le=60.0)] = 35.0
    site_height_m: Annotated[float, Field(ge=1.0, le=150.0)] = 10.0
    ue_noise_figure_db: Annotated[float, Field(ge=0.0, le=20.0)] = 9.0
    fading: Literal["none", "rayleigh", "rician", "tdl"] = "tdl"
    delay_profile: Literal["TDL-A", "TDL-B", "TDL-C", "TDL-D", "TDL-E"] = "TDL-C"
    #: Fixed rms delay spread of every link, ns; left out: TR 38.901 Table 7.5-6's median
    #: per scenario and LOS state (``delay_spread``), 100 ns for ``power_law``.
    delay_spread_ns: Annotated[float, Field(gt=0.0, le=5000.0)] | None = None
    ue_speed_kmh: Annotated[float, Field(ge=0.0, le=500.0)] = 3.0
    top_k_links: Annotated[int, Field(ge=1, le=1024)] = 16
    pathloss_exponent: Annotated[float, Field(ge=1.5, le=8.0)] = 3.76
    reference_loss_db: Annotated[float, Field(ge=0.0, le=250.0)] = 128.1
    reference_distance_m: Annotated[float, Field(gt=0.0, le=100_000.0)] = 1000.0
    shadowing: bool = True
    rician_k_db: Annotated[float, Field(ge=-20.0, le=40.0)] = 9.0
    mcs_table: Literal["qam64", "qam256", "qam64lowse"] = "qam256"
    rate_model: Literal["mcs", "shannon"] = "mcs"
    #: ``"eesm"``: EESM effective SINR and 5G-LENA's link-level BLER curves per MCS and
    #: code block (rof.radio.bler_curves); ``"se_gap"``: the capacity-mapped SINR and a
    #: logistic BLER 2 dB from Shannon (rof.radio.rates.bler). Link adaptation and the
    #: schedulers' rate per RB both follow it (rof.edge.rate_model).
    link_abstraction: Literal["eesm", "se_gap"] = "eesm"
    #: BS antenna preset (rof.radio.arrays.BS_PRESETS): "element" is one Table 7.3-1
    #: element tilted 12 deg, "config1_10x1" TR 38.901 Table 7.8-1's calibration panel.
    bs_antenna: Literal[tuple(BS_PRESETS)] = "element"
    #: A custom panel instead of the preset (any key given): M x N elements, vertical
    #: spacing in wavelengths, beam zenith angle (90 = horizon, 102 = 12 deg down).
    bs_array_rows: Annotated[int, Field(ge=1, le=1024)] | None = None
    bs_array_cols: Annotated[int, Field(ge=1, le=1024)] | None = None
    bs_array_spacing_wavelengths: Annotated[float, Field(gt=0.0, le=100.0)] | None = None
    bs_array_tilt_deg: Annotated[float, Field(ge=0.0, le=180.0)] | None = None
    #: UMa's effective environment height h_E (Table 7.4.1-1 note 1): its expected value,
    #: or drawn per link as the TR's calibration does.
    effective_height: Literal["mean", "random"] = "mean"
    #: ``"per_link"``: each link's fading follows its own LOS state (``rician``: Rician
    #: of ``rician_k_db`` on LOS links, Rayleigh on NLOS; ``tdl``: ``delay_profile_los``
    #: on LOS links, ``delay_profile`` on NLOS); ``"same"``: every link alike.
    fading_los: Literal["same", "per_link"] = "per_link"
    #: The small-cell tier (deployment.small_cells_per_site > 0): its propagation
    #: scenario, transmit power per cell and omni antenna gain.
    small_cell_scenario: Literal[TR38901_SCENARIOS] = "UMi"
    small_cell_power_dbm: Annotated[float, Field(ge=0.0, le=60.0)] = 30.0
    small_cell_antenna_gain_dbi: Annotated[float, Field(ge=-10.0, le=30.0)] = 5.0
    delay_profile_los: Literal["TDL-D", "TDL-E"] = "TDL-D"
    #: ``"scenario"``: the median delay spread of TR 38.901 Table 7.5-6 per LOS state at
    #: the carrier (TR 38.901 scenarios; NLOS value for every link with fading_los =
    #: "same"); ``"fixed"``: ``delay_spread_ns`` (100 ns when left out) for all links.
    #: Left out: ``"fixed"`` when ``delay_spread_ns`` is given or the scenario is
    #: ``power_law``, else ``"scenario"``.
    delay_spread: Literal["fixed", "scenario"] | None = None
    #: Share of indoor UTs in high-loss buildings and sigma_P of the two O2I models, dB
    #: (Table 7.4.3-2: 4.4 low, 6.5 high when left out).
    o2i_high_loss_fraction: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    o2i_sigma_low_db: Annotated[float, Field(ge=0.0, le=20.0)] | None = None
    o2i_sigma_high_db: Annotated[float, Field(ge=0.0, le=20.0)] | None = None

    def bs_antenna_model(self):
        """The BS antenna: the preset, or the custom panel of the ``bs_array_*`` keys."""
        from rof.radio.arrays import PanelArray, bs_antenna

        keys = ("rows", "cols", "spacing_wavelengths", "tilt_deg")
        given = {k: getattr(self, f"bs_array_{k}") for k in keys}
        if all(v is None for v in given.values()):
            return bs_antenna(self.bs_antenna)
        defaults = dict(rows=1, cols=1, spacing_wavelengths=0.5, tilt_deg=102.0)
        return PanelArray(**{k: defaults[k] if v is None else v for k, v in given.items()})

    @model_validator(mode="after")
    def _numerology(self):
        fr = frequency_range(self.carrier_ghz)
        table = nrb_table(fr)
        scs_ok = sorted({s for (_, s) in table})
        if self.subcarrier_spacing_khz not in scs_ok:
            self._bad("subcarrier_spacing_khz", f"{scs_ok} kHz in {fr} (TS 38.104 Table 5.3.2)")
        bws = sorted({b for (b, s) in table if s == self.subcarrier_spacing_khz})
        nrb = table.get((self.bandwidth_mhz, self.subcarrier_spacing_khz))
        if nrb is None:
            listed = ", ".join(f"{b:g}" for b in bws)
            self._bad(
                "bandwidth_mhz",
                f"{listed} MHz at {self.subcarrier_spacing_khz} kHz SCS in {fr} "
                "(TS 38.104 Table 5.3.2-1/-2)",
            )
        if self.resource_blocks is None:
            object.__setattr__(self, "resource_blocks", nrb)
        elif self.resource_blocks != nrb:
            self._bad(
                "resource_blocks",
                f"{nrb} for {self.bandwidth_mhz:g} MHz at {self.subcarrier_spacing_khz} kHz "
                "(TS 38.104 Table 5.3.2-1/-2), or omit it",
            )
        return self


class Edge(Section):
    """The smart-edge coordinator. Delays in ms, rates per s, sizes in bits."""

    section: ClassVar[str] = "edge"
    #: ``"fronthaul_aware"`` is coordinated_pf with each site's fronthaul SNR and CSI age
    #: in its rate estimate; ``fronthaul_aware = true`` wraps any other scheduler the same way.
    scheduler: Literal[
        "round_robin", "proportional_fair", "coordinated_pf", "wmmse", "fronthaul_aware"
    ] = "proportional_fair"
    csi: Literal["perfect", "delayed", "learnware"] = "delayed"
    processing_delay_ms: Annotated[float, Field(ge=0.0, le=100.0)] = 0.5
    #: ``csi = "delayed"``: ``"nr"`` follows the NR CSI timeline (periodic CSI-RS, the
    #: UE's report in an uplink slot, the fiber round trip and the edge's processing,
    #: :mod:`rof.edge.csi_timeline`); ``"fixed"`` delays every report by the fiber round
    #: trip plus ``processing_delay_ms`` only.
    csi_timeline: Literal["nr", "fixed"] = "nr"
    #: CSI-RS and report period, slots (TS 38.331 CSI-ResourcePeriodicityAndOffset).
    csi_rs_period_slots: Literal[4, 5, 8, 10, 16, 20, 32, 40, 64, 80, 160, 320, 640] = 10
    csi_rs_offset_slots: Annotated[int, Field(ge=0, le=639)] = 0
    #: Uplink slot of the report within the period; default the period's last slot
    #: (an uplink slot of the DDDSU pattern for periods that are multiples of 5).
    csi_report_offset_slots: Annotated[int, Field(ge=0, le=639)] | None = None
    #: CSI reference resource n_ref, slots; default 4 x 2^mu (TS 38.214 Sec. 5.2.2.5).
    csi_reference_slots: Annotated[int, Field(ge=1, le=1000)] | None = None
    #: The edge knows the reported SINR through the UE's 4-bit CQI (TS 38.214 Tables
    #: 5.2.2.1-2/-3, by radio.mcs_table); false: the unquantised SINR.
    cqi_quantised: bool = True
    #: What the UE reports of its channel quality (rof.edge.cqi_report): "per_rb", the
    #: reported SINR of every RB (through the 4-bit CQI where cqi_quantised); "wideband",
    #: one 4-bit CQI over the carrier (TS 38.214 Sec. 5.2.2.1); "subband", the wideband
    #: CQI plus a 2-bit differential CQI per subband (Table 5.2.2.1-1). The edge then
    #: knows, on every RB of a subband (wideband: of the carrier), the SINR of its CQI.
    #: "wideband" and "subband" need cqi_quantised = true, no [mimo] and no [uplink].
    cqi_report: Literal["per_rb", "wideband", "subband"] = "per_rb"
    #: Subband size, PRBs, with cqi_report = "subband": one of the two sizes TS 38.214
    #: Table 5.2.1.4-2 allows for the carrier's PRBs (24-72: 4 or 8; 73-144: 8 or 16;
    #: 145-275: 16 or 32; below 24 PRBs no subbands); left out, the larger one.
    cqi_subband_size_prbs: Literal[4, 8, 16, 32] | None = None
    traffic: Literal["full_buffer", "bursty"] = "full_buffer"
    arrival_rate_per_s: Annotated[float, Field(gt=0.0, le=1e6)] = 10.0
    file_size_bits: Annotated[float, Field(gt=0.0, le=1e12)] = 4e6
    bler_target: Annotated[float, Field(gt=0.0, le=0.5)] = 0.1
    #: Outer-loop link adaptation (rof.edge.link_adaptation.OuterLoop); false: MCS from the CQI.
    outer_loop: bool = True
    #: HARQ with chase combining of failed blocks (rof.edge.harq; EESM link abstraction):
    #: transmissions per block, round trip (slots) and processes per UE.
    harq: Literal["none", "chase"] = "none"
    harq_max_transmissions: Annotated[int, Field(ge=1, le=16)] = 4
    harq_rtt_slots: Annotated[int, Field(ge=1, le=64)] = 5
    harq_processes: Annotated[int, Field(ge=1, le=32)] = 16
    fronthaul_aware: bool = False
    fronthaul_noise: bool = True
    csi_ageing: bool = True
    wmmse_iterations: Annotated[int, Field(ge=1, le=10_000)] = 20
    wmmse_starts: Annotated[int, Field(ge=1, le=100)] = 3
    #: Coordinate-ascent polish of WMMSE under the capped rate model: powers tried per
    #: cell (0: none; see rof.edge.wmmse.wmmse_power).
    wmmse_polish_levels: Annotated[int, Field(ge=0, le=1000)] = 0
    pf_window_ttis: Annotated[int, Field(ge=1, le=1_000_000)] = 100
    dock: Annotated[str, Field(min_length=1)] = "models/dock"
    learnware: EdgeLearnware = EdgeLearnware()

    @model_validator(mode="after")
    def _cqi_report(self):
        if self.cqi_report != "per_rb" and not self.cqi_quantised:
            self._bad("cqi_quantised", f"true with cqi_report = {self.cqi_report!r} (a 4-bit CQI)")
        if self.cqi_subband_size_prbs is not None and self.cqi_report != "subband":
            self._bad(
                "cqi_subband_size_prbs",
                f"omit it with cqi_report = {self.cqi_report!r} (used by 'subband')",
            )
        return self

    def check_cqi_report(self, n_rb: int, mimo, uplink) -> None:
        """Refuse a CQI report the carrier or the run cannot have: subbands on fewer than
        24 PRBs, a subband size TS 38.214 Table 5.2.1.4-2 does not allow for ``n_rb``
        PRBs, and wideband/subband CQI with ``[mimo]`` or ``[uplink]`` (which do not
        read it)."""
        from rof.radio.csi_reporting import subband_sizes_allowed

        if self.cqi_report == "per_rb":
            return
        if (mimo is not None and mimo.scheme != "off") or uplink is not None:
            self._bad("cqi_report", "'per_rb' with [mimo] or [uplink] (they do not read it)")
        if self.cqi_report != "subband":
            return
        allowed = subband_sizes_allowed(n_rb)
        if allowed is None:
            self._bad(
                "cqi_report",
                "'per_rb' or 'wideband' on a carrier below 24 PRBs (TS 38.214 Table "
                f"5.2.1.4-2: no subbands; radio.resource_blocks = {n_rb})",
            )
        if self.cqi_subband_size_prbs not in (None, *allowed):
            self._bad(
                "cqi_subband_size_prbs",
                f"{allowed[0]} or {allowed[1]} for {n_rb} PRBs (TS 38.214 Table 5.2.1.4-2), "
                "or omit it",
            )


class Run(Section):
    """Simulation length: ``drops`` independent drops of ``ttis`` TTIs (slots) each.

    Every drop redraws the users, shadowing and fading (and PPP sites) from its own
    child of the scenario's ``SeedSequence``; the KPIs pool the users of all drops and
    carry bootstrap confidence intervals (:mod:`rof.edge.stats`). Statistics skip the
    first ``warmup_ttis`` of each drop. The defaults, one PF window of warm-up and ten
    PF windows measured (``edge.pf_window_ttis`` = 100 by default) in 4 drops, let the
    proportional-fair averages converge; a drop measured over fewer than 10 PF windows
    warns.
    """

    section: ClassVar[str] = "run"
    ttis: Annotated[int, Field(ge=1, le=10_000_000)] = 1100
    warmup_ttis: Annotated[int, Field(ge=0)] = 100
    drops: Annotated[int, Field(ge=1, le=10_000)] = 4

    @model_validator(mode="after")
    def _warmup(self):
        if self.warmup_ttis >= self.ttis:
            self._bad("warmup_ttis", f"< ttis = {self.ttis}")
        return self
