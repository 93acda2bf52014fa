"""The ``[uplink]`` table: an uplink run (issue 20), its power control, site LNA and combining.

A scenario with ``[uplink]`` runs the uplink (:func:`rof.edge.uplink.simulate_uplink`):
the UEs transmit with TS 38.213 clause 7.1.1 open-loop power control
(:func:`rof.radio.uplink.olpc_power_dbm`), each site amplifies its antenna signal with
its LNA and sends it over the ``[fronthaul]`` link (the site's transmitter, fiber, the
edge's photodiode; :class:`rof.link.uplink.UplinkRoFLink`), and the edge combines each
user over a cluster of sites. Ranges are the standard's: ``p0_dbm`` is
``p0-NominalPUSCH`` (TS 38.331, -202 to 24 dBm), ``alpha`` one of TS 38.331's ``Alpha``
values, ``p_cmax_dbm`` up to 33 dBm (TS 38.101-1 power classes).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator

from rof.radio.uplink import ALPHA_VALUES, P0_RANGE_DBM
from rof.scenario.section import Section

__all__ = ["Uplink"]


class Uplink(Section):
    """Uplink power control, the site LNA, the edge's post-amplifier and joint reception.

    ``p0_dbm``, ``alpha``, ``p_cmax_dbm``: :func:`rof.radio.uplink.olpc_power_dbm`.
    ``lna_*`` and ``post_*``: :class:`rof.link.uplink.RfAmplifier` (``post_gain_db = 0``
    with ``post_noise_figure_db = 0`` is no post-amplifier). ``cluster_size`` sites per
    user (its serving cell and the next strongest), combined by ``combining``
    (``"none"``: single-site reception). ``scheduler = "pf"``: per-cell
    proportional fair; ``"coordinated"``: the edge then mutes users whose interference
    costs the neighbours more than they gain (:mod:`rof.edge.uplink.schedule`).
    ``n_ant`` receive antennas per cell, a horizontal uniform linear array
    (:class:`rof.radio.PanelArray` ``(1, n_ant)``, element spacing
    ``spacing_wavelengths``; channels of :class:`rof.edge.mimo.channel.ArrayChannel`),
    each with its own LNA and ``[fronthaul]`` link; the edge combines every branch of a
    user's cluster (with ``combining = "none"`` the serving cell's antennas, by MMSE).
    """

    section: ClassVar[str] = "uplink"
    p0_dbm: Annotated[float, Field(ge=P0_RANGE_DBM[0], le=P0_RANGE_DBM[1])] = -90.0
    alpha: float = 0.8
    p_cmax_dbm: Annotated[float, Field(ge=-40.0, le=33.0)] = 23.0
    lna_gain_db: Annotated[float, Field(ge=0.0, le=60.0)] = 30.0
    lna_noise_figure_db: Annotated[float, Field(ge=0.0, le=30.0)] = 1.5
    lna_p1db_in_dbm: Annotated[float, Field(ge=-80.0, le=40.0)] = -30.0
    post_gain_db: Annotated[float, Field(ge=0.0, le=60.0)] = 20.0
    post_noise_figure_db: Annotated[float, Field(ge=0.0, le=30.0)] = 5.0
    post_p1db_in_dbm: Annotated[float, Field(ge=-80.0, le=40.0)] = 0.0
    cluster_size: Annotated[int, Field(ge=1, le=16)] = 3
    combining: Literal["none", "mrc", "mmse"] = "mmse"
    scheduler: Literal["pf", "coordinated"] = "pf"
    max_rb_per_ue: Annotated[int, Field(ge=1, le=275)] = 275
    n_ant: Annotated[int, Field(ge=1, le=64)] = 1
    spacing_wavelengths: Annotated[float, Field(gt=0.0, le=10.0)] = 0.5

    @field_validator("alpha")
    @classmethod
    def _alpha(cls, v: float) -> float:
        if not any(v == a for a in ALPHA_VALUES):
            raise ValueError(
                "allowed: one of "
                + ", ".join(f"{a:g}" for a in ALPHA_VALUES)
                + " (TS 38.331 Alpha)"
            )
        return v

    def amplifier_tables(self) -> dict[str, dict[str, float]]:
        """The ``lna`` and ``post_amplifier`` tables of :func:`rof.link.uplink.build_uplink`."""
        out = {
            "lna": {
                "gain_db": self.lna_gain_db,
                "noise_figure_db": self.lna_noise_figure_db,
                "p1db_in_dbm": self.lna_p1db_in_dbm,
            }
        }
        if self.post_gain_db > 0.0 or self.post_noise_figure_db > 0.0:
            out["post_amplifier"] = {
                "gain_db": self.post_gain_db,
                "noise_figure_db": self.post_noise_figure_db,
                "p1db_in_dbm": self.post_p1db_in_dbm,
            }
        return out
