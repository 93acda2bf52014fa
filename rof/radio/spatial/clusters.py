"""Small-scale parameters of TR 38.901 section 7.5, steps 5-10: clusters and rays.

For links whose large-scale parameters were drawn (step 4,
:func:`rof.radio.spatial.params.draw_lsps`), with the TR 38.901 V17.1.0 equations:

* step 5, delays: ``tau'_n = -r_tau DS ln X_n`` (7.5-1), shifted to start at 0 and
  sorted (7.5-2); LOS links also get ``tau_n^LOS = tau_n / C_tau`` with
  ``C_tau = 0.7705 - 0.0433 K + 0.0002 K^2 + 0.000017 K^3`` (K in dB, 7.5-3/7.5-4);
* step 6, powers: ``P'_n = exp(-tau_n (r_tau - 1)/(r_tau DS)) 10^(-Z_n/10)``,
  ``Z_n ~ N(0, zeta^2)`` (7.5-5), normalised (7.5-6); LOS:
  ``P_n = P_n^NLOS/(K_R + 1) + delta(n - 1) K_R/(K_R + 1)`` (7.5-7/7.5-8); clusters
  25 dB below the strongest are removed, judged on the 7.5-6 powers (the TR uses the
  7.5-8 powers "only in equations (7.5-9) and (7.5-14)"), and the NLOS powers are
  renormalised to 1 after the removal, so the channel keeps unit mean power;
* step 7, angles: AoA ``phi'_n = 2 (ASA/1.4) sqrt(-ln(P_n/max P)) / C_phi`` (7.5-9),
  ``C_phi = C_phi^NLOS (1.1035 - 0.028 K - 0.002 K^2 + 0.0001 K^3)`` in LOS (7.5-10),
  ``phi_n = X_n phi'_n + Y_n + phi_LOS`` with ``X_n = +-1``,
  ``Y_n ~ N(0, (ASA/7)^2)`` (7.5-11), LOS: the first cluster on the LOS direction
  (7.5-12), rays ``phi_n,m = phi_n + c_ASA alpha_m`` (7.5-13, Table 7.5-3); AoD the
  same with ASD, c_ASD; ZOA ``theta'_n = -ZSA ln(P_n/max P) / C_theta`` (7.5-14),
  ``C_theta = C_theta^NLOS (1.3086 + 0.0339 K - 0.0077 K^2 + 0.0002 K^3)`` in LOS
  (7.5-15), ``theta_n = X_n theta'_n + Y_n + theta_ZOA`` (theta_ZOA = 90 deg for O2I,
  7.5-16), LOS (7.5-17), rays ``+ c_ZSA alpha_m`` (7.5-18), zeniths folded into
  [0, 180] deg; ZOD with ``+ mu_offset,ZOD`` (7.5-19) and rays
  ``+ (3/8) 10^mu_lgZSD alpha_m`` (7.5-20). The powers P_n of 7.5-9/7.5-14 are the
  LOS powers (7.5-8) on LOS links;
* step 8, random coupling: AoD, ZOA and ZOD rays are permuted at random against
  the AoA rays within each cluster;
* step 9, cross-polarisation ratios ``kappa = 10^(X/10)``, ``X ~ N(mu_XPR, sigma_XPR^2)``
  (7.5-21); step 10, four initial phases per ray uniform in (-pi, pi).

The delays of the channel (``delay_s``) are the LOS-scaled ones on LOS links; the
unscaled ones (``delay_unscaled_s``) are kept for the delay-spread statistics.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rof.radio.spatial.params import RAY_OFFSETS_DEG, Lsps, SpatialParams

__all__ = ["SUBCLUSTER_RAYS", "Clusters", "draw_clusters", "merge_clusters", "wrap_azimuth"]

#: Step 11's ray sets R_1, R_2, R_3 of the two strongest clusters (1-based ray m).
SUBCLUSTER_RAYS: tuple[tuple[int, ...], ...] = (
    (1, 2, 3, 4, 5, 6, 7, 8, 19, 20),
    (9, 10, 11, 12, 17, 18),
    (13, 14, 15, 16),
)
#: Step 11's sub-cluster delay offsets, in units of c_DS.
SUBCLUSTER_DELAYS: tuple[float, ...] = (0.0, 1.28, 2.56)


class Clusters(NamedTuple):
    """Clusters and rays of L links (N clusters, M rays; angles in deg, GCS).

    Attributes
    ----------
    delay_s, delay_unscaled_s : (L, N)
        Cluster delays for the channel (LOS-scaled) and before the LOS scaling, s.
    power : (L, N)
        NLOS-normalised cluster powers P_n (7.5-6; sum 1; 0 for removed clusters).
    power_angles : (L, N)
        The powers the angles were drawn with (LOS: 7.5-8).
    aoa_deg, aod_deg, zoa_deg, zod_deg : (L, N, M)
        Ray angles after the random coupling (step 8).
    xpr : (L, N, M)
        Cross-polarisation power ratios kappa (linear).
    phase : (L, N, M, 4)
        Initial phases (theta-theta, theta-phi, phi-theta, phi-phi), rad.
    k_r : (L,)
        Ricean K factor, linear (0 on NLOS and O2I links).
    los : (L,) bool
    c_ds_s : (L,)
        Intra-cluster delay spread c_DS of the sub-clusters, s.
    strongest : (L, 2) int
        Indices of the two strongest clusters (by ``power``), split into sub-clusters.
    """

    delay_s: np.ndarray
    delay_unscaled_s: np.ndarray
    power: np.ndarray
    power_angles: np.ndarray
    aoa_deg: np.ndarray
    aod_deg: np.ndarray
    zoa_deg: np.ndarray
    zod_deg: np.ndarray
    xpr: np.ndarray
    phase: np.ndarray
    k_r: np.ndarray
    los: np.ndarray
    c_ds_s: np.ndarray
    strongest: np.ndarray


def wrap_azimuth(a):
    """Azimuth folded into [-180, 180) deg."""
    return np.mod(np.asarray(a) + 180.0, 360.0) - 180.0


def _fold_zenith(t):
    t = np.mod(t, 360.0)
    return np.where(t > 180.0, 360.0 - t, t)


def draw_clusters(
    p: SpatialParams,
    lsp: Lsps,
    los_aoa_deg,
    los_aod_deg,
    los_zoa_deg,
    los_zod_deg,
    rng: np.random.Generator,
) -> Clusters:
    """Steps 5-10 for L links of one (scenario, state) (module docstring).

    Parameters
    ----------
    p : SpatialParams
    lsp : Lsps
        The links' LSPs (step 4).
    los_aoa_deg, los_aod_deg, los_zoa_deg, los_zod_deg : (L,)
        LOS directions (GCS) of the links, deg.
    rng : numpy.random.Generator
    """
    n_l = lsp.ds_s.shape[0]
    n, m = p.n_clusters, p.n_rays
    los = p.los
    ds = lsp.ds_s[:, None]
    k_db = lsp.k_db if los else np.zeros(n_l)
    k_r = 10.0 ** (k_db / 10.0) if los else np.zeros(n_l)
    # step 5: delays (7.5-1, 7.5-2)
    x = rng.uniform(1e-12, 1.0, (n_l, n))
    tau = -p.r_tau * ds * np.log(x)
    tau = np.sort(tau - tau.min(axis=1, keepdims=True), axis=1)
    tau_ch = tau
    if los:  # 7.5-3, 7.5-4
        c_tau = 0.7705 - 0.0433 * k_db + 0.0002 * k_db**2 + 0.000017 * k_db**3
        tau_ch = tau / c_tau[:, None]
    # step 6: powers (7.5-5 .. 7.5-8)
    z = rng.normal(0.0, p.zeta_db, (n_l, n))
    pw = np.exp(-tau * (p.r_tau - 1.0) / (p.r_tau * ds)) * 10.0 ** (-z / 10.0)
    pw /= pw.sum(axis=1, keepdims=True)
    pw_a = pw.copy()
    if los:
        kk = k_r[:, None]
        pw_a = pw / (kk + 1.0)
        pw_a[:, 0] += k_r / (k_r + 1.0)
    # removal on the 7.5-6 powers: "these [7.5-8] power values are used only in
    # equations (7.5-9) and (7.5-14)"
    keep = pw >= pw.max(axis=1, keepdims=True) * 10.0 ** (-2.5)
    pw = np.where(keep, pw, 0.0)
    pw /= pw.sum(axis=1, keepdims=True)
    pw_a = np.where(keep, pw_a, 0.0)
    rel = np.clip(pw_a / pw_a.max(axis=1, keepdims=True), 1e-12, 1.0)
    # step 7: angles
    c_phi, c_theta = p.c_phi_nlos, p.c_theta_nlos
    if los:
        c_phi = c_phi * (1.1035 - 0.028 * k_db - 0.002 * k_db**2 + 0.0001 * k_db**3)
        c_theta = c_theta * (1.3086 + 0.0339 * k_db - 0.0077 * k_db**2 + 0.0002 * k_db**3)
        c_phi, c_theta = c_phi[:, None], c_theta[:, None]
    alpha = RAY_OFFSETS_DEG[:m]

    def cluster_angles(prime, spread, centre, extra=0.0):
        sign = rng.choice((-1.0, 1.0), size=(n_l, n))
        y = rng.normal(0.0, 1.0, (n_l, n)) * (spread[:, None] / 7.0)
        ang = sign * prime + y
        if los:  # 7.5-12 / 7.5-17: the first cluster on the LOS direction
            ang = ang - ang[:, :1] + centre[:, None]
        else:
            ang = ang + centre[:, None] + extra
        return ang

    asa, asd, zsa, zsd = lsp.asa_deg, lsp.asd_deg, lsp.zsa_deg, lsp.zsd_deg
    g = np.sqrt(-np.log(rel)) / c_phi
    aoa = cluster_angles(2.0 * (asa[:, None] / 1.4) * g, asa, np.asarray(los_aoa_deg, float))
    aod = cluster_angles(2.0 * (asd[:, None] / 1.4) * g, asd, np.asarray(los_aod_deg, float))
    lz = -np.log(rel) / c_theta
    zoa_c = np.full(n_l, 90.0) if p.state == "O2I" else np.asarray(los_zoa_deg, float)
    zoa = cluster_angles(zsa[:, None] * lz, zsa, zoa_c)
    zod = cluster_angles(
        zsd[:, None] * lz, zsd, np.asarray(los_zod_deg, float), lsp.zod_offset_deg[:, None]
    )
    aoa_r = wrap_azimuth(aoa[:, :, None] + p.c_asa_deg * alpha)
    aod_r = wrap_azimuth(aod[:, :, None] + p.c_asd_deg * alpha)
    zoa_r = _fold_zenith(zoa[:, :, None] + p.c_zsa_deg * alpha)
    c_zsd = (3.0 / 8.0) * 10.0**lsp.mu_lgzsd
    zod_r = _fold_zenith(zod[:, :, None] + c_zsd[:, None, None] * alpha)
    # step 8: random coupling against the AoA rays
    aod_r, zoa_r, zod_r = (rng.permuted(a, axis=2) for a in (aod_r, zoa_r, zod_r))
    # steps 9 and 10
    xpr = 10.0 ** (rng.normal(p.mu_xpr_db, p.sigma_xpr_db, (n_l, n, m)) / 10.0)
    phase = rng.uniform(-np.pi, np.pi, (n_l, n, m, 4))
    strongest = np.argsort(-pw, axis=1, kind="stable")[:, :2]
    return Clusters(
        delay_s=tau_ch,
        delay_unscaled_s=tau,
        power=pw,
        power_angles=pw_a,
        aoa_deg=aoa_r,
        aod_deg=aod_r,
        zoa_deg=zoa_r,
        zod_deg=zod_r,
        xpr=xpr,
        phase=phase,
        k_r=k_r,
        los=np.full(n_l, los),
        c_ds_s=np.full(n_l, p.c_ds_s),
        strongest=strongest,
    )


def merge_clusters(parts: list[tuple[np.ndarray, Clusters]], src: np.ndarray) -> Clusters:
    """One :class:`Clusters` of ``len(src)`` links, link ``l`` a copy of the drawn link
    ``src[l]``; ``parts`` are per-state draws with the indices of the links they drew
    (every ``src`` in one of them), padded to the largest N (padding: zero power)."""
    n = max(c.power.shape[1] for _, c in parts)
    m = parts[0][1].aoa_deg.shape[2]
    if any(c.aoa_deg.shape[2] != m for _, c in parts):
        raise ValueError("merge_clusters: every part needs the same number of rays per cluster")
    n_l = len(src)
    size = int(max(int(np.max(idx)) for idx, _ in parts)) + 1
    part_of = np.full(max(size, int(np.max(src)) + 1), -1)
    pos_of = np.zeros_like(part_of)
    for j, (idx, _) in enumerate(parts):
        part_of[idx] = j
        pos_of[idx] = np.arange(len(idx))
    if np.any(part_of[src] < 0):
        raise ValueError("merge_clusters: a source link was not drawn")
    out = {}
    for name in Clusters._fields:
        ref = getattr(parts[0][1], name)
        shape = (n_l, *tuple(n if i == 1 else s for i, s in enumerate(ref.shape[1:], start=1)))
        out[name] = np.zeros(shape, ref.dtype) if name != "xpr" else np.ones(shape, ref.dtype)
    for j, (_, c) in enumerate(parts):
        links = np.flatnonzero(part_of[src] == j)
        rows = pos_of[src[links]]
        for name in Clusters._fields:
            arr = getattr(c, name)
            if arr.ndim >= 2 and arr.shape[1] != n:
                out[name][links, : arr.shape[1]] = arr[rows]
            else:
                out[name][links] = arr[rows]
    return Clusters(**out)
