"""notebooks/uplink.ipynb: stored executed, and it executes (it reads the stored study)."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOK = ROOT / "notebooks" / "uplink.ipynb"
STUDY = ROOT / "docs" / "data" / "uplink" / "study.json"


def test_uplink_notebook_stored_with_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None and cell.outputs
            assert all(o.output_type != "error" for o in cell.outputs)


def test_uplink_study_file_is_the_shipped_scenario():
    import json

    from rof.scenario import as_scenario

    data = json.loads(STUDY.read_text())
    shipped = as_scenario(ROOT / "scenarios" / "uplink.toml")
    assert data["scenario"] == shipped.name and data["drops"] >= 4
    axes = {r["axis"] for r in data["rows"]}
    assert {"fiber_km", "rin_db_per_hz", "ideal", "n_ant"} <= axes


def test_uplink_notebook_executes(tmp_path, monkeypatch):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # the figures go beside the study file: run on a copy so the stored ones stay
    copy = tmp_path / "study.json"
    copy.write_text(STUDY.read_text())
    monkeypatch.setenv("ROF_UPLINK_STUDY", str(copy))
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    assert (tmp_path / "uplink_vs_fiber.png").stat().st_size > 10_000
