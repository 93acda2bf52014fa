"""Load and check a submitted model in a confined child process; the host gets arrays.

Every submitted skops file is loaded, checked and run on probe points by a child
process (:mod:`rof.learnware._worker`) forked from a ``multiprocessing`` fork server
that has scikit-learn and skops already imported (so a check costs a fork, not an
interpreter start). The child limits its own address space, CPU time and file sizes
(``resource``), leaves the network (a new network namespace where the kernel allows
it, an audit hook that refuses sockets in any case), and may write only inside a
scratch directory that the host removes afterwards. It answers with a plain array
frame (:mod:`rof.learnware.frames`), never a pickle; the host bounds the answer's
size, validates the exported :class:`~rof.learnware.compiled.CompiledModel` and
checks that it reproduces the model's own predictions on the probe points.

A crafted model that crashes the loader (SIGSEGV), exhausts memory, loops, or sends
garbage ends in a :class:`~rof.errors.SecurityError` naming what happened; the caller
survives.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import shutil
import signal
import sys
import tempfile
import threading

import numpy as np

from rof.errors import ModelError, SecurityError
from rof.learnware.compiled import CompiledModel
from rof.learnware.frames import unpack

__all__ = ["SandboxLimits", "check_model"]

log = logging.getLogger(__name__)

_LOCK = threading.Lock()
_CTX = None
#: Sandboxed children alive at once (bounds memory when many submissions arrive).
_SLOTS = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))


class SandboxLimits:
    """Resource limits of one sandboxed check.

    Parameters
    ----------
    memory_bytes : int
        Address space the child may add to what the fork server holds.
    cpu_s : float
        CPU seconds the child may use.
    wall_s : float
        Wall-clock seconds the host waits for the answer.
    reply_bytes : int
        Largest answer accepted.
    """

    def __init__(
        self,
        memory_bytes: int = 1 * 2**30,
        cpu_s: float = 30.0,
        wall_s: float = 60.0,
        reply_bytes: int = 256 * 2**20,
    ):
        self.memory_bytes = int(memory_bytes)
        self.cpu_s = float(cpu_s)
        self.wall_s = float(wall_s)
        self.reply_bytes = int(reply_bytes)


def _context():
    global _CTX
    with _LOCK:
        if _CTX is None:
            main = getattr(sys.modules.get("__main__"), "__file__", None)
            if main is not None and not os.path.isfile(main):
                # a script read from stdin: the fork server could not re-import the
                # main module, so fork the (single-threaded) caller directly
                _CTX = mp.get_context("fork")
            else:
                ctx = mp.get_context("forkserver")
                ctx.set_forkserver_preload(["rof.learnware._worker"])
                _CTX = ctx
    return _CTX


def _forget_parents_server() -> None:
    """In a forked child, drop the parent's fork-server handle (the child starts its own)."""
    from multiprocessing import forkserver

    fs = forkserver._forkserver
    preload = list(getattr(fs, "_preload_modules", []))
    fs.__init__()
    if preload:
        fs.set_forkserver_preload(preload)


os.register_at_fork(after_in_child=_forget_parents_server)


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _run_child(ctx, model_bytes, probe, d, max_bytes, lim, prevalidate):
    """Fork one confined child; return (answer bytes or None, exit code)."""
    from rof.learnware import _worker

    scratch = tempfile.mkdtemp(prefix="rof-sandbox-")
    try:
        recv, send = ctx.Pipe(duplex=False)
        job = {
            "scratch": scratch,
            "memory_bytes": lim.memory_bytes,
            "cpu_s": lim.cpu_s,
            "model": bytes(model_bytes),
            "probe": probe,
            "n_features": d,
            "max_bytes": max_bytes,
            "prevalidate": bool(prevalidate),
        }
        proc = ctx.Process(target=_worker.run, args=(send, job), daemon=True)
        proc.start()
        send.close()
        data = None
        try:
            if recv.poll(lim.wall_s):
                data = recv.recv_bytes(maxlength=lim.reply_bytes)
        except EOFError:
            data = None
        except OSError as exc:
            raise SecurityError(f"model sandbox sent an oversized answer: {exc}") from None
        finally:
            recv.close()
            proc.join(timeout=5.0)
            if proc.is_alive():
                proc.kill()
                proc.join()
        return data, proc.exitcode
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def check_model(
    model_bytes: bytes,
    probe: np.ndarray,
    *,
    max_bytes: int,
    limits: SandboxLimits | None = None,
    prevalidate: bool = True,
) -> CompiledModel:
    """Load, check and compile ``model_bytes`` in the sandbox; return the compiled model.

    Parameters
    ----------
    model_bytes : bytes
        The skops file.
    probe : ndarray (n, d)
        Points on which the model must give finite outputs, and on which the compiled
        model must reproduce them.
    max_bytes : int
        Size limit of the model file.
    limits : SandboxLimits, optional
    prevalidate : bool
        Validate tree arrays before construction (default); False only demonstrates
        that the sandbox alone contains a crafted tree.

    Raises
    ------
    SecurityError
        The file is refused by a check, or the child crashed, ran out of memory or
        time, or sent a malformed answer.
    ModelError
        The model loads but fails a behavioural check.
    """
    lim = SandboxLimits() if limits is None else limits
    probe = np.ascontiguousarray(probe, dtype=np.float64)
    n, d = probe.shape
    if len(model_bytes) > max_bytes:
        raise SecurityError(f"model file is {len(model_bytes)} bytes; the limit is {max_bytes}")
    ctx = _context()
    with _SLOTS:
        data, code = _run_child(ctx, model_bytes, probe, d, max_bytes, lim, prevalidate)
    if data is None:
        if code is not None and code < 0:
            raise SecurityError(
                f"the model crashed its sandbox ({_signal_name(code)}) while loading or "
                "predicting; the model is refused"
            )
        raise SecurityError(
            f"the model sandbox gave no answer within {lim.wall_s:g} s (exit code "
            f"{code}); the model is refused"
        )
    meta, arrays = unpack(data, what="model sandbox answer")
    if not meta.get("ok"):
        cls = SecurityError if meta.get("error") == "SecurityError" else ModelError
        raise cls(str(meta.get("message", "model refused"))[:500])
    compiled = CompiledModel.from_arrays(
        {"kind": meta.get("kind", "?"), "n_features": d, "linear_f32": meta.get("linear_f32")},
        {k[2:]: v.copy() for k, v in arrays.items() if k.startswith("m_")},
    ).validate(d)
    out = arrays.get("probe_out")
    if out is None or out.shape != (n,):
        raise ModelError(
            f"model output has shape {None if out is None else out.shape}; expected ({n},)"
        )
    if not np.all(np.isfinite(out)):
        raise ModelError("model gives NaN or infinite outputs on points sampled from its spec")
    mine = compiled.predict(probe)
    # scikit-learn may run a linear part in float32 (gradient boosting's init model):
    # agreement to 1e-5 of the output scale, far below any prediction error
    tol = 1e-5 * max(1.0, float(np.abs(out).max(initial=0.0)))
    if not np.allclose(mine, out, rtol=1e-5, atol=tol):
        raise ModelError(
            "the compiled model does not reproduce the model's predictions (max deviation "
            f"{float(np.abs(mine - out).max()):.3g}); the model type is not supported"
        )
    log.debug("sandbox checked %s (%d nodes)", compiled.kind, compiled.feature.size)
    return compiled
