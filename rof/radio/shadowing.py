"""Spatially correlated shadow fading (TR 38.901 Tables 7.4.1-1 and 7.5-6).

Each site sees a zero-mean Gaussian shadowing field X(x) over UT positions with
standard deviation sigma_SF (Table 7.4.1-1, per scenario and LOS state) and the
exponential autocorrelation of TR 38.901 section 7.5 step 4 / Gudmundson (1991):

.. math:: E[X(x) X(x + r)] = \\sigma^2 \\exp(-|r| / d_{corr})

with the decorrelation distance d_corr of Table 7.5-6 (separately for LOS, NLOS and
O2I UTs). Sites' fields are independent; co-sited sectors share one.

Generation
----------
A unit-variance field is sampled on a periodic N x N grid of spacing
``d_corr / GRID_PER_DCORR`` by circulant embedding (Dietrich and Newsam, SIAM J.
Sci. Comput. 18(4), 1997): the covariance on the torus grid is diagonalised by the
2-D FFT, so ``Re`` and ``Im`` of ``FFT(sqrt(lambda / N^2) (e1 + i e2))`` are two
independent fields with exactly that covariance. A UT position reads its nearest
grid node: the marginal variance stays exactly 1 (bilinear interpolation would lower
it between nodes, and renormalising it inflates the correlation by ~15 %), and with
3 nodes per d_corr the correlation of positions a distance r apart stays within
0.02 of exp(-r / d_corr) for r from d_corr / 4 up (tests/radio/test_shadowing.py);
two UTs within one grid cell (d_corr / 3) share a value.

Two storage modes (``mode``):

* ``"independent"``: one field per site and state, each at least as large as the
  region (no repetition). Exact per the TR; chosen by ``"auto"`` while the maps take
  at most ``AUTO_INDEPENDENT_BYTES``.
* ``"shared"``: for large networks, one field per state and every site reads it
  through its own offset, a slot of a lattice whose spacing is at least ``8 d_corr``
  (so the values two sites give one UT have correlation <= exp(-8)). Marginals and
  each site's autocorrelation are exact; the approximation is that different sites'
  maps are translated copies of one realisation (UT x sees from site B what UT
  x + (o_B - o_A) sees from site A) rather than independent realisations, and that a
  map repeats every ``N * spacing`` metres (N <= 1024 unless the lattice needs more)
  when the region is larger than that. Pure translations are used (no reflections:
  a reflected copy would coincide with another site's along a line of positions).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numba
import numpy as np
import scipy.fft

from rof._validate import check_choice, check_int_range, check_range
from rof.errors import ParameterError
from rof.radio.tr38901 import get_scenario

__all__ = [
    "AUTO_INDEPENDENT_BYTES",
    "FIELD_SCALE",
    "GRID_PER_DCORR",
    "MAX_INDEPENDENT_BYTES",
    "STATES",
    "ShadowingMaps",
    "exponential_fields",
    "make_shadowing_maps",
    "sample_shadowing",
    "sf_decorrelation_m",
    "shadow_fading_std_db",
]

#: Grid nodes per decorrelation distance.
GRID_PER_DCORR: int = 3
#: Largest total map size for which ``mode="auto"`` keeps one field per site.
AUTO_INDEPENDENT_BYTES: int = 64 * 2**20
#: Maps are stored as int16 of the unit-variance field times 1 / FIELD_SCALE: the
#: quantisation step 2.4e-4 (0.002 dB at sigma = 8 dB) and the +-8 sigma range are
#: far inside the model's accuracy, and the halved footprint keeps reads in cache.
FIELD_SCALE: float = 1.0 / 4096.0
#: Largest total map size accepted for ``mode="independent"``.
MAX_INDEPENDENT_BYTES: int = 2 * 2**30
#: Shadowing states, in the order of :attr:`ShadowingMaps.fields`.
STATES: tuple[str, ...] = ("LOS", "NLOS", "O2I")


def shadow_fading_std_db(scenario: str, los: bool, *, after_breakpoint: bool = False) -> float:
    """Shadow-fading standard deviation sigma_SF of TR 38.901 Table 7.4.1-1, dB.

    RMa LOS is 4 dB before and 6 dB after the breakpoint (``after_breakpoint``).
    """
    return get_scenario(scenario).sigma_sf_db(los, after_breakpoint=after_breakpoint)


def sf_decorrelation_m(scenario: str, state: str) -> float:
    """Shadow-fading decorrelation distance of TR 38.901 Table 7.5-6 Part-1, m.

    ``state`` is "LOS", "NLOS" or "O2I" (InH has no O2I state).
    """
    return get_scenario(scenario).sf_decorrelation_m(state)


def exponential_fields(n_fields: int, n: int, spacing_m: float, d_corr_m: float, rng):
    """Unit-variance periodic Gaussian fields with covariance exp(-r / d_corr).

    Circulant embedding on an ``n x n`` torus grid (Dietrich and Newsam 1997): the
    torus (minimum-image) covariance is diagonalised by the 2-D DFT; negative
    eigenvalues (O(exp(-n spacing / 2 d_corr))) are set to zero. Each complex FFT
    yields two independent fields (its real and imaginary parts).

    Parameters
    ----------
    n_fields : int
        Number of independent fields.
    n : int
        Grid size per side (a power of two is fastest).
    spacing_m, d_corr_m : float
        Grid spacing and decorrelation distance, m.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, float32, (n_fields, n, n)
    """
    n_fields = check_int_range("n_fields", n_fields, 0)
    n = check_int_range("n", n, 2)
    dx = check_range("spacing_m", spacing_m, 0.0, lo_open=True)
    dc = check_range("d_corr_m", d_corr_m, 0.0, lo_open=True)
    amp = _amplitude(n, dc / dx)
    out = np.empty((n_fields, n, n), np.float32)
    for i in range(0, n_fields, 2):
        w = rng.standard_normal((2, n, n), dtype=np.float32)
        z = scipy.fft.fft2((w[0] + 1j * w[1]) * amp)
        out[i] = z.real
        if i + 1 < n_fields:
            out[i + 1] = z.imag
    return out


@functools.lru_cache(maxsize=8)
def _amplitude(n: int, d_corr_cells: float) -> np.ndarray:
    """sqrt(eigenvalues / n^2) of the torus covariance exp(-r / d_corr), r in cells."""
    lag = np.minimum(np.arange(n), n - np.arange(n)).astype(float)
    cov = np.exp(-np.hypot(lag[:, None], lag[None, :]) / d_corr_cells)
    amp = np.sqrt(np.clip(scipy.fft.fft2(cov).real, 0.0, None) / (n * n)).astype(np.float32)
    amp.setflags(write=False)
    return amp


@dataclass(frozen=True)
class ShadowingMaps:
    """Per-site unit-variance shadowing maps for the LOS, NLOS and O2I states.

    Attributes
    ----------
    fields : tuple of 3 int16 ndarrays, each (n_maps, n_s, n_s)
        Fields per state (``STATES`` order) in units of ``FIELD_SCALE``; an unused
        state has shape (0, 1, 1).
    spacing_m : ndarray, (3,)
        Grid spacing per state, m.
    d_corr_m : ndarray, (3,)
        Decorrelation distance per state, m (NaN if unused).
    map_index : ndarray of int64, (n_sites,)
        Which of the ``n_maps`` fields each site reads.
    offset_cells : ndarray, (n_sites, 2)
        Offset added to a position (in grid cells) before reading, per site.
    mode : str
        "independent" or "shared".
    """

    fields: tuple
    spacing_m: np.ndarray
    d_corr_m: np.ndarray
    map_index: np.ndarray
    offset_cells: np.ndarray
    mode: str

    @property
    def n_sites(self) -> int:
        return int(self.map_index.shape[0])


_EMPTY = np.zeros((0, 1, 1), np.int16)


def _quantise(f: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(f / FIELD_SCALE), -32767, 32767).astype(np.int16)


def _pow2(x: float) -> int:
    return 1 << max(1, math.ceil(math.log2(max(x, 2.0))))


def make_shadowing_maps(
    d_corr_m,
    n_sites: int,
    extent_m: float,
    rng: np.random.Generator,
    *,
    mode: str = "auto",
) -> ShadowingMaps:
    """Generate the shadowing maps of ``n_sites`` sites (module docstring).

    Parameters
    ----------
    d_corr_m : sequence of 3 floats
        Decorrelation distance per state (LOS, NLOS, O2I), m; NaN for a state that is
        not needed (see :func:`sf_decorrelation_m`).
    n_sites : int
        Number of sites (each with its own field).
    extent_m : float
        Side of the square that holds every UT position, m.
    rng : numpy.random.Generator
    mode : {"auto", "independent", "shared"}
    """
    n_sites = check_int_range("n_sites", n_sites, 1)
    extent = check_range("extent_m", extent_m, 0.0, lo_open=True)
    check_choice("mode", mode, ("auto", "independent", "shared"))
    dc = np.asarray(d_corr_m, float)
    used = np.isfinite(dc)
    spacing = np.where(used, dc / GRID_PER_DCORR, 1.0)
    n_ind = [_pow2(max(extent / s, 64.0)) if u else 1 for s, u in zip(spacing, used, strict=True)]
    total = 2 * n_sites * sum(n * n for n, u in zip(n_ind, used, strict=True) if u)
    if mode == "auto":
        mode = "independent" if total <= AUTO_INDEPENDENT_BYTES else "shared"
    if mode == "independent" and total > MAX_INDEPENDENT_BYTES:
        raise ParameterError(
            f"shadowing_maps = 'independent' needs {total / 2**20:.0f} MiB of maps for "
            f"{n_sites} sites; allowed: <= {MAX_INDEPENDENT_BYTES / 2**20:.0f} MiB "
            "(use 'shared' or 'auto')"
        )
    if mode == "independent":
        fields = tuple(
            _quantise(exponential_fields(n_sites, n, s, d, rng)) if u else _EMPTY
            for n, s, d, u in zip(n_ind, spacing, dc, used, strict=True)
        )
        return ShadowingMaps(
            fields,
            spacing,
            np.where(used, dc, np.nan),
            np.arange(n_sites, dtype=np.int64),
            np.zeros((n_sites, 2)),
            "independent",
        )
    m = math.ceil(math.sqrt(n_sites))
    n_min = _pow2(max(8 * GRID_PER_DCORR * m, 256))  # lattice slots >= 8 d_corr apart
    n_sh = min(max(_pow2(extent / spacing[used].min()), n_min), max(1024, n_min))
    # every state's grid has spacing d_corr / GRID_PER_DCORR, so in grid cells all
    # states share one covariance: draw them together (two fields per FFT)
    unit = exponential_fields(int(used.sum()), n_sh, 1.0, float(GRID_PER_DCORR), rng)
    it = iter(unit)
    fields = tuple(_quantise(next(it)[None]) if u else _EMPTY for u in used)
    slots = rng.permutation(m * m)[:n_sites]
    step = n_sh / m
    offset = np.stack([slots % m, slots // m], axis=1) * step + rng.random(2) * n_sh
    return ShadowingMaps(
        fields,
        spacing,
        np.where(used, dc, np.nan),
        np.zeros(n_sites, np.int64),
        offset,
        "shared",
    )


@numba.njit(cache=True, error_model="numpy")
def sample_one(field, spacing, m, ox, oy, x, y):  # pragma: no cover - jit
    """Unit-variance value of map ``m`` of ``field`` at (x, y) m (numba scalar).

    Same arithmetic as :func:`sample_shadowing` (its NumPy reference).
    """
    n = field.shape[1]
    u = x / spacing + ox
    v = y / spacing + oy
    i = np.int64(math.floor(u + 0.5)) & (n - 1)
    j = np.int64(math.floor(v + 0.5)) & (n - 1)
    return np.float64(field[m, j, i]) * FIELD_SCALE


def sample_shadowing(maps: ShadowingMaps, state: int, site, x_m, y_m):
    """Unit-variance shadowing of ``site`` at (x_m, y_m) for state index ``state``.

    Plain-NumPy reference of the kernel's reader: the value of the nearest grid
    node (module docstring). Multiply by :func:`shadow_fading_std_db` to get dB.

    Parameters
    ----------
    maps : ShadowingMaps
    state : int
        0 LOS, 1 NLOS, 2 O2I.
    site, x_m, y_m : array_like
        Site index and UT position, m (broadcast together).
    """
    field = maps.fields[state]
    n = field.shape[1]
    dx = float(maps.spacing_m[state])
    site, x, y = np.broadcast_arrays(
        np.asarray(site), np.asarray(x_m, float), np.asarray(y_m, float)
    )
    u = x / dx + maps.offset_cells[site, 0]
    v = y / dx + maps.offset_cells[site, 1]
    i = np.floor(u + 0.5).astype(np.int64) & (n - 1)
    j = np.floor(v + 0.5).astype(np.int64) & (n - 1)
    return field[maps.map_index[site], j, i].astype(np.float64) * FIELD_SCALE
