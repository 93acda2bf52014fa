"""`rof dock build` is deterministic, bounded in size, and opened read-only unchanged."""

import hashlib

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from rof.edge.chanpred.build import build_channel_dock as build_dock
from rof.edge.chanpred.task import SHIPPED_SCENARIOS
from rof.learnware import Dock
from rof.learnware.paths import default_dock_path


def _digest(path):
    h = hashlib.sha256()
    for p in sorted(q for q in path.rglob("*") if q.is_file()):
        h.update(str(p.relative_to(path)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    kw = dict(n_train=150, reduced_size=10, scenarios=SHIPPED_SCENARIOS[:2], regressor=Ridge)
    a = build_dock(tmp_path / "a", seed=1, **kw)
    b = build_dock(tmp_path / "b", seed=1, **kw)
    c = build_dock(tmp_path / "c", seed=2, **kw)
    assert _digest(a) == _digest(b) != _digest(c)
    before = _digest(a)
    with Dock(a, read_only=True) as dock:
        assert [i.name for i in sorted(dock.list(), key=lambda i: i.name)] == sorted(
            s.name for s in SHIPPED_SCENARIOS[:2]
        )
        lw = dock.load(dock.list()[0].id)
        assert np.isfinite(lw.predict(lw.spec.sample(5, np.random.default_rng(0)))).all()
    assert _digest(a) == before  # no -wal/-shm, nothing rewritten
    # rebuilding over an existing dock replaces it
    build_dock(a, seed=2, **kw)
    assert _digest(a) == _digest(c)


def test_shipped_dock_is_small_and_complete(shipped_dock_path):
    size = sum(p.stat().st_size for p in shipped_dock_path.rglob("*") if p.is_file())
    assert size < 20 * 2**20
    with Dock(shipped_dock_path, read_only=True) as dock:
        assert {i.name for i in dock.list()} == {s.name for s in SHIPPED_SCENARIOS}
    assert len(SHIPPED_SCENARIOS) >= 12


@pytest.mark.slow
def test_shipped_dock_equals_a_fresh_build(tmp_path):
    shipped = default_dock_path()
    assert (shipped / "index.sqlite").is_file(), "run `rof dock build` to create models/dock"
    assert _digest(build_dock(tmp_path / "dock")) == _digest(shipped)
