import numpy as np

from rof.edge.kpis import jain_fairness, throughput_kpis
from rof.edge.traffic import Traffic


def test_jain_bounds():
    assert jain_fairness(np.ones(10)) == 1.0
    assert np.isclose(jain_fairness(np.r_[1.0, np.zeros(9)]), 0.1)
    x = np.array([1.0, 2.0, 3.0])
    assert np.isclose(jain_fairness(x), 36 / (3 * 14))


def test_throughput_kpis_definitions():
    t = np.arange(1, 101, dtype=float) * 1e6
    k = throughput_kpis(t, n_cells=4, area_km2=2.0, bandwidth_hz=20e6)
    assert np.isclose(k["ue_throughput_mean_bps"], 50.5e6)
    assert np.isclose(k["ue_throughput_p50_bps"], 50.5e6)
    assert np.isclose(k["cell_throughput_bps"], 5050e6 / 4)
    assert np.isclose(k["area_throughput_bps_per_km2"], 5050e6 / 2)
    assert np.isclose(k["spectral_efficiency_bps_per_hz_per_cell"], 5050e6 / 20e6 / 4)


def test_bursty_traffic_offers_the_poisson_mean():
    rng = np.random.default_rng(0)
    tr = Traffic(1000, "bursty", arrival_rate_per_s=20.0, file_size_bits=1e5)
    for _ in range(1000):
        tr.arrive(1e-3, rng)
    mean_rate = tr.offered_bits.mean() / 1.0
    assert abs(mean_rate - 2e6) < 4 * np.sqrt(20.0 / 1000) * 1e5  # 4 sigma
    sent = tr.deliver(np.full(1000, 5e5))
    assert np.all(sent <= 5e5) and np.all(tr.buffer_bits >= 0)
    full = Traffic(3)
    assert np.all(full.has_data()) and np.all(full.deliver(np.array([1.0, 2.0, 3.0])) == [1, 2, 3])
