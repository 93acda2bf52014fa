"""Outer-loop link adaptation (the effective SINR is tested in tests/radio)."""

import numpy as np
import pytest

from rof.edge.link_adaptation import OuterLoop
from rof.errors import RofError


def test_outer_loop_converges_to_bler_target():
    """With a fixed error probability curve p(offset), OLLA settles where p = target."""
    rng = np.random.default_rng(1)
    ol = OuterLoop(n_ue=200, bler_target=0.1, step_up_db=0.3)
    # error probability falls with the offset (backing off makes blocks safer)
    for _ in range(4000):
        p_err = 1.0 / (1.0 + np.exp(2.0 * ol.offset_db))
        err = rng.random(200) < p_err
        ol.update(np.arange(200), err)
    p_final = 1.0 / (1.0 + np.exp(2.0 * ol.offset_db))
    # fixed point: p = 0.1  <=>  offset = ln(9) / 2
    assert abs(np.mean(p_final) - 0.1) < 0.02
    assert abs(np.mean(ol.offset_db) - np.log(9) / 2) < 0.15


def test_outer_loop_rejects_bad_target():
    with pytest.raises(RofError, match="bler_target"):
        OuterLoop(3, bler_target=1.2)


def test_outer_loop_offset_is_bounded():
    ol = OuterLoop(2, bler_target=0.1, step_up_db=1.0, max_offset_db=4.0)
    for _ in range(20):
        ol.update(np.array([0, 1]), np.array([True, False]))
    np.testing.assert_allclose(ol.offset_db, [4.0, -20 / 9])
    for _ in range(200):
        ol.update(np.array([1]), np.array([False]))
    assert ol.offset_db[1] == -4.0
