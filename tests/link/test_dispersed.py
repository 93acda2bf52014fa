"""The chirp-free MZM's dispersed-drive distortion: Numba kernel against its NumPy branch.

The identity itself (behind fiber = back to back at A cos theta) is checked against a
sampled field through the FFT fiber in test_describing.py.
"""

from __future__ import annotations

import numpy as np

from rof.link.dispersed import dispersed_drive_distortion


def test_dispersed_distortion_kernel_matches_its_numpy_reference():
    from rof.photonics import MachZehnderModulator

    tx = MachZehnderModulator().small_signal()
    rng = np.random.default_rng(3)
    p = 10 ** rng.uniform(-14, -1, (7, 1, 33))  # W; reaches below the 80 dB table
    theta_l = rng.uniform(0, 2e-21, (1, 5, 1))
    f = rng.uniform(0.1e9, 40e9, 33)
    theta_l[0, 0, 0] = 0.0
    a = dispersed_drive_distortion(tx, p, theta_l, f, engine="numba")
    b = dispersed_drive_distortion(tx, p, theta_l, f, engine="numpy")
    for x, y in zip(a[:2], b[:2], strict=True):
        assert x.shape == (7, 5, 33)
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(a[2], b[2], atol=1e-9)
    # 0-d inputs give 0-d results; a drive 3 dB under the table's top is compressed.
    c, i, d = dispersed_drive_distortion(tx, 0.02, 0.0, 3.5e9)
    assert np.shape(c) == () and 0.0 < c < 1.0 and 0.0 < i and d == 0.0
