"""Scheduler registry: names, the fronthaul-aware wrapper, errors."""

import numpy as np
import pytest

from rof.edge import SCHEDULERS, FronthaulAware, make_scheduler
from rof.edge.fronthaul import fiber_lengths_km
from rof.errors import RofError


def test_unknown_scheduler_lists_valid_names():
    with pytest.raises(RofError) as exc:
        make_scheduler("best_effort")
    msg = str(exc.value)
    assert "edge.scheduler" in msg
    for name in (*SCHEDULERS, "fronthaul_aware"):
        assert repr(name) in msg


def test_fronthaul_aware_wraps_any_scheduler():
    for name in SCHEDULERS:
        s = make_scheduler(name, fronthaul_aware=True)
        assert isinstance(s, FronthaulAware) and s.inner.name == name
    assert make_scheduler("fronthaul_aware", inner="wmmse").inner.name == "wmmse"


def test_fiber_lengths():
    xy = np.array([[0.0, 0.0], [300.0, 400.0], [-300.0, -400.0]])
    np.testing.assert_allclose(fiber_lengths_km(xy, "centroid", 1.5), [0.0, 0.75, 0.75])
    np.testing.assert_allclose(
        fiber_lengths_km(xy, [0.0, 400.0], 1.0), [0.4, 0.3, np.hypot(0.3, 0.8)]
    )
    np.testing.assert_allclose(fiber_lengths_km(xy, "centroid", 1.5, 20.0), [20.0] * 3)
    with pytest.raises(RofError, match="edge_location"):
        fiber_lengths_km(xy, "north")
