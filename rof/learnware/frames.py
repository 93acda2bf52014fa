"""A plain binary frame of named arrays: how the sandbox answers and compiled models are stored.

Layout: the magic ``b"ROFA1\\n"``, the header length (8 bytes, little-endian), a JSON
header ``{"meta": {...}, "arrays": [[name, dtype, shape], ...]}`` and the arrays' raw
bytes in order. Reading checks, before anything is allocated, that the header is
small, every dtype is one of a few plain numeric types, every shape is non-negative
and that the payload length equals the sum the header announces: nothing is
unpickled and nothing larger than the frame itself is ever allocated.
"""

from __future__ import annotations

import json

import numpy as np

from rof.errors import SecurityError

__all__ = ["pack", "unpack"]

_MAGIC = b"ROFA1\n"
_DTYPES = {"<f8", "<f4", "<i4", "<i8", "|u1", "|b1"}
_MAX_HEADER = 1 << 20


def pack(meta: dict, arrays: dict | None = None) -> bytes:
    """Frame ``meta`` (plain JSON) and ``arrays`` (name -> numeric ndarray)."""
    arrays = arrays or {}
    spec, parts = [], []
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        dt = a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
        a = a.astype(dt, copy=False)
        if dt.str not in _DTYPES:
            raise TypeError(f"array {name} has dtype {dt.str}; allowed: {sorted(_DTYPES)}")
        spec.append([name, dt.str, list(a.shape)])
        parts.append(a.tobytes())
    head = json.dumps({"meta": meta, "arrays": spec}, sort_keys=True, allow_nan=False).encode()
    return b"".join([_MAGIC, len(head).to_bytes(8, "little"), head, *parts])


def unpack(data: bytes, *, what: str = "frame") -> tuple[dict, dict]:
    """Inverse of :func:`pack`; raises SecurityError on anything malformed."""
    mv = memoryview(data)
    if len(data) < len(_MAGIC) + 8 or bytes(mv[: len(_MAGIC)]) != _MAGIC:
        raise SecurityError(f"{what} is not a rof array frame")
    pos = len(_MAGIC)
    n_head = int.from_bytes(mv[pos : pos + 8], "little")
    pos += 8
    if n_head > _MAX_HEADER or pos + n_head > len(data):
        raise SecurityError(f"{what} has a header of {n_head} bytes; the limit is {_MAX_HEADER}")
    try:
        head = json.loads(bytes(mv[pos : pos + n_head]))
        meta, spec = head["meta"], head["arrays"]
        if not isinstance(meta, dict) or not isinstance(spec, list):
            raise TypeError("meta must be an object and arrays a list")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise SecurityError(f"{what} has a malformed header: {exc}") from None
    pos += n_head
    sizes, shapes = [], []
    for entry in spec:
        try:
            name, dt, shape = entry
            dt = np.dtype(str(dt))
            shape = tuple(int(s) for s in shape)
        except (ValueError, TypeError) as exc:
            raise SecurityError(f"{what} has a malformed array entry: {exc}") from None
        if dt.str not in _DTYPES or any(s < 0 for s in shape) or len(shape) > 4:
            raise SecurityError(f"{what}: array {name!r} has dtype {dt.str} or shape {shape}")
        count = 1
        for s in shape:
            count *= s
            if count > len(data):
                raise SecurityError(f"{what}: array {name!r} is larger than the frame")
        sizes.append(count * dt.itemsize)
        shapes.append((str(name), dt, shape))
    if pos + sum(sizes) != len(data):
        raise SecurityError(
            f"{what}: payload is {len(data) - pos} bytes but the header announces {sum(sizes)}"
        )
    arrays = {}
    for (name, dt, shape), size in zip(shapes, sizes, strict=True):
        arrays[name] = np.frombuffer(data, dtype=dt, count=size // dt.itemsize, offset=pos).reshape(
            shape
        )
        pos += size
    return meta, arrays
