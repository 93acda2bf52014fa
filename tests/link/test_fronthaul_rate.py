"""CPRI line rates against the published line bit rate options (CPRI V7.0)."""

import re

import pytest

from rof.errors import RofError
from rof.link import fronthaul_rate


def test_cpri_option_3_lte_20mhz_2x2():
    r = fronthaul_rate(20e6, antennas=2, bit_width=15, oversampling=1.536)
    assert r.sample_rate_hz == pytest.approx(30.72e6)
    assert r.line_rate_bps == pytest.approx(2457.6e6)  # option 3
    assert r.analog_bandwidth_hz == pytest.approx(40e6)
    assert r.ratio == pytest.approx(2457.6e6 / 40e6)


def test_cpri_option_1_and_64b66b():
    assert fronthaul_rate(10e6, 1, 15, 1.536).line_rate_bps == pytest.approx(614.4e6)  # option 1
    # NR 100 MHz, 30 kHz: 122.88 Msample/s; 8 antennas with 64B/66B
    r = fronthaul_rate(100e6, 8, 15, line_coding="64b66b")
    assert r.sample_rate_hz == pytest.approx(122.88e6)
    assert r.line_rate_bps == pytest.approx(122.88e6 * 30 * 8 * 16 / 15 * 66 / 64)
    assert r.ratio > 40


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"bandwidth_hz": 0.0}, "bandwidth_hz"),
        ({"bandwidth_hz": 1e8, "antennas": 0}, "antennas"),
        ({"bandwidth_hz": 1e8, "bit_width": 4}, "bit_width"),
        ({"bandwidth_hz": 1e8, "oversampling": 0.5}, "oversampling"),
        ({"bandwidth_hz": 1e8, "line_coding": "nrz"}, "line_coding"),
    ],
)
def test_bad_input(kwargs, name):
    with pytest.raises(RofError, match=re.escape(name)):
        fronthaul_rate(**kwargs)
