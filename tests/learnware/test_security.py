"""Submissions that would run code when loaded are rejected, and nothing in them runs.

Each payload is first shown to be live (the negative control: an unsafe loader does
create the marker file), then a fresh copy goes through the dock and the marker must
not appear.
"""

import io
import pickle
import sys
import textwrap
import zipfile

import numpy as np
import pytest
import skops.io as sio
from sklearn.linear_model import Ridge

from rof.errors import SecurityError
from rof.learnware import Dock, RKMESpecification
from rof.learnware.safe import check_archive, dumps_model, loads_model


def _marker_pickle(marker) -> bytes:
    # protocol-2 pickle whose loading calls builtins.exec on a string (classic RCE)
    code = f"open({str(marker)!r}, 'w').write('pwned')"

    class Evil:
        def __reduce__(self):
            return (exec, (code,))

    return pickle.dumps(Evil(), protocol=2)


@pytest.fixture
def spec():
    rng = np.random.default_rng(0)
    return RKMESpecification.fit(rng.normal(size=(100, 3)), 5, rng=rng)


@pytest.fixture
def evil_module(tmp_path, monkeypatch):
    """An importable class whose __setstate__ writes the marker file named in its state."""
    mod = tmp_path / "rof_evil_payload.py"
    mod.write_text(
        textwrap.dedent(
            """
            class Trojan:
                def __init__(self, marker):
                    self.marker = marker
                def __setstate__(self, state):
                    open(state["marker"], "w").write("pwned")
                    self.__dict__.update(state)
                def predict(self, X):
                    return X[:, 0]
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import rof_evil_payload

    yield rof_evil_payload
    sys.modules.pop("rof_evil_payload", None)


def test_crafted_pickle_is_rejected_and_never_runs(tmp_path, spec):
    marker = tmp_path / "marker_pickle"
    payload = _marker_pickle(marker)
    pickle.loads(payload)  # control: the payload is live
    assert marker.exists()
    marker.unlink()
    f = tmp_path / "model.skops"
    f.write_bytes(payload)
    with pytest.raises(SecurityError, match="pickle"):
        Dock(tmp_path / "dock").submit(f, spec, {})
    with pytest.raises(SecurityError, match="pickle"):
        loads_model(payload)
    assert not marker.exists()


def test_skops_file_with_untrusted_type_is_rejected_and_never_runs(tmp_path, spec, evil_module):
    marker = tmp_path / "marker_skops"
    data = sio.dumps(evil_module.Trojan(str(marker)))
    assert "rof_evil_payload.Trojan" in sio.get_untrusted_types(data=data)
    sio.loads(data, trusted=["rof_evil_payload.Trojan"])  # control: trusting it runs it
    assert marker.exists()
    marker.unlink()
    dock = Dock(tmp_path / "dock")
    with pytest.raises(SecurityError, match=r"untrusted types.*Trojan"):
        dock.submit(data, spec, {})
    assert not marker.exists()
    assert len(dock) == 0


def test_zip_with_parent_paths_is_rejected(tmp_path, spec):
    good = dumps_model(Ridge().fit(np.eye(3), np.arange(3.0)))
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buf, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("../../escaped.txt", b"owned")
    with pytest.raises(SecurityError, match="path traversal"):
        Dock(tmp_path / "dock").submit(buf.getvalue(), spec, {})
    assert not (tmp_path / "escaped.txt").exists()
    for bad in ("/etc/passwd", "a\\..\\b", "C:evil"):
        b2 = io.BytesIO()
        with zipfile.ZipFile(b2, "w") as z:
            z.writestr("schema.json", "{}")
            z.writestr(bad, b"x")
        with pytest.raises(SecurityError):
            check_archive(b2.getvalue())


def test_zip_bomb_and_symlink_are_rejected():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("schema.json", "{}")
        z.writestr("big.npy", b"\0" * (3 * 2**20))
    with pytest.raises(SecurityError, match="zip bomb"):
        check_archive(buf.getvalue(), max_unpacked_bytes=2**20)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("schema.json", "{}")
        info = zipfile.ZipInfo("link")
        info.external_attr = (0o120777) << 16
        z.writestr(info, "/etc/passwd")
    with pytest.raises(SecurityError, match="symbolic link"):
        check_archive(buf.getvalue())


def test_safe_roundtrip_and_canonical_bytes():
    x = np.random.default_rng(1).normal(size=(50, 3))
    m1 = Ridge().fit(x, x[:, 0])
    m2 = Ridge().fit(x, x[:, 0])
    assert dumps_model(m1) == dumps_model(m2)
    np.testing.assert_array_equal(loads_model(dumps_model(m1)).predict(x), m1.predict(x))
    # the safe module never imports pickle or joblib
    src = open(sys.modules["rof.learnware.safe"].__file__).read()
    assert "import pickle" not in src and "import joblib" not in src
