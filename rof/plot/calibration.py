"""The TR 38.901 large-scale calibration of a scenario, drawn against the published
curves (:mod:`rof.radio.calibration`; the command is :mod:`rof.calibrate`).

``rof calibrate scenarios/calibration_uma.toml`` takes the scenario's ``[deployment]``
and ``[radio]`` keys (layout, antenna, h_E, O2I, minimum distance, carrier), pools
``--drops`` drops, prints the 5/50/95 % points of the coupling loss and the geometry
beside R1-165974's (UMa and UMi at 6, 30 or 70 GHz) and, with ``--plot``, writes the
CDFs with the published points.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from rof.errors import ConfigError

if TYPE_CHECKING:  # the radio layer (numba) loads only when a command runs
    from rof.radio.calibration import CalibrationResult

__all__ = ["calibrate_scenario", "calibration_figure"]


def calibrate_scenario(scn, *, drops: int = 40, seed: int | None = None) -> CalibrationResult:
    """Run the calibration statistics on a :class:`~rof.scenario.Scenario`'s layout/radio."""
    from rof.radio.calibration import run_calibration

    dep, radio = scn.deployment, scn.radio
    if dep.layout != "hex":
        raise ConfigError(
            f"deployment.layout = {dep.layout!r} cannot be calibrated; allowed: 'hex'"
        )
    if radio.scenario not in ("UMa", "UMi"):
        raise ConfigError(
            f"radio.scenario = {radio.scenario!r} cannot be calibrated; allowed: 'UMa', 'UMi'"
        )
    return run_calibration(
        radio.scenario,
        drops=drops,
        seed=scn.seed if seed is None else seed,
        fc_ghz=radio.carrier_ghz,
        ue_per_site=dep.ue_per_site,
        antenna=radio.bs_antenna_model(),
        indoor_fraction=dep.indoor_fraction,
        deployment=dict(
            n_sites=dep.n_sites,
            inter_site_distance_m=dep.inter_site_distance_m,
            sectors=dep.sectors,
            wraparound=dep.wraparound,
            ue_height_m=dep.ue_height_m,
            site_height_m=radio.site_height_m,
            min_ue_distance_m=dep.min_ue_distance_m,
        ),
        link=dict(
            shadowing=radio.shadowing,
            effective_height=radio.effective_height,
            high_loss_fraction=radio.o2i_high_loss_fraction,
            o2i_sigma_low_db=radio.o2i_sigma_low_db,
            o2i_sigma_high_db=radio.o2i_sigma_high_db,
        ),
    )


def calibration_figure(result: CalibrationResult):
    """Coupling-loss and geometry CDFs of ``result`` with the published points."""
    from matplotlib.figure import Figure

    from rof.radio.calibration import PERCENTILES, published_percentiles

    fig = Figure(figsize=(10.0, 4.2), layout="constrained")
    axes = fig.subplots(1, 2)
    try:
        ref = published_percentiles(result.scenario, result.fc_ghz)
    except KeyError:
        ref = None
    for ax, metric, x, label in (
        (axes[0], "coupling_loss_db", -result.coupling_loss_db, "Coupling gain (-loss), dB"),
        (axes[1], "geometry_db", result.geometry_db, "Geometry (SIR, no noise), dB"),
    ):
        xs = np.sort(x)
        ax.plot(xs, 100 * np.arange(1, len(xs) + 1) / len(xs), label="rof")
        if ref is not None:
            rx = -ref[metric] if metric == "coupling_loss_db" else ref[metric]
            ax.plot(rx, PERCENTILES, "k+--", label="R1-165974 median")
        ax.set_xlabel(label)
        ax.set_ylabel("CDF, %")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right")
    fig.suptitle(f"TR 38.901 large-scale calibration: {result.scenario}, {result.fc_ghz:g} GHz")
    return fig
