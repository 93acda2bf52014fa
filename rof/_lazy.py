"""Lazy public names for package ``__init__`` modules (PEP 562).

A package that re-exports names from heavy submodules (Numba kernels, SciPy) lists
them as ``{name: submodule}`` and calls :func:`lazy_exports`; the submodule is imported
on first access and the value cached in the package, so ``import rof.<pkg>.cli``
(which ``rof --help`` does) stays cheap.
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["lazy_exports"]


def lazy_exports(package: str, where: dict[str, str]):
    """Return ``(__all__, __getattr__, __dir__)`` for ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    where : dict
        Public name -> module that defines it, absolute (``"rof.radio.sinr"``) or
        relative to the package (``"sinr"``).
    """
    modules = {k: (v if v.startswith("rof.") else f"{package}.{v}") for k, v in where.items()}
    names = sorted(modules)

    def __getattr__(name: str):
        if name in modules:
            value = getattr(importlib.import_module(modules[name]), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(vars(sys.modules[package])) | set(names))

    return names, __getattr__, __dir__
