"""TS 38.214 Type I single-panel codebook (Sec. 5.2.2.2.1, codebookMode 1, ranks 1-2) and
the PMI feedback the edge precodes from with ``mimo.csi_feedback = "type1"``.

With ``N1 x N2`` dual-polarised antenna pairs (``P = 2 N1 N2`` CSI-RS ports) and
oversampling ``O1, O2`` (Table 5.2.2.2.1-2), TS 38.214 defines

.. math::
    u_m = [1, e^{j 2\\pi m / (O_2 N_2)}, \\dots, e^{j 2\\pi m (N_2 - 1) / (O_2 N_2)}],\\quad
    v_{l,m} = [u_m, e^{j 2\\pi l / (O_1 N_1)} u_m, \\dots,
               e^{j 2\\pi l (N_1 - 1) / (O_1 N_1)} u_m]^T,\\quad \\varphi_n = e^{j\\pi n / 2},

(``u_m = 1`` when ``N2 = 1``) and, for codebookMode 1 (Tables 5.2.2.2.1-5 and -6),

.. math::
    W^{(1)}_{l,m,n} = \\frac{1}{\\sqrt{P}} \\begin{bmatrix} v_{l,m} \\\\ \\varphi_n v_{l,m}
    \\end{bmatrix},\\qquad
    W^{(2)}_{l,l',m,m',n} = \\frac{1}{\\sqrt{2P}} \\begin{bmatrix} v_{l,m} & v_{l',m'} \\\\
    \\varphi_n v_{l,m} & -\\varphi_n v_{l',m'} \\end{bmatrix},

with ``l = i_{1,1}`` in ``0 .. N1 O1 - 1``, ``m = i_{1,2}`` in ``0 .. N2 O2 - 1``,
``n = i_2`` in ``0 .. 3`` (rank 1) or ``0 .. 1`` (rank 2), and ``l' = l + k_1``,
``m' = m + k_2`` from ``i_{1,3}`` (Table 5.2.2.2.1-3). The first ``N1 N2`` ports are one
polarisation, the last ``N1 N2`` the other.

Feedback. The UE measures its channel ``h`` (one row per receive antenna) and reports the
PMI of largest rate, ``argmax log2 det(I + rho H W W^H H^H)`` (for rank 1 and one
receive antenna: ``argmax |h w|^2``), and, through its CQI, the gain ``|h w|``, but not
the phase of ``h w`` (each CSI-RS resource, one per cell, has its own phase reference).
The edge then takes ``h_hat = |h w| w^H`` as the user's channel to that cell
(:func:`type1_report`): exact along the beam, blind to everything orthogonal to it, and
with no phase relation between the cells of a cluster -- which is what coherent joint
transmission needs (Rel-16 Type II and Rel-18 coherent-JT codebooks report it; Type I
does not). The simulated UEs have one receive antenna, so their rank indicator is 1.
"""

from __future__ import annotations

import numpy as np

from rof.errors import ParameterError

__all__ = ["SUPPORTED", "i13_offsets", "type1_codebook", "type1_report"]

#: TS 38.214 Table 5.2.2.2.1-2: supported (N1, N2) -> (O1, O2).
SUPPORTED = {
    (2, 1): (4, 1),
    (2, 2): (4, 4),
    (4, 1): (4, 1),
    (3, 2): (4, 4),
    (6, 1): (4, 1),
    (4, 2): (4, 4),
    (8, 1): (4, 1),
    (4, 3): (4, 4),
    (6, 2): (4, 4),
    (12, 1): (4, 1),
    (4, 4): (4, 4),
    (8, 2): (4, 4),
    (16, 1): (4, 1),
}


def _check(n1: int, n2: int, o1: int | None, o2: int | None) -> tuple[int, int]:
    if (n1, n2) not in SUPPORTED:
        allowed = ", ".join(f"({a}, {b})" for a, b in SUPPORTED)
        raise ParameterError(
            f"mimo.codebook (N1, N2) = ({n1}, {n2}) is not supported; allowed (TS 38.214 Table "
            f"5.2.2.2.1-2): {allowed}"
        )
    d1, d2 = SUPPORTED[(n1, n2)]
    return (d1 if o1 is None else int(o1)), (d2 if o2 is None else int(o2))


def _v(l_idx: int, m_idx: int, n1: int, n2: int, o1: int, o2: int) -> np.ndarray:
    """``v_{l,m}`` of the module docstring: (N1 N2,) complex, ``u_m`` inner."""
    u = np.exp(2j * np.pi * m_idx * np.arange(n2) / (o2 * n2)) if n2 > 1 else np.ones(1)
    a = np.exp(2j * np.pi * l_idx * np.arange(n1) / (o1 * n1))
    return np.kron(a, u)


def i13_offsets(n1: int, n2: int, o1: int, o2: int) -> list[tuple[int, int]]:
    """``(k1, k2)`` for each ``i_{1,3}`` of rank 2, TS 38.214 Table 5.2.2.2.1-3."""
    if n1 > n2 > 1:
        return [(0, 0), (o1, 0), (0, o2), (2 * o1, 0)]
    if n1 == n2:
        return [(0, 0), (o1, 0), (0, o2), (o1, o2)]
    if n1 == 2 and n2 == 1:
        return [(0, 0), (o1, 0)]
    return [(0, 0), (o1, 0), (2 * o1, 0), (3 * o1, 0)]  # N1 > 2, N2 = 1


def type1_codebook(
    n1: int, n2: int = 1, rank: int = 1, o1: int | None = None, o2: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every precoder of the Type I single-panel codebook, codebookMode 1.

    Parameters
    ----------
    n1, n2 : int
        Antenna pairs per dimension (Table 5.2.2.2.1-2); ``P = 2 n1 n2`` ports.
    rank : {1, 2}
    o1, o2 : int, optional
        Oversampling (default the table's).

    Returns
    -------
    w : ndarray (n_codewords, P, rank) complex
    pmi : ndarray (n_codewords, 4) int
        ``(i11, i12, i13, i2)`` of each codeword (``i13`` 0 for rank 1).
    """
    o1, o2 = _check(int(n1), int(n2), o1, o2)
    p = 2 * n1 * n2
    ws, ids = [], []
    if rank == 1:
        for l_idx in range(n1 * o1):
            for m_idx in range(n2 * o2):
                v = _v(l_idx, m_idx, n1, n2, o1, o2)
                for n in range(4):
                    phi = np.exp(1j * np.pi * n / 2)
                    ws.append(np.r_[v, phi * v][:, None] / np.sqrt(p))
                    ids.append((l_idx, m_idx, 0, n))
    elif rank == 2:
        for i13, (k1, k2) in enumerate(i13_offsets(n1, n2, o1, o2)):
            for l_idx in range(n1 * o1):
                for m_idx in range(n2 * o2):
                    v1 = _v(l_idx, m_idx, n1, n2, o1, o2)
                    v2 = _v(l_idx + k1, m_idx + k2, n1, n2, o1, o2)
                    for n in range(2):
                        phi = np.exp(1j * np.pi * n / 2)
                        w = np.c_[np.r_[v1, phi * v1], np.r_[v2, -phi * v2]]
                        ws.append(w / np.sqrt(2 * p))
                        ids.append((l_idx, m_idx, i13, n))
    else:
        raise ParameterError(f"codebook rank = {rank!r} is out of range; allowed: 1 or 2")
    return np.array(ws), np.array(ids, dtype=np.int64)


def type1_report(h, codebook: np.ndarray, snr: float | np.ndarray = 1.0):
    """The PMI each UE reports and the channel the edge rebuilds from it (module docstring).

    Parameters
    ----------
    h : ndarray (..., n_rx, P) complex
        Measured channel of each report (``n_rx`` receive antennas).
    codebook : ndarray (n_codewords, P, rank)
        :func:`type1_codebook`.
    snr : float or ndarray (...)
        Per-report SNR for the rank-2 capacity metric (rank 1 needs none).

    Returns
    -------
    index : ndarray (...) int
        Codeword chosen.
    h_hat : ndarray (..., rank, P) complex
        ``|h w_r| w_r^H`` per layer ``r`` (rank 1, one receive antenna: ``|h w| w^H``).
    """
    h = np.asarray(h, dtype=np.complex128)
    cb = np.asarray(codebook)
    if h.shape[-1] != cb.shape[1]:
        raise ParameterError(
            f"type1_report: h has {h.shape[-1]} ports, the codebook {cb.shape[1]}; allowed: equal"
        )
    hw = np.einsum("...rp,cpl->...crl", h, cb)  # (..., n_cw, n_rx, rank)
    rank = cb.shape[2]
    if rank == 1:
        metric = np.sum(np.abs(hw[..., 0]) ** 2, axis=-1)
    else:
        gram = np.einsum("...crl,...crk->...clk", np.conj(hw), hw)
        s = np.asarray(snr, dtype=float)[..., None, None, None] / rank
        metric = np.log2(np.real(np.linalg.det(np.eye(rank) + s * gram)))
    index = np.argmax(metric, axis=-1)
    w = cb[index]  # (..., P, rank)
    gain = np.sqrt(np.sum(np.abs(np.einsum("...rp,...pl->...rl", h, w)) ** 2, axis=-2))
    h_hat = gain[..., :, None] * np.conj(np.swapaxes(w, -1, -2))
    return index, h_hat
