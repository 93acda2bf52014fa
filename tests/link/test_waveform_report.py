"""The NR waveform report of rof link --waveform: EVM table, numerology, plots.

References: TS 38.104 Table 5.3.2-1 (FR1) and -2 (FR2) for the subcarrier spacings a
bandwidth exists at; the report's own measured figures printed unchanged.
"""

from __future__ import annotations

import pytest

from rof.errors import ParameterError
from rof.link import RoFLink
from rof.link.waveform_report import (
    default_scs_khz,
    format_waveform_report,
    plot_waveform_report,
    run_waveform_report,
)
from rof.photonics import CWLaser, Fiber, MachZehnderModulator, Photodiode


def _mzm():
    return MachZehnderModulator(CWLaser(power_dbm=16.0), v_pi_v=3.5)


@pytest.mark.parametrize(
    ("rf_hz", "bw_mhz", "scs"),
    [
        (3.5e9, 100, 30.0),  # FR1 prefers 30 kHz
        (3.5e9, 5, 30.0),
        (0.7e9, 50, 30.0),
        (28e9, 400, 120.0),  # FR2: 400 MHz only at 120 kHz
        (28e9, 50, 120.0),
    ],
)
def test_default_scs_follows_the_ts38104_tables(rf_hz, bw_mhz, scs):
    assert default_scs_khz(rf_hz, bw_mhz) == scs


def test_default_scs_refuses_a_bandwidth_no_numerology_has():
    with pytest.raises(ParameterError, match="bandwidth_mhz = 33"):
        default_scs_khz(3.5e9, 33)
    with pytest.raises(ParameterError, match="bandwidth_mhz = 400"):
        default_scs_khz(3.5e9, 400)  # FR1 has no 400 MHz carrier


def test_report_and_plots(tmp_path):
    link = RoFLink(_mzm(), Fiber(5.0), Photodiode())
    rep = run_waveform_report(
        link, [0.8e9, 1.0e9], bandwidth_mhz=20, scs_khz=60, n_symbols=2, keep_waveforms=True
    )
    assert len(rep["carriers"]) == 2
    paths = plot_waveform_report(rep, str(tmp_path / "wf"))
    assert all((tmp_path / p.split("/")[-1]).stat().st_size > 1000 for p in paths)
    text = format_waveform_report(rep)
    lines = text.splitlines()
    assert len(lines) == 2 + len(rep["carriers"])
    for line, c in zip(lines[2:], rep["carriers"], strict=True):
        assert f"{c['evm_percent']:9.3f}" in line and f"{c['rf_hz'] / 1e9:12.4f}" in line
