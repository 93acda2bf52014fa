"""Shared fixture: the shipped channel-predictor dock (built into a temp dir if absent)."""

import pytest

from rof.learnware.build import build_dock
from rof.learnware.predict import default_dock_path


@pytest.fixture(scope="session")
def shipped_dock_path(tmp_path_factory):
    path = default_dock_path()
    if (path / "index.sqlite").is_file():
        return path
    return build_dock(tmp_path_factory.mktemp("models") / "dock")
