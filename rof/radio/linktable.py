"""Link table: each UT's K strongest cells by large-scale gain plus a background sum.

For UT u and cell c (at site s) the large-scale gain is

.. math:: G_{u,c} = G_{ant}(c; \\phi, \\theta) - PL(s, u) - \\sigma_{SF} X_s(u) - L_{O2I}(u)

(dB; antenna pattern TR 38.901 Table 7.3-1, path loss Table 7.4.1-1, shadowing
Tables 7.4.1-1/7.5-6, O2I Tables 7.4.3-1/-2). Distances use the nearest wrap-around
copy of each site. The table keeps the K cells of largest G per UT (sorted) and
``background_gain = sum of 10^(G/10) over every other cell``, so an interference sum
at full power needs no n_ue x n_cells matrix.

LOS state
---------
Each (UT, site) link's LOS state is drawn independently: ``LOS = U < P_LOS(d_2D-out)``
with ``U`` a counter-based uniform (:func:`~rof.radio.kernels_channel.link_uniform`)
of the link's indices and a seed drawn from ``rng``. Every link, kept or not, thus
has a realised state, reproducible from the rng alone, and the background uses the
realised (not the probability-weighted) gain. Co-sited sectors share the state,
path loss and shadowing of their site (TR 38.901 section 7.5 step 4).

Indoor UTs of UMa/UMi/RMa use PL_b on the full 3-D distance (outdoor plus indoor
part), the LOS probability of d_2D-out = d_2D - d_2D-in, the O2I decorrelation
distance for their shadowing and add their O2I loss to every link. InH and the
power law apply no O2I loss. The power-law model has no LOS state (all NLOS) and
uses ``shadowing_std_db`` / ``shadowing_decorrelation_m``.

:func:`build_link_table` runs the streaming numba kernel
(:mod:`rof.radio.kernels_linktable`);
:func:`rof.radio.linktable_reference.link_table_reference` is its dense plain-NumPy
reference for small networks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rof.errors import ParameterError
from rof.radio._linktable_inputs import Inputs, link_table_options, prepare_inputs
from rof.radio.deployment import Deployment
from rof.radio.kernels_linktable import (
    Outputs,
    ShadowingArrays,
    SiteArrays,
    UeArrays,
    Wrap,
    link_table_kernel,
)

__all__ = ["LinkTable", "build_link_table"]


@dataclass(frozen=True)
class LinkTable:
    """The K strongest cells of every UT and the rest as a background sum.

    Attributes
    ----------
    cell : ndarray of int32, (n_ue, K)
        Cell indices, by descending large-scale gain.
    gain_db : ndarray of float32, (n_ue, K)
        Large-scale gain (antenna gain - path loss - shadowing - O2I loss), dB.
    los : ndarray of bool, (n_ue, K)
        LOS state of each kept link.
    d3d_m : ndarray of float32, (n_ue, K)
        3-D distance to the (nearest copy of the) cell's site, m.
    background_gain : ndarray of float64, (n_ue,)
        Sum of the linear large-scale gains of all cells not kept.
    """

    cell: np.ndarray
    gain_db: np.ndarray
    los: np.ndarray
    d3d_m: np.ndarray
    background_gain: np.ndarray

    def __post_init__(self):
        shape = np.shape(self.cell)
        for name in ("gain_db", "los", "d3d_m"):
            if np.shape(getattr(self, name)) != shape:
                raise ParameterError(f"LinkTable.{name} shape differs from cell's {shape}")
        if np.shape(self.background_gain) != shape[:1]:
            raise ParameterError("LinkTable.background_gain must have shape (n_ue,)")

    @property
    def n_ue(self) -> int:
        return int(self.cell.shape[0])

    @property
    def k(self) -> int:
        return int(self.cell.shape[1])


def build_link_table(
    deployment: Deployment,
    *,
    scenario: str,
    fc_ghz: float,
    k: int,
    rng: np.random.Generator,
    **options,
) -> LinkTable:
    """Build the link table of a deployment with the streaming numba kernel.

    Parameters
    ----------
    deployment : Deployment
    scenario : {"UMa", "UMi", "InH", "RMa", "power_law"}
    fc_ghz : float
        Carrier frequency, GHz (0.5..100; RMa 0.5..30).
    k : int
        Cells kept per UT, 1..n_cells.
    rng : numpy.random.Generator
        Draws, in order: O2I losses (per UT), shadowing maps, the LOS seed.
    **options
        ``shadowing`` (True), ``antenna`` (:class:`AntennaPattern`, TR defaults with
        12 deg tilt; ignored for omni cells, which have 0 dBi), ``high_loss_fraction``
        (0.5), ``inh_office`` ("mixed"|"open"), power law ``pathloss_exponent``
        (3.76), ``reference_loss_db`` (128.1) at ``reference_distance_m`` (1000:
        TR 36.942's 128.1 + 37.6 log10(R/km)), ``shadowing_std_db`` (8 dB) and
        ``shadowing_decorrelation_m`` (50 m) for the power law, ``shadowing_maps``
        ("auto"|"independent"|"shared", see :mod:`rof.radio.shadowing`), RMa
        ``street_width_m`` (20) and ``building_height_m`` (5).

    Returns
    -------
    LinkTable

    Notes
    -----
    Memory is O(n_ue K + shadowing maps); no n_ue x n_cells array is formed. Path
    loss beyond the TR's maximum distance is extrapolated silently (such cells only
    feed the background); distances below the minimum are clamped to it.
    """
    inp = prepare_inputs(deployment, scenario, fc_ghz, k, rng, link_table_options(options))
    dep = deployment
    n, kk = dep.n_ue, inp.k
    out = Outputs(
        cell=np.empty((n, kk), np.int32),
        gain=np.empty((n, kk), np.float32),
        los=np.empty((n, kk), np.bool_),
        d3d=np.empty((n, kk), np.float32),
        background=np.empty(n, np.float64),
    )
    link_table_kernel(
        UeArrays(
            _spatial_order(dep.ue_xy_m),
            np.ascontiguousarray(dep.ue_xy_m, float),
            np.ascontiguousarray(dep.ue_height_m, float),
            inp.o2i_db,
            inp.d_in,
            inp.o2i_state,
        ),
        SiteArrays(
            np.ascontiguousarray(dep.site_xy_m, float),
            np.ascontiguousarray(dep.site_height_m, float),
            dep.site_cell_ptr,
            np.ascontiguousarray(dep.cell_azimuth_deg, float),
        ),
        _wrap(dep),
        inp.formulas,
        inp.prop,
        _shadowing_arrays(inp, dep.n_sites),
        inp.ant,
        inp.seed,
        kk,
        out,
    )
    return LinkTable(out.cell, out.gain, out.los, out.d3d, out.background)


def _wrap(dep: Deployment) -> Wrap:
    shifts = np.ascontiguousarray(dep.wrap_shifts_m, float)
    if np.any(shifts[0] != 0.0):
        raise ParameterError("Deployment.wrap_shifts_m[0] must be the zero shift (0, 0)")
    r_safe2 = (np.hypot(*shifts[1:].T).min() / 2) ** 2 if len(shifts) > 1 else np.inf
    torus_side = _square_torus_side(shifts)
    if torus_side > 0.0:
        r_safe2 = np.inf
    return Wrap(shifts, float(r_safe2), torus_side)


def _shadowing_arrays(inp: Inputs, n_sites: int) -> ShadowingArrays:
    maps = inp.maps
    if maps is None:
        empty = np.zeros((0, 1, 1), np.int16)
        return ShadowingArrays(
            False,
            inp.sigma,
            empty,
            empty,
            empty,
            np.ones(3),
            np.zeros(n_sites, np.int64),
            np.zeros((n_sites, 2)),
        )
    return ShadowingArrays(
        True, inp.sigma, *maps.fields, maps.spacing_m, maps.map_index, maps.offset_cells
    )


def _square_torus_side(shifts: np.ndarray) -> float:
    """Side L if the shifts are exactly the 9 copies {-L, 0, L}^2 of a square torus."""
    if len(shifts) != 9:
        return 0.0
    side = float(np.abs(shifts).max())
    want = {(a, b) for a in (-side, 0.0, side) for b in (-side, 0.0, side)}
    have = {(float(a), float(b)) for a, b in shifts}
    return side if side > 0 and have == want else 0.0


def _spatial_order(xy: np.ndarray, cell_m: float = 32.0) -> np.ndarray:
    """UT visiting order along a Morton (Z-order) curve of ``cell_m`` cells."""
    if len(xy) == 0:
        return np.zeros(0, np.int64)
    q = np.floor((xy - xy.min(axis=0)) / cell_m).astype(np.uint64) & np.uint64(0xFFFF)
    key = np.zeros(len(xy), np.uint64)
    for b in range(16):
        bit = np.uint64(b)
        key |= ((q[:, 0] >> bit) & np.uint64(1)) << np.uint64(2 * b)
        key |= ((q[:, 1] >> bit) & np.uint64(1)) << np.uint64(2 * b + 1)
    return np.argsort(key, kind="stable").astype(np.int64)
