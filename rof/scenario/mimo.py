"""The ``[mimo]`` table: multi-antenna cells, precoding across sites, per-antenna fronthaul.

A scenario with a ``[mimo]`` table runs :func:`rof.edge.mimo.loop.simulate_mimo` (what
:func:`rof.edge.simulate`, ``rof run`` and ``rof sweep`` do with it); without one, or with
``scheme = "off"``, cells have the single fixed-beam antenna of the link table and
``edge.scheduler`` schedules them (the single-antenna baseline, a sweep axis value).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from rof.scenario.section import Section

__all__ = ["Mimo"]


class Mimo(Section):
    """Antennas per cell, the transmission scheme and the analog branch of each antenna.

    ``scheme``: ``"off"`` (no multi-antenna loop: the single-antenna cells under
    ``edge.scheduler``), ``"single"`` (per-cell MU-MIMO), ``"cb"`` (coordinated beamforming:
    nulls toward the users of neighbouring cells), ``"jt_static"`` (joint transmission over
    disjoint clusters of ``cluster_size`` nearby cells) or ``"jt_user"`` (joint transmission
    from each user's ``cluster_size`` strongest cells); see :mod:`rof.edge.mimo.cluster`.
    ``cb_nulls``: most neighbours' users a ``cb`` cell nulls per RB (strongest links first;
    default every antenna left after its own streams, each null costing its own users a
    degree of freedom of array gain). Up to ``streams_per_cell`` users per cell and RB are
    chosen by semi-orthogonal user selection (threshold ``sus_epsilon``) with PF weights,
    per cell (``single``, ``cb``) or over the union of the users of a cluster (``jt_*``;
    :mod:`rof.edge.mimo.loop`). ``subband_prbs``: RBs sharing one selection and precoder
    when the fading is frequency selective (TS 38.214 Table 5.2.1.4-2 subband sizes; 1: per
    RB). ``rician_k_db``: K factor of LOS links (default: as the single-antenna cells,
    ``radio.rician_k_db`` with ``radio.fading = "rician"`` or ``"tdl"``, none with
    ``"rayleigh"``). ``csi_bits`` quantises the reported channel (0: unquantised). Each
    antenna has its own analog link (the ``[fronthaul]`` link), with uncalibrated gain and
    phase errors of the given rms and, with ``branch_crosstalk = "wdm"``, the crosstalk of a
    WDM node carrying one wavelength per antenna (:mod:`rof.edge.mimo.branches`).
    ``branch_mux``: ``"wdm"`` (one wavelength, i.e. one link, per antenna) or ``"scm"`` (the
    antennas on subcarriers of one laser: intermodulation between them from the link's
    distortion, :mod:`rof.edge.mimo.scm`; no WDM crosstalk). ``csi_feedback``: ``"full"``
    (the edge knows each antenna's reported channel) or ``"type1"`` (each UE reports a TS
    38.214 Type I single-panel PMI per cell and the edge precodes from the codebook vectors,
    :mod:`rof.edge.mimo.codebook`), with ``codebook_n1 x codebook_n2`` dual-polarised pairs
    (default ``n_ant / 2 x 1``; ``2 N1 N2 = n_ant``). ``channel``: ``"clarke"`` (each
    antenna's scattered part an independent Clarke process plus the LOS array response,
    :mod:`rof.edge.mimo.channel`) or ``"tr38901"`` (the TR 38.901 Sec. 7.5 spatial channel
    of clusters and rays, :mod:`rof.radio.spatial`: antennas correlated by the angular
    spreads, frequency selective by the delay spread; UMa and UMi only).
    """

    section: ClassVar[str] = "mimo"
    n_ant: Annotated[int, Field(ge=1, le=64)] = 8
    spacing_wavelengths: Annotated[float, Field(gt=0.0, le=10.0)] = 0.5
    scheme: Literal["off", "single", "cb", "jt_static", "jt_user"] = "jt_user"
    precoder: Literal["mrt", "zf", "rzf"] = "rzf"
    cluster_size: Annotated[int, Field(ge=1, le=64)] = 3
    cb_nulls: Annotated[int, Field(ge=0, le=63)] | None = None
    streams_per_cell: Annotated[int, Field(ge=1, le=64)] = 4
    sus_epsilon: Annotated[float, Field(gt=0.0, le=1.0)] = 0.4
    csi_bits: Annotated[int, Field(ge=0, le=16)] = 0
    rician_k_db: Annotated[float, Field(ge=-30.0, le=40.0)] | None = None
    subband_prbs: Literal[1, 2, 4, 8, 16, 32] = 1
    gain_mismatch_db: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    phase_mismatch_deg: Annotated[float, Field(ge=0.0, le=180.0)] = 0.0
    branch_crosstalk: Literal["none", "wdm"] = "none"
    branch_mux: Literal["wdm", "scm"] = "wdm"
    csi_feedback: Literal["full", "type1"] = "full"
    codebook_n1: Annotated[int, Field(ge=1, le=16)] | None = None
    codebook_n2: Annotated[int, Field(ge=1, le=16)] | None = None
    channel: Literal["clarke", "tr38901"] = "clarke"

    @model_validator(mode="after")
    def _streams(self):
        if self.streams_per_cell > self.n_ant:
            self._bad(
                "streams_per_cell",
                f"1 to mimo.n_ant = {self.n_ant} (no more streams than antennas)",
                problem="is out of range",
            )
        if self.csi_feedback == "type1":  # the (N1, N2) table is checked by the codebook
            n1 = self.codebook_n1 if self.codebook_n1 is not None else self.n_ant // 2
            n2 = self.codebook_n2 if self.codebook_n2 is not None else 1
            if 2 * n1 * n2 != self.n_ant:
                self._bad(
                    "csi_feedback",
                    f"'full', or 'type1' with 2 N1 N2 = n_ant (dual-polarised pairs); here "
                    f"n_ant = {self.n_ant}, (N1, N2) = ({n1}, {n2})",
                    problem="does not fit the antennas",
                )
        if self.branch_mux == "scm" and self.branch_crosstalk != "none":
            self._bad(
                "branch_crosstalk",
                "'none' with branch_mux = 'scm' (one laser, no WDM node)",
                problem="needs a WDM node",
            )
        if self.branch_crosstalk == "wdm" and self.n_ant < 2:
            self._bad("branch_crosstalk", "'none' with n_ant = 1", problem="needs n_ant >= 2")
        return self
