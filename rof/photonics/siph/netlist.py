"""Circuits as netlists of S-matrix components, composed into one S-matrix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import numpy as np

from rof.errors import ParameterError, RofError
from rof.photonics.siph._common import SComponent, wavelength_array
from rof.photonics.siph._solver import compile_program, connect_numba, connect_reference

__all__ = ["COMPONENTS", "Netlist"]

#: Wavelengths per block of the kernel's inner (contiguous, vectorisable) loop.
_BLOCK = 64


def _registry() -> dict[str, type]:
    from rof.photonics.siph.coupler import DirectionalCoupler
    from rof.photonics.siph.grating import GratingCoupler
    from rof.photonics.siph.microring import Microring
    from rof.photonics.siph.mzi import MZI
    from rof.photonics.siph.waveguide import Waveguide

    return {
        "Waveguide": Waveguide,
        "DirectionalCoupler": DirectionalCoupler,
        "MZI": MZI,
        "Microring": Microring,
        "GratingCoupler": GratingCoupler,
    }


#: Component names a netlist may give as ``{"component": NAME, "settings": {...}}``.
COMPONENTS: tuple[str, ...] = (
    "Waveguide",
    "DirectionalCoupler",
    "MZI",
    "Microring",
    "GratingCoupler",
)


def _build_instance(name: str, spec):
    if isinstance(spec, Mapping):
        comp = spec.get("component")
        if comp not in COMPONENTS:
            allowed = ", ".join(COMPONENTS)
            raise ParameterError(
                f"Netlist instance {name!r}: component = {comp!r} is not known; allowed: {allowed}"
            )
        try:
            return _registry()[comp](**dict(spec.get("settings", {})))
        except RofError as exc:
            raise ParameterError(f"Netlist instance {name!r}: {exc}") from None
        except TypeError as exc:
            raise ParameterError(f"Netlist instance {name!r} ({comp}): {exc}") from None
    if not (hasattr(spec, "ports") and callable(getattr(spec, "sdict", None))):
        raise ParameterError(
            f"Netlist instance {name!r}: {type(spec).__name__} is not an S-matrix component "
            f"(needs .ports and .sdict()); allowed: a component object or "
            f"{{'component': one of {', '.join(COMPONENTS)}, 'settings': {{...}}}}"
        )
    return spec


@dataclass(frozen=True, eq=False)
class Netlist(SComponent):
    """A circuit: instances, port-to-port connections and external ports.

    ``instances`` maps instance names to components (any object with ``ports`` and
    ``sdict(wavelength_nm)``, including another :class:`Netlist`) or to dicts
    ``{"component": "Microring", "settings": {...}}``. ``connections`` maps
    ``"inst,port"`` to ``"inst,port"`` (each pair once, either direction);
    ``ports`` maps external port names to ``"inst,port"``. Every instance port
    must be either connected exactly once or external. The netlist is itself a
    component with ports ``tuple(ports)``, so circuits nest. Netlists compare and
    hash by identity (their compiled plan is cached on the object).

    :meth:`s_matrix` composes the circuit over a wavelength array with the numba
    kernel of :mod:`rof.photonics.siph._solver` (Filipsson 1981 innerconnection,
    sparse, per wavelength) or, with ``backend="numpy"``, with the one-step
    reference :math:`S_{ee} + S_{ei}(I - C S_{ii})^{-1} C S_{ie}`.

    Examples
    --------
    >>> from rof.photonics.siph import Waveguide
    >>> net = Netlist(
    ...     instances={"a": Waveguide(10.0), "b": Waveguide(20.0)},
    ...     connections={"a,out": "b,in"},
    ...     ports={"in": "a,in", "out": "b,out"},
    ... )
    >>> net.s_matrix([1550.0]).shape
    (1, 2, 2)
    """

    instances: Mapping[str, object]
    connections: Mapping[str, str] = field(default_factory=dict)
    ports: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.instances, Mapping) or not self.instances:
            raise ParameterError("Netlist.instances must be a non-empty mapping name -> component")
        built = {}
        for name, spec in self.instances.items():
            if not isinstance(name, str) or not name or "," in name:
                raise ParameterError(
                    f"Netlist instance name {name!r} is not allowed; allowed: non-empty "
                    f"strings without ','"
                )
            built[name] = _build_instance(name, spec)
        object.__setattr__(self, "instances", MappingProxyType(built))
        object.__setattr__(self, "connections", MappingProxyType(dict(self.connections)))
        object.__setattr__(self, "ports", MappingProxyType(dict(self.ports)))
        used: dict[tuple[str, str], str] = {}

        def claim(ref: str, role: str) -> tuple[str, str]:
            inst, port = self._parse(ref, role)
            if (inst, port) in used:
                raise ParameterError(
                    f"Netlist port {inst},{port} is connected twice ({used[(inst, port)]} and "
                    f"{role}); allowed: each instance port connected exactly once"
                )
            used[(inst, port)] = role
            return inst, port

        for a, b in self.connections.items():
            ea, eb = claim(a, f"connection {a!r}->{b!r}"), claim(b, f"connection {a!r}->{b!r}")
            if ea == eb:
                raise ParameterError(f"Netlist connection {a!r}->{b!r} connects a port to itself")
        for ext, ref in self.ports.items():
            if not isinstance(ext, str) or not ext:
                raise ParameterError(f"Netlist external port name {ext!r} is not allowed")
            claim(ref, f"external port {ext!r}")
        for name, comp in self.instances.items():
            for port in comp.ports:
                if (name, port) not in used:
                    raise ParameterError(
                        f"Netlist port {name},{port} is unconnected; allowed: connect it or "
                        f"list it in ports"
                    )

    def _parse(self, ref, role: str) -> tuple[str, str]:
        if not isinstance(ref, str) or ref.count(",") != 1:
            raise ParameterError(
                f"Netlist {role}: reference {ref!r} is malformed; allowed: 'instance,port'"
            )
        inst, port = (s.strip() for s in ref.split(","))
        if inst not in self.instances:
            known = ", ".join(self.instances)
            raise ParameterError(
                f"Netlist {role}: instance {inst!r} is not known; allowed: {known}"
            )
        ports = self.instances[inst].ports
        if port not in ports:
            raise ParameterError(
                f"Netlist {role}: instance {inst!r} has no port {port!r}; allowed: "
                f"{', '.join(ports)}"
            )
        return inst, port

    # ------------------------------------------------------------------ plan
    @cached_property
    def _plan(self) -> dict:
        """Global port numbering and the compiled connection program (computed once).

        The structural non-zero pattern comes from each instance's S-dict keys at
        one probe wavelength; see :func:`rof.photonics.siph._solver.compile_program`.
        """
        gidx: dict[tuple[str, str], int] = {}
        groups, entries = [], []
        probe = np.array([self._probe_wavelength()])
        for name, comp in self.instances.items():
            start = len(gidx)
            for port in comp.ports:
                gidx[(name, port)] = len(gidx)
            groups.append(list(range(start, len(gidx))))
            keys = comp.sdict(probe)
            entries.extend((gidx[(name, pi)], gidx[(name, pj)]) for pi, pj in keys)
        pairs = [
            (gidx[self._parse(a, "connection")], gidx[self._parse(b, "connection")])
            for a, b in self.connections.items()
        ]
        ext = [gidx[self._parse(ref, "external port")] for ref in self.ports.values()]
        return {
            "gidx": gidx,
            "n_ports": len(gidx),
            "entries": entries,
            "program": compile_program(entries, groups, pairs, ext),
            "ext_idx": np.asarray(ext, dtype=np.int64),
            "pairs": np.asarray(pairs, dtype=np.int64).reshape(-1, 2),
        }

    def _probe_wavelength(self) -> float:
        """A wavelength for reading each instance's S-dict keys (its sparsity pattern)."""
        for comp in self.instances.values():
            for attr in ("reference_wavelength_nm", "center_wavelength_nm"):
                if hasattr(comp, attr):
                    return float(getattr(comp, attr))
        return 1550.0

    def _entries(self, wl: np.ndarray):
        """Instance S-entries in plan order; reciprocal twins share one value row.

        Returns the value row ``uid`` of each plan entry and ``values`` (complex,
        ``(n_unique, n_wl)``).
        """
        gidx = self._plan["gidx"]
        expected = self._plan["entries"]
        uid, arrays, seen = [], [], {}
        for name, comp in self.instances.items():
            for (pi, pj), val in comp.sdict(wl).items():
                if len(uid) >= len(expected) or expected[len(uid)] != (
                    gidx[(name, pi)],
                    gidx[(name, pj)],
                ):
                    raise ParameterError(
                        f"Netlist instance {name!r}: its S-dict keys change with wavelength; "
                        f"allowed: a fixed set of entries"
                    )
                key = id(val)
                if key not in seen:
                    seen[key] = len(arrays)
                    arrays.append(val)
                uid.append(seen[key])
        values = np.empty((len(arrays), wl.size), dtype=np.complex128)
        for e, val in enumerate(arrays):
            values[e] = val
        return np.asarray(uid, dtype=np.int64), values

    # ------------------------------------------------------------------ solve
    def s_matrix(self, wavelength_nm, backend: str = "numba") -> np.ndarray:
        """Circuit S-matrix, shape ``(n_wl, n_ext, n_ext)``, ports ordered as :attr:`ports`.

        Parameters
        ----------
        wavelength_nm : float or array_like (n_wl,)
            Wavelengths, nm.
        backend : {"numba", "numpy"}
            Sparse per-wavelength innerconnection kernel, or the dense one-step
            reference solve (slower; for checks).
        """
        wl = wavelength_array(wavelength_nm)
        plan = self._plan
        uid, values = self._entries(wl)
        if backend == "numpy":
            rows, cols = np.asarray(plan["entries"], dtype=np.int64).reshape(-1, 2).T
            return connect_reference(values[uid], rows, cols, plan["pairs"], plan["ext_idx"])
        if backend != "numba":
            raise ParameterError(
                f"Netlist.s_matrix backend = {backend!r} is not known; allowed: 'numba', 'numpy'"
            )
        prog = plan["program"]
        return connect_numba(
            values, uid, prog.n_slots, len(plan["ext_idx"]), _BLOCK, *prog.arrays()
        )

    def sdict(self, wavelength_nm):
        """Structurally non-zero external entries (a fixed key set, for nesting)."""
        s = self.s_matrix(wavelength_nm)
        names = tuple(self.ports)
        prog = self._plan["program"]
        return {
            (names[a], names[b]): s[:, a, b]
            for a, b in zip(prog.o_a.tolist(), prog.o_b.tolist(), strict=True)
        }
