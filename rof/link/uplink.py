"""The uplink analog RoF link: site LNA, site transmitter, fiber, edge photodiode, amplifier.

In the uplink the antenna's received signal (carrying the air interface's interference
and noise) is amplified by the site's low-noise amplifier, drives the site's laser (a
DML, or a CW laser and MZM: any :class:`rof.photonics.protocols.Transmitter`), crosses
the fiber and is detected at the smart edge, followed by a post-amplifier. The optical
part is the same :class:`~rof.link.RoFLink` as the downlink (same contract, same
budget); this module cascades it with the two RF amplifiers.

Cascade (Friis, "Noise figures of radio receivers", Proc. IRE 32(7), 419-422, 1944;
Pozar, *Microwave Engineering*, 4th ed., 2012, eq. (10.29)), linear gains :math:`G_i`
and noise factors :math:`F_i` of LNA (1), optical link (2, its own
:attr:`LinkBudget.noise_figure_db`, a lossy stage) and post-amplifier (3):

.. math::

    F = F_1 + \\frac{F_2 - 1}{G_1} + \\frac{F_3 - 1}{G_1 G_2}, \\qquad G = G_1 G_2 G_3,

and the input intercept of the cascade (Pozar 2012, eq. (10.76); Razavi, *RF
Microelectronics*, 2nd ed., 2011, eq. (2.50)), intercepts as linear powers:

.. math::

    \\frac{1}{P_{IIP3}} = \\frac{1}{P_{IIP3,1}} + \\frac{G_1}{P_{IIP3,2}}
    + \\frac{G_1 G_2}{P_{IIP3,3}}.

The fronthaul's noise referred to the antenna input is what the cascade adds beyond
the LNA, :math:`k T_0 (F - F_1)` per Hz: with an ideal fronthaul (:math:`F_2 = 1`,
:math:`G_2 G_3` large) it vanishes and the site is the LNA alone, which the radio's
uplink SINR (:mod:`rof.radio.uplink`) takes as the air-interface receiver.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rof._validate import check_range
from rof.errors import ConfigError, ParameterError
from rof.link.link import RoFLink
from rof.units import THERMAL_NOISE_DBM_PER_HZ, db_to_lin, lin_to_db

__all__ = [
    "IIP3_OVER_P1DB_DB",
    "RfAmplifier",
    "UplinkBudget",
    "UplinkRoFLink",
    "build_uplink",
    "cascade_iip3_dbm",
    "friis_noise_figure_db",
    "ofdm_im3_inband_w",
]

#: IIP3 above the input 1 dB compression point of a memoryless cubic
#: :math:`y = a_1 x + a_3 x^3`: :math:`A_{1dB}^2 = \frac43(1 - 10^{-1/20})|a_1/a_3|`,
#: :math:`A_{IIP3}^2 = \frac43|a_1/a_3|` (Razavi 2011, eqs. (2.31), (2.47)): 9.64 dB.
IIP3_OVER_P1DB_DB: float = float(-10.0 * math.log10(1.0 - 10.0 ** (-1.0 / 20.0)))


@dataclass(frozen=True)
class RfAmplifier:
    """An RF amplifier stage (the site LNA, the edge's post-amplifier).

    Parameters
    ----------
    gain_db : float
        Available power gain, dB (0 to 60; an attenuator is not an amplifier).
    noise_figure_db : float
        Noise figure at :math:`T_0` = 290 K, dB (0 to 30).
    p1db_in_dbm : float
        Input 1 dB compression point, dBm (-80 to 40); the stage is a memoryless
        cubic, so its IIP3 is :data:`IIP3_OVER_P1DB_DB` higher.
    """

    gain_db: float = 20.0
    noise_figure_db: float = 1.5
    p1db_in_dbm: float = -10.0

    def __post_init__(self):
        check_range("RfAmplifier.gain_db", self.gain_db, 0.0, 60.0)
        check_range("RfAmplifier.noise_figure_db", self.noise_figure_db, 0.0, 30.0)
        check_range("RfAmplifier.p1db_in_dbm", self.p1db_in_dbm, -80.0, 40.0)

    @property
    def iip3_dbm(self) -> float:
        """Two-tone input IP3 of the cubic stage, dBm."""
        return float(self.p1db_in_dbm) + IIP3_OVER_P1DB_DB


def friis_noise_figure_db(gains_db, noise_figures_db):
    """Cascade noise figure (Friis 1944): :math:`F = F_1 + \\sum_i (F_i - 1)/\\prod_{j<i} G_j`.

    Parameters
    ----------
    gains_db, noise_figures_db : sequence of array_like
        Each stage's gain and noise figure, dB, in signal order (broadcast).

    Returns
    -------
    ndarray
        Cascade noise figure, dB.
    """
    f_total = 0.0
    g_before = 1.0
    for i, (g_db, nf_db) in enumerate(zip(gains_db, noise_figures_db, strict=True)):
        f = db_to_lin(np.asarray(nf_db, dtype=float))
        f_total = f_total + (f if i == 0 else (f - 1.0) / g_before)
        g_before = g_before * db_to_lin(np.asarray(g_db, dtype=float))
    return lin_to_db(f_total)


def cascade_iip3_dbm(gains_db, iip3s_dbm):
    """Cascade input IP3, :math:`1/P = \\sum_i (\\prod_{j<i} G_j)/P_i` (Pozar 2012, (10.76)).

    Parameters
    ----------
    gains_db, iip3s_dbm : sequence of array_like
        Each stage's gain (dB) and input IP3 (dBm; ``inf`` for a linear stage).

    Returns
    -------
    ndarray
        dBm (``inf`` if every stage is linear).
    """
    inv = 0.0
    g_before = 1.0
    for g_db, iip3 in zip(gains_db, iip3s_dbm, strict=True):
        p = np.asarray(iip3, dtype=float)
        with np.errstate(over="ignore"):
            inv = inv + g_before / db_to_lin(p - 30.0)
        g_before = g_before * db_to_lin(np.asarray(g_db, dtype=float))
    with np.errstate(divide="ignore"):
        return lin_to_db(1.0 / inv) + 30.0


def ofdm_im3_inband_w(total_power_w, iip3_w):
    """In-band third-order distortion of a multi-carrier signal, referred to the input, W.

    A complex-Gaussian (OFDM, many users) envelope :math:`x` of power :math:`P` through
    the cubic :math:`y = a_1 x + a_3' |x|^2 x` whose two-tone intercept is
    :math:`P_{IIP3} = |a_1/a_3'|`: Bussgang's theorem leaves the distortion
    :math:`|a_3'|^2 (E|x|^6 - |E|x|^4|^2/P) = 2|a_3'|^2 P^3` (:math:`E|x|^{2n} = n! P^n`),
    of which the share :math:`2/3` (the 3-fold convolution of a flat spectrum,
    :func:`rof.link.budget.inband_fraction`) falls in band (Dardari, Tralli & Vaccari,
    IEEE Trans. Commun. 48(10), 2000, Sec. III). Referred to the input:

    .. math:: D = \\tfrac43 P^3 / P_{IIP3}^2 .

    Parameters
    ----------
    total_power_w : array_like
        Composite input power over the band, W.
    iip3_w : array_like
        Input intercept, W (``inf``: linear).

    Returns
    -------
    ndarray
        In-band distortion power over the whole band, W (spread over it).
    """
    p = np.asarray(total_power_w, dtype=float)
    with np.errstate(over="ignore"):
        return (4.0 / 3.0) * p**3 / np.asarray(iip3_w, dtype=float) ** 2


@dataclass(frozen=True)
class UplinkBudget:
    """Figures of the uplink cascade, broadcast over the inputs of :meth:`UplinkRoFLink.budget`.

    Attributes
    ----------
    gain_db : cascade gain, antenna input to edge output, dB.
    noise_figure_db : cascade noise figure (Friis), dB.
    link_gain_db, link_noise_figure_db : the optical link's own gain and noise figure, dB.
    input_noise_dbm_hz : total noise referred to the antenna input, :math:`k T_0 F`, dBm/Hz.
    fronthaul_noise_dbm_hz : what the fronthaul adds beyond the LNA, referred to the
        antenna input, :math:`k T_0 (F - F_{LNA})`, dBm/Hz (``-inf`` for an ideal one).
    iip3_dbm : cascade input IP3, referred to the antenna input, dBm.
    link_iip3_dbm : the optical link's own IIP3 (at its drive input), dBm.
    sfdr_db_hz23 : :math:`\\tfrac23(IIP3 - k T_0 F)`, dB Hz^(2/3).
    snr_db, sdr_db, sndr_db : at the composite input ``rf_in_dbm`` over ``bandwidth_hz``
        (noise :math:`k T_0 F B`; third-order distortion :func:`ofdm_im3_inband_w`), dB.
    latency_s : one-way fiber delay, s.
    """

    gain_db: np.ndarray
    noise_figure_db: np.ndarray
    link_gain_db: np.ndarray
    link_noise_figure_db: np.ndarray
    input_noise_dbm_hz: np.ndarray
    fronthaul_noise_dbm_hz: np.ndarray
    iip3_dbm: np.ndarray
    link_iip3_dbm: np.ndarray
    sfdr_db_hz23: np.ndarray
    snr_db: np.ndarray
    sdr_db: np.ndarray
    sndr_db: np.ndarray
    latency_s: np.ndarray

    def sfdr_db(self, bandwidth_hz):
        """SFDR in ``bandwidth_hz``: :math:`\\tfrac23(IIP3 - k T_0 F B)`, dB."""
        bw = check_range("UplinkBudget.sfdr_db bandwidth_hz", bandwidth_hz, 0.0, lo_open=True)
        return self.sfdr_db_hz23 - (2.0 / 3.0) * lin_to_db(bw)

    def dynamic_range(self, received_dbm, bandwidth_hz) -> dict[str, np.ndarray]:
        """The SFDR against the spread of the received powers (last axis of ``received_dbm``).

        The uplink carries users whose received powers differ by tens of dB; the weakest
        stays above the noise and the strongest's third-order products below it only if
        the spread fits the SFDR.

        Returns
        -------
        dict
            ``sfdr_db`` (in ``bandwidth_hz``), ``spread_db`` (max - min received power),
            ``margin_db`` (SFDR - spread; negative: the spread does not fit).
        """
        rx = np.asarray(received_dbm, dtype=float)
        spread = np.max(rx, axis=-1) - np.min(rx, axis=-1)
        sfdr = self.sfdr_db(bandwidth_hz)
        return {"sfdr_db": sfdr, "spread_db": spread, "margin_db": sfdr - spread}


@dataclass(frozen=True)
class UplinkRoFLink:
    """Site LNA -> optical link (:class:`~rof.link.RoFLink`) -> edge post-amplifier.

    Parameters
    ----------
    lna : RfAmplifier
        The site's low-noise amplifier; its output drives the site transmitter.
    link : RoFLink
        The optical part (transmitter at the site, fiber, photodiode at the edge).
    post_amplifier : RfAmplifier or None
        The edge's amplifier behind the photodiode (None: none).

    Examples
    --------
    >>> up = build_uplink({"transmitter": {"type": "dml"}, "fiber": {"length_km": 10.0},
    ...                    "lna": {"gain_db": 30.0, "noise_figure_db": 1.0}})
    >>> b = up.budget(3.5e9, rf_in_dbm=-60.0, bandwidth_hz=100e6)
    >>> bool(b.noise_figure_db > 1.0)
    True
    """

    lna: RfAmplifier
    link: RoFLink
    post_amplifier: RfAmplifier | None = None

    def __post_init__(self):
        for name, cls in (("lna", RfAmplifier), ("link", RoFLink)):
            if not isinstance(getattr(self, name), cls):
                raise ParameterError(
                    f"UplinkRoFLink.{name} = {type(getattr(self, name)).__name__} is not "
                    f"known; allowed: a {cls.__name__}"
                )
        if self.post_amplifier is not None and not isinstance(self.post_amplifier, RfAmplifier):
            raise ParameterError(
                f"UplinkRoFLink.post_amplifier = {type(self.post_amplifier).__name__} is not "
                "known; allowed: an RfAmplifier or None"
            )

    def budget(self, rf_hz, rf_in_dbm=-60.0, bandwidth_hz=100e6, *, length_km=None) -> UplinkBudget:
        """The cascade's budget (module docstring), broadcast over every input.

        Parameters
        ----------
        rf_hz : array_like
            Carrier, Hz (> 0).
        rf_in_dbm : array_like
            Composite received power at the antenna port (every user, interference and
            noise in the band), dBm; the LNA's output drives the transmitter.
        bandwidth_hz : array_like
            Band for the SNR and SDR, Hz.
        length_km : array_like, optional
            Fiber length(s), km, replacing the link's.

        Returns
        -------
        UplinkBudget
        """
        pin = np.asarray(check_range("UplinkRoFLink.budget rf_in_dbm", rf_in_dbm, -200.0, 40.0))
        bw = np.asarray(
            check_range("UplinkRoFLink.budget bandwidth_hz", bandwidth_hz, 0.0, lo_open=True)
        )
        lna, post = self.lna, self.post_amplifier
        drive = np.clip(pin + lna.gain_db, -150.0, 60.0)
        lb = self.link.budget(rf_hz, rf_in_dbm=drive, bandwidth_hz=bw, length_km=length_km)
        g_link, f_link, iip3_link = lb.gain_db, lb.noise_figure_db, lb.iip3_dbm
        gains = [lna.gain_db, g_link]
        nfs = [lna.noise_figure_db, f_link]
        iip3s = [lna.iip3_dbm, iip3_link]
        if post is not None:
            gains.append(post.gain_db)
            nfs.append(post.noise_figure_db)
            iip3s.append(post.iip3_dbm)
        nf = friis_noise_figure_db(gains, nfs)
        iip3 = cascade_iip3_dbm(gains, iip3s)
        n_in = THERMAL_NOISE_DBM_PER_HZ + nf
        with np.errstate(divide="ignore"):
            extra = db_to_lin(nf) - db_to_lin(lna.noise_figure_db)
            n_fh = THERMAL_NOISE_DBM_PER_HZ + lin_to_db(np.maximum(extra, 0.0))
        snr = pin - n_in - lin_to_db(bw)
        d_w = ofdm_im3_inband_w(db_to_lin(pin - 30.0), db_to_lin(np.asarray(iip3) - 30.0))
        with np.errstate(divide="ignore"):
            sdr = pin - 30.0 - lin_to_db(d_w)
        sndr = -lin_to_db(db_to_lin(-snr) + db_to_lin(-sdr))
        shape = np.broadcast_shapes(*(np.shape(x) for x in (g_link, pin, bw, snr)))

        def full(x):
            a = np.broadcast_to(np.asarray(x, dtype=float), shape)
            return a[()] if a.ndim == 0 else a.copy()

        return UplinkBudget(
            gain_db=full(sum(gains)),
            noise_figure_db=full(nf),
            link_gain_db=full(g_link),
            link_noise_figure_db=full(f_link),
            input_noise_dbm_hz=full(n_in),
            fronthaul_noise_dbm_hz=full(n_fh),
            iip3_dbm=full(iip3),
            link_iip3_dbm=full(iip3_link),
            sfdr_db_hz23=full((2.0 / 3.0) * (np.asarray(iip3) - n_in)),
            snr_db=full(snr),
            sdr_db=full(sdr),
            sndr_db=full(sndr),
            latency_s=full(lb.latency_s),
        )


#: Keys of the ``[lna]`` and ``[post_amplifier]`` tables (:class:`RfAmplifier` fields).
AMPLIFIER_KEYS: tuple[str, ...] = ("gain_db", "noise_figure_db", "p1db_in_dbm")


def _amplifier(table, where: str, source: str) -> RfAmplifier:
    from rof.link.build import _component

    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: {where} = {table!r} is not allowed; allowed: a table")
    for key, value in table.items():
        if key not in AMPLIFIER_KEYS:
            raise ConfigError(
                f"{source}: {where}.{key} = {value!r} is not a known key; "
                f"allowed: {', '.join(AMPLIFIER_KEYS)}"
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(
                f"{source}: {where}.{key} = {value!r} has the wrong type; allowed: a number"
            )
    return _component(source, where, lambda: RfAmplifier(**dict(table)))


def build_uplink(table, *, source: str = "link") -> UplinkRoFLink:
    """The :class:`UplinkRoFLink` of a link's tables plus ``lna`` and ``post_amplifier``.

    Parameters
    ----------
    table : dict
        The tables of :func:`rof.link.build_link` (``transmitter``: the site's, ``fiber``,
        ``detector``: the edge's photodiode, ...) and optional ``lna`` and
        ``post_amplifier`` tables with :data:`AMPLIFIER_KEYS` (an omitted ``lna`` is the
        default :class:`RfAmplifier`; an omitted ``post_amplifier`` is none).
    source : str
        Prefix of error messages.
    """
    from rof.link.build import build_link

    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: an uplink is a table of tables, not {type(table).__name__}")
    rest = {k: v for k, v in table.items() if k not in ("lna", "post_amplifier")}
    lna = _amplifier(table.get("lna", {}), "lna", source)
    post = None
    if "post_amplifier" in table:
        post = _amplifier(table["post_amplifier"], "post_amplifier", source)
    return UplinkRoFLink(lna, build_link(rest, source=source), post)
