"""The notebooks execute without error (nbclient), and are stored executed."""

import importlib
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["capacity_vs_fiber.ipynb", "interference_coordination.ipynb"]
#: Notebooks that simulate their study when run (minutes): stored executed, run by name.
SLOW = ["joint_transmission.ipynb"]


def _edge_available() -> bool:
    # The notebooks run the smart-edge simulator; only that dependency may skip them.
    try:
        return callable(importlib.import_module("rof.edge").simulate)
    except (ImportError, AttributeError):
        return False


@pytest.mark.parametrize("name", NAMES + SLOW)
def test_notebook_stored_with_outputs(name):
    """Stored executed (nbconvert --execute), so the results read without a kernel."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None and cell.outputs
            assert all(o.output_type != "error" for o in cell.outputs)


@pytest.mark.skipif(not _edge_available(), reason="rof.edge.simulate is not importable")
@pytest.mark.parametrize("name", NAMES + [pytest.param(n, marks=pytest.mark.slow) for n in SLOW])
def test_notebook_executes(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=1200, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
