"""Layer contracts of ``rof`` (issue 14 item 7), checked with import-linter.

The contracts live in ``pyproject.toml`` ([tool.importlinter]); the package layout in
the README and ``DESIGN.md`` states them in words: each package imports only the
packages below it (units/errors -> photonics, signals, radio -> link, learnware ->
scenario -> edge -> sweep/store -> plot/cli), and the dock knows no radio.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports() -> list[str]:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(exe).exists():
        pytest.fail("lint-imports is missing: install the test extra (pip install -e '.[test]')")
    return [exe, "--no-cache"]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_lint_imports(), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_layer_contracts_are_kept():
    res = _run([], ROOT)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "0 broken" in res.stdout


def _toy(tmp_path: Path, upward: bool) -> Path:
    """A two-layer package whose lower layer imports the upper one when ``upward``."""
    pkg = tmp_path / "toy"
    (pkg / "low").mkdir(parents=True)
    (pkg / "high").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "high" / "__init__.py").write_text("from toy import low\n")
    (pkg / "low" / "__init__.py").write_text("from toy import high\n" if upward else "")
    (tmp_path / ".importlinter").write_text(
        textwrap.dedent(
            """\
            [importlinter]
            root_package = toy

            [importlinter:contract:layers]
            name = toy layers
            type = layers
            layers =
                toy.high
                toy.low
            """
        )
    )
    return tmp_path


@pytest.mark.parametrize("upward", [False, True])
def test_the_check_fails_on_an_upward_import(tmp_path, monkeypatch, upward):
    """The test above can fail: an upward import breaks a layers contract."""
    root = _toy(tmp_path, upward)
    monkeypatch.setenv("PYTHONPATH", str(root))
    res = _run(["--config", str(root / ".importlinter")], root)
    assert (res.returncode != 0) is upward, res.stdout[-2000:]
