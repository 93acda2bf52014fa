"""Calibration-drop benchmark (issue 16): TR 38.901 sec. 7.8.1 UMa, 19 sites x 3 sectors
(57 cells) with wrap-around, 2,280 UTs, the 10-element configuration-1 panel, h_E drawn
per link; goal < 1 s for the whole drop (deployment, link table, coupling loss and
geometry).

Run: ``python -m pytest benches/test_bench_radio_calibration.py -s``. The first call
compiles (or loads the cached) numba kernel outside the timed rounds.
"""

import numpy as np
import pytest

from rof.radio.calibration import calibration_drop


@pytest.mark.parametrize("scenario", ["UMa", "UMi"])
def test_bench_calibration_drop_57_cells_2280_ue(benchmark, scenario):
    def drop():
        return calibration_drop(scenario, rng=np.random.default_rng(3), ue_per_site=120)

    drop()  # compile / warm
    cl, geo = benchmark.pedantic(drop, rounds=5, iterations=1)
    print(
        f"\n{scenario} calibration drop, 57 cells x {cl.size} UTs, config-1 panel: "
        f"min {benchmark.stats['min']:.3f} s, median {benchmark.stats['median']:.3f} s"
    )
    assert cl.size == 2280 and np.all(np.isfinite(geo))
    if scenario == "UMa":  # UMi's finer shadowing grids (7-13 m decorrelation) cost more
        assert benchmark.stats["min"] < 1.0
