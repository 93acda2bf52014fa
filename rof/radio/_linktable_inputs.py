"""Validated inputs and random draws of the link table, shared by the kernel and
its NumPy reference (:mod:`rof.radio.linktable`, :mod:`rof.radio.linktable_reference`).

The draws come from ``rng`` in a fixed order: O2I losses (per UT, TR 38.901
scenarios only), shadowing maps, the seed of the links' LOS uniforms and, with
``effective_height = "random"`` in UMa, the seed of the links' h_E uniforms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rof._validate import check_choice, check_int_range, check_range
from rof.errors import ParameterError
from rof.radio.antenna import AntennaPattern
from rof.radio.arrays import PanelArray, antenna_vector, bs_antenna
from rof.radio.deployment import Deployment
from rof.radio.kernels_linktable import Propagation
from rof.radio.los import INH_VARIANTS
from rof.radio.o2i import draw_o2i_loss
from rof.radio.shadowing import make_shadowing_maps
from rof.radio.tr38901 import SCENARIO_NAMES, get_scenario
from rof.radio.tr38901.model import Formulas

__all__ = ["DEFAULTS", "MODELS", "Inputs", "link_table_options", "prepare_inputs"]

#: Propagation models of the link table: the TR 38.901 registry and the power law.
MODELS = (*SCENARIO_NAMES, "power_law")
#: The Formulas value passed for the power law (the kernel reads none of its fields).
_NO_FORMULAS = Formulas(pathloss_form=-1)


@dataclass(frozen=True)
class Inputs:
    """Validated model inputs and random draws shared by the kernel and the reference."""

    scenario: str
    formulas: Formulas
    prop: Propagation
    sigma: np.ndarray
    o2i_db: np.ndarray
    d_in: np.ndarray
    o2i_state: np.ndarray
    maps: object
    seed: np.uint64
    k: int
    ant: np.ndarray
    antenna: object = None


def _propagation(opts, fc, d_min=0.0, d_min_3d=False, power_law=None):
    return Propagation(
        power_law=power_law is not None,
        fc_ghz=fc,
        d_min_m=d_min,
        d_min_3d=d_min_3d,
        building_height_m=float(opts["building_height_m"]),
        street_width_m=float(opts["street_width_m"]),
        inh_open=opts["inh_office"] == "open",
        pl_ref_db=power_law[1] if power_law else 0.0,
        pl_exponent=power_law[0] if power_law else 1.0,
        pl_d0_m=power_law[2] if power_law else 1.0,
    )


def _power_law_model(dep, fc, opts):
    """Propagation, sigma, decorrelation distances and (zero) O2I of the power law."""
    pl = (
        check_range("pathloss_exponent", opts["pathloss_exponent"], 0.0, lo_open=True),
        check_range("reference_loss_db", opts["reference_loss_db"]),
        check_range("reference_distance_m", opts["reference_distance_m"], 0.0, lo_open=True),
    )
    std = 8.0 if opts["shadowing_std_db"] is None else opts["shadowing_std_db"]
    std = check_range("shadowing_std_db", std, 0.0)
    dcorr = [
        np.nan,
        check_range(
            "shadowing_decorrelation_m", opts["shadowing_decorrelation_m"], 0.0, lo_open=True
        ),
        np.nan,
    ]
    n = dep.n_ue
    o2i = (np.zeros(n), np.zeros(n), np.zeros(n, bool))
    prop = _propagation(opts, fc, power_law=pl)
    return _NO_FORMULAS, prop, np.array([std, std, std]), dcorr, o2i


def _tr38901_model(dep, scenario, fc, rng, opts):
    """Propagation, sigma, decorrelation distances and O2I draws of a TR 38.901 scenario."""
    sc = get_scenario(scenario)
    lim = sc.limits(True)
    check_range("fc_ghz", fc, lim["fc_min_ghz"], lim["fc_max_ghz"])
    check_range(
        f"site_height_m ({scenario})", dep.site_height_m, lim["h_bs_min_m"], lim["h_bs_max_m"]
    )
    check_range(f"ue_height_m ({scenario})", dep.ue_height_m, lim["h_ut_min_m"], lim["h_ut_max_m"])
    sigma = np.array(
        [
            sc.sigma_sf_db(True),
            sc.sigma_sf_db(True, after_breakpoint=True),
            sc.sigma_sf_db(False),
        ]
    )
    states = sc.sf_states()
    dcorr = [sc.sf_decorrelation_m(s) for s in states] + [np.nan] * (3 - len(states))
    if opts["o2i_loss"] is not None:  # drawn once per UT and shared (two-tier networks)
        o2i = opts["o2i_loss"]
        if np.shape(o2i.loss_db) != (dep.n_ue,):
            raise ParameterError(f"o2i_loss must hold {dep.n_ue} UTs")
    else:
        o2i = draw_o2i_loss(
            scenario,
            dep.ue_indoor,
            fc,
            rng,
            high_loss_fraction=opts["high_loss_fraction"],
            sigma_low_db=opts["o2i_sigma_low_db"],
            sigma_high_db=opts["o2i_sigma_high_db"],
        )
    o2i = (o2i.loss_db, o2i.d2d_in_m, dep.ue_indoor & sc.has_o2i)
    prop = _propagation(opts, fc, float(lim["d_min_m"]), sc.min_distance_3d)
    return sc.formulas, prop, sigma, dcorr, o2i


def prepare_inputs(dep, scenario, fc_ghz, k, rng, opts) -> Inputs:
    """Check the inputs, draw O2I, shadowing maps and the LOS seed from ``rng``."""
    if not isinstance(dep, Deployment):
        raise TypeError("deployment must be a rof.radio.deployment.Deployment")
    check_choice("scenario", scenario, MODELS)
    check_choice("inh_office", opts["inh_office"], INH_VARIANTS)
    k = check_int_range("k", k, 1, dep.n_cells)
    fc = check_range("fc_ghz", fc_ghz, 0.5, 100.0)
    ant = opts["antenna"] if opts["antenna"] is not None else AntennaPattern()
    if isinstance(ant, str):
        ant = bs_antenna(ant)
    if not isinstance(ant, AntennaPattern | PanelArray):
        raise TypeError("antenna must be an AntennaPattern, a PanelArray or a preset name")
    check_range("street_width_m", opts["street_width_m"], 5.0, 50.0)
    check_range("building_height_m", opts["building_height_m"], 5.0, 50.0)
    if scenario == "power_law":
        formulas, prop, sigma, dcorr, o2i = _power_law_model(dep, fc, opts)
    else:
        formulas, prop, sigma, dcorr, o2i = _tr38901_model(dep, scenario, fc, rng, opts)
    if opts["shadowing"]:
        b = dep.region_bounds_m
        pts = np.vstack([dep.ue_xy_m, dep.site_xy_m])
        extent = max(b[2] - b[0], b[3] - b[1], *(np.ptp(pts, axis=0) if len(pts) else (1.0,)), 1.0)
        maps = make_shadowing_maps(dcorr, dep.n_sites, extent, rng, mode=opts["shadowing_maps"])
    else:
        maps = None
    seed = np.uint64(rng.integers(0, 2**63))
    check_choice("effective_height", opts["effective_height"], ("mean", "random"))
    if opts["effective_height"] == "random" and formulas.h_e_uma:
        prop = prop._replace(h_e_random=True, h_e_seed=int(rng.integers(0, 2**63)))
    antv = antenna_vector(ant)
    return Inputs(scenario, formulas, prop, sigma, *o2i, maps, seed, k, antv, ant)


#: Options of :func:`rof.radio.linktable.build_link_table` and their defaults.
DEFAULTS = dict(
    shadowing=True,
    antenna=None,
    high_loss_fraction=0.5,
    inh_office="mixed",
    pathloss_exponent=3.76,
    reference_loss_db=128.1,
    reference_distance_m=1000.0,
    shadowing_std_db=None,
    shadowing_decorrelation_m=50.0,
    shadowing_maps="auto",
    street_width_m=20.0,
    building_height_m=5.0,
    effective_height="mean",
    o2i_sigma_low_db=None,
    o2i_sigma_high_db=None,
    o2i_loss=None,
)


def link_table_options(options: dict) -> dict:
    """``options`` over :data:`DEFAULTS`; a TypeError names unknown ones."""
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise TypeError(f"unknown link-table option(s) {unknown}; allowed: {sorted(DEFAULTS)}")
    return {**DEFAULTS, **options}
