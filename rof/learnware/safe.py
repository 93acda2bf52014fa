"""Safe model serialisation: skops.io restricted to an explicit list of trusted types.

Nothing submitted to a dock is ever unpickled or imported. A model file must be a
``skops.io`` zip archive; before anything in it is constructed it passes, in order:

1. a size limit on the file;
2. a magic-number check (a zip, not a pickle or anything else);
3. an archive check: every member name relative, without ``..`` parts, backslashes or
   drive letters, no symbolic links, a bounded member count and unpacked size, and a
   ``schema.json``;
4. ``skops.io.get_untrusted_types``, which reads only the JSON schema; any type
   outside skops' built-in safe set and :data:`TRUSTED_TYPES` rejects the file;
5. ``skops.io.loads(data, trusted=TRUSTED_TYPES)`` (skops audits the tree again).

:func:`dumps_model` writes canonical bytes: skops names array members and
memo entries by ``id(obj)``, so the archive is rewritten with both renumbered in schema
order and a fixed timestamp, and the same model always gives the same bytes.
"""

from __future__ import annotations

import io
import json
import logging
import stat
import zipfile

from rof.errors import ModelError, SecurityError

__all__ = [
    "MAX_MODEL_BYTES",
    "TRUSTED_TYPES",
    "check_archive",
    "dumps_model",
    "loads_model",
]

log = logging.getLogger(__name__)

#: Types beyond skops' default safe set that a dock accepts (fully qualified names).
#: Both hold only arrays and are rebuilt by skops from those arrays (no callables): the
#: regression tree of ``GradientBoostingRegressor`` and the predictor of
#: ``HistGradientBoostingRegressor``.
TRUSTED_TYPES: tuple[str, ...] = (
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.tree._tree.Tree",
)
#: Largest accepted model file, bytes.
MAX_MODEL_BYTES = 20 * 2**20
#: Largest total unpacked size of an archive's members, bytes.
MAX_UNPACKED_BYTES = 200 * 2**20
#: Largest number of members in an archive.
MAX_MEMBERS = 10_000

_ZIP_MAGIC = b"PK\x03\x04"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def check_archive(
    data: bytes,
    *,
    max_bytes: int = MAX_MODEL_BYTES,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
    max_members: int = MAX_MEMBERS,
) -> list[str]:
    """Check that ``data`` is a well-formed, bounded zip archive; return its member names.

    Raises
    ------
    SecurityError
        Pickle or other non-zip content, path traversal, absolute names, links, or
        members or sizes beyond the limits.
    """
    if len(data) > max_bytes:
        raise SecurityError(f"model file is {len(data)} bytes; the limit is {max_bytes}")
    if not data.startswith(_ZIP_MAGIC):
        kind = "a pickle stream" if data[:1] == b"\x80" else "not a zip archive"
        raise SecurityError(
            f"model file is {kind}; only skops.io archives are accepted (pickle, joblib "
            "and code are refused before anything is loaded)"
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SecurityError(f"model file is not a readable zip archive: {exc}") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > max_members:
            raise SecurityError(f"archive has {len(infos)} members; the limit is {max_members}")
        total = 0
        for info in infos:
            name = info.filename
            parts = name.replace("\\", "/").split("/")
            if (
                name.startswith(("/", "\\"))
                or "\\" in name
                or ".." in parts
                or (len(name) > 1 and name[1] == ":")
                or "\x00" in name
            ):
                raise SecurityError(f"archive member {name!r} escapes the archive (path traversal)")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise SecurityError(f"archive member {name!r} is a symbolic link")
            total += info.file_size
            if total > max_unpacked_bytes:
                raise SecurityError(
                    f"archive unpacks to more than {max_unpacked_bytes} bytes (zip bomb?)"
                )
        names = [i.filename for i in infos]
    if "schema.json" not in names:
        raise SecurityError("archive has no schema.json; not a skops.io model file")
    return names


def loads_model(data: bytes, trusted: tuple[str, ...] = TRUSTED_TYPES, **limits):
    """Load a model from skops bytes after every check in this module's docstring.

    Raises
    ------
    SecurityError
        The file is not a clean skops archive or names an untrusted type.
    ModelError
        skops cannot construct the model.
    """
    import skops.io as sio

    check_archive(data, **limits)
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # malformed schema: nothing was constructed
        raise SecurityError(f"model archive has an unreadable skops schema: {exc}") from None
    bad = sorted(set(untrusted) - set(trusted))
    if bad:
        raise SecurityError(
            f"model file contains untrusted types {bad}; trusted beyond skops' defaults: "
            f"{list(trusted)}"
        )
    try:
        return sio.loads(data, trusted=list(trusted))
    except Exception as exc:
        raise ModelError(f"skops could not load the model: {exc}") from None


def dumps_model(model) -> bytes:
    """Serialise ``model`` with skops.io into canonical (reproducible) bytes."""
    import skops.io as sio

    try:
        raw = sio.dumps(model)
    except Exception as exc:
        raise ModelError(f"skops cannot serialise {type(model).__name__}: {exc}") from None
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        schema = json.loads(zf.read("schema.json"))
        members = {n: zf.read(n) for n in zf.namelist() if n != "schema.json"}
    rename: dict[str, str] = {}
    ids: dict[int, int] = {}

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("__id__"), int):  # object ids: renumber in schema order
                node["__id__"] = ids.setdefault(node["__id__"], len(ids) + 1)
            f = node.get("file")
            if isinstance(f, str) and f in members:
                if f not in rename:
                    ext = f.rsplit(".", 1)[-1]
                    rename[f] = f"{len(rename):06d}.{ext}"
                node["file"] = rename[f]
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    if set(rename) != set(members):
        raise ModelError("skops archive has members its schema does not reference")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, payload in [("schema.json", json.dumps(schema, indent=2).encode())] + [
            (new, members[old]) for old, new in rename.items()
        ]:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, payload)
    return out.getvalue()
