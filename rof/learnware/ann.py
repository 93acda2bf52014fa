"""Search at scale: random Fourier features, an approximate-nearest-neighbour index, exact re-rank.

With random Fourier features of the Gaussian kernel (Rahimi & Recht, "Random features
for large-scale kernel machines", NIPS 2007),

    phi(x) = D^{-1/2} [cos(W x), sin(W x)],   rows of W ~ N(0, 2 gamma I),

``phi(x)^T phi(y)`` is an unbiased estimate of ``exp(-gamma ||x - y||^2)``, so a
reduced set ``(Z, beta)`` embeds as the vector ``e = sum_j beta_j phi(z_j)`` (2D
numbers) and the squared MMD between two specifications becomes, approximately, the
squared Euclidean distance ``||e_u - e_l||^2``. The embeddings go into a FAISS
inverted-file index (Johnson, Douze & Jegou, "Billion-scale similarity search with
GPUs", IEEE Trans. Big Data 7(3), 2021; ``IndexIVFFlat``: k-means cells, the
``nprobe`` nearest cells scanned exactly), which proposes ``candidates`` learnwares;
these are re-ranked by the exact squared MMD (:func:`rof.learnware._kernels.mmd_cross_subset`),
so every reported MMD is exact and only the choice of candidates is approximate.

Every stacked array is bounds-checked when the index is built (offsets increasing,
inside the stacked rows), so the compiled kernels never read outside them.
"""

from __future__ import annotations

import numpy as np

from rof._validate import check_int_range
from rof.errors import DataError
from rof.learnware import _kernels as kn

__all__ = ["RffEmbedding", "SpecIndex", "check_stacked"]


class RffEmbedding:
    """Random Fourier features of ``k(x, y) = exp(-gamma ||x - y||^2)`` in ``dim`` dimensions.

    Parameters
    ----------
    dim : int
    gamma : float
    n_features : int
        D; the embedding has ``2 D`` entries.
    seed : int
        Seed of ``W`` (the same seed embeds every specification of a task alike).
    """

    def __init__(self, dim: int, gamma: float, n_features: int = 64, seed: int = 0):
        self.dim = check_int_range("RffEmbedding.dim", dim, 1)
        self.n_features = check_int_range("RffEmbedding.n_features", n_features, 1, 4096)
        self.gamma = float(gamma)
        rng = np.random.default_rng(seed)
        self.w = rng.normal(scale=np.sqrt(2.0 * self.gamma), size=(self.n_features, self.dim))

    @property
    def width(self) -> int:
        """Length of an embedding, 2 D."""
        return 2 * self.n_features

    def embed_many(self, zs, bs, offsets, chunk: int = 1 << 18) -> np.ndarray:
        """Embeddings (L, 2D) float32 of stacked reduced sets (see :func:`check_stacked`)."""
        n_l = offsets.size - 1
        out = np.zeros((n_l, self.width), dtype=np.float32)
        owner = np.repeat(np.arange(n_l), np.diff(offsets))
        s = 1.0 / np.sqrt(self.n_features)
        for a in range(0, zs.shape[0], chunk):
            proj = zs[a : a + chunk] @ self.w.T
            wb = (bs[a : a + chunk] * s)[:, None]
            feats = np.hstack([np.cos(proj) * wb, np.sin(proj) * wb])
            np.add.at(out, owner[a : a + chunk], feats.astype(np.float32))
        return out

    def embed(self, z, beta) -> np.ndarray:
        """Embedding (2D,) float32 of one reduced set."""
        z = np.asarray(z, dtype=np.float64)
        return self.embed_many(z, np.asarray(beta, float), np.array([0, z.shape[0]]))[0]


def check_stacked(zs, bs, offsets, self_terms, dim: int):
    """Bounds of stacked reduced sets, checked before any compiled kernel reads them.

    Returns the arrays as contiguous float64 / int64. Raises DataError naming the
    first inconsistency.
    """
    zs = np.ascontiguousarray(zs, dtype=np.float64)
    bs = np.ascontiguousarray(bs, dtype=np.float64)
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    self_terms = np.ascontiguousarray(self_terms, dtype=np.float64)
    n_l = offsets.size - 1
    if zs.ndim != 2 or zs.shape[1] != dim:
        raise DataError(f"stacked reduced sets have shape {zs.shape}; expected (rows, {dim})")
    if (
        n_l < 0
        or offsets[0] != 0
        or offsets[-1] != zs.shape[0]
        or bs.shape != (zs.shape[0],)
        or self_terms.shape != (n_l,)
        or np.any(np.diff(offsets) < 1)
    ):
        raise DataError("stacked reduced sets: offsets, beta and self terms are inconsistent")
    if not (np.isfinite(zs).all() and np.isfinite(bs).all() and np.isfinite(self_terms).all()):
        raise DataError("stacked reduced sets hold NaN or infinite numbers")
    return zs, bs, offsets, self_terms


class SpecIndex:
    """Approximate search over many specifications with an exact re-rank.

    Parameters
    ----------
    zs, bs, offsets, self_terms
        Stacked reduced sets (learnware ``l`` owns rows ``offsets[l]:offsets[l + 1]``)
        and their ``||mu_l||^2``.
    gamma : float
    n_features : int
        Random Fourier features D.
    candidates : int
        Learnwares proposed by the index and re-ranked exactly.
    nprobe : int
        Inverted-file cells scanned per query.
    seed : int
    """

    def __init__(
        self,
        zs,
        bs,
        offsets,
        self_terms,
        gamma: float,
        *,
        n_features: int = 128,
        candidates: int = 1024,
        nprobe: int = 64,
        seed: int = 0,
    ):
        import faiss

        dim = np.asarray(zs).shape[1]
        self.zs, self.bs, self.offsets, self.self_terms = check_stacked(
            zs, bs, offsets, self_terms, dim
        )
        self.gamma = float(gamma)
        self.size = self.offsets.size - 1
        self.candidates = check_int_range("SpecIndex.candidates", candidates, 1)
        self.rff = RffEmbedding(dim, gamma, n_features, seed)
        emb = self.rff.embed_many(self.zs, self.bs, self.offsets)
        nlist = int(max(1, min(4 * np.sqrt(self.size), self.size // 39)))
        quant = faiss.IndexFlatL2(self.rff.width)
        self.index = faiss.IndexIVFFlat(quant, self.rff.width, nlist)
        train = emb
        if self.size > 64 * nlist:
            pick = np.random.default_rng(seed).choice(self.size, 64 * nlist, replace=False)
            train = emb[np.sort(pick)]
        self.index.train(train)
        self.index.add(emb)
        self.index.nprobe = min(int(nprobe), nlist)

    @property
    def nbytes(self) -> int:
        """Memory of the index and the stacked sets, bytes (approximate)."""
        return int(
            self.size * self.rff.width * 4
            + self.zs.nbytes
            + self.bs.nbytes
            + self.offsets.nbytes
            + self.self_terms.nbytes
        )

    def exact_mmd(self, zu, bu, self_u, idx) -> np.ndarray:
        """Exact squared MMD from the user's set to learnwares ``idx``."""
        idx = np.ascontiguousarray(idx, dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= self.size):
            raise DataError("candidate index outside the stacked learnwares")
        zu = np.ascontiguousarray(zu, dtype=np.float64)
        if zu.ndim != 2 or zu.shape[1] != self.zs.shape[1]:
            raise DataError(f"user reduced set has shape {zu.shape}")
        cross = kn.mmd_cross_subset(
            zu,
            np.ascontiguousarray(bu, dtype=np.float64),
            self.zs,
            self.bs,
            self.offsets,
            idx,
            self.gamma,
        )
        return np.maximum(self_u + self.self_terms[idx] - 2.0 * cross, 0.0)

    def search(self, zu, bu, self_u, k: int):
        """The ``k`` best learnwares: (indices, exact squared MMDs), best first."""
        e = self.rff.embed(zu, bu)[None, :]
        _, cand = self.index.search(e, max(self.candidates, k))
        cand = cand[0][cand[0] >= 0]
        mmd = self.exact_mmd(zu, bu, self_u, cand)
        order = np.argsort(mmd, kind="stable")[:k]
        return cand[order], mmd[order]

    def search_exact(self, zu, bu, self_u, k: int):
        """The exact ``k`` best over every learnware (the reference of :meth:`search`)."""
        mmd = self.exact_mmd(zu, bu, self_u, np.arange(self.size))
        order = np.argsort(mmd, kind="stable")[:k]
        return order, mmd[order]
