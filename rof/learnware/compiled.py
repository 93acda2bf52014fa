"""Submitted models as plain, validated arrays: what the host ever runs.

The host never constructs a submitted scikit-learn object. The sandboxed worker
(:mod:`rof.learnware.sandbox`) loads the skops file under resource limits and exports
the model into the arrays of :class:`CompiledModel`:

    y(x) = x . coef + intercept + sum_t scale_t * leaf_t(x)

where ``leaf_t(x)`` walks tree ``t`` from its root: at an internal node go to ``left``
when ``x[feature] <= threshold``, else to ``right``, until a leaf (``left == -1``),
whose ``value`` is the output. As in scikit-learn, the tree compares the feature
rounded to float32 (its ``DTYPE``) with the float64 threshold. Linear models have no
trees; a decision tree has one (scale 1); a random forest ``T`` trees of scale
``1/T``; gradient boosting (Friedman, Ann. Statist. 29(5), 2001) a linear or constant
initial model plus its trees at scale ``learning_rate`` (scikit-learn's
``_raw_predict``).

:meth:`CompiledModel.validate` bounds every array before the numba kernel sees one:
children of node ``i`` must lie in ``(i, n)`` (scikit-learn numbers children after
their parent, which also rules out cycles, so a walk takes at most ``n`` steps),
both children or none, feature indices in ``[0, d)`` for the task's ``d``, finite
thresholds and values, and bounded sizes.

Two kernels run the validated arrays. Ensembles of trees no deeper than
:data:`DENSE_DEPTH` (gradient boosting's default depth 3, the shipped predictors) are
laid out as complete binary trees (a leaf above the bottom becomes a node that always
goes left, its value copied to every leaf below it) and evaluated without branches:
for a block of rows every node's comparison is one contiguous, vectorised pass over a
feature column, and selects pick each row's leaf. The comparison ``x32 <= t`` with a
float64 threshold ``t`` equals ``x32 <= t32`` for ``t32`` the largest float32 not above
``t``, so the pass runs in float32 without changing a decision; its leaves
``scale * value`` are summed in tree order in float32 (eight lanes a vector instead of
four: 1.75 -> 1.0 ms for the 17,136 rows x 200 trees of a coordination TTI) and added
to the float64 linear part ``intercept + sum_k x_k coef_k``, so it differs from
:func:`predict_ref` only by float32 rounding of that sum (relative 2^-24 per tree, at
most ``n_trees * 2^-24 * sum |leaf|``; 5e-6 dB on the shipped predictors). Deeper trees
are walked node by node with the arithmetic of :func:`predict_ref`, equal to the last
bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numba
import numpy as np

from rof.errors import ModelError, SecurityError
from rof.learnware.frames import pack, unpack

__all__ = ["DENSE_DEPTH", "MAX_NODES", "MAX_TREES", "CompiledModel", "predict_ref"]

#: Largest total number of tree nodes of one model.
MAX_NODES = 2_000_000
#: Largest number of trees of one model.
MAX_TREES = 10_000
#: Format tag of a stored compiled model.
FORMAT = "rof.compiled/1"

_INT_FIELDS = ("feature", "left", "right")
#: Deepest trees run by the branch-free kernel (module docstring); deeper ones are walked.
DENSE_DEPTH = 3
#: Rows per block of the branch-free kernel (its feature columns stay in L1 cache).
_BLOCK = 512


@dataclass(frozen=True, eq=False)
class CompiledModel:
    """A linear part plus an ensemble of regression trees, as flat arrays.

    Attributes
    ----------
    kind : str
        The scikit-learn class it was exported from (for display only).
    n_features : int
        Input width d.
    coef : ndarray (d,)
    intercept : float
    offsets : ndarray (T + 1,) int64
        Tree ``t`` owns nodes ``offsets[t]:offsets[t + 1]`` (local indices).
    scale : ndarray (T,)
    feature, left, right : ndarray (N,) int32
    threshold, value : ndarray (N,) float64
    linear_f32 : bool
        The linear part reads the input rounded to float32 (scikit-learn's gradient
        boosting casts its input before the initial model sees it).
    """

    kind: str
    n_features: int
    coef: np.ndarray
    intercept: float
    offsets: np.ndarray
    scale: np.ndarray
    feature: np.ndarray
    left: np.ndarray
    right: np.ndarray
    threshold: np.ndarray
    value: np.ndarray
    linear_f32: bool = False

    # ------------------------------------------------------------------ checks
    def validate(self, n_features: int | None = None) -> CompiledModel:
        """Check every array (module docstring); return ``self``.

        Raises
        ------
        SecurityError
            An index out of range, a cycle, a non-finite number, or sizes beyond the
            limits: the arrays could make a kernel read outside its inputs.
        """
        d = self.n_features
        if n_features is not None and d != n_features:
            raise SecurityError(
                f"model expects {d} features but the task's schema has {n_features}"
            )
        if not 1 <= d <= 100_000:
            raise SecurityError(f"model input width {d} is out of range; allowed: 1 to 100000")
        n = self.feature.size
        t = self.scale.size
        if t > MAX_TREES or n > MAX_NODES:
            raise SecurityError(
                f"model has {t} trees and {n} nodes; the limits are {MAX_TREES} and {MAX_NODES}"
            )
        for name in _INT_FIELDS:
            a = getattr(self, name)
            if a.dtype != np.int32 or a.shape != (n,):
                raise SecurityError(f"compiled model field {name} must be int32 of shape ({n},)")
        for name in ("threshold", "value"):
            a = getattr(self, name)
            if a.dtype != np.float64 or a.shape != (n,):
                raise SecurityError(f"compiled model field {name} must be float64 of shape ({n},)")
        if self.scale.dtype != np.float64 or self.scale.shape != (t,):
            raise SecurityError(f"compiled model scale must be float64 of shape ({t},)")
        if self.coef.dtype != np.float64 or self.coef.shape != (d,):
            raise SecurityError(f"compiled model coef must be float64 of shape ({d},)")
        off = self.offsets
        if (
            off.dtype != np.int64
            or off.shape != (t + 1,)
            or off[0] != 0
            or off[-1] != n
            or np.any(np.diff(off) < 1)
        ):
            raise SecurityError("compiled model tree offsets are not increasing from 0 to N")
        finite = [self.coef, self.scale, self.threshold, self.value, np.array([self.intercept])]
        if not all(np.all(np.isfinite(a)) for a in finite):
            raise SecurityError("compiled model holds NaN or infinite numbers")
        if n:
            local = np.arange(n, dtype=np.int64) - np.repeat(off[:-1], np.diff(off))
            size = np.repeat(np.diff(off), np.diff(off))
            leaf = self.left == -1
            if np.any(leaf != (self.right == -1)):
                raise SecurityError("a tree node has exactly one child")
            inner = ~leaf
            for name in ("left", "right"):
                c = getattr(self, name)[inner].astype(np.int64)
                if np.any(c <= local[inner]) or np.any(c >= size[inner]):
                    raise SecurityError(
                        f"a tree's {name} child index is outside (node, tree size): crafted "
                        "node indices"
                    )
            f = self.feature[inner]
            if np.any(f < 0) or np.any(f >= d):
                raise SecurityError(
                    f"a tree node reads feature {int(f.max() if f.size else 0)}; allowed: "
                    f"0 to {d - 1} (the task's schema)"
                )
        return self

    # ------------------------------------------------------------------ predict
    def predict(self, X) -> np.ndarray:
        """Model output for ``X`` (n, d) -> (n,), by the compiled kernel."""
        x = np.ascontiguousarray(X, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ModelError(f"features have shape {x.shape}; expected (n, {self.n_features})")
        x32 = x.astype(np.float32)
        if self._dense is not None:
            xt = np.ascontiguousarray(x32.T)
            return self.predict_t(xt, None if self.linear_f32 else np.ascontiguousarray(x.T))
        return _predict(
            x32.astype(np.float64) if self.linear_f32 else x,
            x32.astype(np.float64),
            self.coef,
            self.intercept,
            self.offsets,
            self.scale,
            self.feature,
            self.left,
            self.right,
            self.threshold,
            self.value,
        )

    @property
    def takes_transposed(self) -> bool:
        """Whether :meth:`predict_t` runs this model (trees no deeper than DENSE_DEPTH)."""
        return self._dense is not None

    def predict_t(self, xt32: np.ndarray, xt64: np.ndarray | None = None) -> np.ndarray:
        """:meth:`predict` from features already transposed: ``xt32`` (d, n) float32, the
        input rounded to float32; ``xt64`` (d, n) float64, the unrounded input, needed
        only when the linear part reads it (``linear_f32`` false). Same numbers as
        :meth:`predict`; saves the caller's copies when it builds the transposed rows
        itself (:class:`rof.edge.learnware_csi.LearnwareCsi`). Needs :attr:`takes_transposed`.
        """
        if self._dense is None:
            raise ModelError("predict_t needs trees no deeper than DENSE_DEPTH; use predict")
        d = self.n_features
        if xt32.dtype != np.float32 or xt32.ndim != 2 or xt32.shape[0] != d:
            raise ModelError(f"transposed features must be float32 of shape ({d}, n)")
        if not xt32.flags.c_contiguous:
            raise ModelError("transposed features must be C-contiguous")
        xl = xt32
        if not self.linear_f32:
            if xt64 is None or xt64.dtype != np.float64 or xt64.shape != xt32.shape:
                raise ModelError(f"this model's linear part needs float64 features ({d}, n)")
            xl = np.ascontiguousarray(xt64)
        feat, thr, leaf = self._dense
        return _predict_dense3(xl, xt32, self.coef, self.intercept, feat, thr, leaf)

    @cached_property
    def _dense(self):
        """Complete depth-:data:`DENSE_DEPTH` layout ``(feature, threshold32, leaf32)`` of
        shapes (T, 7), (T, 7), (T, 8) (``leaf32`` = float32 of ``scale * value``), or None
        when a tree is deeper (module docstring).

        Position ``p`` has children ``2p + 1`` and ``2p + 2``; built from validated arrays.
        """
        t = self.scale.size
        if t == 0:
            return None
        base = self.offsets[:-1, None]
        t32 = self.threshold.astype(np.float32)
        above = t32.astype(np.float64) > self.threshold
        t32[above] = np.nextafter(t32[above], np.float32(-np.inf))
        n_inner = 2**DENSE_DEPTH - 1
        feat = np.zeros((t, n_inner), dtype=np.int32)
        thr = np.full((t, n_inner), np.inf, dtype=np.float32)
        cur = self.offsets[:-1, None].copy()  # global node at each position of the level
        for level in range(DENSE_DEPTH):
            pos = slice(2**level - 1, 2 ** (level + 1) - 1)
            inner = self.left[cur] != -1
            feat[:, pos] = np.where(inner, self.feature[cur], 0)
            thr[:, pos] = np.where(inner, t32[cur], np.float32(np.inf))
            left = np.where(inner, base + self.left[cur], cur)
            right = np.where(inner, base + self.right[cur], cur)
            cur = np.stack([left, right], axis=-1).reshape(t, -1)
        if np.any(self.left[cur] != -1):
            return None
        if feat.min() < 0 or feat.max() >= self.n_features:  # the kernel reads xt[feat]
            raise SecurityError("a tree node reads a feature outside the input width")
        leaf = (self.scale[:, None] * self.value[cur]).astype(np.float32)
        return feat, thr, np.ascontiguousarray(leaf)

    @classmethod
    def combine(cls, models, weights) -> CompiledModel:
        """One model computing ``sum_i w_i model_i(x)`` (a mixture in one kernel pass).

        All models must share the input width and the linear part's input rounding.
        """
        models, w = list(models), np.asarray(weights, dtype=np.float64)
        if not models or w.shape != (len(models),):
            raise ModelError("combine needs one weight per model")
        d, f32 = models[0].n_features, models[0].linear_f32
        if any(m.n_features != d or (m.linear_f32 != f32 and m.coef.any()) for m in models):
            raise ModelError("combined models must share the input width and rounding")
        sizes = np.concatenate([np.diff(m.offsets) for m in models]).astype(np.int64)
        offsets = np.zeros(sizes.size + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(sizes)
        return cls(
            "mixture(" + ", ".join(m.kind.rsplit(".", 1)[-1] for m in models) + ")",
            d,
            sum(wi * m.coef for wi, m in zip(w, models, strict=True)),
            float(sum(wi * m.intercept for wi, m in zip(w, models, strict=True))),
            offsets,
            np.concatenate([wi * m.scale for wi, m in zip(w, models, strict=True)]),
            np.concatenate([m.feature for m in models]),
            np.concatenate([m.left for m in models]),
            np.concatenate([m.right for m in models]),
            np.concatenate([m.threshold for m in models]),
            np.concatenate([m.value for m in models]),
            f32,
        ).validate(d)

    # ------------------------------------------------------------------ storage
    def to_bytes(self) -> bytes:
        """A plain array frame (:mod:`rof.learnware.frames`; nothing pickled)."""
        return pack(
            {
                "format": FORMAT,
                "kind": self.kind,
                "n_features": self.n_features,
                "linear_f32": self.linear_f32,
            },
            self.arrays(),
        )

    def arrays(self) -> dict:
        """The named arrays (what :meth:`from_arrays` reads)."""
        return {
            "coef": self.coef,
            "intercept": np.array([self.intercept]),
            "offsets": self.offsets,
            "scale": self.scale,
            "feature": self.feature,
            "left": self.left,
            "right": self.right,
            "threshold": self.threshold,
            "value": self.value,
        }

    @classmethod
    def from_arrays(cls, head: dict, arrays: dict) -> CompiledModel:
        """Build from a header and named arrays (unvalidated; call :meth:`validate`)."""
        try:
            return cls(
                str(head["kind"])[:200],
                int(head["n_features"]),
                np.asarray(arrays["coef"]),
                float(np.asarray(arrays["intercept"]).reshape(-1)[0]),
                np.asarray(arrays["offsets"]),
                np.asarray(arrays["scale"]).reshape(-1),
                np.asarray(arrays["feature"]),
                np.asarray(arrays["left"]),
                np.asarray(arrays["right"]),
                np.asarray(arrays["threshold"]),
                np.asarray(arrays["value"]),
                bool(head.get("linear_f32", False)),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise SecurityError(f"compiled model is malformed: {exc}") from None

    @classmethod
    def from_bytes(cls, data: bytes, n_features: int | None = None) -> CompiledModel:
        """Read :meth:`to_bytes` output and validate it."""
        head, arrays = unpack(data, what="compiled model")
        if head.get("format") != FORMAT:
            raise SecurityError(f"compiled model is not in the {FORMAT!r} format")
        return cls.from_arrays(head, arrays).validate(n_features)


@numba.njit(cache=True)
def _predict(x, x32, coef, intercept, offsets, scale, feature, left, right, threshold, value):
    n, d = x.shape
    out = np.empty(n)
    for i in range(n):
        s = intercept
        for k in range(d):
            s += x[i, k] * coef[k]
        out[i] = s
    # tree-outer: one tree's nodes stay in cache while every row walks it
    xt = np.ascontiguousarray(x32.T)
    for t in range(scale.shape[0]):
        base = offsets[t]
        sc = scale[t]
        for i in range(n):
            node = base
            while left[node] != -1:
                if xt[feature[node], i] <= threshold[node]:
                    node = base + left[node]
                else:
                    node = base + right[node]
            out[i] += sc * value[node]
    return out


@numba.njit(cache=True)
def _predict_dense3(xlt, xt, coef, intercept, feat, thr, leaf):
    """Branch-free kernel of complete depth-3 trees (module docstring).

    xlt (d, n) the features the linear part reads (float64, or the float32 ``xt`` when
    it reads the rounded input), xt (d, n) float32 the rounded features; feat, thr
    (T, 7) and leaf (T, 8) float32 (``scale * value``) from ``CompiledModel._dense``.
    """
    d, n = xt.shape
    out = np.full(n, intercept)
    for k in range(d):  # intercept, then k ascending: predict_ref's order
        ck = coef[k]
        xk = xlt[k]
        for i in range(n):
            out[i] += np.float64(xk[i]) * ck
    acc = np.zeros(n, dtype=np.float32)
    for i0 in range(0, n, _BLOCK):
        i1 = min(n, i0 + _BLOCK)
        nb = i1 - i0
        o = acc[i0:i1]
        for t in range(feat.shape[0]):
            f = feat[t]
            th = thr[t]
            v = leaf[t]
            x0 = xt[f[0], i0:i1]
            x1 = xt[f[1], i0:i1]
            x2 = xt[f[2], i0:i1]
            x3 = xt[f[3], i0:i1]
            x4 = xt[f[4], i0:i1]
            x5 = xt[f[5], i0:i1]
            x6 = xt[f[6], i0:i1]
            t0, t1, t2, t3, t4, t5, t6 = th[0], th[1], th[2], th[3], th[4], th[5], th[6]
            v0, v1, v2, v3, v4, v5, v6, v7 = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
            for i in range(nb):  # every comparison computed, selects pick the leaf
                ll = v0 if x3[i] <= t3 else v1
                lr = v2 if x4[i] <= t4 else v3
                rl = v4 if x5[i] <= t5 else v5
                rr = v6 if x6[i] <= t6 else v7
                lo = ll if x1[i] <= t1 else lr
                hi = rl if x2[i] <= t2 else rr
                o[i] += lo if x0[i] <= t0 else hi
    for i in range(n):
        out[i] += np.float64(acc[i])
    return out


def predict_ref(m: CompiledModel, X) -> np.ndarray:
    """Plain-NumPy reference of :meth:`CompiledModel.predict` (all rows at once).

    The linear part is summed in the kernels' order (intercept, then ``k`` ascending), so
    the kernels agree with it exactly.
    """
    x = np.asarray(X, dtype=np.float64)
    x32 = x.astype(np.float32).astype(np.float64)
    xl = x32 if m.linear_f32 else x
    out = np.full(x.shape[0], m.intercept)
    for k in range(m.n_features):
        out = out + xl[:, k] * m.coef[k]
    rows = np.arange(x.shape[0])
    for t in range(m.scale.size):
        b = m.offsets[t]
        node = np.zeros(x.shape[0], dtype=np.int64)
        while True:
            j = b + node
            inner = m.left[j] != -1
            if not inner.any():
                break
            go_left = x32[rows, np.where(inner, m.feature[j], 0)] <= m.threshold[j]
            nxt = np.where(go_left, m.left[j], m.right[j])
            node = np.where(inner, nxt, node)
        out = out + m.scale[t] * m.value[b + node]
    return out
