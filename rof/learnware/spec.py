"""Reduced kernel mean embedding (RKME) specification of a data set.

A learnware's specification summarises its training inputs ``X`` (n, d) by a weighted
reduced set ``(Z, beta)``, ``m << n`` points, whose Gaussian-kernel mean embedding
``sum_j beta_j k(z_j, .)`` approximates ``mu_X = (1/n) sum_i k(x_i, .)``
(Wu, Ye, Tan, Zhou, Zhou, "Model reuse with reduced kernel mean embedding
specification", IEEE TKDE 35(1):699-710, 2023, Sec. 3, eq. 3). ``Z`` is initialised by
k-means and refined by alternating the ``beta`` update (non-negative weights summing
to one: a small QP on the simplex) with exact-gradient steps on ``Z``.

Example
-------
>>> import numpy as np
>>> from rof.learnware import RKMESpecification
>>> rng = np.random.default_rng(0)
>>> a = RKMESpecification.fit(rng.normal(size=(500, 3)), reduced_size=20, rng=rng)
>>> b = RKMESpecification.fit(rng.normal(size=(500, 3)) + 2.0, reduced_size=20, rng=rng)
>>> a.mmd(a) < 1e-12 < a.mmd(b)
True
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rof._validate import check_int_range, check_range
from rof.errors import DataError, ModelError
from rof.learnware import _kernels as kn
from rof.learnware.schema import FeatureSchema, identity_schema

__all__ = ["RKMESpecification"]

#: Format tag written into saved specifications.
SPEC_FORMAT = "rof.rkme/1"
#: Largest reduced set m a specification may hold (search cost grows with m_user m).
MAX_REDUCED_SIZE = 1000
#: Largest feature dimension d.
MAX_DIM = 1000
#: Largest number of values m d (a 12,000 x 16 reduced set made every search 4.6 s).
MAX_VALUES = 50_000
#: Largest specification file, bytes.
MAX_SPEC_BYTES = 4 * 2**20


def check_spec_size(m: int, d: int, what: str = "specification") -> None:
    """Refuse reduced sets beyond :data:`MAX_REDUCED_SIZE`, :data:`MAX_DIM`, :data:`MAX_VALUES`."""
    if not (1 <= m <= MAX_REDUCED_SIZE and 1 <= d <= MAX_DIM and m * d <= MAX_VALUES):
        raise ModelError(
            f"{what} has m = {m} points x d = {d} features; allowed: m 1 to "
            f"{MAX_REDUCED_SIZE}, d 1 to {MAX_DIM}, m x d at most {MAX_VALUES}"
        )


@dataclass(frozen=True, eq=False)
class RKMESpecification:
    """Weighted reduced set ``(z, beta)`` in the standardised feature space of ``schema``.

    Attributes
    ----------
    z : ndarray (m, d)
        Reduced-set points, standardised units.
    beta : ndarray (m,)
        Non-negative weights summing to one.
    schema : FeatureSchema
        Feature names, the task's fixed standardisation and the kernel ``gamma``.
    n_samples : int
        Size of the data set the specification summarises.
    dp_epsilon, dp_delta : float or None
        Differential-privacy budget when fitted with the Gaussian mechanism.
    """

    z: np.ndarray
    beta: np.ndarray
    schema: FeatureSchema
    n_samples: int
    dp_epsilon: float | None = None
    dp_delta: float | None = None
    _self_term: float = field(default=np.nan, repr=False)

    def __post_init__(self):
        z = np.ascontiguousarray(self.z, dtype=float)
        beta = np.ascontiguousarray(self.beta, dtype=float).ravel()
        if z.ndim == 2:
            check_spec_size(z.shape[0], z.shape[1], "RKMESpecification")
        if z.ndim != 2 or z.shape[0] != beta.size or z.shape[1] != self.schema.dim:
            raise ModelError(
                f"RKMESpecification: z {z.shape} and beta {beta.shape} do not match "
                f"the schema's {self.schema.dim} features"
            )
        if not (np.all(np.isfinite(z)) and np.all(np.isfinite(beta))):
            raise ModelError("RKMESpecification: z and beta must be finite")
        if np.any(beta < -1e-12) or abs(beta.sum() - 1.0) > 1e-6:
            raise ModelError("RKMESpecification.beta must be non-negative and sum to 1")
        check_int_range("RKMESpecification.n_samples", self.n_samples, 1)
        z.flags.writeable = False
        beta.flags.writeable = False
        object.__setattr__(self, "z", z)
        object.__setattr__(self, "beta", beta)
        st = float(beta @ kn.gauss_kernel(z, z, self.gamma) @ beta)
        object.__setattr__(self, "_self_term", st)

    # ------------------------------------------------------------------ properties
    @property
    def gamma(self) -> float:
        """Gaussian-kernel parameter (standardised units), from the schema."""
        return self.schema.gamma

    @property
    def dim(self) -> int:
        """Feature dimension d."""
        return self.z.shape[1]

    @property
    def reduced_size(self) -> int:
        """Number of reduced-set points m."""
        return self.z.shape[0]

    @property
    def self_term(self) -> float:
        """``||mu||^2 = beta^T K_ZZ beta`` (cached)."""
        return self._self_term

    # ------------------------------------------------------------------ fitting
    @classmethod
    def fit(
        cls,
        X,
        reduced_size: int = 100,
        gamma: float | None = None,
        rng: np.random.Generator | None = None,
        *,
        schema: FeatureSchema | None = None,
        n_alternations: int = 3,
        z_steps: int = 3,
        kmeans_iters: int = 8,
        dp_epsilon: float | None = None,
        dp_delta: float | None = None,
    ) -> RKMESpecification:
        """Fit the reduced set of ``X`` (raw units, (n, d)).

        Parameters
        ----------
        X : array_like (n, d)
            Data set, raw units of ``schema``; at least two distinct rows.
        reduced_size : int
            Number of reduced points m (capped at ``n // 2`` so that no point stands
            for a single row).
        gamma : float, optional
            Kernel parameter; default the schema's (``1/d`` without a schema). Giving
            a value replaces the schema's gamma (specifications compare only under the
            same gamma).
        rng : numpy.random.Generator, optional
            For the k-means++ seeding (and the privacy noise); default a fresh one.
        schema : FeatureSchema, optional
            The task's fixed standardisation; default: identity on ``X``.
        n_alternations, z_steps, kmeans_iters : int
            Alternations of (beta QP, Z steps), Z gradient steps per alternation, and
            Lloyd iterations of the k-means initialisation.
        dp_epsilon, dp_delta : float, optional
            When both are given the specification is fitted to a Gaussian-mechanism
            privatised embedding instead, see :func:`rof.learnware.privacy.fit_private`.
        """
        rng = np.random.default_rng() if rng is None else rng
        x = np.asarray(X, dtype=float)
        if x.ndim != 2 or x.shape[0] < 2:
            raise DataError(f"RKMESpecification.fit needs X of shape (n >= 2, d), got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise DataError("RKMESpecification.fit: X contains NaN or infinite values")
        if schema is None:
            schema = identity_schema(x.shape[1], gamma)
        elif gamma is not None and gamma != schema.gamma:
            schema = FeatureSchema(
                schema.task, schema.feature_names, schema.loc, schema.scale, gamma
            )
        xs = schema.transform(x)
        reduced_size = check_int_range(
            "RKMESpecification.reduced_size", reduced_size, 1, MAX_REDUCED_SIZE
        )
        if (dp_epsilon is None) != (dp_delta is None):
            raise DataError("RKMESpecification.fit: give both dp_epsilon and dp_delta, or neither")
        if dp_epsilon is not None:
            from rof.learnware.privacy import fit_private

            z, beta = fit_private(xs, reduced_size, schema.gamma, dp_epsilon, dp_delta, rng)
            return cls(z, beta, schema, x.shape[0], float(dp_epsilon), float(dp_delta))
        z, beta = _fit_reduced_set(
            xs, reduced_size, schema.gamma, rng, n_alternations, z_steps, kmeans_iters
        )
        return cls(z, beta, schema, x.shape[0])

    # ------------------------------------------------------------------ comparison
    def _check_compatible(self, other: RKMESpecification) -> None:
        if self.schema.schema_id != other.schema.schema_id:
            raise ModelError(
                "specifications use different feature schemas "
                f"({self.schema.task}/{self.schema.schema_id} vs "
                f"{other.schema.task}/{other.schema.schema_id}); MMD is defined only "
                "under one task's fixed standardisation and gamma"
            )

    def inner(self, other: RKMESpecification) -> float:
        """RKHS inner product ``<mu_self, mu_other> = beta^T K(Z, Z') beta'``."""
        self._check_compatible(other)
        return float(self.beta @ kn.gauss_kernel(self.z, other.z, self.gamma) @ other.beta)

    def mmd(self, other: RKMESpecification) -> float:
        """Squared MMD ``||mu_self - mu_other||^2_H`` (>= 0, 0 for identical sets)."""
        val = self.self_term + other.self_term - 2.0 * self.inner(other)
        return max(val, 0.0)

    def mmd_to_data(self, X) -> float:
        """Squared MMD between this specification and the empirical embedding of ``X``."""
        xs = self.schema.transform(X)
        kxx = kn.gauss_kernel(xs, xs, self.gamma).mean()
        kzx = kn.gauss_kernel(self.z, xs, self.gamma).mean(axis=1)
        return max(self.self_term + kxx - 2.0 * float(self.beta @ kzx), 0.0)

    # ------------------------------------------------------------------ sampling
    def sample(self, n: int, rng: np.random.Generator, *, jitter: float = 0.0) -> np.ndarray:
        """Synthetic points (raw units, (n, d)) drawn from the weighted reduced set.

        Row ``j`` of ``Z`` is drawn with probability ``beta_j``; ``jitter`` adds
        isotropic Gaussian noise of that standard deviation in standardised units.
        """
        n = check_int_range("RKMESpecification.sample n", n, 1)
        jitter = check_range("RKMESpecification.sample jitter", jitter, 0.0)
        idx = rng.choice(self.reduced_size, size=n, p=self.beta / self.beta.sum())
        pts = self.z[idx]
        if jitter > 0:
            pts = pts + jitter * rng.standard_normal(pts.shape)
        return self.schema.inverse(pts)

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict:
        """Plain-data form: lists of floats, the schema, the privacy budget."""
        return {
            "format": SPEC_FORMAT,
            "type": "RKMESpecification",
            "schema": self.schema.to_dict(),
            "n_samples": int(self.n_samples),
            "dp_epsilon": self.dp_epsilon,
            "dp_delta": self.dp_delta,
            "z": [[float(v) for v in row] for row in self.z],
            "beta": [float(v) for v in self.beta],
        }

    def to_json_bytes(self) -> bytes:
        """Canonical JSON bytes (same specification -> same bytes)."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_dict(cls, d: dict) -> RKMESpecification:
        """Inverse of :meth:`to_dict`; raises ModelError on malformed content."""
        if not isinstance(d, dict) or d.get("format") != SPEC_FORMAT:
            raise ModelError(f"specification is not in the {SPEC_FORMAT!r} format")
        try:
            schema = FeatureSchema.from_dict(d["schema"])
            zl, bl = d["z"], d["beta"]
            if not isinstance(zl, list) or not isinstance(bl, list):
                raise ModelError("specification z and beta must be lists")
            check_spec_size(len(zl), schema.dim)
            if len(bl) != len(zl) or not all(
                isinstance(r, list) and len(r) == schema.dim for r in zl
            ):
                raise ModelError(f"specification z must be {len(bl)} rows of {schema.dim} numbers")
            z = np.asarray(zl, dtype=float).reshape(-1, schema.dim)
            beta = np.asarray(bl, dtype=float)
            return cls(z, beta, schema, int(d["n_samples"]), d.get("dp_epsilon"), d.get("dp_delta"))
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ModelError):
                raise
            raise ModelError(f"specification is malformed: {exc}") from None

    @classmethod
    def from_json_bytes(cls, data: bytes) -> RKMESpecification:
        """Parse :meth:`to_json_bytes` output (plain JSON, nothing executed)."""
        if len(data) > MAX_SPEC_BYTES:
            raise ModelError(f"specification is {len(data)} bytes; the limit is {MAX_SPEC_BYTES}")
        try:
            d = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"specification is not valid JSON: {exc}") from None
        except RecursionError:
            raise ModelError("specification JSON nests too deeply") from None
        return cls.from_dict(d)

    def save(self, path) -> Path:
        """Write the specification as JSON (or ``.npz`` plain arrays); return the path."""
        path = Path(path)
        if path.suffix == ".npz":
            np.savez(
                path,
                z=self.z,
                beta=self.beta,
                meta=np.array(
                    json.dumps({k: v for k, v in self.to_dict().items() if k not in ("z", "beta")})
                ),
            )
        else:
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(self.to_json_bytes())
            os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path) -> RKMESpecification:
        """Read a specification written by :meth:`save` (never unpickles)."""
        path = Path(path)
        if not path.is_file():
            raise DataError(f"specification {path} is not a readable file")
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise ModelError(
                f"specification {path} is {path.stat().st_size} bytes; the limit is "
                f"{MAX_SPEC_BYTES}"
            )
        if path.suffix == ".npz":
            try:
                with zipfile.ZipFile(path) as zf:
                    unpacked = sum(i.file_size for i in zf.infolist())
                if unpacked > 4 * MAX_SPEC_BYTES:
                    raise ModelError(
                        f"specification {path} unpacks to {unpacked} bytes; the limit is "
                        f"{4 * MAX_SPEC_BYTES}"
                    )
                with np.load(path, allow_pickle=False) as f:
                    d = json.loads(str(f["meta"]))
                    d["z"], d["beta"] = f["z"].tolist(), f["beta"].tolist()
            except (ValueError, KeyError, OSError, RecursionError, zipfile.BadZipFile) as exc:
                raise ModelError(
                    f"cannot read specification {path}: {type(exc).__name__}"
                ) from None
            return cls.from_dict(d)
        return cls.from_json_bytes(path.read_bytes())


# ---------------------------------------------------------------------- the fit itself
def _objective(kzz: np.ndarray, c: np.ndarray, beta: np.ndarray) -> float:
    return float(beta @ kzz @ beta - 2.0 * beta @ c)


def _fit_reduced_set(xs, reduced_size, gamma, rng, n_alt, z_steps, kmeans_iters, kern=kn.NUMBA):
    """Alternating (beta QP, Z gradient) fit on standardised data; returns (Z, beta).

    ``kern`` selects the kernels: compiled (default) or ``_kernels.REFERENCE``.
    """
    n = xs.shape[0]
    if not np.any(np.ptp(xs, axis=0) > 0):  # two distinct rows <=> a non-constant column
        raise DataError("RKMESpecification.fit needs at least two distinct rows in X")
    m = max(1, min(reduced_size, n // 2))
    seeds = kern.kmeanspp_seed(xs, int(rng.integers(n)), rng.random(m))
    z, _, counts = kern.kmeans_lloyd(xs, seeds, kmeans_iters)
    z = _no_raw_rows(z, xs, counts)
    beta = counts / counts.sum()
    # the data part of the gradient and c depend on Z only: one pass over the data per
    # new Z, none per new beta
    data, c = kern.z_data(z, xs, gamma)
    kzz = kern.gauss_kernel(z, z, gamma)
    max_move = 1.0 / np.sqrt(2.0 * gamma)
    for _ in range(n_alt):
        beta = kern.simplex_qp(kzz, c, beta, 300, 1e-10)
        grad = -4.0 * gamma * beta[:, None] * (kern.z_model(z, beta, kzz) - data)
        f_old = _objective(kzz, c, beta)
        eta = 1.0
        for _ in range(z_steps):
            # diagonal preconditioner 4 gamma beta_j c_j: the data part of the step is a
            # mean-shift step; backtracking keeps F non-increasing
            pre = 4.0 * gamma * np.maximum(beta, 1e-12) * np.maximum(c, 1e-300)
            step = grad / pre[:, None]
            # no point moves more than one kernel width per step
            norm = np.sqrt((step * step).sum(axis=1))
            step *= np.minimum(1.0, max_move / np.maximum(norm, 1e-300))[:, None]
            while True:
                z_new = z - eta * step
                data_new, c_new = kern.z_data(z_new, xs, gamma)
                kzz_new = kern.gauss_kernel(z_new, z_new, gamma)
                f_new = _objective(kzz_new, c_new, beta)
                if f_new <= f_old or eta < 1e-3:
                    break
                eta *= 0.5
            if f_new > f_old:
                break
            z, data, c, kzz, f_old = z_new, data_new, c_new, kzz_new, f_new
            grad = -4.0 * gamma * beta[:, None] * (kern.z_model(z, beta, kzz) - data)
    beta = kern.simplex_qp(kzz, c, beta, 500, 1e-12)
    beta = np.maximum(beta, 0.0)
    z = _no_raw_rows(z, xs, None)
    return z, beta / beta.sum()


def _no_raw_rows(z, xs, counts, tol=1e-9):
    """Move any reduced point that coincides with a data row (or stands for one row only).

    A point whose k-means cluster holds a single row, or that lies within ``tol``
    (standardised units) of a row, is replaced by the mean of its two nearest distinct
    rows, shifted towards its third: a convex combination that is not a row itself.
    """
    z = z.copy()
    near = kn.min_sq_dist(z, xs) <= tol
    if counts is not None:
        near |= counts < 2
    for j in np.flatnonzero(near):
        order = np.argsort(((xs - z[j]) ** 2).sum(1))
        rows = [order[0]]
        for i in order[1:]:
            if np.any(xs[i] != xs[rows[-1]]):
                rows.append(i)
            if len(rows) == 3:
                break
        w = np.array([0.4, 0.35, 0.25])[: len(rows)]
        z[j] = (w / w.sum()) @ xs[rows]
    return z
