"""The radio layer: deployments, TR 38.901 channels, fading, SINR and rates.

* :mod:`~rof.radio.deployment` -- hex (with 3GPP wrap-around), PPP and file site
  layouts, UE drops, the :class:`Deployment` they make;
* :mod:`~rof.radio.pathloss`, :mod:`~rof.radio.los`, :mod:`~rof.radio.shadowing`,
  :mod:`~rof.radio.o2i`, :mod:`~rof.radio.antenna` -- TR 38.901 large-scale channel;
* :mod:`~rof.radio.linktable` -- each UE's K strongest cells plus the summed rest;
* :mod:`~rof.radio.fading`, :mod:`~rof.radio.tdl` -- time-correlated Rayleigh,
  Rician and TDL fading per resource block;
* :mod:`~rof.radio.sinr` -- SINR with each site's fronthaul noise riding on its signal;
* :mod:`~rof.radio.rates` -- TS 38.214 CQI/MCS tables, BLER, attenuated Shannon.

Names load on first access, so importing the package stays cheap.
"""

from __future__ import annotations

from rof._lazy import lazy_exports

_WHERE = {
    # deployments
    "Deployment": "rof.radio.deployment",
    "hex_sites": "rof.radio.deployment",
    "make_deployment": "rof.radio.deployment",
    "ppp_sites": "rof.radio.deployment",
    "sites_from_csv": "rof.radio.deployment",
    # large-scale channel
    "breakpoint_distance_m": "rof.radio.pathloss",
    "pathloss_38901": "rof.radio.pathloss",
    "pathloss_power_law": "rof.radio.pathloss",
    "los_probability_38901": "rof.radio.los",
    "sf_decorrelation_m": "rof.radio.shadowing",
    "shadow_fading_std_db": "rof.radio.shadowing",
    "AntennaPattern": "rof.radio.antenna",
    "antenna_gain_db": "rof.radio.antenna",
    "draw_o2i_loss": "rof.radio.o2i",
    "LinkTable": "rof.radio.linktable",
    "build_link_table": "rof.radio.linktable",
    # small-scale fading
    "FadingProcess": "rof.radio.fading",
    "doppler_hz": "rof.radio.fading",
    "tdl_profile": "rof.radio.tdl",
    # SINR
    "channel_gain": "rof.radio.sinr",
    "noise_power_w": "rof.radio.sinr",
    "sinr_per_link": "rof.radio.sinr",
    "sinr_scheduled": "rof.radio.sinr",
    "effective_sinr": "rof.radio.effective_sinr",
    # rates
    "SE_MAX_NR_256QAM": "rof.radio.rates",
    "bler": "rof.radio.rates",
    "cqi_table": "rof.radio.rates",
    "mcs_table": "rof.radio.rates",
    "select_cqi": "rof.radio.rates",
    "select_mcs": "rof.radio.rates",
    "shannon_attenuated": "rof.radio.rates",
    "spectral_efficiency": "rof.radio.rates",
    "tb_bits": "rof.radio.rates",
}

__all__, __getattr__, __dir__ = lazy_exports(__name__, _WHERE)
