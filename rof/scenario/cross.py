"""Checks across the tables of a scenario, run when a :class:`~rof.scenario.Scenario`
is validated: the TR 38.901 model's range of carrier and heights, the fiber's reach and
the light left at the farthest site's photodiode."""

from __future__ import annotations

import math

from rof.scenario import checks
from rof.scenario.messages import bound
from rof.scenario.sections import CrossFieldError, Deployment, Fronthaul, Radio

__all__ = ["check_fiber", "check_mimo_channel", "check_model_validity"]


def check_model_validity(dep: Deployment, radio: Radio) -> None:
    """Carrier and heights inside the applicability range of the chosen TR 38.901
    scenario (TR 38.901 V17 Table 7.4.1-1, through :mod:`rof.radio.tr38901`), and at
    least one PPP site expected."""
    if dep.layout == "ppp" and dep.density_per_km2 * dep.area_km2 < 1.0:
        raise CrossFieldError(
            "deployment",
            "density_per_km2",
            dep.density_per_km2,
            "density_per_km2 x area_km2 >= 1 (at least one site expected)",
            problem=f"x area_km2 = {dep.density_per_km2 * dep.area_km2:.3g} expected sites",
        )
    if radio.scenario == "power_law":
        return
    from rof.radio.tr38901 import get_scenario

    lim = get_scenario(radio.scenario).limits(True)
    for section, key, value, lo, hi, unit in (
        ("radio", "carrier_ghz", radio.carrier_ghz, "fc_min_ghz", "fc_max_ghz", "GHz"),
        ("radio", "site_height_m", radio.site_height_m, "h_bs_min_m", "h_bs_max_m", "m"),
        ("deployment", "ue_height_m", dep.ue_height_m, "h_ut_min_m", "h_ut_max_m", "m"),
    ):
        if not lim[lo] <= value <= lim[hi]:
            raise CrossFieldError(
                section,
                key,
                value,
                f"{lim[lo]:g} to {lim[hi]:g} {unit} with radio.scenario = {radio.scenario!r} "
                "(TR 38.901 Table 7.4.1-1), or radio.scenario = 'power_law'",
                problem="is outside the model's range",
            )


def check_fiber(dep: Deployment, fh: Fronthaul) -> None:
    """Fiber to the farthest site within range, and enough light left at its photodiode."""
    if fh.fiber_length_km is not None:
        length_km, key, where = fh.fiber_length_km, "fiber_length_km", "every site"
    else:
        dist_m, how = checks.max_site_distance_m(dep, fh.edge_location)
        length_km = fh.fiber_route_factor * dist_m / 1e3
        key, where = "edge_location", f"{how}, {dist_m / 1e3:.4g} km away"
        limit_km = bound(Fronthaul, "fiber_length_km", "le")
        if length_km > limit_km:
            raise CrossFieldError(
                "fronthaul",
                key,
                fh.edge_location,
                f"at most {limit_km:g} km of fiber to any site (the range of "
                "fronthaul.fiber_length_km): move the edge node, shrink the layout or lower "
                "fronthaul.fiber_route_factor",
                problem=f"puts {length_km:.4g} km of fiber to {where} "
                f"(fiber_route_factor {fh.fiber_route_factor:g} x the straight line)",
            )
    p_rx_dbm = checks.received_power_dbm(fh, length_km)
    if p_rx_dbm > -20.0:  # far above any photodiode's dark current; skip the import
        return
    link = fh.rof_link()
    dark_a, resp = link.detector.dark_current_a, link.detector.responsivity_a_per_w
    att = link.fiber.attenuation_db_per_km
    photocurrent_a = resp * 1e-3 * 10.0 ** (p_rx_dbm / 10.0)
    if photocurrent_a >= dark_a:
        return
    launch = checks.launch_power_dbm(fh)
    max_loss_db = launch - 10.0 * math.log10(dark_a / resp / 1e-3)
    raise CrossFieldError(
        "fronthaul",
        "fiber.attenuation_db_per_km",
        att,
        f"a fiber loss of at most {max_loss_db:.3g} dB (attenuation x length): a shorter "
        "fiber, a lower fronthaul.fiber.attenuation_db_per_km or more launch power",
        problem=f"over {length_km:.4g} km of fiber ({key}, {where}) loses "
        f"{att * length_km:.4g} dB and leaves {p_rx_dbm:.4g} dBm at the "
        f"photodiode, a photocurrent below its {dark_a * 1e9:g} nA dark current: no signal "
        "gets through",
    )


def check_mimo_channel(mimo, radio: Radio) -> None:
    """The TR 38.901 Sec. 7.5 spatial channel (``mimo.channel = "tr38901"``) has Table
    7.5-6 parameters for UMa and UMi only (:mod:`rof.radio.spatial`)."""
    if mimo is None or mimo.channel != "tr38901" or radio.scenario in ("UMa", "UMi"):
        return
    raise CrossFieldError(
        "mimo",
        "channel",
        mimo.channel,
        f"'clarke' with radio.scenario = {radio.scenario!r}",
        problem="needs radio.scenario 'UMa' or 'UMi' (Table 7.5-6 parameters)",
    )
