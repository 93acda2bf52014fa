"""Numba kernels of the RKME fit and of search, each beside a plain-NumPy reference.

Kernel: the Gaussian (RBF) kernel ``k(x, y) = exp(-gamma * ||x - y||^2)`` on
standardised features. The reduced kernel mean embedding (RKME) of Wu et al.
("Model reuse with reduced kernel mean embedding specification", IEEE TKDE 35(1),
2023, eq. 3) approximates the empirical embedding ``mu_X = (1/n) sum_i k(x_i, .)`` by
``sum_j beta_j k(z_j, .)``, minimising

    F(beta, Z) = beta^T K_ZZ beta - 2 beta^T c(Z) + const,   c_j = (1/n) sum_i k(z_j, x_i).

The gradient of ``F`` with respect to one reduced point (k(z, z) = 1 has none):

    dF/dz_j = -4 gamma beta_j [ sum_b beta_b k_jb (z_j - z_b) - (1/n) sum_i k_ji (z_j - x_i) ].

The ``*_ref`` functions are the plain-NumPy references the tests compare against.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "gauss_kernel",
    "gauss_kernel_ref",
    "kmeans_lloyd",
    "kmeans_lloyd_ref",
    "kmeanspp_seed",
    "kmeanspp_seed_ref",
    "min_sq_dist",
    "min_sq_dist_ref",
    "mmd_cross_many",
    "mmd_cross_many_ref",
    "mmd_cross_subset",
    "mmd_cross_subset_ref",
    "project_simplex",
    "project_simplex_ref",
    "simplex_qp",
    "simplex_qp_ref",
    "z_data",
    "z_data_ref",
    "z_gradient",
    "z_gradient_ref",
    "z_model",
    "z_model_ref",
]


# --------------------------------------------------------------------------- kernel matrix
@numba.njit(cache=True)
def gauss_kernel(a, b, gamma):
    """Gaussian kernel matrix ``K[i, j] = exp(-gamma ||a_i - b_j||^2)``; a (n, d), b (m, d)."""
    n, d = a.shape
    m = b.shape[0]
    out = np.empty((n, m))
    for i in range(n):
        for j in range(m):
            s = 0.0
            for k in range(d):
                t = a[i, k] - b[j, k]
                s += t * t
            out[i, j] = np.exp(-gamma * s)
    return out


def gauss_kernel_ref(a, b, gamma):
    """Plain-NumPy reference of :func:`gauss_kernel`."""
    sq = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    return np.exp(-gamma * sq)


# --------------------------------------------------------------------------- Z gradient
@numba.njit(cache=True)
def _neg_gamma_sqdist(x, zt, gamma, out):
    """``out[i, j] = -gamma ||x_i - z_j||^2`` (n, m), summed over features in order; the
    loop over ``j`` is innermost and contiguous (vectorised, no reassociation)."""
    n, d = x.shape
    m = zt.shape[1]
    for i in range(n):
        o = out[i]
        o[:] = 0.0
        for k in range(d):
            xk = x[i, k]
            zk = zt[k]
            for j in range(m):
                t = xk - zk[j]
                o[j] += t * t
        for j in range(m):
            o[j] = -gamma * o[j]


@numba.njit(cache=True)
def _kernel_sums(kt, x):
    """``sum_i K_ji`` (m,) and ``sum_i K_ji x_i`` (m, d) from ``kt = K^T`` (n, m), summed
    over rows in order (vectorised over ``j``)."""
    n, m = kt.shape
    d = x.shape[1]
    ks = np.zeros(m)
    sx = np.zeros((d, m))
    for i in range(n):
        ki = kt[i]
        for j in range(m):
            ks[j] += ki[j]
        for k in range(d):
            xk = x[i, k]
            sk = sx[k]
            for j in range(m):
                sk[j] += ki[j] * xk
    return ks, sx


def z_data(z, x, gamma):
    """The data part of the Z gradient, ``(1/n) sum_i k(z_j, x_i) (z_j - x_i)`` (m, d),
    and ``c_j = (1/n) sum_i k(z_j, x_i)`` (m,): both depend on Z only.

    Three passes over the (n, m) kernel matrix: squared distances (compiled,
    vectorised over the reduced points), NumPy's vectorised ``exp`` in place (numba's
    is scalar libm, ~9x slower), and the row sums (compiled, rows in order).
    """
    n = x.shape[0]
    kt = np.empty((n, z.shape[0]))
    _neg_gamma_sqdist(np.ascontiguousarray(x), np.ascontiguousarray(z.T), float(gamma), kt)
    np.exp(kt, out=kt)
    ks, sx = _kernel_sums(kt, np.ascontiguousarray(x))
    return (ks[:, None] * z - sx.T) / n, ks / n


@numba.njit(cache=True)
def z_model(z, beta, kzz):
    """The model part of the Z gradient, ``sum_b beta_b k_jb (z_j - z_b)`` (m, d), from
    the reduced set's kernel matrix ``kzz``."""
    m, d = z.shape
    out = np.zeros((m, d))
    for j in range(m):
        for b in range(m):
            if b == j:
                continue
            w = beta[b] * kzz[j, b]
            for k in range(d):
                out[j, k] += w * (z[j, k] - z[b, k])
    return out


def z_gradient(z, beta, x, gamma):
    """Gradient of ``F`` with respect to Z, and the data term ``c``.

    Returns ``(grad (m, d), c (m,))`` with ``c_j = (1/n) sum_i k(z_j, x_i)``:
    ``grad = -4 gamma beta_j (model_j - data_j)`` from :func:`z_model` and :func:`z_data`
    (the fit reuses the data part, which does not change with beta).
    """
    data, c = z_data(z, x, gamma)
    model = z_model(z, beta, gauss_kernel(z, z, gamma))
    return -4.0 * gamma * beta[:, None] * (model - data), c


def z_data_ref(z, x, gamma):
    """Plain-NumPy reference of :func:`z_data`."""
    kzx = gauss_kernel_ref(z, x, gamma)
    return (kzx.sum(axis=1)[:, None] * z - kzx @ x) / x.shape[0], kzx.mean(axis=1)


def z_model_ref(z, beta, kzz):
    """Plain-NumPy reference of :func:`z_model`."""
    wb = kzz * beta[None, :]
    return wb.sum(axis=1)[:, None] * z - wb @ z


def z_gradient_ref(z, beta, x, gamma):
    """Plain-NumPy reference of :func:`z_gradient`."""
    data, c = z_data_ref(z, x, gamma)
    model = z_model_ref(z, beta, gauss_kernel_ref(z, z, gamma))
    return -4.0 * gamma * beta[:, None] * (model - data), c


# --------------------------------------------------------------------------- simplex QP
@numba.njit(cache=True)
def project_simplex(v):
    """Euclidean projection onto the probability simplex (Duchi et al., ICML 2008, Fig. 1)."""
    n = v.shape[0]
    u = np.sort(v)[::-1]
    css = 0.0
    theta = 0.0
    for i in range(n):
        css += u[i]
        t = (css - 1.0) / (i + 1)
        if u[i] - t > 0.0:
            theta = t
    out = np.empty(n)
    for i in range(n):
        out[i] = max(v[i] - theta, 0.0)
    return out


def project_simplex_ref(v):
    """Plain-NumPy reference of :func:`project_simplex`."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    idx = np.arange(1, v.size + 1)
    cond = u - (css - 1.0) / idx > 0
    rho = idx[cond][-1]
    theta = (css[rho - 1] - 1.0) / rho
    return np.maximum(v - theta, 0.0)


@numba.njit(cache=True)
def simplex_qp(k, c, x0, iters, tol):
    """Minimise ``b^T K b - 2 c^T b`` over the simplex by accelerated projected gradient.

    FISTA (Beck & Teboulle, SIAM J. Imaging Sci. 2(1), 2009) with step ``1/L``,
    ``L = 2 lambda_max(K)`` bounded by the largest absolute row sum of ``K``.
    Stops after ``iters`` iterations or when the iterate moves less than ``tol``.
    """
    m = c.shape[0]
    lip = 0.0
    for i in range(m):
        s = 0.0
        for j in range(m):
            s += abs(k[i, j])
        lip = max(lip, s)
    lip = 2.0 * max(lip, 1e-12)
    x = x0.copy()
    y = x0.copy()
    t = 1.0
    for _ in range(iters):
        g = 2.0 * (k @ y - c)
        xn = project_simplex(y - g / lip)
        tn = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        y = xn + ((t - 1.0) / tn) * (xn - x)
        step = np.max(np.abs(xn - x))
        x = xn
        t = tn
        if step < tol:
            break
    return x


def simplex_qp_ref(k, c, x0, iters, tol):
    """Plain-NumPy reference of :func:`simplex_qp` (same iteration, NumPy operations)."""
    lip = 2.0 * max(np.abs(k).sum(axis=1).max(), 1e-12)
    x = x0.copy()
    y = x0.copy()
    t = 1.0
    for _ in range(iters):
        xn = project_simplex_ref(y - 2.0 * (k @ y - c) / lip)
        tn = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        y = xn + ((t - 1.0) / tn) * (xn - x)
        step = np.max(np.abs(xn - x))
        x, t = xn, tn
        if step < tol:
            break
    return x


# --------------------------------------------------------------------------- k-means
@numba.njit(cache=True)
def kmeans_lloyd(x, centers, iters):
    """Lloyd's k-means iterations from ``centers``; returns ``(centers, labels, counts)``.

    An empty cluster keeps its previous centre. Each centre's distances to all rows are
    summed feature by feature with the rows innermost (vectorised, features in order);
    a row goes to the first centre of least distance.
    """
    n, d = x.shape
    m = centers.shape[0]
    c = centers.copy()
    xt = np.ascontiguousarray(x.T)
    labels = np.zeros(n, dtype=np.int64)
    new = np.zeros(n, dtype=np.int64)
    counts = np.zeros(m, dtype=np.int64)
    sums = np.zeros((m, d))
    s = np.empty(n)
    bd = np.empty(n)
    for _ in range(iters):
        bd[:] = np.inf
        for j in range(m):
            s[:] = 0.0
            for k in range(d):
                cjk = c[j, k]
                xk = xt[k]
                for i in range(n):
                    t = xk[i] - cjk
                    s[i] += t * t
            for i in range(n):
                better = s[i] < bd[i]
                bd[i] = s[i] if better else bd[i]
                new[i] = j if better else new[i]
        changed = 0
        for i in range(n):
            if new[i] != labels[i]:
                changed += 1
            labels[i] = new[i]
        sums[:, :] = 0.0
        counts[:] = 0
        for i in range(n):
            counts[labels[i]] += 1
            for k in range(d):
                sums[labels[i], k] += x[i, k]
        for j in range(m):
            if counts[j] > 0:
                for k in range(d):
                    c[j, k] = sums[j, k] / counts[j]
        if changed == 0:
            break
    return c, labels, counts


def kmeans_lloyd_ref(x, centers, iters):
    """Plain-NumPy reference of :func:`kmeans_lloyd`."""
    c = centers.copy()
    labels = np.zeros(x.shape[0], dtype=np.int64)
    counts = np.zeros(c.shape[0], dtype=np.int64)
    for _ in range(iters):
        dist = ((x[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
        new = np.argmin(dist, axis=1)
        changed = np.count_nonzero(new != labels)
        labels = new
        counts = np.bincount(labels, minlength=c.shape[0])
        for j in range(c.shape[0]):
            if counts[j] > 0:
                c[j] = x[labels == j].mean(axis=0)
        if changed == 0:
            break
    return c, labels, counts


# --------------------------------------------------------------------------- search
@numba.njit(cache=True)
def mmd_cross_many(zu, bu, zs, bs, offsets, gamma):
    """Cross terms ``<mu_u, mu_l> = beta_u^T K(Z_u, Z_l) beta_l`` for many learnwares.

    ``zs`` (sum m_l, d) and ``bs`` (sum m_l,) stack every learnware's reduced set;
    learnware ``l`` owns rows ``offsets[l]:offsets[l + 1]``. Returns (L,).
    """
    n_l = offsets.shape[0] - 1
    mu, d = zu.shape
    out = np.zeros(n_l)
    for ell in range(n_l):
        tot = 0.0
        for r in range(offsets[ell], offsets[ell + 1]):
            acc = 0.0
            for a in range(mu):
                s = 0.0
                for k in range(d):
                    t = zu[a, k] - zs[r, k]
                    s += t * t
                acc += bu[a] * np.exp(-gamma * s)
            tot += acc * bs[r]
        out[ell] = tot
    return out


@numba.njit(cache=True)
def mmd_cross_subset(zu, bu, zs, bs, offsets, idx, gamma):
    """:func:`mmd_cross_many` for the learnwares ``idx`` only (no stacked copies), (len(idx),)."""
    mu, d = zu.shape
    out = np.zeros(idx.shape[0])
    for c in range(idx.shape[0]):
        ell = idx[c]
        tot = 0.0
        for r in range(offsets[ell], offsets[ell + 1]):
            acc = 0.0
            for a in range(mu):
                s = 0.0
                for k in range(d):
                    t = zu[a, k] - zs[r, k]
                    s += t * t
                acc += bu[a] * np.exp(-gamma * s)
            tot += acc * bs[r]
        out[c] = tot
    return out


def mmd_cross_subset_ref(zu, bu, zs, bs, offsets, idx, gamma):
    """Plain-NumPy reference of :func:`mmd_cross_subset`."""
    return np.array(
        [
            bu
            @ gauss_kernel_ref(zu, zs[offsets[i] : offsets[i + 1]], gamma)
            @ bs[offsets[i] : offsets[i + 1]]
            for i in idx
        ]
    )


def mmd_cross_many_ref(zu, bu, zs, bs, offsets, gamma):
    """Plain-NumPy reference of :func:`mmd_cross_many`."""
    out = np.empty(offsets.size - 1)
    for ell in range(offsets.size - 1):
        sl = slice(offsets[ell], offsets[ell + 1])
        out[ell] = bu @ gauss_kernel_ref(zu, zs[sl], gamma) @ bs[sl]
    return out


# --------------------------------------------------------------------------- nearest row
@numba.njit(cache=True)
def min_sq_dist(z, x):
    """Squared distance from each row of ``z`` (m, d) to its nearest row of ``x``, (m,)."""
    m, d = z.shape
    n = x.shape[0]
    xt = np.ascontiguousarray(x.T)
    out = np.empty(m)
    s = np.empty(n)
    for j in range(m):
        s[:] = 0.0
        for k in range(d):  # features in order, rows innermost (vectorised)
            zk = z[j, k]
            xk = xt[k]
            for i in range(n):
                t = zk - xk[i]
                s[i] += t * t
        best = np.inf
        for i in range(n):
            if s[i] < best:
                best = s[i]
        out[j] = best
    return out


def min_sq_dist_ref(z, x):
    """Plain-NumPy reference of :func:`min_sq_dist`."""
    return ((z[:, None, :] - x[None, :, :]) ** 2).sum(axis=2).min(axis=1)


# --------------------------------------------------------------------------- k-means++
@numba.njit(cache=True)
def kmeanspp_seed(x, first, uniforms):
    """k-means++ seeding (Arthur & Vassilvitskii, SODA 2007) with given random numbers.

    ``first`` is the index of the first centre; centre ``j >= 1`` is the row where the
    cumulative sum of squared distances to the nearest centre first exceeds
    ``uniforms[j] * total``. Returns (m, d) with ``m = uniforms.size``.
    """
    n, d = x.shape
    m = uniforms.shape[0]
    xt = np.ascontiguousarray(x.T)
    centers = np.empty((m, d))
    d2 = np.full(n, np.inf)
    s = np.empty(n)
    pick = first
    for j in range(m):
        for k in range(d):
            centers[j, k] = x[pick, k]
        s[:] = 0.0
        for k in range(d):  # features in order, rows innermost (vectorised)
            ck = centers[j, k]
            xk = xt[k]
            for i in range(n):
                t = xk[i] - ck
                s[i] += t * t
        for i in range(n):
            if s[i] < d2[i]:
                d2[i] = s[i]
        if j + 1 == m:
            break
        tot = 0.0
        for i in range(n):
            tot += d2[i]
        target = uniforms[j + 1] * tot
        acc = 0.0
        pick = n - 1
        for i in range(n):
            acc += d2[i]
            if acc > target and d2[i] > 0.0:
                pick = i
                break
    return centers


def kmeanspp_seed_ref(x, first, uniforms):
    """Plain-NumPy reference of :func:`kmeanspp_seed`."""
    m = uniforms.size
    centers = np.empty((m, x.shape[1]))
    centers[0] = x[first]
    d2 = ((x - centers[0]) ** 2).sum(axis=1)
    for j in range(1, m):
        cs = np.cumsum(d2)
        ok = (cs > uniforms[j] * cs[-1]) & (d2 > 0)
        pick = int(np.argmax(ok)) if ok.any() else x.shape[0] - 1
        centers[j] = x[pick]
        d2 = np.minimum(d2, ((x - centers[j]) ** 2).sum(axis=1))
    return centers


class _Namespace:
    def __init__(self, **kw):
        self.__dict__.update(kw)


#: The compiled kernels, and the plain-NumPy references under the same names (the
#: fit and search take either; benches compare them).
NUMBA = _Namespace(
    gauss_kernel=gauss_kernel,
    z_data=z_data,
    z_model=z_model,
    z_gradient=z_gradient,
    simplex_qp=simplex_qp,
    kmeans_lloyd=kmeans_lloyd,
    kmeanspp_seed=kmeanspp_seed,
    mmd_cross_many=mmd_cross_many,
)
REFERENCE = _Namespace(
    gauss_kernel=gauss_kernel_ref,
    z_data=z_data_ref,
    z_model=z_model_ref,
    z_gradient=z_gradient_ref,
    simplex_qp=simplex_qp_ref,
    kmeans_lloyd=kmeans_lloyd_ref,
    kmeanspp_seed=kmeanspp_seed_ref,
    mmd_cross_many=mmd_cross_many_ref,
)
