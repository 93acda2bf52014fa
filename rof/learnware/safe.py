"""Safe model serialisation: skops.io restricted to an explicit list of trusted types.

Nothing submitted to a dock is ever unpickled or imported, and the host never
constructs a submitted model: :func:`loads_model` runs only inside the sandboxed
worker (:mod:`rof.learnware.sandbox`). A model file must be a ``skops.io`` zip
archive; before anything in it is constructed it passes, in order:

1. a size limit on the file;
2. a magic-number check (a zip, not a pickle or anything else);
3. an archive check: every member name relative, without ``..`` parts, backslashes or
   drive letters, no symbolic links, a bounded member count and unpacked size, and a
   ``schema.json``; then every member is decompressed in bounded chunks and must
   yield exactly its declared size (a false size header is refused after at most the
   declared size plus one chunk);
4. a schema audit (:func:`audit_schema`): bounded JSON size and nesting, and a bounded
   number of nodes *after expanding shared references* (skops' own audit walks a
   node once per path to it, so a small schema of shared references would take
   exponential time);
5. ``skops.io.get_untrusted_types``; any type outside skops' built-in safe set and
   :data:`TRUSTED_TYPES` rejects the file;
6. every ``sklearn.tree._tree.Tree`` array is validated before construction
   (:func:`prevalidate_trees`: node count, child links pointing forward inside the
   tree, feature indices inside the task's width), because skops does not consider
   the tree's Cython constructor memory-safe;
7. ``skops.io.loads(data, trusted=TRUSTED_TYPES)`` (skops audits the tree again).

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

#: Types beyond skops' default safe set that a dock accepts (fully qualified names):
#: the array-only tree of scikit-learn's tree ensembles, whose arrays
#: :func:`prevalidate_trees` checks before skops constructs it.
TRUSTED_TYPES: tuple[str, ...] = ("sklearn.tree._tree.Tree",)
#: Largest schema.json, bytes.
MAX_SCHEMA_BYTES = 8 * 2**20
#: Largest number of schema nodes after expanding shared references.
MAX_SCHEMA_NODES = 200_000
#: Deepest schema nesting.
MAX_SCHEMA_DEPTH = 200
#: Decompression chunk, bytes.
_CHUNK = 1 << 20
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
        for info in infos:  # decompress for real: a header may lie about the size
            got = 0
            try:
                with zf.open(info) as fh:
                    while chunk := fh.read(_CHUNK):
                        got += len(chunk)
                        if got > info.file_size:
                            raise SecurityError(
                                f"archive member {info.filename!r} unpacks to more than its "
                                f"declared {info.file_size} bytes (false size header)"
                            )
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                raise SecurityError(f"archive member {info.filename!r} is corrupt: {exc}") from None
    if "schema.json" not in names:
        raise SecurityError("archive has no schema.json; not a skops.io model file")
    return names


def audit_schema(data: bytes) -> dict:
    """Parse and bound the archive's schema (step 4 of the module docstring).

    Returns the parsed schema. Counts nodes as skops' audit visits them: a node whose
    ``__id__`` was seen before is a reference to the first one and costs that node's
    whole expanded size again.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("schema.json")
        if info.file_size > MAX_SCHEMA_BYTES:
            raise SecurityError(
                f"schema.json is {info.file_size} bytes; the limit is {MAX_SCHEMA_BYTES}"
            )
        raw = zf.read(info)
    try:
        schema = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise SecurityError(f"schema.json is not valid JSON: {type(exc).__name__}") from None
    if not isinstance(schema, dict):
        raise SecurityError("schema.json must hold an object")
    cost: dict = {}
    limit = MAX_SCHEMA_NODES

    def size(node, depth: int) -> int:
        if depth > MAX_SCHEMA_DEPTH:
            raise SecurityError(f"skops schema nests deeper than {MAX_SCHEMA_DEPTH} levels")
        if isinstance(node, list):
            return sum(size(v, depth + 1) for v in node)
        if not isinstance(node, dict):
            return 0
        key = node.get("__id__")
        if isinstance(key, int) and key in cost:
            return cost[key]
        if isinstance(key, int):
            cost[key] = 1  # a reference inside its own subtree (a cycle) costs one visit
        total = 1
        for v in node.values():
            total += size(v, depth + 1)
            if total > limit:
                raise SecurityError(
                    f"skops schema expands to more than {limit} nodes (shared references); "
                    "auditing it would not terminate in bounded time"
                )
        if isinstance(key, int):
            cost[key] = total
        return total

    size(schema, 0)
    return schema


def prevalidate_trees(data: bytes, schema: dict, n_features: int) -> int:
    """Validate the arrays of every ``Tree`` node before construction; return the count.

    Raises
    ------
    SecurityError
        Wrong input width, node count, dtype, child links or feature indices.
    """
    import numpy as np

    trees = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("__class__") == "Tree" and node.get("__module__") == "sklearn.tree._tree":
                trees.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)

    def json_int(node, what):
        try:
            if node.get("__loader__") == "JsonNode":
                return int(json.loads(node["content"]))
        except (TypeError, ValueError, KeyError, AttributeError):
            pass
        raise SecurityError(f"tree {what} is not a plain integer")

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for tree in trees:
            try:
                args = tree["__reduce__"]["args"]["content"]
                content = tree["content"]["content"]
                n_in = json_int(args[0], "n_features")
                node_count = json_int(content["node_count"], "node_count")
                nodes_file = content["nodes"]["file"]
                values_file = content["values"]["file"]
            except (KeyError, TypeError, IndexError) as exc:
                raise SecurityError(f"tree node is malformed in the schema: {exc}") from None
            if n_in != n_features:
                raise SecurityError(
                    f"a tree reads {n_in} features but the task's schema has {n_features}"
                )
            try:
                nodes = np.load(io.BytesIO(zf.read(str(nodes_file))), allow_pickle=False)
                values = np.load(io.BytesIO(zf.read(str(values_file))), allow_pickle=False)
            except (KeyError, ValueError, OSError) as exc:
                raise SecurityError(f"tree arrays are unreadable: {exc}") from None
            names = nodes.dtype.names or ()
            if nodes.ndim != 1 or not {"left_child", "right_child", "feature"} <= set(names):
                raise SecurityError("tree nodes array has the wrong layout")
            n = nodes.shape[0]
            if n != node_count or n < 1 or values.ndim != 3 or values.shape[0] != n:
                raise SecurityError(
                    f"tree declares {node_count} nodes but holds {n} nodes and values of "
                    f"shape {values.shape} (crafted node count)"
                )
            left = nodes["left_child"].astype(np.int64)
            right = nodes["right_child"].astype(np.int64)
            feat = nodes["feature"].astype(np.int64)
            idx = np.arange(n)
            leaf = left == -1
            if np.any(leaf != (right == -1)):
                raise SecurityError("a tree node has exactly one child (crafted node indices)")
            inner = ~leaf
            if np.any((left[inner] <= idx[inner]) | (left[inner] >= n)) or np.any(
                (right[inner] <= idx[inner]) | (right[inner] >= n)
            ):
                raise SecurityError("a tree's child index points outside the tree (crafted)")
            if np.any((feat[inner] < 0) | (feat[inner] >= n_features)):
                raise SecurityError(
                    f"a tree node reads feature {int(feat[inner].max())}; allowed: 0 to "
                    f"{n_features - 1} (the task's schema)"
                )
    return len(trees)


def loads_model(
    data: bytes,
    trusted: tuple[str, ...] = TRUSTED_TYPES,
    *,
    n_features: int | None = None,
    prevalidate: bool = True,
    **limits,
):
    """Load a model from skops bytes after every check in this module's docstring.

    Constructs scikit-learn objects: call it only inside the sandbox worker
    (:func:`rof.learnware.sandbox.check_model`), never in the host process.
    ``prevalidate=False`` skips step 6 (only to show that the sandbox contains what
    that step prevents).

    Raises
    ------
    SecurityError
        The file is not a clean skops archive or names an untrusted type.
    ModelError
        skops cannot construct the model.
    """
    import skops.io as sio

    check_archive(data, **limits)
    schema = audit_schema(data)
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
    if n_features is not None and prevalidate:
        prevalidate_trees(data, schema, n_features)
    elif "sklearn.tree._tree.Tree" in untrusted and prevalidate:
        raise SecurityError("a model with trees needs the task's width to validate them")
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
