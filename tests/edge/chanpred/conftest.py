"""Shared fixture: the shipped channel-predictor dock (built into a temp dir if absent)."""

import pytest

from rof.learnware.paths import default_dock_path


@pytest.fixture(scope="session")
def shipped_dock_path(tmp_path_factory):
    path = default_dock_path()
    if (path / "index.sqlite").is_file():
        return path
    from rof.edge.chanpred.build import build_channel_dock

    return build_channel_dock(tmp_path_factory.mktemp("models") / "dock")
