"""The dock as an HTTP service (``rof dock serve``), an ASGI app on Starlette and Uvicorn.

Routes (JSON unless stated)::

    GET  /v1/health                      {"learnwares": n, "read_only": bool}
    GET  /v1/learnwares[?task=&name=]    list of {id, name, task, carrier_band, meta}
    GET  /v1/tasks                       {task: feature schema} (to fit a spec locally)
    POST /v1/search                      {"spec": <RKMESpecification.to_dict()>,
                                          "top_k": 5, "mmd_threshold": null}
                                         -> {matched, message, threshold, hits, mixture}
    POST /v1/learnwares                  {"model_b64": ..., "spec": {...}, "meta": {...}}
                                         with "Authorization: Bearer <token>" -> {"id"}
    GET  /v1/learnwares/{id}/model       the submitted .skops bytes
    GET  /v1/learnwares/{id}/spec        the specification JSON

A search sends only the user's specification (never data). Anonymous clients may
only read; submitting needs the server's token (compared in constant time), and a
server started without a token is read-only. Every request body is bounded
(``max_body_bytes``; a larger ``Content-Length`` or stream is answered 413 before it
is read), every client address has a token bucket (``rate_per_s``, ``burst``;
429 when empty), and submissions are checked in the sandbox off the event loop.
Errors are one JSON line ``{"error": ...}`` with 400 (bad input), 401/403 (token),
404, 413 or 429.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import threading
import time
from pathlib import Path

from rof.errors import DataError, RofError
from rof.learnware.dock import Dock
from rof.learnware.spec import MAX_SPEC_BYTES, RKMESpecification

__all__ = ["make_app", "result_to_dict", "serve"]

#: Default largest request body, bytes (a model of 20 MiB in base64 plus its spec).
MAX_BODY_BYTES = 32 * 2**20


class _Buckets:
    """Token bucket per client address."""

    def __init__(self, rate_per_s: float, burst: int):
        self.rate, self.burst = float(rate_per_s), float(burst)
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._state.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            ok = tokens >= 1.0
            self._state[key] = (tokens - 1.0 if ok else tokens, now)
            return ok


def result_to_dict(res) -> dict:
    """JSON form of a :class:`~rof.learnware.search.SearchResult`."""
    return {
        "matched": res.matched,
        "message": res.message,
        "threshold": res.threshold,
        "hits": [{"id": h.id, "name": h.name, "mmd": h.mmd, "meta": h.meta} for h in res.hits],
        "mixture": None
        if res.mixture is None
        else {"ids": res.mixture.ids, "weights": res.mixture.weights, "mmd": res.mixture.mmd},
    }


def make_app(
    dock_path,
    *,
    token: str | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    rate_per_s: float = 50.0,
    burst: int = 200,
):
    """The Starlette app serving the dock at ``dock_path`` (module docstring)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    dock = Dock(dock_path, read_only=token is None)
    buckets = _Buckets(rate_per_s, burst)

    def err(status: int, msg: str) -> JSONResponse:
        return JSONResponse({"error": str(msg)[:500]}, status_code=status)

    async def body_json(request: Request):
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > max_body_bytes):
            return None, err(413, f"request body is over {max_body_bytes} bytes")
        chunks, got = [], 0
        async for chunk in request.stream():
            got += len(chunk)
            if got > max_body_bytes:
                return None, err(413, f"request body is over {max_body_bytes} bytes")
            chunks.append(chunk)
        try:
            return json.loads(b"".join(chunks)), None
        except (ValueError, RecursionError):
            return None, err(400, "request body is not valid JSON")

    def guarded(handler):
        async def wrapped(request: Request):
            client = request.client.host if request.client else "?"
            if not buckets.take(client):
                return err(429, "rate limit exceeded; retry later")
            try:
                return await handler(request)
            except DataError as exc:
                status = 404 if str(exc).startswith("no learnware") else 400
                return err(status, exc)
            except RofError as exc:
                return err(400, exc)

        return wrapped

    async def health(request: Request):
        n = await run_in_threadpool(len, dock)
        return JSONResponse({"learnwares": n, "read_only": dock.read_only})

    async def listing(request: Request):
        filters = {k: v for k, v in request.query_params.items() if k in ("task", "name")}
        infos = await run_in_threadpool(dock.list, filters or None)
        return JSONResponse(
            [
                {
                    "id": i.id,
                    "name": i.name,
                    "task": i.task,
                    "carrier_band": i.carrier_band,
                    "meta": i.meta,
                }
                for i in infos
            ]
        )

    async def tasks(request: Request):
        rows = await run_in_threadpool(dock._q, "SELECT task FROM tasks ORDER BY task")
        out = {}
        for (task,) in rows:
            schema = await run_in_threadpool(dock.schema, task)
            out[task] = schema.to_dict()
        return JSONResponse(out)

    async def search(request: Request):
        body, bad = await body_json(request)
        if bad is not None:
            return bad
        if not isinstance(body, dict) or not isinstance(body.get("spec"), dict):
            return err(400, 'body must be {"spec": {...}, "top_k": int}')
        spec = RKMESpecification.from_dict(body["spec"])
        top_k = body.get("top_k", 5)
        thr = body.get("mmd_threshold")
        if not isinstance(top_k, int) or (thr is not None and not isinstance(thr, int | float)):
            return err(400, "top_k must be an integer and mmd_threshold a number or null")
        res = await run_in_threadpool(dock.search, spec, top_k, None, mmd_threshold=thr)
        return JSONResponse(result_to_dict(res))

    async def submit(request: Request):
        if token is None:
            return err(403, "this dock service is read-only (started without a token)")
        auth = request.headers.get("authorization", "")
        given = auth[7:] if auth.startswith("Bearer ") else ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            return err(401, "submitting needs the service's token (Authorization: Bearer ...)")
        body, bad = await body_json(request)
        if bad is not None:
            return bad
        try:
            model = base64.b64decode(body["model_b64"], validate=True)
            spec = RKMESpecification.from_dict(body["spec"])
            meta = body.get("meta") or {}
        except (KeyError, TypeError, ValueError):
            return err(400, 'body must be {"model_b64": str, "spec": {...}, "meta": {...}}')
        if not isinstance(meta, dict):
            return err(400, "meta must be a JSON object")
        lw_id = await run_in_threadpool(dock.submit, model, spec, meta)
        return JSONResponse({"id": lw_id}, status_code=201)

    async def model_file(request: Request):
        data = await run_in_threadpool(dock.model_file, request.path_params["lw_id"])
        return Response(data, media_type="application/octet-stream")

    async def spec_file(request: Request):
        lw_id = request.path_params["lw_id"]
        (sha,) = await run_in_threadpool(dock._row, lw_id, "spec_sha")
        data = await run_in_threadpool(dock.objects.read, sha, MAX_SPEC_BYTES)
        return Response(data, media_type="application/json")

    routes = [
        Route("/v1/health", guarded(health)),
        Route("/v1/learnwares", guarded(listing), methods=["GET"]),
        Route("/v1/learnwares", guarded(submit), methods=["POST"]),
        Route("/v1/search", guarded(search), methods=["POST"]),
        Route("/v1/tasks", guarded(tasks)),
        Route("/v1/learnwares/{lw_id}/model", guarded(model_file)),
        Route("/v1/learnwares/{lw_id}/spec", guarded(spec_file)),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        dock.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.dock = dock
    return app


def serve(
    dock_path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str | None = None,
    **kw,
) -> None:
    """Run the service with Uvicorn until interrupted (loopback by default)."""
    import uvicorn

    app = make_app(Path(dock_path), token=token, **kw)
    uvicorn.run(app, host=host, port=int(port), log_level="warning", access_log=False)
