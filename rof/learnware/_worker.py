"""The sandboxed side of :mod:`rof.learnware.sandbox`: runs in a child process only.

:func:`run` first confines the process (:func:`confine`), then loads the submitted
skops file (:func:`rof.learnware.safe.loads_model`), exports it to plain arrays
(:func:`export`) and predicts on the probe points with the loaded object, and sends
back one :mod:`rof.learnware.frames` frame. The host never unpickles what this
process sends.
"""

from __future__ import annotations

import ctypes
import os
import resource
import sys

import numpy as np
import sklearn.dummy
import sklearn.ensemble
import sklearn.linear_model
import sklearn.tree  # noqa: F401
import skops.io  # noqa: F401  (preloaded in the fork server: a check costs a fork)

from rof.errors import ModelError, RofError, SecurityError
from rof.learnware.compiled import CompiledModel
from rof.learnware.frames import pack
from rof.learnware.safe import loads_model

__all__ = ["confine", "export", "run"]

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_BLOCKED_EVENTS = (
    "socket.",
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.kill",
    "ctypes.dlopen",
    "shutil.rmtree",
    "os.remove",
    "os.rename",
    "os.rmdir",
    "os.unlink",
    "os.chmod",
    "os.symlink",
    "os.link",
)


def _vm_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def confine(scratch: str, memory_bytes: int, cpu_s: float) -> dict:
    """Limit this process: address space, CPU time, file size, network, writes.

    * ``RLIMIT_AS``: the current size plus ``memory_bytes`` (allocations beyond fail);
    * ``RLIMIT_CPU``: the CPU time used so far plus ``cpu_s`` (then SIGXCPU/SIGKILL);
    * ``RLIMIT_FSIZE``: 16 MiB per written file, ``RLIMIT_CORE``: 0;
    * a new network namespace where the kernel allows it (no interface but a down
      loopback), and in any case a PEP 578 audit hook that refuses sockets, new
      processes, native library loads, deletions and any ``open`` for writing outside
      ``scratch``;
    * the working directory is ``scratch``.

    Returns which measures took effect.
    """
    done = {}
    os.chdir(scratch)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 2**20, 16 * 2**20))
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime + cpu_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    limit = _vm_bytes() + int(memory_bytes)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    done["rlimits"] = True
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        flags = _CLONE_NEWNET if os.geteuid() == 0 else _CLONE_NEWUSER | _CLONE_NEWNET
        done["netns"] = libc.unshare(flags) == 0
    except (OSError, AttributeError):
        done["netns"] = False
    root = os.path.realpath(scratch) + os.sep

    def hook(event, args):
        if event.startswith(_BLOCKED_EVENTS):
            raise PermissionError(f"sandbox: {event} is not allowed")
        if event == "open" and len(args) >= 2:
            path, mode = args[0], args[1]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(mode, int) and mode & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            )
            if writing and isinstance(path, str | bytes):
                p = os.path.realpath(os.fsdecode(path))
                if not (p + os.sep).startswith(root):
                    raise PermissionError(f"sandbox: writing {p} is not allowed")

    sys.addaudithook(hook)
    done["audit_hook"] = True
    return done


# ---------------------------------------------------------------------- export
def _tree_arrays(tree):
    t = tree.tree_
    v = np.asarray(t.value, dtype=np.float64)
    if v.ndim != 3 or v.shape[1] != 1 or v.shape[2] != 1:
        raise ModelError(f"tree output shape {v.shape[1:]} is not a single regression target")
    return (
        np.asarray(t.feature, dtype=np.int32),
        np.asarray(t.children_left, dtype=np.int32),
        np.asarray(t.children_right, dtype=np.int32),
        np.asarray(t.threshold, dtype=np.float64),
        v[:, 0, 0],
    )


def _linear(model, d):
    coef = np.asarray(model.coef_, dtype=np.float64)
    if coef.ndim == 2 and coef.shape[0] == 1:
        coef = coef[0]
    intercept = np.asarray(model.intercept_, dtype=np.float64).reshape(-1)
    if coef.shape != (d,) or intercept.size != 1:
        raise ModelError(f"linear model has coef {coef.shape}; expected ({d},) and one intercept")
    return coef, float(intercept[0])


#: Exported model types (fully qualified scikit-learn names, without private modules).
SUPPORTED = (
    "linear_model.{LinearRegression, Ridge, Lasso, ElasticNet, BayesianRidge, ...}",
    "dummy.DummyRegressor",
    "tree.DecisionTreeRegressor",
    "tree.ExtraTreeRegressor",
    "ensemble.RandomForestRegressor",
    "ensemble.ExtraTreesRegressor",
    "ensemble.GradientBoostingRegressor (squared error; init linear, constant or zero)",
)


def export(model, d: int) -> CompiledModel:
    """The :class:`~rof.learnware.compiled.CompiledModel` of a loaded regressor.

    Raises
    ------
    ModelError
        Unsupported type (:data:`SUPPORTED`) or shapes.
    """
    from sklearn import dummy, ensemble, tree

    kind = f"{type(model).__module__}.{type(model).__name__}"
    coef, intercept = np.zeros(d), 0.0
    trees, scales = [], []
    f32 = False
    if type(model).__module__.startswith("sklearn.linear_model") and hasattr(model, "coef_"):
        coef, intercept = _linear(model, d)
    elif type(model) is dummy.DummyRegressor:
        c = np.asarray(model.constant_, dtype=np.float64).reshape(-1)
        if c.size != 1:
            raise ModelError("DummyRegressor must have one output")
        intercept = float(c[0])
    elif type(model) in (tree.DecisionTreeRegressor, tree.ExtraTreeRegressor):
        trees, scales = [model], [1.0]
    elif type(model) in (ensemble.RandomForestRegressor, ensemble.ExtraTreesRegressor):
        trees = list(model.estimators_)
        scales = [1.0 / len(trees)] * len(trees)
    elif type(model) is ensemble.GradientBoostingRegressor:
        if model.loss != "squared_error":
            raise ModelError(
                f"GradientBoostingRegressor loss {model.loss!r}; allowed: squared_error"
            )
        init = model.init_
        if init == "zero":
            pass
        elif type(init) is dummy.DummyRegressor:
            intercept = float(np.asarray(init.constant_, dtype=np.float64).reshape(-1)[0])
        elif type(init).__module__.startswith("sklearn.linear_model"):
            coef, intercept = _linear(init, d)
        else:
            raise ModelError(f"GradientBoostingRegressor init {type(init).__name__} unsupported")
        est = np.asarray(model.estimators_, dtype=object)
        if est.ndim != 2 or est.shape[1] != 1:
            raise ModelError("GradientBoostingRegressor must have one output")
        trees = list(est[:, 0])
        f32 = True
        scales = [float(model.learning_rate)] * len(trees)
    else:
        raise ModelError(f"model type {kind} is not supported; supported: {', '.join(SUPPORTED)}")
    parts = [_tree_arrays(t) for t in trees]
    sizes = [p[0].size for p in parts]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(sizes)

    def cat(i, dt):
        return np.concatenate([p[i] for p in parts]).astype(dt) if parts else np.zeros(0, dt)

    return CompiledModel(
        kind,
        d,
        np.ascontiguousarray(coef, dtype=np.float64),
        float(intercept),
        offsets,
        np.asarray(scales, dtype=np.float64),
        cat(0, np.int32),
        cat(1, np.int32),
        cat(2, np.int32),
        cat(3, np.float64),
        cat(4, np.float64),
        f32,
    )


# ---------------------------------------------------------------------- entry point
def run(conn, job: dict) -> None:
    """Child entry point: confine, run ``job``, send one frame, exit."""
    try:
        measures = confine(job["scratch"], job["memory_bytes"], job["cpu_s"])
        data, probe, d = job["model"], job["probe"], int(job["n_features"])
        model = loads_model(
            data, n_features=d, max_bytes=job["max_bytes"], prevalidate=job["prevalidate"]
        )
        if not callable(getattr(model, "predict", None)):
            raise ModelError(f"model {type(model).__name__} has no predict method")
        n_in = getattr(model, "n_features_in_", None)
        if n_in is not None and int(n_in) != d:
            raise ModelError(f"model expects {int(n_in)} features but the specification has {d}")
        compiled = export(model, d).validate(d)
        try:
            out = np.asarray(model.predict(probe), dtype=np.float64).reshape(-1)
        except Exception as exc:
            raise ModelError(
                f"model failed to predict on points sampled from its spec: {exc}"
            ) from None
        meta = {
            "ok": True,
            "kind": compiled.kind,
            "linear_f32": compiled.linear_f32,
            "measures": measures,
        }
        reply = pack(
            meta, {"probe_out": out, **{f"m_{k}": v for k, v in compiled.arrays().items()}}
        )
    except (RofError, MemoryError, RecursionError, PermissionError) as exc:
        kind = "SecurityError" if isinstance(exc, SecurityError | PermissionError) else "ModelError"
        if isinstance(exc, MemoryError):
            kind = "SecurityError"
        reply = pack({"ok": False, "error": kind, "message": f"{type(exc).__name__}: {exc}"[:500]})
    except Exception as exc:  # anything skops or scikit-learn raises on a bad file
        reply = pack({"ok": False, "error": "ModelError", "message": f"{exc}"[:500]})
    conn.send_bytes(reply)
    conn.close()
