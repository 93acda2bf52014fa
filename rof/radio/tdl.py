"""Tapped-delay-line (TDL) power delay profiles of 3GPP TR 38.901 and their frequency response.

The five TDL profiles of TR 38.901 V17.0.0 Table 7.7.2-1 .. 7.7.2-5 are shipped as data
files in ``rof/radio/tables`` (``tr38901_table7.7.2-<n>_tdl-<x>_r17.csv``). Their delays are
normalised; Section 7.7.3 scales them by the wanted rms delay spread,
``tau_n = tau_n,model * DS_desired`` (TR 38.901 Eq. 7.7-1). TDL-D and TDL-E carry a LOS
(specular) component in tap 1 next to its Rayleigh part (Ricean first tap, K1 = 13.3 dB and
22 dB).

The channel seen on a resource block centred at frequency offset ``f`` (Hz, from the carrier)
is the tap sum (TR 38.901 Section 7.7.2; Tse & Viswanath, *Fundamentals of Wireless
Communication*, 2005, Eq. 2.35)::

    H(f, t) = sum_l a_l(t) exp(-j 2 pi f tau_l),

so for uncorrelated taps of mean powers ``p_l`` the frequency correlation is the Fourier
transform of the power delay profile::

    R(df) = E[H(f + df) H*(f)] = sum_l p_l exp(-j 2 pi df tau_l).

:func:`frequency_basis` factorises the Rayleigh part as ``H = g^T B`` with ``g`` white
(Karhunen-Loeve expansion of the tap sum over the RB grid), which is exact when no singular
value is dropped and lets the fading kernel work with fewer independent processes than taps.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from rof._validate import check_choice, check_range

__all__ = [
    "TDL_PROFILES",
    "TdlProfile",
    "frequency_basis",
    "frequency_correlation",
    "median_delay_spread_s",
    "rb_frequencies_hz",
    "tdl_frequency_response",
    "tdl_profile",
]

_TABLES = Path(__file__).resolve().parent / "tables"

#: Profile name -> data file (TR 38.901 V17.0.0 Tables 7.7.2-1 .. 7.7.2-5).
TDL_PROFILES: dict[str, str] = {
    "TDL-A": "tr38901_table7.7.2-1_tdl-a_r17.csv",
    "TDL-B": "tr38901_table7.7.2-2_tdl-b_r17.csv",
    "TDL-C": "tr38901_table7.7.2-3_tdl-c_r17.csv",
    "TDL-D": "tr38901_table7.7.2-4_tdl-d_r17.csv",
    "TDL-E": "tr38901_table7.7.2-5_tdl-e_r17.csv",
}


@dataclass(frozen=True)
class TdlProfile:
    """A TR 38.901 TDL profile scaled to a delay spread, with total power normalised to 1.

    Attributes
    ----------
    name : str
        ``"TDL-A"`` .. ``"TDL-E"``.
    delay_spread_s : float
        Wanted rms delay spread DS (s) used to scale the normalised delays (Eq. 7.7-1).
    delays_s : ndarray, shape (L,)
        Delays of the Rayleigh taps (s).
    powers : ndarray, shape (L,)
        Mean linear powers of the Rayleigh taps; ``powers.sum() + los_power == 1``.
    los_power : float
        Linear power of the specular first-tap component (0 for NLOS profiles TDL-A/B/C).
    los_delay_s : float
        Delay of the specular component (s; 0 in the TR tables).
    """

    name: str
    delay_spread_s: float
    delays_s: np.ndarray
    powers: np.ndarray
    los_power: float
    los_delay_s: float

    @property
    def k_factor_db(self) -> float:
        """K factor of the first tap, specular over its Rayleigh part (dB); -inf if NLOS."""
        if self.los_power == 0.0:
            return float("-inf")
        first = self.powers[self.delays_s == self.los_delay_s].sum()
        return float(10.0 * np.log10(self.los_power / first))


@lru_cache(maxsize=8)
def _read_table(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    path = _TABLES / TDL_PROFILES[name]
    delays, powers, los = [], [], []
    with path.open(newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        for row in rows:
            delays.append(float(row["normalized_delay"]))
            powers.append(float(row["power_db"]))
            los.append(row["fading"].strip() == "los")
    return np.array(delays), np.array(powers), np.array(los, dtype=bool)


def tdl_profile(name: str = "TDL-C", delay_spread_s: float = 100e-9) -> TdlProfile:
    """Load a TR 38.901 TDL profile and scale it to ``delay_spread_s``.

    Parameters
    ----------
    name : {"TDL-A", "TDL-B", "TDL-C", "TDL-D", "TDL-E"}
        Profile of TR 38.901 Tables 7.7.2-1 .. 7.7.2-5.
    delay_spread_s : float
        rms delay spread in seconds, ``(0, 10e-6]`` (TR 38.901 Table 7.7.3-1 lists 10 ns to
        1000 ns as typical values).

    Returns
    -------
    TdlProfile
        Delays scaled per TR 38.901 Eq. 7.7-1; tap powers normalised so that the total
        (specular plus Rayleigh) power is 1.

    Examples
    --------
    >>> p = tdl_profile("TDL-D", 30e-9)
    >>> round(p.k_factor_db, 1)
    13.3
    """
    check_choice("tdl_profile.name", name, tuple(TDL_PROFILES))
    ds = check_range("tdl_profile.delay_spread_s", delay_spread_s, 0.0, 10e-6, lo_open=True)
    delays, power_db, los = _read_table(name)
    lin = 10.0 ** (power_db / 10.0)
    total = lin.sum()
    los_power = float(lin[los].sum() / total)
    los_delay = float(delays[los][0] * ds) if los.any() else 0.0
    return TdlProfile(
        name=name,
        delay_spread_s=ds,
        delays_s=delays[~los] * ds,
        powers=lin[~los] / total,
        los_power=los_power,
        los_delay_s=los_delay,
    )


def rb_frequencies_hz(n_rb: int, rb_bandwidth_hz: float) -> np.ndarray:
    """Centre frequencies of ``n_rb`` adjacent resource blocks relative to the carrier (Hz).

    ``f_b = (b - (n_rb - 1) / 2) * rb_bandwidth_hz`` for ``b = 0 .. n_rb - 1``.
    """
    return (np.arange(n_rb) - (n_rb - 1) / 2.0) * float(rb_bandwidth_hz)


def tdl_frequency_response(taps, delays_s, freqs_hz) -> np.ndarray:
    """Frequency response of tap gains: ``H(f) = sum_l a_l exp(-j 2 pi f tau_l)``.

    Plain-NumPy reference of the TDL tap sum (TR 38.901 Section 7.7.2).

    Parameters
    ----------
    taps : array_like, complex, shape (..., L)
        Complex tap gains ``a_l``.
    delays_s : array_like, shape (L,)
        Tap delays (s).
    freqs_hz : array_like, shape (F,)
        Frequencies relative to the carrier (Hz).

    Returns
    -------
    ndarray, complex128, shape (..., F)
    """
    phase = np.exp(-2j * np.pi * np.outer(np.asarray(delays_s), np.asarray(freqs_hz)))
    return np.asarray(taps) @ phase


def frequency_correlation(profile: TdlProfile, df_hz) -> np.ndarray:
    """Closed-form frequency correlation of a TDL channel.

    ``R(df) = los_power * exp(-j 2 pi df tau_los) + sum_l p_l exp(-j 2 pi df tau_l)``: the
    Fourier transform of the power delay profile (Tse & Viswanath 2005, Section 2.4.3).

    Parameters
    ----------
    profile : TdlProfile
    df_hz : array_like
        Frequency separations (Hz).

    Returns
    -------
    ndarray, complex128, same shape as ``df_hz``
    """
    df = np.asarray(df_hz, dtype=float)
    r = np.tensordot(np.exp(-2j * np.pi * df[..., None] * profile.delays_s), profile.powers, 1)
    return r + profile.los_power * np.exp(-2j * np.pi * df * profile.los_delay_s)


def frequency_basis(profile: TdlProfile, freqs_hz, energy_tolerance: float = 1e-4) -> np.ndarray:
    """Karhunen-Loeve basis ``B`` of the Rayleigh taps over a frequency grid.

    With ``M = diag(sqrt(p)) E``, ``E[l, b] = exp(-j 2 pi f_b tau_l)`` and the SVD
    ``M = U S V^H``, the Rayleigh part of the TDL response ``H = a^T M`` (``a`` white
    complex Gaussian taps) equals ``g^T (S V^H)`` with ``g = U^T a`` white again, so
    ``B = S V^H`` reproduces the tap sum's second-order statistics exactly. Rows whose
    singular values carry less than ``energy_tolerance`` of the energy (in total) are
    dropped, and each column is rescaled so the mean power per RB stays
    ``1 - los_power`` exactly.

    Parameters
    ----------
    profile : TdlProfile
    freqs_hz : array_like, shape (F,)
        RB centre frequencies (Hz).
    energy_tolerance : float
        Largest fraction of the Rayleigh energy that may be dropped, ``[0, 0.1]``;
        0 keeps every non-zero singular value (exact).

    Returns
    -------
    ndarray, complex128, shape (r, F)
        ``r <= min(L, F)`` basis rows.
    """
    tol = check_range("frequency_basis.energy_tolerance", energy_tolerance, 0.0, 0.1)
    f = np.asarray(freqs_hz, dtype=float)
    m = np.sqrt(profile.powers)[:, None] * np.exp(-2j * np.pi * np.outer(profile.delays_s, f))
    _, s, vh = np.linalg.svd(m, full_matrices=False)
    energy = s**2
    tail = np.cumsum(energy[::-1])[::-1] / energy.sum()  # tail[i] = share of rows i..end
    keep = int(np.count_nonzero(tail > tol)) if tol > 0 else int(np.count_nonzero(s > 0))
    keep = max(keep, 1)
    basis = s[:keep, None] * vh[:keep]
    col = np.sum(np.abs(basis) ** 2, axis=0)
    return basis * np.sqrt(profile.powers.sum() / col)[None, :]


def median_delay_spread_s(scenario: str, los: bool, fc_ghz: float) -> float:
    """Median rms delay spread 10^mu_lgDS of TR 38.901 Table 7.5-6 Part-1, s.

    ``mu_lgDS = a + b log10(fc)`` (UMa, RMa) or ``a + b log10(1 + fc)`` (UMi, InH),
    with the table's low-frequency floor on fc; rows in
    ``tables/tr38901_table7.5-6_lgds_r17.csv``.
    """
    from rof.radio._tables import read_table

    rows = read_table("tr38901_table7.5-6_lgds_r17.csv")
    check_choice("scenario", scenario, tuple(sorted({r["scenario"] for r in rows})))
    fc = max(float(check_range("fc_ghz", fc_ghz, 0.5, 100.0)), 0.0)
    state = "LOS" if los else "NLOS"
    r = next(r for r in rows if r["scenario"] == scenario and r["state"] == state)
    fc = max(fc, float(r["fc_min_ghz"]))
    x = fc if r["form"] == "fc" else 1.0 + fc
    return float(10.0 ** (float(r["a"]) + float(r["b"]) * np.log10(x)))
