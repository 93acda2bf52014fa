"""TS 38.214 subbands (Table 5.2.1.4-2) and subband differential CQI (Table 5.2.2.1-1),
against values written out from the specification."""

from __future__ import annotations

import numpy as np
import pytest

from rof.errors import RofError
from rof.radio.csi_reporting import (
    differential_cqi,
    offset_levels,
    reconstruct_cqi,
    subband_bounds,
    subband_sizes_allowed,
)


@pytest.mark.parametrize(
    ("n_bwp", "allowed"),
    [
        (1, None),
        (23, None),  # below 24 PRBs: N/A
        (24, (4, 8)),
        (51, (4, 8)),
        (72, (4, 8)),
        (73, (8, 16)),
        (144, (8, 16)),
        (145, (16, 32)),
        (273, (16, 32)),
        (275, (16, 32)),
    ],
)
def test_subband_sizes_follow_table_5_2_1_4_2(n_bwp, allowed):
    assert subband_sizes_allowed(n_bwp) == allowed


def test_subband_sizes_refuse_a_bwp_beyond_275_prbs():
    with pytest.raises(RofError, match="n_bwp_prbs"):
        subband_sizes_allowed(276)


def test_subbands_of_an_aligned_bwp():
    # 51 PRBs in subbands of 8: six full ones and a last one of 51 mod 8 = 3 PRBs
    assert subband_bounds(51, 8).tolist() == [0, 8, 16, 24, 32, 40, 48, 51]
    assert subband_bounds(48, 8).tolist() == [0, 8, 16, 24, 32, 40, 48]
    assert subband_bounds(273, 16)[-2:].tolist() == [272, 273]


def test_subbands_of_a_bwp_not_aligned_to_the_subband_grid():
    # N_start = 3, N_sb = 4, 30 PRBs: first 4 - 3 = 1 PRB, last (3 + 30) mod 4 = 1 PRB,
    # ceil((3 + 30) / 4) = 9 subbands (TS 38.214 Sec. 5.2.1.4)
    b = subband_bounds(30, 4, start_prb=3)
    assert b.tolist() == [0, 1, 5, 9, 13, 17, 21, 25, 29, 30]


@pytest.mark.parametrize(("n_bwp", "size", "match"), [(23, 4, ">= 24"), (51, 16, "4 or 8")])
def test_subbands_refused_where_the_table_has_none(n_bwp, size, match):
    with pytest.raises(RofError, match=match):
        subband_bounds(n_bwp, size)


def test_offset_levels_of_table_5_2_2_1_1():
    assert offset_levels().tolist() == [0, 1, 2, -1]


def test_differential_cqi_saturates_as_the_table_says():
    wide = 9
    sub = np.array([9, 10, 11, 12, 15, 8, 7, 0])
    # offset 0 -> 0, +1 -> 1, >= +2 -> 2, <= -1 -> 3
    assert differential_cqi(sub, wide).tolist() == [0, 1, 2, 2, 2, 3, 3, 3]
    # the receiver: +2 for value 2, -1 for value 3 (a subband 3 better is known as +2,
    # one 2 worse as -1)
    known = reconstruct_cqi(wide, differential_cqi(sub, wide))
    assert known.tolist() == [9, 10, 11, 11, 11, 8, 8, 8]


def test_differential_cqi_broadcasts_per_ue():
    wide = np.array([[3], [14]])
    sub = np.array([[3, 5, 1], [15, 14, 12]])
    assert differential_cqi(sub, wide).tolist() == [[0, 2, 3], [1, 0, 3]]
    assert reconstruct_cqi(wide, differential_cqi(sub, wide)).tolist() == [[3, 5, 2], [15, 14, 13]]


def test_reconstruct_refuses_values_outside_two_bits():
    with pytest.raises(RofError, match=r"0 \.\. 3"):
        reconstruct_cqi(5, [4])
