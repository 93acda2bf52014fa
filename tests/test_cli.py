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
