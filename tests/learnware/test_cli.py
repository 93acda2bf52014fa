"""`rof dock list | search | submit | build` through the registered parser."""

import json

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from rof.cli import _OneLineParser
from rof.edge.chanpred.task import FEATURE_NAMES, SHIPPED_SCENARIOS, simulate_channel_data
from rof.errors import DataError, SecurityError
from rof.learnware import RKMESpecification
from rof.learnware.cli import register
from rof.learnware.safe import dumps_model


def run(argv, capsys):
    parser = _OneLineParser(prog="rof")
    register(parser.add_subparsers(dest="command", parser_class=_OneLineParser))
    args = parser.parse_args(argv)
    code = args.handler(args)
    return code, capsys.readouterr().out


def test_list_and_search_the_shipped_dock(shipped_dock_path, tmp_path, capsys):
    code, out = run(["dock", "list", "--dock", str(shipped_dock_path), "--json"], capsys)
    assert code == 0 and len(json.loads(out)) == len(SHIPPED_SCENARIOS)
    sc = SHIPPED_SCENARIOS[4]
    x, _ = simulate_channel_data(sc, 300, np.random.default_rng(3))
    csv = tmp_path / "rows.csv"
    np.savetxt(csv, x, delimiter=",", header=",".join(FEATURE_NAMES), comments="")
    code, out = run(
        ["dock", "search", str(csv), "--dock", str(shipped_dock_path), "--json"], capsys
    )
    res = json.loads(out)
    assert code == 0 and res["matched"] and res["hits"][0]["name"] == sc.name
    code, out = run(["dock", "search", str(csv), "--dock", str(shipped_dock_path)], capsys)
    assert f"1. {sc.name}" in out and "mixture:" in out
    bad = tmp_path / "rows.txt"
    bad.write_text("1,2\n")
    with pytest.raises(DataError, match="unknown data format"):
        run(["dock", "search", str(bad), "--dock", str(shipped_dock_path)], capsys)


def test_default_dock_is_found_outside_the_source_tree(tmp_path, capsys, monkeypatch):
    """`rof dock list` with the default --dock works from any directory (the shipped
    dock), while an explicit missing path is still an error."""
    monkeypatch.chdir(tmp_path)
    code, out = run(["dock", "list", "--json"], capsys)
    assert code == 0 and len(json.loads(out)) == len(SHIPPED_SCENARIOS)
    with pytest.raises(DataError):
        run(["dock", "list", "--dock", str(tmp_path / "nowhere")], capsys)


def test_submit_files_and_reject_pickle(tmp_path, capsys):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    spec_path = RKMESpecification.fit(x, 10, rng=rng).save(tmp_path / "spec.json")
    model = tmp_path / "m.skops"
    model.write_bytes(dumps_model(Ridge().fit(x, x[:, 0])))
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"name": "toy", "carrier_ghz": 3.5}))
    dock = tmp_path / "dock"
    code, out = run(
        ["dock", "submit", str(model), str(spec_path), "--meta", str(meta), "--dock", str(dock)],
        capsys,
    )
    assert code == 0 and len(out.strip()) == 16
    code, out = run(["dock", "list", "--dock", str(dock)], capsys)
    assert "toy" in out and "FR1" in out
    evil = tmp_path / "evil.skops"
    evil.write_bytes(b"\x80\x04\x95" + b"\x00" * 20)
    with pytest.raises(SecurityError):
        run(
            ["dock", "submit", str(evil), str(spec_path), "--meta", str(meta), "--dock", str(dock)],
            capsys,
        )


def test_build_small(tmp_path, capsys, monkeypatch):
    import rof.edge.chanpred.build as b

    monkeypatch.setattr(
        b.build_channel_dock,
        "__kwdefaults__",
        {**b.build_channel_dock.__kwdefaults__, "scenarios": SHIPPED_SCENARIOS[:1]},
    )
    code, out = run(["dock", "build", "--out", str(tmp_path / "d"), "--n-train", "200"], capsys)
    assert code == 0 and SHIPPED_SCENARIOS[0].name in out and "wrote" in out


def test_unknown_task_builder_is_one_line(tmp_path, capsys):
    with pytest.raises(DataError, match="no dock builder for task 'nope'"):
        run(["dock", "build", "--task", "nope", "--out", str(tmp_path / "d")], capsys)
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize(
    "name, content, why",
    [
        ("text.csv", None, "is not a number"),
        ("short.csv", None, "values; allowed: 16"),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\xff\xfe" * 50, "not UTF-8"),
        ("header.csv", b"a,b\n1,2\n", "must be the task's feature names"),
        ("obj.npy", None, "object array"),
        ("wide.npy", None, "shape"),
    ],
)
def test_bad_search_inputs_are_one_line_exit_2(
    shipped_dock_path, tmp_path, capsys, name, content, why
):
    from rof.cli import main

    p = tmp_path / name
    head = ",".join(FEATURE_NAMES) + "\n"
    row = ",".join(["1.0"] * len(FEATURE_NAMES)) + "\n"
    if name == "text.csv":
        p.write_text(head + row + row.replace("1.0", "abc", 1))
    elif name == "short.csv":
        p.write_text(head + row + "1.0,2.0\n")
    elif name == "obj.npy":
        np.save(p, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    elif name == "wide.npy":
        np.save(p, np.zeros((5, 3)))
    else:
        p.write_bytes(content)
    code = main(["dock", "search", str(p), "--dock", str(shipped_dock_path)])
    err = capsys.readouterr().err
    assert code == 2 and why in err and err.count("\n") == 1 and "Traceback" not in err
