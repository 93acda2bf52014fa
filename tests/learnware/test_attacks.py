"""Issue 17's attacks on the dock, each ending in one rof error while the caller survives.

Crafted trees (node indices, feature index), a schema of shared references, a zip
with a false size header, huge and deeply nested specifications, and the sandbox's
own confinement (network, writes, memory). Each crafted payload is shown to be live
where that is safe to show (the crafted tree does crash an unconfined process).
"""

import io
import json
import multiprocessing as mp
import resource
import socket
import struct
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

from rof.errors import ModelError, SecurityError
from rof.learnware import Dock, RKMESpecification
from rof.learnware.safe import audit_schema, dumps_model
from rof.learnware.sandbox import check_model
from rof.learnware.schema import FeatureSchema

D = 3
SCHEMA = FeatureSchema("toy", ("a", "b", "c"), (0.0,) * 3, (1.0,) * 3, 0.3)


def _tree():
    x = np.random.default_rng(0).normal(size=(80, D))
    return DecisionTreeRegressor(max_depth=3, random_state=0).fit(x, x[:, 0]), x


def _rewrite(data, fn):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for n in src.namelist():
            dst.writestr(n, fn(n, src.read(n)))
    return out.getvalue()


def _craft_nodes(data, edit):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        schema = json.loads(z.read("schema.json"))
    files = []

    def walk(n):
        if isinstance(n, dict):
            if n.get("__class__") == "Tree":
                files.append(n["content"]["content"]["nodes"]["file"])
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)

    walk(schema)

    def fn(name, b):
        if name not in files:
            return b
        arr = np.load(io.BytesIO(b), allow_pickle=False).copy()
        edit(arr)
        buf = io.BytesIO()
        np.save(buf, arr)
        return buf.getvalue()

    return _rewrite(data, fn)


def _bad_children(a):
    a["left_child"][0] = 2**40  # far outside any mapping
    a["right_child"][0] = -(2**40)


def _bad_feature(a):
    inner = np.flatnonzero(a["left_child"] != -1)
    a["feature"][inner[0]] = 50


@pytest.fixture(scope="module")
def spec():
    rng = np.random.default_rng(0)
    return RKMESpecification.fit(rng.normal(size=(100, D)), 5, rng=rng, schema=SCHEMA)


def test_crafted_tree_indices_crash_an_unconfined_process(tmp_path):
    """Control: the payload is live (SIGSEGV in a plain interpreter that trusts skops)."""
    m, x = _tree()
    bad = tmp_path / "bad.skops"
    bad.write_bytes(_craft_nodes(dumps_model(m), _bad_children))
    np.save(tmp_path / "x.npy", x)
    code = (
        "import numpy as np, skops.io as sio, sys\n"
        f"t = sio.loads(open({str(bad)!r}, 'rb').read(), trusted=['sklearn.tree._tree.Tree'])\n"
        f"t.predict(np.load({str(tmp_path / 'x.npy')!r}))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert r.returncode < 0  # killed by a signal


def test_crafted_tree_indices_are_refused_and_the_caller_survives(tmp_path, spec):
    m, x = _tree()
    bad = _craft_nodes(dumps_model(m), _bad_children)
    with pytest.raises(SecurityError, match="crafted"):
        Dock(tmp_path / "dock").submit(bad, spec, {})
    # even without the array checks, the crash stays in the sandbox
    with pytest.raises(SecurityError, match=r"crashed its sandbox|crafted|corrupt|could not"):
        check_model(bad, x[:16], max_bytes=2**24, prevalidate=False)
    assert len(Dock(tmp_path / "dock")) == 0


def test_out_of_range_feature_index_is_refused(tmp_path, spec):
    m, _ = _tree()
    with pytest.raises(SecurityError, match=r"reads feature 50; allowed: 0 to 2"):
        Dock(tmp_path / "dock").submit(_craft_nodes(dumps_model(m), _bad_feature), spec, {})


def _shared_schema(depth):
    """A ListNode chain: each level lists the level below and a reference to it.

    The reference is a stub carrying the same ``__id__``, which skops resolves to the
    memoised node, so the file grows linearly while skops' audit walks 2^depth paths.
    """
    node = {
        "__class__": "int",
        "__module__": "builtins",
        "__loader__": "JsonNode",
        "content": "1",
        "is_json": True,
        "__id__": 1,
    }
    for level in range(depth):
        stub = {
            "__class__": "list",
            "__module__": "builtins",
            "__loader__": "ListNode",
            "content": [],
            "__id__": node["__id__"],
        }
        node = {
            "__class__": "list",
            "__module__": "builtins",
            "__loader__": "ListNode",
            "content": [node, stub],
            "__id__": level + 2,
        }
    return node


def _zip_with_schema(schema) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("schema.json", json.dumps({**schema, "protocol": 2, "_skops_version": "0.16"}))
    return buf.getvalue()


def test_shared_reference_schema_is_refused_in_bounded_time(tmp_path, spec):
    data = _zip_with_schema(_shared_schema(64))
    assert len(data) < 20_000
    t0 = time.perf_counter()
    with pytest.raises(SecurityError, match="shared references"):
        audit_schema(data)
    with pytest.raises(SecurityError, match="shared references"):
        Dock(tmp_path / "dock").submit(data, spec, {})
    assert time.perf_counter() - t0 < 30.0
    audit_schema(_zip_with_schema(_shared_schema(8)))  # 2^9 visits: fine


def _false_size_zip(real_bytes: int, declared: int) -> bytes:
    """A zip whose member decompresses to real_bytes but whose headers say declared."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("schema.json", "{}")
        z.writestr("big.npy", b"\0" * real_bytes)
    data = bytearray(buf.getvalue())
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local, central header
        pos = data.find(sig, data.find(b"big.npy") - 60 if sig == b"PK\x03\x04" else 0)
        while pos >= 0:
            name_len = struct.unpack_from("<H", data, pos + (26 if sig == b"PK\x03\x04" else 28))[0]
            start = pos + (30 if sig == b"PK\x03\x04" else 46)
            if data[start : start + name_len] == b"big.npy":
                struct.pack_into("<I", data, pos + off, declared)
            pos = data.find(sig, pos + 4)
    return bytes(data)


def test_false_size_header_is_refused_with_bounded_memory(tmp_path, spec):
    data = _false_size_zip(real_bytes=400 * 2**20, declared=1000)
    assert len(data) < 2 * 2**20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(SecurityError, match=r"false size header|corrupt"):
        Dock(tmp_path / "dock").submit(data, spec, {})
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 100 * 1024  # the host never held the 400 MB


def test_huge_and_nested_specifications_are_refused(tmp_path):
    schema = FeatureSchema("big", tuple(f"f{i}" for i in range(8)), (0.0,) * 8, (1.0,) * 8, 0.1)
    with pytest.raises(ModelError, match="m = 40000 points x d = 8"):
        RKMESpecification(np.zeros((40_000, 8)), np.full(40_000, 1 / 40_000), schema, 10**5)
    doc = {
        "format": "rof.rkme/1",
        "type": "RKMESpecification",
        "schema": schema.to_dict(),
        "n_samples": 10,
        "z": [[0.0] * 8] * 12_000,
        "beta": [1 / 12_000] * 12_000,
    }
    with pytest.raises(ModelError, match="m = 12000"):
        RKMESpecification.from_dict(doc)
    deep = b'{"format": "rof.rkme/1", "z": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(ModelError):
        RKMESpecification.from_json_bytes(deep)
    p = tmp_path / "deep.json"
    p.write_bytes(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(ModelError, match=r"nests too deeply|bytes; the limit"):
        RKMESpecification.load(p)


def _confined(scratch, q):
    from rof.learnware._worker import confine

    measures = confine(str(scratch), 256 * 2**20, 20.0)
    out = {"measures": measures}
    try:
        socket.socket()
        out["socket"] = "opened"
    except PermissionError:
        out["socket"] = "refused"
    try:
        open("/tmp/rof_sandbox_escape.txt", "w").write("x")
        out["write_outside"] = "written"
    except PermissionError:
        out["write_outside"] = "refused"
    with open(scratch / "inside.txt", "w") as f:
        f.write("ok")
    out["write_inside"] = "written"
    try:
        np.ones(2**30)  # 8 GiB
        out["memory"] = "allocated"
    except MemoryError:
        out["memory"] = "refused"
    q.put(json.dumps(out))


def test_sandbox_refuses_network_outside_writes_and_memory(tmp_path):
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_confined, args=(tmp_path, q))
    p.start()
    out = json.loads(q.get(timeout=120))
    p.join(60)
    assert out["socket"] == "refused" and out["write_outside"] == "refused"
    assert out["write_inside"] == "written" and out["memory"] == "refused"
    assert out["measures"]["rlimits"] and out["measures"]["audit_hook"]
    assert (tmp_path / "inside.txt").read_text() == "ok"


def test_sandbox_accepts_good_models_and_compiles_them_exactly(spec):
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor

    x = spec.sample(300, np.random.default_rng(1))
    y = np.sin(x[:, 0]) + x[:, 1]
    for model in (
        Ridge(1.0).fit(x, y),
        DecisionTreeRegressor(max_depth=4).fit(x, y),
        RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0).fit(x, y),
        GradientBoostingRegressor(init=Ridge(), n_estimators=10, max_depth=2).fit(x, y),
    ):
        c = check_model(dumps_model(model), x[:32], max_bytes=2**24)
        np.testing.assert_allclose(c.predict(x), model.predict(x), rtol=1e-5, atol=1e-5)
    from sklearn.kernel_ridge import KernelRidge

    with pytest.raises(ModelError, match="not supported"):
        check_model(dumps_model(KernelRidge().fit(x, y)), x[:32], max_bytes=2**24)
