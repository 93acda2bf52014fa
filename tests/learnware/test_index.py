"""The verified index: edited rows, wrong sizes, orphans, corrupt files, safe paths.

Each defect of issue 17's "steerable search", "data loss" and "raw errors" lists,
driven through the public API and the ``rof`` command (exit 2, one line).
"""

import os
import sqlite3
import time

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from rof.cli import main
from rof.errors import DataError
from rof.learnware import Dock, RKMESpecification
from rof.learnware.build import check_target, write_dock
from rof.learnware.schema import FeatureSchema
from rof.learnware.verify import verify_dock

SCHEMA = FeatureSchema("toy", ("a", "b", "c"), (0.0,) * 3, (1.0,) * 3, 0.3)
CENTRES = {"near": [0, 0, 0], "far": [4, 4, 4], "mid": [2, 0, 0]}


def _spec(centre, rng, n=200):
    x = rng.normal(size=(n, 3)) + np.asarray(centre, float)
    return x, RKMESpecification.fit(x, 10, rng=rng, schema=SCHEMA)


@pytest.fixture
def dock_dir(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "dock"
    with Dock(path) as d:
        for name, c in CENTRES.items():
            x, spec = _spec(c, rng)
            d.submit(Ridge().fit(x, x[:, 0]), spec, {"name": name})
    return path


def _user(rng=None):
    return _spec(CENTRES["near"], rng or np.random.default_rng(9))[1]


def _ids(path):
    with Dock(path, read_only=True) as d:
        return {i.name: i.id for i in d.list()}


def _edit(path, sql, args=()):
    con = sqlite3.connect(path / "index.sqlite")
    con.execute(sql, args)
    con.commit()
    con.close()


def test_edited_self_term_cannot_steer_the_search(dock_dir):
    ids = _ids(dock_dir)
    with Dock(dock_dir, read_only=True) as d:
        assert d.search(_user()).best.name == "near"
    _edit(dock_dir, "UPDATE learnwares SET self_term = -100 WHERE id = ?", (ids["far"],))
    with Dock(dock_dir, read_only=True) as d, pytest.raises(DataError, match="disagrees"):
        d.search(_user())
    rep = verify_dock(dock_dir)
    assert not rep.ok and any(ids["far"] in p for p in rep.problems)
    assert verify_dock(dock_dir, repair=True).repaired
    assert verify_dock(dock_dir).ok
    with Dock(dock_dir, read_only=True) as d:
        res = d.search(_user())
    assert res.best.name == "near" and res.best.mmd > 0


def test_swapped_z_blob_cannot_make_a_far_learnware_the_best_match(dock_dir):
    ids = _ids(dock_dir)
    con = sqlite3.connect(dock_dir / "index.sqlite")
    z, b, st = con.execute(
        "SELECT z, beta, self_term FROM learnwares WHERE id = ?", (ids["near"],)
    ).fetchone()
    con.execute(
        "UPDATE learnwares SET z = ?, beta = ?, self_term = ? WHERE id = ?", (z, b, st, ids["far"])
    )
    con.commit()
    con.close()
    with Dock(dock_dir, read_only=True) as d, pytest.raises(DataError, match="disagrees"):
        d.search(_user())


@pytest.mark.parametrize("m", [10**6, -1, 0, 11])
def test_wrong_m_is_refused_before_any_kernel_reads(dock_dir, m):
    ids = _ids(dock_dir)
    _edit(dock_dir, "UPDATE learnwares SET m = ? WHERE id = ?", (m, ids["mid"]))
    with Dock(dock_dir, read_only=True) as d, pytest.raises(DataError, match="malformed"):
        d.search(_user())


def test_orphans_of_a_killed_submission_are_cleaned_up(dock_dir):
    # a submission killed after writing its model object, before its record and row
    from rof.learnware.objects import ObjectStore

    store = ObjectStore(dock_dir / "objects")
    old = store.write(b"PK\x03\x04 half a submission")
    fresh = store.write(b"PK\x03\x04 a submission in flight")
    tmp = store.path(fresh).with_name(".abc.123.tmp")
    tmp.write_bytes(b"partial")
    past = time.time() - 7200
    for p in (store.path(old), tmp):
        os.utime(p, (past, past))
    rep = verify_dock(dock_dir)
    assert len(rep.orphans) == 2 and not rep.problems
    verify_dock(dock_dir, repair=True)
    assert not store.path(old).exists() and not tmp.exists()
    assert store.path(fresh).exists()  # younger than the grace period: left alone
    assert len(_ids(dock_dir)) == 3


def test_corrupt_or_truncated_index_is_one_line_and_repairable(dock_dir, capsys):
    db = dock_dir / "index.sqlite"
    good = db.read_bytes()
    for bad in (b"this is not sqlite" * 100, good[: len(good) // 3]):
        db.write_bytes(bad)
        for side in ("-wal", "-shm"):
            (dock_dir / f"index.sqlite{side}").unlink(missing_ok=True)
        with pytest.raises(DataError, match=r"verify --repair|unreadable|not a readable"):
            Dock(dock_dir, read_only=True).search(_user())
        code = main(["dock", "list", "--dock", str(dock_dir)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
        assert main(["dock", "verify", "--dock", str(dock_dir), "--repair"]) == 0
        assert set(_ids(dock_dir)) == set(CENTRES)


def test_dock_path_that_is_a_file_is_one_line(tmp_path, capsys):
    f = tmp_path / "afile"
    f.write_text("x")
    with pytest.raises(DataError, match="is a file"):
        Dock(f)
    assert main(["dock", "list", "--dock", str(f)]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert f.read_text() == "x"


@pytest.mark.parametrize("name", ["dock?mode=rwc", "dock#frag", "a?b#c"])
def test_special_characters_in_a_read_only_dock_path(tmp_path, dock_dir, name):
    target = tmp_path / name
    os.replace(dock_dir, target)
    before = sorted(p.name for p in tmp_path.iterdir())
    with Dock(target, read_only=True) as d:
        assert len(d.list()) == 3 and d.search(_user()).best.name == "near"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_build_out_refuses_a_users_directory(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    (out / "data").mkdir()
    with pytest.raises(DataError, match=r"not a dock \(2 entries: data, thesis.tex\)"):
        check_target(out)
    code = main(["dock", "build", "--out", str(out), "--n-train", "60", "--quiet"])
    assert code == 2 and "--force" in capsys.readouterr().err
    assert (out / "thesis.tex").read_text() == "precious"
    assert check_target(out, force=True) == ["data", "thesis.tex"]
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(DataError, match="is a file"):
        check_target(f)


def test_write_dock_with_force_says_what_it_removes(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "old.txt").write_text("x")
    said = []
    rng = np.random.default_rng(1)

    def fill(d):
        x, spec = _spec([0, 0, 0], rng)
        d.submit(Ridge().fit(x, x[:, 0]), spec, {"name": "one"})

    write_dock(out, fill, force=True, progress=said.append)
    assert any("removing 1 entries" in s and "old.txt" in s for s in said)
    assert not (out / "old.txt").exists() and len(_ids(out)) == 1


def test_large_dock_search_through_the_approximate_index(dock_dir, monkeypatch):
    """Above EXACT_LIMIT rows the dock ranks with SpecIndex; the answer is the exact one."""
    import rof.learnware.dock as dock_mod

    with Dock(dock_dir, read_only=True) as d:
        want = d.search(_user())
    monkeypatch.setattr(dock_mod, "EXACT_LIMIT", 1)
    with Dock(dock_dir, read_only=True) as d:
        got = d.search(_user())
        assert d._ann  # the approximate path ran
    assert [h.id for h in got.hits] == [h.id for h in want.hits]
    assert [h.mmd for h in got.hits] == pytest.approx([h.mmd for h in want.hits], abs=1e-12)
