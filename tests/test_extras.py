"""Packaging: the extras install what the README's steps run (issue 13 item 5)."""

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
#: `jupyter <subcommand>` -> the distribution that provides it.
JUPYTER_COMMANDS = {
    "nbconvert": "nbconvert",
    "execute": "nbclient",
    "lab": "jupyterlab",
    "notebook": "notebook",
    "kernelspec": "jupyter-client",
}


def _names(requirements):
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_notebooks_extra_installs_what_the_notebook_step_runs():
    # `pip install -e ".[notebooks]"` used to leave `jupyter nbconvert` missing.
    extra = _names(PYPROJECT["project"]["optional-dependencies"]["notebooks"])
    assert {"nbclient", "nbformat", "ipykernel", "nbconvert", "jupyterlab"} <= extra
    readme = (REPO / "README.md").read_text()
    for cmd in set(re.findall(r"\bjupyter[ -]([a-z]+)", readme)):
        assert cmd in JUPYTER_COMMANDS, f"README runs `jupyter {cmd}`: add it to this table"
        assert JUPYTER_COMMANDS[cmd] in extra | {"jupyter-client"}, cmd


def test_result_file_dependencies_are_declared():
    deps = _names(PYPROJECT["project"]["dependencies"])
    assert {"h5py", "filelock", "h5netcdf", "xarray"} <= deps
