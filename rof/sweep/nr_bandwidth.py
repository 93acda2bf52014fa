"""NR channel bandwidths and resource-block counts (TS 38.104 Tables 5.3.2-1 and 5.3.2-2).

The maximum transmission bandwidth configuration ``N_RB`` for each channel bandwidth
and subcarrier spacing is read from the data files the waveform layer ships in
``rof/signals/tables/`` (one copy of the standard's table in the package):

* ``ts38104_table5.3.2-1_r17.csv``: FR1 (410 MHz to 7.125 GHz), SCS 15/30/60 kHz;
* ``ts38104_table5.3.2-2_r17.csv``: FR2-1 (24.25 to 52.6 GHz), SCS 60/120 kHz.

Source: 3GPP TS 38.104 V17.8.0, "NR; Base Station (BS) radio transmission and
reception", clause 5.3.2. Combinations the tables mark N/A are absent from the files.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

__all__ = ["FR1_MAX_GHZ", "frequency_range", "nrb_table"]

#: Upper edge of FR1 in GHz (TS 38.104 clause 5.1, Table 5.1-1).
FR1_MAX_GHZ = 7.125

_FILES = {
    "FR1": "ts38104_table5.3.2-1_r17.csv",
    "FR2": "ts38104_table5.3.2-2_r17.csv",
}


def frequency_range(carrier_ghz: float) -> str:
    """Return ``"FR1"`` for carriers up to 7.125 GHz, else ``"FR2"``.

    TS 38.104 defines no numerology table between 7.125 and 24.25 GHz; carriers
    there (and above 52.6 GHz) are simulated with the FR2-1 table, the nearest one.
    """
    return "FR1" if carrier_ghz <= FR1_MAX_GHZ else "FR2"


@cache
def nrb_table(freq_range: str) -> dict[tuple[float, int], int]:
    """Return ``{(bandwidth_mhz, scs_khz): n_rb}`` for ``"FR1"`` or ``"FR2"``."""
    path = resources.files("rof.signals").joinpath("tables", _FILES[freq_range])
    with path.open("r", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {(float(r["bandwidth_mhz"]), int(r["scs_khz"])): int(r["n_rb"]) for r in rows}
