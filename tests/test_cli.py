"""The `rof` command: help lists every subcommand; user errors are one line, exit 2."""

import subprocess
import sys

import pytest

from rof.cli import main


def _rof(*args):
    return subprocess.run(
        [sys.executable, "-m", "rof.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_help_lists_every_command():
    proc = _rof("--help")
    assert proc.returncode == 0
    for cmd in ("run", "sweep", "link", "plot", "dock"):
        assert f"{cmd}" in proc.stdout.split("COMMAND", 1)[1], cmd


@pytest.mark.parametrize(
    "argv",
    [
        ["no-such-command"],
        ["link", "--no-such-flag"],
        ["run", "does/not/exist.toml"],
    ],
)
def test_user_errors_are_one_line_exit_2(argv):
    proc = _rof(*argv)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr


def test_main_without_command_prints_help(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_help_imports_no_heavy_layer():
    # `rof --help` used to import SciPy, pydantic and the scenario layer (1.1-1.3 s).
    code = (
        "import sys; from rof.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('numpy', 'scipy', 'numba', 'pydantic', 'h5py', "
        "'matplotlib', 'rof.scenario.schema') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_schedulers_lists_the_registry_and_the_schema_agrees(capsys):
    import json
    import typing

    from rof.edge.registry import SCHEDULERS
    from rof.scenario.sections import Edge

    assert main(["schedulers", "--json"]) == 0
    names = list(json.loads(capsys.readouterr().out))
    assert names == [*SCHEDULERS, "fronthaul_aware"]
    assert set(typing.get_args(Edge.model_fields["scheduler"].annotation)) == set(names)
    assert main(["schedulers"]) == 0
    text = capsys.readouterr().out
    assert all(n in text for n in names)


def test_scenario_keys_cover_every_key_with_its_range(capsys):
    import json

    from rof.scenario.schema import field_paths

    assert main(["scenario", "keys", "--json"]) == 0
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert list(rows) == field_paths()
    assert rows["radio.carrier_ghz"]["allowed"] == "a number >= 0.5 and <= 100"
    assert rows["radio.carrier_ghz"]["default"] == "3.5"
    assert rows["deployment.n_sites"]["allowed"] == "an integer >= 1 and <= 10000"
    assert rows["deployment.wraparound"]["default"] == "false"
    assert main(["scenario", "keys"]) == 0
    assert "run.ttis" in capsys.readouterr().out


def test_a_reader_that_leaves_early_is_no_error(monkeypatch, capsys):
    # `rof dock list | head -2` used to print "error: [Errno 32] Broken pipe", exit 2.
    import os

    r, w = os.pipe()

    class _LeftPipe:
        def write(self, _text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

        def fileno(self):
            return w

    monkeypatch.setattr(sys, "stdout", _LeftPipe())
    try:
        assert main(["schedulers"]) == 0
    finally:
        os.close(r)
        os.close(w)
    assert "Broken pipe" not in capsys.readouterr().err
