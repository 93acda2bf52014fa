"""``rof link``: the analytic budget of one analog link, from flags or a TOML file.

The link file (see ``scenarios/links/*.toml``) has the link's tables of
:mod:`rof.link.config` (``[transmitter]`` with ``type = "mzm" | "dml" | "ring"`` and that
device's parameters, ``[fiber]``, ``[detector]``, optional ``[amplifier]``, ``[link]``),
built by :func:`rof.link.build_link`, plus ``[signal]`` (``rf_ghz``, ``rf_in_dbm``,
``bandwidth_mhz``) and ``[fronthaul]`` (``antennas``, ``bit_width``, ``oversampling``,
``line_coding``), the CPRI comparison. An optional ``[remote_lo]`` (``if_ghz``,
``multiplication``, ``lo_reference_dbm``, ``lo_wavelength_nm``,
``reference_floor_dbc_hz``, ``reference_linewidth_hz``, ``mixer_conversion_gain_db``,
``mixer_noise_figure_db``, ``subcarrier_spacing_khz``) makes the file an IF-over-fiber
link with a remote LO (:class:`rof.link.remote_lo.RemoteLoLink`): the link's tables
carry the data at ``if_ghz``, a second link of the same tables at ``lo_wavelength_nm``
the LO reference at ``(rf_ghz - if_ghz) / multiplication``, and the report adds the
RF carrier's figures.
Flags override the file. This module stays light: physics imports happen in the
handler.
"""

from __future__ import annotations

import json
import math
import sys

from rof.errors import ConfigError

__all__ = ["build_from_config", "register", "remote_lo_from_config"]

_SIGNAL = ("rf_ghz", "rf_in_dbm", "bandwidth_mhz")
_FRONTHAUL = ("antennas", "bit_width", "oversampling", "line_coding")
#: Top-level keys of a link file besides the link's own tables (rof.link.config).
_FILE = ("name", "signal", "fronthaul", "remote_lo")
_REMOTE_LO = (
    "if_ghz",
    "multiplication",
    "lo_reference_dbm",
    "lo_wavelength_nm",
    "reference_floor_dbc_hz",
    "reference_linewidth_hz",
    "mixer_conversion_gain_db",
    "mixer_noise_figure_db",
    "subcarrier_spacing_khz",
)

#: flag dest -> (table, key)
_FLAGS = {
    "transmitter": ("transmitter", "type"),
    "length_km": ("fiber", "length_km"),
    "rf_ghz": ("signal", "rf_ghz"),
    "rf_dbm": ("signal", "rf_in_dbm"),
    "bandwidth_mhz": ("signal", "bandwidth_mhz"),
    "laser_dbm": ("transmitter", "laser_power_dbm"),
    "v_pi": ("transmitter", "v_pi_v"),
    "wavelength_nm": ("transmitter", "wavelength_nm"),
    "rin_db_hz": ("transmitter", "rin_db_per_hz"),
    "chirp_alpha": ("transmitter", "chirp_alpha"),
    "bias_ma": ("transmitter", "bias_current_ma"),
    "threshold_ma": ("transmitter", "threshold_current_ma"),
    "slope_w_per_a": ("transmitter", "slope_efficiency_w_per_a"),
    "dispersion": ("fiber", "dispersion_ps_per_nm_km"),
    "responsivity": ("detector", "responsivity_a_per_w"),
    "edfa_gain_db": ("amplifier", "gain_db"),
    "edfa_nf_db": ("amplifier", "noise_figure_db"),
    "optical_loss_db": ("link", "optical_loss_db"),
    "antennas": ("fronthaul", "antennas"),
    "bit_width": ("fronthaul", "bit_width"),
}


def register(sub) -> None:
    """Add the ``link`` subcommand to the ``rof`` subparsers."""
    p = sub.add_parser(
        "link",
        help="analytic budget of one analog radio-over-fiber link",
        description="Gain, noise figure, IP3, SFDR, SNR/EVM of one A-RoF link, and the "
        "CPRI line rate the same radio would need digitally.",
    )
    p.add_argument("--config", metavar="FILE.toml", help="link file (scenarios/links/*.toml)")
    p.add_argument(
        "--transmitter",
        metavar="TYPE",
        help="transmitter type: mzm (default), dml, ring, ddmzm, pm, heterodyne",
    )
    p.add_argument("--length-km", type=float, help="fiber length, km (default 20)")
    p.add_argument("--rf-ghz", type=float, help="RF carrier, GHz (default 3.5)")
    p.add_argument("--rf-dbm", type=float, help="mean RF input (OFDM) power, dBm (default 0)")
    p.add_argument("--bandwidth-mhz", type=float, help="signal bandwidth, MHz (default 100)")
    p.add_argument("--laser-dbm", type=float, help="MZM: CW laser power, dBm")
    p.add_argument("--v-pi", type=float, help="MZM: RF half-wave voltage, V")
    p.add_argument("--wavelength-nm", type=float, help="laser wavelength, nm")
    p.add_argument("--rin-db-hz", type=float, help="laser RIN, dB/Hz")
    p.add_argument("--chirp-alpha", type=float, help="chirp (linewidth enhancement) factor")
    p.add_argument("--bias-ma", type=float, help="DML: bias current, mA")
    p.add_argument("--threshold-ma", type=float, help="DML: threshold current, mA")
    p.add_argument("--slope-w-per-a", type=float, help="DML: slope efficiency, W/A")
    p.add_argument("--dispersion", type=float, help="fiber dispersion, ps/(nm km)")
    p.add_argument("--responsivity", type=float, help="photodiode responsivity, A/W")
    p.add_argument("--edfa-gain-db", type=float, help="add an EDFA pre-amplifier of this gain")
    p.add_argument("--edfa-nf-db", type=float, help="EDFA noise figure, dB")
    p.add_argument("--optical-loss-db", type=float, help="extra optical loss before the PD, dB")
    p.add_argument("--antennas", type=int, help="antennas for the CPRI comparison (default 1)")
    p.add_argument("--bit-width", type=int, help="CPRI I/Q sample bits (default 15)")
    p.add_argument(
        "--json", action="store_true", help="print one JSON object (non-finite values as null)"
    )
    w = p.add_argument_group("waveform simulation (NR OFDM sample by sample through the link)")
    w.add_argument(
        "--waveform",
        action="store_true",
        help="also send NR carriers through the waveform model and print measured EVM "
        "beside the analytic prediction",
    )
    w.add_argument(
        "--if-ghz",
        metavar="F1,F2,...",
        help="IF-over-fiber: carrier frequencies, GHz, one NR carrier each (default: --rf-ghz)",
    )
    w.add_argument("--modulation", default="256QAM", help="NR data modulation (default 256QAM)")
    w.add_argument(
        "--waveform-symbols", type=int, default=14, help="OFDM symbols simulated (default 14)"
    )
    w.add_argument("--predistort", action="store_true", help="arcsine predistortion (MZM)")
    w.add_argument("--seed", type=int, default=0, help="seed for data and noise (default 0)")
    w.add_argument(
        "--plot",
        metavar="PREFIX",
        help="with --waveform: write PREFIX_constellation.png and PREFIX_spectrum.png",
    )
    p.set_defaults(handler=_run)


def _load_toml(path: str) -> dict:
    import tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _take(table: dict, allowed, where: str) -> dict:
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    for key in table:
        if key not in allowed:
            import difflib

            hint = difflib.get_close_matches(key, allowed, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ConfigError(
                f"{where}.{key} is not a known key{extra}; allowed: {', '.join(allowed)}"
            )
    return dict(table)


def build_from_config(cfg: dict, source: str = "link"):
    """Build ``(link, signal, fronthaul, name)`` from a link-file dict.

    The link's tables go to :func:`rof.link.build_link` (the one builder, keys of
    :mod:`rof.link.config`); ``signal`` holds ``rf_hz, rf_in_dbm, bandwidth_hz``;
    ``fronthaul`` the keyword arguments of :func:`rof.link.fronthaul_rate`. Unknown keys
    raise :class:`rof.errors.ConfigError` naming them.
    """
    from rof.link.build import build_link

    if not isinstance(cfg, dict):
        raise ConfigError(f"{source} must be a table")
    parts = {k: v for k, v in cfg.items() if k not in _FILE}
    link = build_link(parts, source=source)
    sig = _take(cfg.get("signal", {}), _SIGNAL, f"{source}: signal")
    signal = {
        "rf_hz": float(sig.get("rf_ghz", 3.5)) * 1e9,
        "rf_in_dbm": float(sig.get("rf_in_dbm", 0.0)),
        "bandwidth_hz": float(sig.get("bandwidth_mhz", 100.0)) * 1e6,
    }
    fronthaul = _take(cfg.get("fronthaul", {}), _FRONTHAUL, f"{source}: fronthaul")
    kind = cfg.get("transmitter", {}).get("type", "mzm")
    return link, signal, fronthaul, str(cfg.get("name", kind))


def _run(args) -> int:
    from rof.link.fronthaul_rate import fronthaul_rate

    cfg = _load_toml(args.config) if args.config else {}
    source = args.config or "flags"
    for dest, (table, key) in _FLAGS.items():
        value = getattr(args, dest)
        if value is not None:
            cfg.setdefault(table, {})
            if not isinstance(cfg[table], dict):
                raise ConfigError(f"{source}: {table} must be a table")
            cfg[table][key] = value
    link, signal, fh, name = build_from_config(cfg, source)
    rlo = remote_lo_from_config(cfg, link, signal, source)
    link_signal = signal if rlo is None else signal | {"rf_hz": rlo[0].if_hz}
    if rlo is None:
        budget = link.budget(**signal)
    else:
        budget = rlo[1].if_budget
    rate = fronthaul_rate(signal["bandwidth_hz"], **fh)
    if args.plot and not args.waveform:
        raise ConfigError("--plot needs --waveform")
    report = _waveform(args, link, link_signal) if args.waveform else None
    if args.json:
        out = {
            "name": name,
            "signal": signal,
            "budget": budget.to_dict(),
            "fronthaul": vars(rate) | {"bandwidth_hz": signal["bandwidth_hz"]},
        }
        if rlo is not None:
            out["remote_lo"] = _remote_lo_dict(*rlo)
        if report is not None:
            out["waveform"] = _jsonable(report)
        json.dump(_finite(out), sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    sys.stdout.write(_table(name, link, link_signal, budget, rate))
    if rlo is not None:
        sys.stdout.write(_remote_lo_table(*rlo))
    if report is not None:
        from rof.link.waveform_report import format_waveform_report

        sys.stdout.write("\n" + format_waveform_report(report).rstrip("\n") + "\n")
        for path in report.get("plots", []):
            sys.stdout.write(f"wrote {path}\n")
    return 0


def remote_lo_from_config(cfg: dict, link, signal: dict, source: str = "link"):
    """``(RemoteLoLink, RemoteLoBudget)`` of a link file's ``[remote_lo]``, or None.

    The LO link is built from the same tables with the transmitter at
    ``lo_wavelength_nm`` (default: 1 nm above the data link's); the reference is
    ``(rf - if) / multiplication``.
    """
    if "remote_lo" not in cfg:
        return None
    from rof.link.build import build_link
    from rof.link.remote_lo import RemoteLoLink

    t = _take(cfg["remote_lo"], _REMOTE_LO, f"{source}: remote_lo")
    for k, v in t.items():
        ok = isinstance(v, int) if k == "multiplication" else isinstance(v, int | float)
        if isinstance(v, bool) or not ok:
            want = "an integer" if k == "multiplication" else "a number"
            raise ConfigError(f"{source}: remote_lo.{k} = {v!r} is not {want}")
    if_hz = float(t.get("if_ghz", 3.5)) * 1e9
    n = int(t.get("multiplication", 4))
    rf = signal["rf_hz"]
    if not 0.0 < if_hz < rf:
        raise ConfigError(
            f"{source}: remote_lo.if_ghz = {if_hz / 1e9:g} is out of range; allowed: "
            f"above 0 and below signal.rf_ghz = {rf / 1e9:g}"
        )
    if n < 1 or n > 64:
        raise ConfigError(
            f"{source}: remote_lo.multiplication = {n} is out of range; allowed: 1..64"
        )
    parts = {k: v for k, v in cfg.items() if k not in _FILE}
    tx = dict(parts.get("transmitter", {}))
    wl = float(t.get("lo_wavelength_nm", float(link.transmitter.wavelength_nm) + 1.0))
    tx["wavelength_nm"] = wl
    lo = build_link(parts | {"transmitter": tx}, source=f"{source}: remote_lo LO link")
    kw = {
        k: float(t[k])
        for k in (
            "lo_reference_dbm",
            "reference_floor_dbc_hz",
            "reference_linewidth_hz",
            "mixer_conversion_gain_db",
            "mixer_noise_figure_db",
        )
        if k in t
    }
    from rof.errors import ParameterError

    try:
        r = RemoteLoLink(
            link, lo, if_hz=if_hz, lo_reference_hz=(rf - if_hz) / n, multiplication=n, **kw
        )
        scs = float(t.get("subcarrier_spacing_khz", 120.0 if rf > 7.125e9 else 30.0)) * 1e3
        b = r.budget(signal["rf_in_dbm"], signal["bandwidth_hz"], subcarrier_spacing_hz=scs)
    except ParameterError as exc:
        msg = str(exc).replace("RemoteLoLink.budget ", "").replace("RemoteLoLink.", "")
        raise ConfigError(f"{source}: remote_lo.{msg}") from None
    return r, b


def _remote_lo_dict(r, b) -> dict:
    return {
        "rf_hz": r.rf_hz,
        "if_hz": r.if_hz,
        "lo_reference_hz": r.lo_reference_hz,
        "multiplication": r.multiplication,
        "gain_db": float(b.gain_db),
        "lo_phase_psd_rad2_hz": float(b.lo_phase_psd_rad2_hz),
        "lo_linewidth_hz": float(b.lo_linewidth_hz),
        "phase_noise_sdr_db": float(-10.0 * math.log10(float(b.pn_inv_sdr))),
        "mixer_snr_db": float(-10.0 * math.log10(float(b.mixer_inv_snr))),
        "sndr_db": float(b.sndr_db),
        "evm_percent": float(b.evm_percent),
    }


def _remote_lo_table(r, b) -> str:
    d = _remote_lo_dict(r, b)
    rows = [
        ("RF carrier (IF + N x ref)", d["rf_hz"] / 1e9, "GHz"),
        ("LO reference", d["lo_reference_hz"] / 1e9, "GHz"),
        ("multiplication N", d["multiplication"], ""),
        ("RF gain (incl. mixer)", d["gain_db"], "dB"),
        ("LO phase noise L(f)", 10.0 * math.log10(d["lo_phase_psd_rad2_hz"] / 2.0), "dBc/Hz"),
        ("SNR (mixer noise)", d["mixer_snr_db"], "dB"),
        ("SDR (LO phase noise)", d["phase_noise_sdr_db"], "dB"),
        ("SNDR at RF", d["sndr_db"], "dB"),
        ("EVM at RF", d["evm_percent"], "%"),
    ]
    lines = ["", "remote LO (the table above is the IF link)", ""]
    for label, value, unit in rows:
        lines.append(f"  {label:<26} {_fmt(value):>10}  {unit}")
    return "\n".join(lines) + "\n"


def _waveform(args, link, signal) -> dict:
    """Run the NR waveform report the flags ask for (plots written when ``--plot``)."""
    from rof.link.waveform_report import (
        default_scs_khz,
        plot_waveform_report,
        run_waveform_report,
    )

    if args.if_ghz:
        try:
            rfs = [float(x) * 1e9 for x in args.if_ghz.split(",")]
        except ValueError:
            raise ConfigError(
                f"--if-ghz = {args.if_ghz!r} is not a comma-separated list of GHz values"
            ) from None
    else:
        rfs = [signal["rf_hz"]]
    bw_mhz = signal["bandwidth_hz"] / 1e6
    from rof._status import kernels_cold, say

    cold = kernels_cold("photonics/timedomain", "link")
    say(
        f"simulating {args.waveform_symbols} NR symbols through the link"
        + (" (compiling kernels first: first run only, about 1-2 min)..." if cold else "...")
    )
    report = run_waveform_report(
        link,
        rfs if len(rfs) > 1 else rfs[0],
        rf_in_dbm=signal["rf_in_dbm"],
        bandwidth_mhz=bw_mhz,
        scs_khz=default_scs_khz(max(rfs), bw_mhz),
        modulation=args.modulation,
        n_symbols=args.waveform_symbols,
        seed=args.seed,
        predistort=args.predistort,
        keep_waveforms=bool(args.plot),
    )
    if args.plot:
        say("writing plots...")
        report["plots"] = [str(p) for p in plot_waveform_report(report, args.plot)]
    report.pop("waveforms", None)
    return report


def _jsonable(x):
    """Plain-JSON copy of a report (NumPy scalars and arrays become floats and lists)."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if hasattr(x, "tolist"):
        return _jsonable(x.tolist())
    return x


def _finite(x):
    """JSON-safe copy: non-finite floats (no ASE noise, infinite IIP3) become null."""
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _table(name, link, signal, b, rate) -> str:
    rows = [
        ("RF carrier", signal["rf_hz"] / 1e9, "GHz"),
        ("RF input (mean OFDM)", signal["rf_in_dbm"], "dBm"),
        ("bandwidth", signal["bandwidth_hz"] / 1e6, "MHz"),
        ("fiber length", link.fiber.length_km, "km"),
        ("latency (one way)", b.latency_s * 1e6, "us"),
        ("received optical power", b.received_optical_power_dbm, "dBm"),
        ("photocurrent", b.photocurrent_a * 1e3, "mA"),
        ("RF gain", b.gain_db, "dB"),
        ("noise figure", b.noise_figure_db, "dB"),
        ("output noise", b.noise_dbm_hz, "dBm/Hz"),
        ("  thermal (load)", b.thermal_noise_dbm_hz, "dBm/Hz"),
        ("  input + termination", b.input_noise_dbm_hz, "dBm/Hz"),
        ("  shot", b.shot_noise_dbm_hz, "dBm/Hz"),
        ("  dark", b.dark_noise_dbm_hz, "dBm/Hz"),
        ("  RIN", b.rin_noise_dbm_hz, "dBm/Hz"),
        ("  signal-ASE", b.sig_ase_noise_dbm_hz, "dBm/Hz"),
        ("  ASE-ASE", b.ase_ase_noise_dbm_hz, "dBm/Hz"),
        ("IIP3", b.iip3_dbm, "dBm"),
        ("OIP3", b.oip3_dbm, "dBm"),
        ("SFDR", b.sfdr_db_hz23, "dB Hz^2/3"),
        ("SNR (noise only)", b.snr_db, "dB"),
        ("SDR (distortion)", b.sdr_db, "dB"),
        ("SIR (WDM crosstalk)", b.sir_db, "dB"),
        ("SNDR", b.sndr_db, "dB"),
        ("EVM", b.evm_percent, "%"),
    ]
    lines = [f"rof link: {name}", ""]
    for label, value, unit in rows:
        lines.append(f"  {label:<26} {_fmt(value):>10}  {unit}")
    lines.append(f"  {'max modulation (38.104)':<26} {b.max_modulation:>10}")
    lines += [
        "",
        "fronthaul bandwidth (same radio, digital vs analog)",
        f"  {'CPRI line rate':<26} {_fmt(rate.line_rate_bps / 1e9):>10}  Gbit/s",
        f"  {'analog RF bandwidth':<26} {_fmt(rate.analog_bandwidth_hz / 1e6):>10}  MHz",
        f"  {'digital / analog':<26} {_fmt(rate.ratio):>10}  x",
        "",
    ]
    return "\n".join(lines)


def _fmt(v) -> str:
    v = float(v)
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.2f}"
