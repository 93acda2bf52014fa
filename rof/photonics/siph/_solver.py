"""Per-wavelength S-matrix algebra of the netlist solver (numba kernel + NumPy reference).

The kernel connects port pairs one at a time with the "innerconnection" formula of
Filipsson, "A new general computer algorithm for S-matrix calculation of
interconnected multiports", Proc. 11th European Microwave Conf., 1981, pp. 700-704
(the formula of scikit-rf's ``innerconnect_s``; Compton & Rutledge, "Perspectives in
microwave circuit analysis", Proc. 32nd Midwest Symp. Circuits Syst., 1989):

.. math::
    S'_{ij} = S_{ij} + \\frac{S_{kj}S_{il}(1-S_{lk}) + S_{lj}S_{ik}(1-S_{kl})
             + S_{kj}S_{ll}S_{ik} + S_{lj}S_{kk}S_{il}}
             {(1-S_{kl})(1-S_{lk}) - S_{kk}S_{ll}},

written as the rank-2 update :math:`S' = S + S_{:,l}\\,x^T + S_{:,k}\\,y^T` and
applied only to the structurally non-zero rows and columns of the sub-networks
that the connection touches (a connection program compiled once per netlist).
The reference solves the same circuit in one step,
:math:`S_{ext} = S_{ee} + S_{ei}(I - C S_{ii})^{-1} C S_{ie}` (e.g. Bogaerts &
Chrostowski, Laser Photonics Rev. 12, 1700237 (2018), sec. 3), with
``numpy.linalg.solve``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

__all__ = ["Program", "compile_program", "connect_numba", "connect_reference"]


@dataclass(frozen=True)
class Program:
    """A netlist's connection program over "slots" (structurally non-zero S-entries).

    Slot 0 is a constant zero. ``e_slot[e]`` receives instance entry e (value row
    ``e_uid[e]``). Reflective steps (``pre_*``) first fill scratch slots
    :math:`x_j, y_j` (Filipsson's rank-2 factors); every update is then
    ``M[dst] (= or +=) M[a1] M[b1] + M[a2] M[b2]`` (``mode`` 0 assigns a new entry).
    Output entry o is ``out[:, o_a[o], o_b[o]] = M[o_slot[o]]``.
    """

    n_slots: int
    e_slot: np.ndarray
    pre_ptr: np.ndarray
    pre_kk: np.ndarray
    pre_ll: np.ndarray
    pre_kl: np.ndarray
    pre_lk: np.ndarray
    pre_j_ptr: np.ndarray
    pre_kj: np.ndarray
    pre_lj: np.ndarray
    pre_x: np.ndarray
    pre_y: np.ndarray
    op_ptr: np.ndarray
    op_dst: np.ndarray
    op_mode: np.ndarray
    op_a1: np.ndarray
    op_b1: np.ndarray
    op_a2: np.ndarray
    op_b2: np.ndarray
    o_a: np.ndarray
    o_b: np.ndarray
    o_slot: np.ndarray

    def arrays(self) -> tuple:
        return tuple(getattr(self, f) for f in self.__dataclass_fields__ if f != "n_slots")


def compile_program(entries, groups, pairs, ext) -> Program:
    """Compile the connection order and sparsity into a :class:`Program`.

    Parameters
    ----------
    entries : list of (int, int)
        Global (row, col) of each instance S-entry, in value order.
    groups : list of list of int
        Global ports of each instance.
    pairs : list of (int, int)
        Connected global port pairs.
    ext : list of int
        Global external ports, in output order.
    """
    slot: dict[tuple[int, int], int] = {}
    for rc in entries:
        slot.setdefault(rc, len(slot) + 1)
    e_slot = [slot[rc] for rc in entries]
    group, members = {}, {}
    for g, ports in enumerate(groups):
        members[g] = list(ports)
        for p in ports:
            group[p] = g
    n_slots = len(slot) + 1
    pre = {k: [] for k in ("kk", "ll", "kl", "lk", "kj", "lj", "x", "y")}
    pre_ptr, pre_j_ptr, op_ptr = [0], [0], [0]
    ops = []
    remaining = list(pairs)

    def cost(pair):
        ga, gb = group[pair[0]], group[pair[1]]
        return len(members[ga]) + (len(members[gb]) if ga != gb else 0)

    while remaining:
        k, l = remaining.pop(min(range(len(remaining)), key=lambda n: cost(remaining[n])))
        ga, gb = group[k], group[l]
        alive = [p for p in members[ga] + (members[gb] if ga != gb else []) if p not in (k, l)]
        g = slot.get
        kk, ll, kl, lk = g((k, k), 0), g((l, l), 0), g((k, l), 0), g((l, k), 0)
        refl = bool(kk or ll or kl or lk)
        jj = [j for j in alive if (k, j) in slot or (l, j) in slot]
        ii = [i for i in alive if (i, l) in slot or (i, k) in slot]
        if refl:
            for name, v in zip(("kk", "ll", "kl", "lk"), (kk, ll, kl, lk), strict=True):
                pre[name].append(v)
            xs, ys = {}, {}
            for j in jj:
                xs[j], ys[j] = n_slots, n_slots + 1
                n_slots += 2
                pre["kj"].append(g((k, j), 0))
                pre["lj"].append(g((l, j), 0))
                pre["x"].append(xs[j])
                pre["y"].append(ys[j])
            pre_j_ptr.append(len(pre["x"]))
        pre_ptr.append(len(pre["kk"]))
        new = []
        for i in ii:
            il, ik = g((i, l), 0), g((i, k), 0)
            for j in jj:
                kj, lj = g((k, j), 0), g((l, j), 0)
                if refl:
                    t1 = il and (kj or (lj and kk))
                    t2 = ik and (lj or (kj and ll))
                    b1, b2 = xs[j], ys[j]
                else:
                    t1, t2 = il and kj, ik and lj
                    b1, b2 = kj, lj
                if t1 or t2:
                    dst = slot.get((i, j), 0)
                    mode = 1 if dst else 0
                    if not dst:
                        dst = n_slots
                        n_slots += 1
                        new.append(((i, j), dst))
                    ops.append(
                        (
                            dst,
                            mode,
                            il if t1 else 0,
                            b1 if t1 else 0,
                            ik if t2 else 0,
                            b2 if t2 else 0,
                        )
                    )
        slot.update(new)
        op_ptr.append(len(ops))
        if ga != gb:
            for p in members[gb]:
                group[p] = ga
            del members[gb]
        members[ga] = alive
    outs = [
        (a, b, slot[(pa, pb)])
        for a, pa in enumerate(ext)
        for b, pb in enumerate(ext)
        if (pa, pb) in slot and group[pa] == group[pb]
    ]
    i64 = lambda x: np.asarray(x, dtype=np.int64)  # noqa: E731
    op = np.asarray(ops, dtype=np.int64).reshape(-1, 6)
    out = np.asarray(outs, dtype=np.int64).reshape(-1, 3)
    return Program(
        n_slots=n_slots,
        e_slot=i64(e_slot),
        pre_ptr=i64(pre_ptr),
        pre_kk=i64(pre["kk"]),
        pre_ll=i64(pre["ll"]),
        pre_kl=i64(pre["kl"]),
        pre_lk=i64(pre["lk"]),
        pre_j_ptr=i64(pre_j_ptr),
        pre_kj=i64(pre["kj"]),
        pre_lj=i64(pre["lj"]),
        pre_x=i64(pre["x"]),
        pre_y=i64(pre["y"]),
        op_ptr=i64(op_ptr),
        op_dst=op[:, 0].copy(),
        op_mode=op[:, 1].copy(),
        op_a1=op[:, 2].copy(),
        op_b1=op[:, 3].copy(),
        op_a2=op[:, 4].copy(),
        op_b2=op[:, 5].copy(),
        o_a=out[:, 0].copy(),
        o_b=out[:, 1].copy(),
        o_slot=out[:, 2].copy(),
    )


@numba.njit(cache=True)
def connect_numba(
    values,
    e_uid,
    n_slots,
    n_ext,
    block,
    e_slot,
    pre_ptr,
    pre_kk,
    pre_ll,
    pre_kl,
    pre_lk,
    pre_j_ptr,
    pre_kj,
    pre_lj,
    pre_x,
    pre_y,
    op_ptr,
    op_dst,
    op_mode,
    op_a1,
    op_b1,
    op_a2,
    op_b2,
    o_a,
    o_b,
    o_slot,
):
    """Run a :class:`Program` over wavelength blocks; return ``(n_wl, n_ext, n_ext)``.

    Parameters
    ----------
    values : complex128 (n_values, n_wl)
        Distinct instance S-entries; entry e takes row ``e_uid[e]`` (reciprocal
        twins share a row) into slot ``e_slot[e]``.
    n_slots, n_ext, block : int
        Slot count, external port count, wavelengths per block (inner, contiguous
        loop).
    Remaining arguments: the arrays of :class:`Program`, in field order.
    """
    n_wl = values.shape[1]
    out = np.zeros((n_wl, n_ext, n_ext), dtype=np.complex128)
    m = np.zeros((n_slots, block), dtype=np.complex128)
    inv = np.empty(block, dtype=np.complex128)
    n_steps = op_ptr.size - 1
    for w0 in range(0, n_wl, block):
        nb = min(block, n_wl - w0)
        for e in range(e_slot.size):
            d = e_slot[e]
            u = e_uid[e]
            for b in range(nb):
                m[d, b] = values[u, w0 + b]
        for s in range(n_steps):
            # reflective step: scratch factors x_j, y_j (Filipsson 1981)
            if pre_ptr[s + 1] > pre_ptr[s]:
                r = pre_ptr[s]
                kk, ll, kl, lk = pre_kk[r], pre_ll[r], pre_kl[r], pre_lk[r]
                for b in range(nb):
                    inv[b] = 1.0 / ((1.0 - m[kl, b]) * (1.0 - m[lk, b]) - m[kk, b] * m[ll, b])
                for q in range(pre_j_ptr[r], pre_j_ptr[r + 1]):
                    kj, lj, x, y = pre_kj[q], pre_lj[q], pre_x[q], pre_y[q]
                    for b in range(nb):
                        x_b = (m[kj, b] * (1.0 - m[lk, b]) + m[lj, b] * m[kk, b]) * inv[b]
                        m[y, b] = (m[lj, b] * (1.0 - m[kl, b]) + m[kj, b] * m[ll, b]) * inv[b]
                        m[x, b] = x_b
            for q in range(op_ptr[s], op_ptr[s + 1]):
                d = op_dst[q]
                a1, b1, a2, b2 = op_a1[q], op_b1[q], op_a2[q], op_b2[q]
                if op_mode[q] == 0:
                    for b in range(nb):
                        m[d, b] = 0.0
                if a1 != 0:
                    for b in range(nb):
                        m[d, b] += m[a1, b] * m[b1, b]
                if a2 != 0:
                    for b in range(nb):
                        m[d, b] += m[a2, b] * m[b2, b]
        for o in range(o_a.size):
            a, c, sl = o_a[o], o_b[o], o_slot[o]
            for b in range(nb):
                out[w0 + b, a, c] = m[sl, b]
    return out


def connect_reference(entries, rows, cols, pairs, ext_idx) -> np.ndarray:
    """Plain-NumPy reference: :math:`S_{ee} + S_{ei}(I - C S_{ii})^{-1} C S_{ie}`.

    Parameters
    ----------
    entries : complex (n_entries, n_wl)
        Instance S-entries at global ``(rows[e], cols[e])`` (block-diagonal S).
    pairs : int (n_conn, 2)
        Connected global port pairs.
    ext_idx : int (n_ext,)
        Global indices of the external ports, in output order.
    """
    internal = np.asarray(pairs, dtype=int).ravel()
    n_i, n_e, n_wl = internal.size, len(ext_idx), entries.shape[1]
    where = {int(p): ("i", n) for n, p in enumerate(internal)}
    where.update({int(p): ("e", n) for n, p in enumerate(ext_idx)})
    blocks = {
        (a, b): np.zeros((n_wl, n_i if a == "i" else n_e, n_i if b == "i" else n_e), complex)
        for a in "ie"
        for b in "ie"
    }
    for val, r, c in zip(entries, rows, cols, strict=True):
        (a, ra), (b, cb) = where[int(r)], where[int(c)]
        blocks[(a, b)][:, ra, cb] = val
    if n_i == 0:
        return blocks[("e", "e")]
    # C swaps the two ports of each connection: (C S)_a = S_perm(a)
    perm = np.arange(n_i).reshape(-1, 2)[:, ::-1].ravel()
    lhs = np.eye(n_i) - blocks[("i", "i")][:, perm, :]
    x = np.linalg.solve(lhs, blocks[("i", "e")][:, perm, :])
    return blocks[("e", "e")] + blocks[("e", "i")] @ x
