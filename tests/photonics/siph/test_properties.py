"""Conservation laws that hold for every parameter choice (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rof.photonics.siph import DirectionalCoupler, Microring, mzi_lattice, ring_demux

coef = st.floats(0.3, 0.999)


def max_singular_value(s):
    return np.linalg.svd(s, compute_uv=False).max()


@settings(max_examples=25, deadline=None)
@given(r1=coef, r2=coef, radius=st.floats(2.0, 50.0), lam=st.floats(1500.0, 1600.0))
def test_lossless_add_drop_conserves_power(r1, r2, radius, lam):
    ring = Microring(
        radius_um=radius, n_eff=2.4, n_g=4.2, self_coupling=r1, drop_coupling=r2, loss_db_per_cm=0.0
    )
    wl = lam + np.linspace(-2.0, 2.0, 64)
    np.testing.assert_allclose(ring.through(wl) + ring.drop(wl), 1.0, atol=1e-12)
    s = ring.s_matrix(wl)
    shs = np.conj(np.swapaxes(s, 1, 2)) @ s
    np.testing.assert_allclose(shs, np.broadcast_to(np.eye(4), shs.shape), atol=1e-9)


@settings(max_examples=15, deadline=None)
@given(
    r=coef,
    loss=st.floats(0.0, 20.0),
    n_ch=st.integers(1, 6),
    spacing=st.sampled_from([50.0, 100.0, 200.0]),
)
def test_demux_never_gains(r, loss, n_ch, spacing):
    ring = Microring(
        radius_um=5.0, n_eff=2.4, n_g=4.2, self_coupling=r, drop_coupling=r, loss_db_per_cm=loss
    )
    net = ring_demux(n_ch, spacing, ring=ring)
    assert max_singular_value(net.s_matrix(np.linspace(1548.0, 1558.0, 257))) <= 1.0 + 1e-9


@settings(max_examples=15, deadline=None)
@given(
    k=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=5),
    dl=st.floats(1.0, 50.0),
    excess=st.floats(0.0, 3.0),
)
def test_lattice_lossless_is_unitary_and_couplers_lossy_never_gain(k, dl, excess):
    net = mzi_lattice(tuple(k), (dl,) * (len(k) - 1), loss_db_per_cm=0.0)
    s = net.s_matrix(np.linspace(1540.0, 1560.0, 65))
    shs = np.conj(np.swapaxes(s, 1, 2)) @ s
    np.testing.assert_allclose(shs, np.broadcast_to(np.eye(4), shs.shape), atol=1e-9)
    dc = DirectionalCoupler(power_coupling=k[0], excess_loss_db=excess)
    assert max_singular_value(dc.s_matrix([1550.0])) <= 1.0 + 1e-12
