"""The dock as a service: a real Uvicorn process on loopback and a real HTTP client.

Concurrency (issue 17 item 5): 4 clients x 25 concurrent submissions leave exactly 100
entries and 100 concurrent searches all succeed, with no failed request. Limits
(token, request size, rate) through the same app in process.
"""

import asyncio
import base64
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from sklearn.linear_model import Ridge

httpx = pytest.importorskip("httpx")
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from rof.learnware import Dock, RKMESpecification  # noqa: E402
from rof.learnware.safe import dumps_model  # noqa: E402
from rof.learnware.schema import FeatureSchema  # noqa: E402

SCHEMA = FeatureSchema("toy", ("a", "b", "c"), (0.0,) * 3, (1.0,) * 3, 0.3)
TOKEN = "s3cret-token-for-tests-0123456789"


def _entry(i, rng):
    centre = np.array([np.cos(i), np.sin(i), 0.05 * i])
    x = rng.normal(scale=0.3, size=(60, 3)) + centre
    spec = RKMESpecification.fit(x, 5, rng=rng, schema=SCHEMA)
    model = dumps_model(Ridge().fit(x, x[:, 0] * (i + 1)))
    return model, spec, centre


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    dock = tmp_path / "dock"
    Dock(dock).close()
    port = _free_port()
    env = {**os.environ, "ROF_DOCK_TOKEN": TOKEN}
    cmd = [
        sys.executable,
        "-m",
        "rof.learnware.cli",
        "serve",
        "--dock",
        str(dock),
        "--port",
        str(port),
        "--rate",
        "1000",
        "--burst",
        "1000",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if httpx.get(url + "/v1/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
    else:
        proc.kill()
        pytest.fail("the dock service did not start")
    yield url, dock
    proc.terminate()
    proc.wait(30)


def test_concurrent_submissions_and_searches_against_a_real_server(server):
    url, dock = server
    rng = np.random.default_rng(0)
    entries = [_entry(i, rng) for i in range(100)]

    async def submit_all():
        async def one_client(k):
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with httpx.AsyncClient(base_url=url, headers=headers, timeout=300) as c:
                reqs = [
                    c.post(
                        "/v1/learnwares",
                        json={
                            "model_b64": base64.b64encode(m).decode(),
                            "spec": s.to_dict(),
                            "meta": {"name": f"c{k}-{i}"},
                        },
                    )
                    for i, (m, s, _) in enumerate(entries[25 * k : 25 * (k + 1)])
                ]
                return await asyncio.gather(*reqs)

        return [r for rs in await asyncio.gather(*(one_client(k) for k in range(4))) for r in rs]

    t0 = time.perf_counter()
    subs = asyncio.run(submit_all())
    t_sub = time.perf_counter() - t0
    assert [r.status_code for r in subs] == [201] * 100, {r.status_code for r in subs}
    assert len({r.json()["id"] for r in subs}) == 100
    listed = httpx.get(url + "/v1/learnwares", timeout=60).json()
    assert len(listed) == 100
    assert {e["name"] for e in listed} == {f"c{k}-{i}" for k in range(4) for i in range(25)}

    async def search_all():
        async with httpx.AsyncClient(base_url=url, timeout=300) as c:
            reqs = [
                c.post("/v1/search", json={"spec": s.to_dict(), "top_k": 3}) for _, s, _ in entries
            ]
            return await asyncio.gather(*reqs)

    t0 = time.perf_counter()
    found = asyncio.run(search_all())
    t_search = time.perf_counter() - t0
    assert [r.status_code for r in found] == [200] * 100
    names = [r.json()["hits"][0]["name"] for r in found]
    assert names == [f"c{i // 25}-{i % 25}" for i in range(100)]  # each finds itself
    print(f"\n100 submissions in {t_sub:.1f} s, 100 searches in {t_search:.2f} s")
    with Dock(dock, read_only=True) as d:
        assert len(d) == 100


def test_client_and_cli_search_by_url(server, tmp_path, capsys):
    from rof.cli import main
    from rof.learnware.client import DockClient

    url, _ = server
    rng = np.random.default_rng(1)
    model, spec, _ = _entry(3, rng)
    with DockClient(url, token=TOKEN) as c:
        lw_id = c.submit(model, spec, {"name": "three"})
        assert c.download(lw_id) == model
        assert c.search(spec).best.id == lw_id
    spec_path = spec.save(tmp_path / "spec.json")
    assert main(["dock", "search", str(spec_path), "--url", url]) == 0
    assert "three" in capsys.readouterr().out
    rows = tmp_path / "rows.csv"  # fitted locally under the service's schema
    x = spec.sample(200, np.random.default_rng(4), jitter=0.05)
    np.savetxt(rows, x, delimiter=",", header="a,b,c", comments="")
    assert main(["dock", "search", str(rows), "--url", url, "--json"]) == 0
    assert '"name": "three"' in capsys.readouterr().out
    with DockClient(url) as anonymous, pytest.raises(Exception, match="401"):
        anonymous.submit(model, spec, {"name": "nope"})


def test_limits_token_size_and_rate_in_process(tmp_path):
    from starlette.testclient import TestClient

    from rof.learnware.service import make_app

    Dock(tmp_path / "dock").close()
    rng = np.random.default_rng(2)
    model, spec, _ = _entry(1, rng)
    body = {"model_b64": base64.b64encode(model).decode(), "spec": spec.to_dict(), "meta": {}}
    app = make_app(tmp_path / "dock", token=TOKEN, max_body_bytes=4096, burst=6, rate_per_s=0.01)
    with TestClient(app) as c:
        assert c.post("/v1/learnwares", json=body).status_code == 401
        r = c.post("/v1/learnwares", json=body, headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401
        big = c.post("/v1/search", content=b"{" + b" " * 10_000 + b"}")
        assert big.status_code == 413
        assert c.post("/v1/search", content=b"not json").status_code == 400
        assert c.get("/v1/learnwares/0123456789abcdef/model").status_code == 404
        codes = [c.get("/v1/health").status_code for _ in range(5)]
        assert codes[-1] == 429 and 200 in codes
    ro = make_app(tmp_path / "dock")  # no token: read-only
    with TestClient(ro) as c:
        r = c.post("/v1/learnwares", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 403
