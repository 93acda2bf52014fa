"""rof.radio's public names: each resolves, lazily, to the object its stub names."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np

import rof.radio

STUB = Path(rof.radio.__file__).with_name("__init__.pyi")


def _stub_names():
    """(module, name) pairs of the ``from .module import name as name`` lines of the stub."""
    tree = ast.parse(STUB.read_text())
    return [
        (f"rof.radio.{node.module}", alias.name)
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]


def test_public_names_are_the_objects_of_their_modules():
    pairs = _stub_names()
    assert sorted(n for _, n in pairs) == sorted(rof.radio.__all__)
    for module, name in pairs:
        assert getattr(rof.radio, name) is getattr(importlib.import_module(module), name), name
    from rof.radio import hex_sites, pathloss_38901, ppp_sites  # DESIGN.md's binding names

    assert hex_sites(7, 100.0).shape == (7, 2)
    assert pathloss_38901("UMi", 100.0, 100.0, 3.5, 10.0, 1.5, True) > 80.0
    xy = ppp_sites(100.0, 1.0, np.random.default_rng(0))
    assert xy.ndim == 2 and np.all(np.abs(xy) <= 500.0)


def test_import_is_lazy():
    """Importing the package loads neither its submodules nor numba."""
    code = (
        "import sys, rof.radio; "
        "print(any(m.startswith('rof.radio.') for m in sys.modules), 'numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
