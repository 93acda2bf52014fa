"""The one builder from configuration to links (issue 14): link files, scenarios, WDM.

:func:`build_link` turns the tables of :mod:`rof.link.config` (a link file, or a
scenario's ``[fronthaul]``) into an :class:`~rof.link.RoFLink`; :func:`site_budgets`
gives every site of a scenario its budget, one link per site on the smart edge's WDM
node where the transmitter is a ring, else one shared link evaluated over the site
lengths at once. Bad tables raise :class:`rof.errors.ConfigError` with one line naming
the key.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Mapping

import numpy as np
from pydantic import BaseModel, ValidationError

from rof.errors import ConfigError, RofError
from rof.link.config import TRANSMITTERS, LinkParts, LinkTable

__all__ = [
    "DEFAULT_LENGTH_KM",
    "LinkKeyError",
    "build_link",
    "describe_error",
    "error_parts",
    "link_table",
    "site_budgets",
]

#: Fiber length of a link file without ``fiber.length_km``, km.
DEFAULT_LENGTH_KM = 20.0


class LinkKeyError(ConfigError):
    """A bad value in a link's tables, with its key path (e.g. ``transmitter.v_pi_v``),
    the value, what is wrong and what is allowed; ``str()`` is the one-line message."""

    def __init__(self, source: str, key: str, value, problem: str, allowed: str):
        super().__init__(f"{source}: {key} = {value!r} {problem}; allowed: {allowed}")
        self.key, self.value, self.problem, self.allowed = key, value, problem, allowed


#: "<Component>.<parameter> = <value> <problem>; allowed: <range>" of rof._validate.
_COMPONENT_MSG = re.compile(r"^\w+\.(\w+) = (.*?) (is [^;]*); allowed: (.*)$")


def error_parts(err: dict) -> tuple[str, object, str, str]:
    """``(key path, value, problem, allowed)`` of a pydantic error of a link table."""
    loc = [str(p) for p in err["loc"]]
    model = None
    if len(loc) > 1 and loc[0] == "transmitter" and loc[1] in TRANSMITTERS:
        model, loc = TRANSMITTERS[loc[1]], [loc[0], *loc[2:]]
    path = ".".join(loc)
    kind, value = err["type"], err.get("input")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = value.get("type") if isinstance(value, Mapping) else value
        return f"{path}.type", tag, "is not known", ", ".join(repr(k) for k in TRANSMITTERS)
    if kind == "extra_forbidden":
        if model is None and len(loc) == 2:  # [fiber], [detector], [amplifier], [link]
            held = LinkTable.model_fields.get(loc[0])
            args = typing.get_args(held.annotation) if held is not None else ()
            tables = [a for a in (held.annotation, *args) if isinstance(a, type)]
            model = next((a for a in tables if issubclass(a, BaseModel)), None)
        known = [k for k in (model.model_fields if model else ()) if k != "type"]
        near = difflib.get_close_matches(loc[-1], known, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        return path, value, f"is not a known key{hint}", ", ".join(known) or "see the docs"
    msg = err.get("msg", "").removeprefix("Value error, ").removeprefix("allowed: ")
    return path, value, "is not allowed", msg


def describe_error(err: dict) -> str:
    """One line for a pydantic error of a link table: key path, value, what is allowed."""
    key, value, problem, allowed = error_parts(err)
    return f"{key} = {value!r} {problem}; allowed: {allowed}"


def link_table(table, *, source: str = "link") -> LinkTable:
    """Validate a link's tables (a dict as in a link file, or validated tables)."""
    if isinstance(table, LinkTable):
        return table
    if isinstance(table, LinkParts):
        return table.parts()
    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: a link is a table of tables, not {type(table).__name__}")
    try:
        return LinkTable.model_validate(dict(table))
    except ValidationError as exc:
        raise LinkKeyError(source, *error_parts(exc.errors()[0])) from None


def _component(source: str, where: str, make, table=None):
    """Build a component; its range error becomes a :class:`LinkKeyError` naming the key.

    The component names its own parameter (``MachZehnderModulator.v_pi_v``); where the
    table calls it otherwise (``laser_power_dbm`` for ``CWLaser.power_dbm``) the table's
    ``key_of`` maps it back.
    """
    try:
        return make()
    except (RofError, TypeError, ValueError) as exc:
        m = _COMPONENT_MSG.match(str(exc))
        if m is None:
            raise ConfigError(f"{source}: {where}: {exc}") from None
        param, value, problem, allowed = m.groups()
        key = table.key_of(param) if table is not None else param
        raise LinkKeyError(source, f"{where}.{key}", _literal(value), problem, allowed) from None


def _literal(text: str):
    """The value as the component printed it, back as a number where it is one."""
    try:
        return float(text)
    except ValueError:
        return text


def _receiver(t: LinkTable, source: str):
    from rof.photonics import EDFA, Photodiode

    kw = t.detector.given()
    path = kw.pop("response_file", None)
    if path is None:
        pd = _component(source, "detector", lambda: Photodiode(**kw))
    else:
        from rof.photonics.measured import MeasuredPhotodiode, MeasuredResponse

        resp = MeasuredResponse.from_touchstone(path)
        pd = _component(source, "detector", lambda: MeasuredPhotodiode(response=resp, **kw))
    amp = None
    if t.amplifier is not None:
        amp = _component(source, "amplifier", lambda: EDFA(**t.amplifier.given()))
    return pd, amp


def _fiber(t: LinkTable, length_km: float, wavelength_nm: float, source: str):
    from rof.photonics import Fiber

    kw = t.fiber.given("attenuation_db_per_km", "dispersion_ps_per_nm_km", "group_index")
    wl = t.fiber.wavelength_nm if t.fiber.wavelength_nm is not None else wavelength_nm
    return _component(source, "fiber", lambda: Fiber(length_km, wavelength_nm=wl, **kw))


def _node_links(t: LinkTable, node, channels, lengths_km, source: str) -> list:
    """Links of the WDM node's ``channels``, fiber = feeder + each site's length."""
    from rof.link.link import RoFLink

    if t.link is not None and t.link.given():
        raise ConfigError(
            f"{source}: link.optical_loss_db/crosstalk_ratios come from the WDM node "
            "when the transmitter is on one (wdm_channels > 1); remove them"
        )
    pd, amp = _receiver(t, source)
    mods, sites = node.modulators(), node.sites()
    out = []
    for ch, length in zip(channels, lengths_km, strict=True):
        site = sites[ch]
        fiber = _fiber(t, node.feeder_length_km + float(length), site.wavelength_nm, source)
        out.append(
            RoFLink(
                mods[ch],
                fiber,
                pd,
                amp,
                optical_loss_db=site.optical_loss_db,
                crosstalk_ratios=site.crosstalk_ratios,
            )
        )
    return out


def build_link(table, *, source: str = "link"):
    """The :class:`~rof.link.RoFLink` a link's tables describe.

    Parameters
    ----------
    table : dict or LinkTable
        ``transmitter`` (with ``type``, default ``"mzm"``), ``fiber``, ``detector``,
        optional ``amplifier`` and ``link``, keyed as in :mod:`rof.link.config`; a
        fiber without ``length_km`` is :data:`DEFAULT_LENGTH_KM` long. A ring with
        ``wdm_channels > 1`` is channel ``wdm_site`` of the WDM node.
    source : str
        Prefix of error messages (the file name).

    Examples
    --------
    >>> link = build_link({"transmitter": {"type": "dml", "bias_current_ma": 40.0},
    ...                    "fiber": {"length_km": 10.0}})
    >>> type(link.transmitter).__name__, link.fiber.length_km
    ('DirectLaser', 10.0)
    """
    t = link_table(table, source=source)
    length = t.fiber.length_km if t.fiber.length_km is not None else DEFAULT_LENGTH_KM
    n_ch, channel = t.transmitter.link_channel()
    if n_ch > 1:
        node = _component(
            source, "transmitter", lambda: t.transmitter.wdm_node(n_ch), t.transmitter
        )
        return _node_links(t, node, [channel], [length], source)[0]
    return _single_link(t, length, source)


def _single_link(t: LinkTable, length_km: float, source: str):
    from rof.link.link import RoFLink

    tx = _component(source, "transmitter", t.transmitter.build, t.transmitter)
    loss = t.link.given() if t.link is not None else {}
    drive_file = loss.pop("drive_response_file", None)
    if drive_file is not None:
        from rof.photonics.measured import MeasuredDrive, MeasuredResponse

        tx = MeasuredDrive(tx, MeasuredResponse.from_touchstone(drive_file))
    pd, amp = _receiver(t, source)
    fiber = _fiber(t, length_km, tx.wavelength_nm, source)
    return _component(
        source,
        "link",
        lambda: RoFLink(
            tx,
            fiber,
            pd,
            amp,
            optical_loss_db=loss.get("optical_loss_db", 0.0),
            crosstalk_ratios=loss.get("crosstalk_ratios", ()),
        ),
    )


def site_budgets(
    table,
    rf_hz: float,
    rf_in_dbm: float,
    bandwidth_hz: float,
    length_km,
    *,
    source="fronthaul",
    subcarrier_spacing_hz=None,
) -> dict[str, np.ndarray]:
    """Budget of every site's link, each site at its own fiber length.

    A transmitter on a WDM node (a ring: one channel per site, the node's loss and
    crosstalk) gives one link per site; any other shares one link, evaluated over the
    lengths in one broadcast :meth:`~rof.link.RoFLink.budget`.

    ``subcarrier_spacing_hz`` reaches :meth:`~rof.link.RoFLink.budget` (read only by a
    transmitter whose RF carrier has its own phase noise, an optical heterodyne).

    Returns
    -------
    dict
        ``sndr_db``, ``evm_percent``, ``latency_s`` (one way) and ``sdr_db`` (the
        distortion part of the SNDR, which follows the drive), each of the shape of
        ``length_km``.
    """
    t = link_table(table, source=source)
    lengths = np.asarray(length_km, dtype=np.float64)
    flat = np.atleast_1d(lengths).ravel()
    node = _component(
        source, "transmitter", lambda: t.transmitter.wdm_node(flat.size), t.transmitter
    )
    if node is None:  # one link; the budget broadcasts over the site lengths
        link = _single_link(t, 0.0, source)
        lb = link.budget(
            rf_hz,
            rf_in_dbm=rf_in_dbm,
            bandwidth_hz=bandwidth_hz,
            length_km=lengths,
            subcarrier_spacing_hz=subcarrier_spacing_hz,
        )
        figures = (lb.sndr_db, lb.evm_percent, lb.latency_s, lb.sdr_db)
        return {
            k: np.broadcast_to(np.asarray(v, float), lengths.shape).copy()
            for k, v in zip(_FIGURES, figures, strict=True)
        }
    rows = []
    for link in _node_links(t, node, range(flat.size), flat, source):
        lb = link.budget(
            rf_hz,
            rf_in_dbm=rf_in_dbm,
            bandwidth_hz=bandwidth_hz,
            subcarrier_spacing_hz=subcarrier_spacing_hz,
        )
        rows.append(tuple(float(v) for v in (lb.sndr_db, lb.evm_percent, lb.latency_s, lb.sdr_db)))
    cols = np.array(rows, dtype=float).reshape(flat.size, len(_FIGURES)).T
    return dict(zip(_FIGURES, cols, strict=True))


_FIGURES = ("sndr_db", "evm_percent", "latency_s", "sdr_db")
