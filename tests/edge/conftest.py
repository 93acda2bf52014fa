"""Random link-table instances shared by the edge tests."""

from __future__ import annotations

import numpy as np
import pytest


def make_instance(rng, n_cells=7, n_ue=30, k=4, n_rb=5, spread_db=20.0):
    """A random link table: each UE sees ``k`` distinct cells, strongest first."""
    link_cell = np.empty((n_ue, k), dtype=np.int32)
    ls_db = np.empty((n_ue, k))
    for u in range(n_ue):
        link_cell[u] = rng.choice(n_cells, size=k, replace=False)
        ls_db[u] = np.sort(-80.0 - spread_db * rng.random(k))[::-1]
    large = 10 ** (ls_db / 10)
    fading = rng.exponential(1.0, size=(n_ue, k, n_rb))
    gain = large[:, :, None] * fading
    return {
        "link_cell": link_cell,
        "large": large,
        "gain": gain,
        "serving": link_cell[:, 0].copy(),
        "serve_k": np.zeros(n_ue, dtype=np.int32),
        "floor_w": np.full(n_ue, 1e-12) * (1 + rng.random(n_ue)),
        "weight": 1.0 / rng.uniform(1.0, 10.0, n_ue),
        "fh_inv": rng.uniform(0.0, 0.01, n_cells),
        "p_w": 0.1,
        "n_cells": n_cells,
    }


@pytest.fixture
def instance():
    return make_instance
