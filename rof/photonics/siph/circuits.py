"""Ready circuits: ring WDM demultiplexer and MZI lattice filter, as netlists."""

from __future__ import annotations

import dataclasses

import numpy as np

from rof._validate import check_int_range, check_range
from rof.errors import ParameterError
from rof.photonics.siph.coupler import DirectionalCoupler
from rof.photonics.siph.grating import GratingCoupler
from rof.photonics.siph.microring import Microring
from rof.photonics.siph.netlist import Netlist
from rof.photonics.siph.waveguide import Waveguide
from rof.units import C_M_PER_S

__all__ = ["channel_wavelengths_nm", "default_demux_ring", "mzi_lattice", "ring_demux"]


def channel_wavelengths_nm(
    n_channels: int, channel_spacing_ghz: float, first_wavelength_nm: float = 1550.0
) -> np.ndarray:
    """Wavelengths of a frequency grid: :math:`f_k = c/\\lambda_0 - k\\,\\Delta f`, nm.

    Channel 0 sits at ``first_wavelength_nm``; higher channels at lower frequency
    (ITU-T G.694.1 grid spacing in GHz).
    """
    n = check_int_range("n_channels", n_channels, 1, 256)
    df = check_range("channel_spacing_ghz", channel_spacing_ghz, 0.0, None, lo_open=True)
    check_range("first_wavelength_nm", first_wavelength_nm, 0.0, None, lo_open=True)
    f0 = C_M_PER_S / (first_wavelength_nm * 1e-9)
    f = f0 - np.arange(n) * df * 1e9
    if f[-1] <= 0:
        raise ParameterError("channel_spacing_ghz is too large for the number of channels")
    return C_M_PER_S / f * 1e9


def default_demux_ring() -> Microring:
    """Symmetric add-drop ring used by :func:`ring_demux` (R = 5 um, r1 = r2 = 0.98)."""
    return Microring(
        radius_um=5.0,
        n_eff=2.4,
        n_g=4.2,
        self_coupling=0.98,
        drop_coupling=0.98,
        loss_db_per_cm=2.0,
    )


def ring_demux(
    n_channels: int = 4,
    channel_spacing_ghz: float = 200.0,
    *,
    first_wavelength_nm: float = 1550.0,
    ring: Microring | None = None,
    bus_length_um: float = 50.0,
    drop_length_um: float = 20.0,
    grating: GratingCoupler | None = None,
    input_grating: GratingCoupler | None = None,
) -> Netlist:
    """Add-drop ring WDM demultiplexer: ``n_channels`` rings in series on one bus.

    Per channel k the netlist holds ``bus{k}`` (bus section before ring k),
    ``ring{k}`` (the template ring with ``resonance_nm`` set to channel k of
    :func:`channel_wavelengths_nm`), ``dropwg{k}`` and, if ``grating`` is given,
    ``gc{k}`` (the output to site k's fiber): 4 instances per channel, 16 for a
    4-channel demux. External ports: ``in`` (or ``fiber_in`` through
    ``input_grating``), ``through``, ``out0..out{n-1}``, ``add0..add{n-1}``.
    The drop transfer to ``out{k}`` is the closed-form cascade
    :math:`t_{bus}\\prod_{m<k} t_{bus} S^{(m)}_{through,in}\\, S^{(k)}_{drop,in}\\,
    t_{drop}\\, t_{gc}` (Bogaerts et al., Laser Photonics Rev. 6, 47 (2012), sec. 7.1).

    Raises
    ------
    ParameterError
        If the grid does not fit in one FSR of the ring (channels would alias).
    """
    ring = default_demux_ring() if ring is None else ring
    if not ring.is_add_drop:
        raise ParameterError("ring_demux ring.drop_coupling = None; allowed: an add-drop ring")
    wl = channel_wavelengths_nm(n_channels, channel_spacing_ghz, first_wavelength_nm)
    span_nm = float(wl[-1] - wl[0]) * n_channels / max(n_channels - 1, 1)
    if n_channels > 1 and span_nm >= ring.fsr_nm:
        max_ghz = channel_spacing_ghz * ring.fsr_nm / span_nm
        raise ParameterError(
            f"ring_demux channel_spacing_ghz = {channel_spacing_ghz:g} puts {n_channels} "
            f"channels over {span_nm:.3g} nm, more than the ring FSR {ring.fsr_nm:.3g} nm; "
            f"allowed: < {max_ghz:.4g} GHz (or a smaller ring)"
        )
    wg = dict(n_eff=ring.n_eff, n_g=ring.n_g, loss_db_per_cm=ring.loss_db_per_cm)
    instances, connections, ports = {}, {}, {}
    if input_grating is not None:
        instances["gc_in"] = input_grating
        connections["gc_in,wg"] = "bus0,in"
        ports["fiber_in"] = "gc_in,fiber"
    else:
        ports["in"] = "bus0,in"
    for k, lam in enumerate(wl):
        instances[f"bus{k}"] = Waveguide(length_um=bus_length_um, **wg)
        instances[f"ring{k}"] = dataclasses.replace(ring, resonance_nm=float(lam))
        instances[f"dropwg{k}"] = Waveguide(length_um=drop_length_um, **wg)
        connections[f"bus{k},out"] = f"ring{k},in"
        connections[f"ring{k},drop"] = f"dropwg{k},in"
        if k + 1 < len(wl):
            connections[f"ring{k},through"] = f"bus{k + 1},in"
        if grating is not None:
            instances[f"gc{k}"] = grating
            connections[f"dropwg{k},out"] = f"gc{k},wg"
    ports["through"] = f"ring{len(wl) - 1},through"
    for k in range(len(wl)):
        ports[f"out{k}"] = f"gc{k},fiber" if grating is not None else f"dropwg{k},out"
    for k in range(len(wl)):
        ports[f"add{k}"] = f"ring{k},add"
    return Netlist(instances=instances, connections=connections, ports=ports)


def mzi_lattice(
    power_couplings=(0.5, 0.5),
    delta_lengths_um=(20.0,),
    *,
    arm_length_um: float = 100.0,
    phases_rad=None,
    n_eff: float = 2.4,
    n_g: float = 4.2,
    loss_db_per_cm: float = 2.0,
) -> Netlist:
    """MZI lattice filter: N+1 couplers joined by N unequal-arm delay sections.

    Instances ``dc0..dcN`` (:class:`DirectionalCoupler` with the given power
    couplings), ``top{k}`` (length ``arm_length_um + delta_lengths_um[k]``, extra
    phase ``phases_rad[k]``) and ``bot{k}`` (``arm_length_um``). The transfer matrix
    is the product :math:`C_N D_{N-1} \\cdots D_0 C_0` of Madsen & Zhao, *Optical
    Filter Design and Analysis*, Wiley, 1999, ch. 4 (lattice MA filters), whose free
    spectral range is :math:`\\lambda^2/(n_g\\,\\Delta L)`. External ports ``in1``,
    ``in2``, ``out1``, ``out2``.
    """
    kap = [float(check_range("mzi_lattice.power_couplings", k, 0.0, 1.0)) for k in power_couplings]
    dls = [
        float(check_range("mzi_lattice.delta_lengths_um", d, -arm_length_um, None))
        for d in delta_lengths_um
    ]
    if len(kap) != len(dls) + 1:
        raise ParameterError(
            f"mzi_lattice needs len(power_couplings) = len(delta_lengths_um) + 1; got "
            f"{len(kap)} and {len(dls)}"
        )
    phases = [0.0] * len(dls) if phases_rad is None else [float(p) for p in phases_rad]
    if len(phases) != len(dls):
        raise ParameterError("mzi_lattice.phases_rad must have one entry per delay section")
    wg = dict(n_eff=n_eff, n_g=n_g, loss_db_per_cm=loss_db_per_cm)
    instances = {f"dc{k}": DirectionalCoupler(power_coupling=c) for k, c in enumerate(kap)}
    connections = {}
    for k, (dl, ph) in enumerate(zip(dls, phases, strict=True)):
        instances[f"top{k}"] = Waveguide(length_um=arm_length_um + dl, phase_rad=ph, **wg)
        instances[f"bot{k}"] = Waveguide(length_um=arm_length_um, **wg)
        connections[f"dc{k},out1"] = f"top{k},in"
        connections[f"dc{k},out2"] = f"bot{k},in"
        connections[f"top{k},out"] = f"dc{k + 1},in1"
        connections[f"bot{k},out"] = f"dc{k + 1},in2"
    n = len(dls)
    ports = {"in1": "dc0,in1", "in2": "dc0,in2", "out1": f"dc{n},out1", "out2": f"dc{n},out2"}
    return Netlist(instances=instances, connections=connections, ports=ports)
