"""Client of the dock service (``rof dock search --url``, ``rof dock submit --url``).

Sends only specifications (and, to submit, the model file), never data; answers come
back as the same :class:`~rof.learnware.search.SearchResult` a local dock gives.
Network and HTTP errors are one :class:`~rof.errors.DataError` line.
"""

from __future__ import annotations

import base64

from rof.errors import DataError, ModelError
from rof.learnware.search import MixtureResult, SearchHit, SearchResult

__all__ = ["DockClient", "result_from_dict"]


def result_from_dict(d: dict) -> SearchResult:
    """Inverse of :func:`rof.learnware.service.result_to_dict`."""
    try:
        hits = tuple(
            SearchHit(h["id"], h["name"], float(h["mmd"]), h.get("meta") or {}) for h in d["hits"]
        )
        mix = d.get("mixture")
        mixture = (
            None
            if mix is None
            else MixtureResult(
                tuple(mix["ids"]), tuple(float(w) for w in mix["weights"]), float(mix["mmd"])
            )
        )
        return SearchResult(hits, mixture, float(d["threshold"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"dock service sent a malformed search result: {exc}") from None


class DockClient:
    """HTTP client of a dock service at ``url`` (``token`` only to submit)."""

    def __init__(self, url: str, token: str | None = None, timeout_s: float = 120.0):
        import httpx

        if not url.startswith(("http://", "https://")):
            raise DataError(f"--url {url!r} must start with http:// or https://")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout_s)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _call(self, method: str, path: str, **kw):
        import httpx

        try:
            r = self._http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise DataError(f"cannot reach the dock service at {self.url}: {exc}") from None
        if r.status_code >= 400:
            try:
                msg = r.json().get("error", r.text)
            except ValueError:
                msg = r.text
            cls = ModelError if r.status_code == 400 else DataError
            raise cls(f"dock service {self.url} answered {r.status_code}: {str(msg)[:300]}")
        return r

    def list(self, **filters) -> list[dict]:
        """Learnwares of the service's dock."""
        return self._call("GET", "/v1/learnwares", params=filters).json()

    def schemas(self) -> dict:
        """The dock's tasks and their feature schemas (to fit a specification locally)."""
        from rof.learnware.schema import FeatureSchema

        return {
            t: FeatureSchema.from_dict(d) for t, d in self._call("GET", "/v1/tasks").json().items()
        }

    def search(self, spec, top_k: int = 5, mmd_threshold: float | None = None) -> SearchResult:
        """Search with a specification (the only thing sent)."""
        body = {"spec": spec.to_dict(), "top_k": top_k, "mmd_threshold": mmd_threshold}
        return result_from_dict(self._call("POST", "/v1/search", json=body).json())

    def submit(self, model_bytes: bytes, spec, meta: dict | None = None) -> str:
        """Submit a ``.skops`` file and its specification (needs the token)."""
        body = {
            "model_b64": base64.b64encode(model_bytes).decode(),
            "spec": spec.to_dict(),
            "meta": meta or {},
        }
        return self._call("POST", "/v1/learnwares", json=body).json()["id"]

    def download(self, lw_id: str) -> bytes:
        """The submitted ``.skops`` bytes of a learnware (not loaded)."""
        return self._call("GET", f"/v1/learnwares/{lw_id}/model").content
