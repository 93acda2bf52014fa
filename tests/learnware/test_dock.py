"""Dock: submit/check, search ranking and mixture, list/load/remove, concurrency."""

import json
import multiprocessing as mp

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from rof.errors import DataError, ModelError
from rof.learnware import Dock, RKMESpecification
from rof.learnware.dock import carrier_band
from rof.learnware.schema import FeatureSchema

SCHEMA = FeatureSchema("toy", ("a", "b", "c"), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), 0.3)
CENTRES = {"p": [0, 0, 0], "q": [2.5, 0, 0], "r": [0, 2.5, 0], "s": [0, 0, 2.5]}


def _task(centre, rng, n=400, slope=1.0):
    x = rng.normal(size=(n, 3)) + np.asarray(centre, float)
    return x, slope * x[:, 0] - x[:, 1]


def _submit(dock, name, rng, **meta):
    x, y = _task(CENTRES[name], rng)
    spec = RKMESpecification.fit(x, 20, rng=rng, schema=SCHEMA)
    return dock.submit(Ridge(1.0).fit(x, y), spec, {"name": name, **meta})


@pytest.fixture
def dock(tmp_path):
    rng = np.random.default_rng(0)
    d = Dock(tmp_path / "dock")
    for i, name in enumerate(CENTRES):
        _submit(d, name, rng, carrier_ghz=3.5 if i % 2 == 0 else 28.0)
    yield d
    d.close()


def test_search_ranks_the_generating_task_first(dock):
    rng = np.random.default_rng(1)
    for name, c in CENTRES.items():
        x, _ = _task(c, rng, n=300)
        res = dock.search(RKMESpecification.fit(x, 15, rng=rng, schema=SCHEMA), top_k=4)
        assert res.best.name == name
        assert [h.mmd for h in res.hits] == sorted(h.mmd for h in res.hits)
        assert res.matched and len(res.hits) == 4


def test_mixture_weights_recover_a_two_task_mix(dock):
    rng = np.random.default_rng(2)
    xq, _ = _task(CENTRES["q"], rng, n=300)
    xs, _ = _task(CENTRES["s"], rng, n=300)
    res = dock.search(
        RKMESpecification.fit(np.vstack([xq, xs]), 30, rng=rng, schema=SCHEMA), top_k=4
    )
    w = dict(zip([dock_name(dock, i) for i in res.mixture.ids], res.mixture.weights, strict=True))
    assert w["q"] + w["s"] > 0.9
    assert abs(w["q"] - 0.5) < 0.15
    assert sum(res.mixture.weights) == pytest.approx(1.0)
    assert res.mixture.mmd < res.best.mmd


def dock_name(dock, lw_id):
    return next(i.name for i in dock.list() if i.id == lw_id)


def test_filters_and_no_good_match(dock):
    rng = np.random.default_rng(3)
    x, _ = _task(CENTRES["q"], rng)
    spec = RKMESpecification.fit(x, 15, rng=rng, schema=SCHEMA)
    fr2 = dock.search(spec, filters={"carrier_band": "FR2"})
    assert {h.name for h in fr2.hits} == {"q", "s"}
    assert dock.search(spec, filters={"name": "p"}).best.name == "p"
    assert dock.search(spec, filters={"feature_names": ["x", "y", "z"]}).hits == ()
    far = RKMESpecification.fit(
        rng.normal(size=(300, 3)) + np.array([9, 9, 9]), 15, rng=rng, schema=SCHEMA
    )
    res = dock.search(far, mmd_threshold=0.3)
    assert not res.matched and res.message.startswith("no good match")
    assert dock.search(far, mmd_threshold=0.7).matched


def test_list_load_remove(dock, tmp_path):
    infos = dock.list()
    assert len(infos) == len(dock) == 4
    assert [i.id for i in infos] == sorted(i.id for i in infos)
    lw = dock.load(infos[0].id)
    x = lw.spec.sample(10, np.random.default_rng(0))
    assert lw.predict(x).shape == (10,)
    n_obj = sum(1 for p in (tmp_path / "dock" / "objects").rglob("*") if p.is_file())
    dock.remove(infos[0].id)
    assert len(dock) == 3
    assert sum(1 for p in (tmp_path / "dock" / "objects").rglob("*") if p.is_file()) == n_obj - 4
    with pytest.raises(DataError):
        dock.load(infos[0].id)


def test_checker_rejects_with_a_reason(tmp_path):
    rng = np.random.default_rng(4)
    d = Dock(tmp_path / "d")
    x, y = _task([0, 0, 0], rng)
    spec = RKMESpecification.fit(x, 10, rng=rng, schema=SCHEMA)
    with pytest.raises(ModelError, match="expects 2 features"):
        d.submit(Ridge().fit(x[:, :2], y), spec, {})
    bad = Ridge().fit(x, y)
    bad.coef_ = np.array([np.nan, 1.0, 1.0])
    with pytest.raises(ModelError, match="NaN or infinite"):
        d.submit(bad, spec, {})
    with pytest.raises(ModelError, match="bytes; the limit"):
        Dock(tmp_path / "d2", max_model_bytes=100).submit(Ridge().fit(x, y), spec, {})
    other = FeatureSchema("toy", ("a", "b", "c"), (1.0, 0.0, 0.0), (1.0, 1.0, 1.0), 0.3)
    d.submit(Ridge().fit(x, y), spec, {})
    with pytest.raises(ModelError, match="differs from the schema"):
        d.submit(Ridge().fit(x, y), RKMESpecification.fit(x, 10, rng=rng, schema=other), {})
    with pytest.raises(ModelError, match="plain JSON"):
        d.submit(Ridge().fit(x, y), spec, {"f": object()})
    assert len(d) == 1


def test_read_only_dock_is_not_modified(dock, tmp_path):
    dock.close()
    before = {p: p.read_bytes() for p in (tmp_path / "dock").rglob("*") if p.is_file()}
    ro = Dock(tmp_path / "dock", read_only=True)
    assert len(ro.list()) == 4
    with pytest.raises(ModelError, match="read-only"):
        ro.remove(ro.list()[0].id)
    ro.close()
    after = {p: p.read_bytes() for p in (tmp_path / "dock").rglob("*") if p.is_file()}
    # a WAL-mode index gets its shared-memory side files back; nothing else changes
    # (a built dock, in rollback-journal mode, stays byte-identical: test_build.py)
    assert {p: b for p, b in after.items() if not p.name.endswith(("-shm", "-wal"))} == before


def test_carrier_band_per_ts_38104():
    assert carrier_band(3.5) == "FR1" and carrier_band(28.0) == "FR2"
    assert carrier_band(10.0) is None and carrier_band(None) is None


def _worker(path, k, n):
    rng = np.random.default_rng(100 + k)
    d = Dock(path)
    for i in range(n):
        x = rng.normal(size=(60, 3))
        spec = RKMESpecification.fit(x, 5, rng=rng, schema=SCHEMA)
        d.submit(Ridge().fit(x, x[:, 0] * i), spec, {"name": f"w{k}-{i}"})
        if i % 5 == 0:
            d.search(spec, top_k=3)
    d.close()


def test_four_processes_submitting_25_each_leave_exactly_100(tmp_path):
    path = tmp_path / "shared"  # created by the racing workers themselves
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_worker, args=(path, k, 25)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    d = Dock(path, read_only=True)
    infos = d.list()
    assert len(infos) == 100
    assert {i.name for i in infos} == {f"w{k}-{i}" for k in range(4) for i in range(25)}
    for info in infos[::10]:  # every entry loads and its hashes verify
        d.load(info.id)
    assert json.loads(json.dumps(infos[0].meta))["name"].startswith("w")
