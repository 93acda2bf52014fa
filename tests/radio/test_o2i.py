"""O2I penetration loss of TR 38.901 Tables 7.4.3-1 and 7.4.3-2."""

import math

import numpy as np
import pytest

from rof.errors import RofError
from rof.radio.o2i import draw_o2i_loss, material_loss_db, o2i_mean_loss_db, o2i_wall_loss_db


def ref_wall(model, f):
    glass, irr, concrete = 2 + 0.2 * f, 23 + 0.3 * f, 5 + 4 * f
    if model == "low":
        return 5 - 10 * math.log10(0.3 * 10 ** (-glass / 10) + 0.7 * 10 ** (-concrete / 10))
    return 5 - 10 * math.log10(0.7 * 10 ** (-irr / 10) + 0.3 * 10 ** (-concrete / 10))


@pytest.mark.parametrize("f", [0.9, 3.5, 6.0, 28.0, 60.0])
@pytest.mark.parametrize("model", ["low", "high"])
def test_wall_loss_matches_table(model, f):
    assert o2i_wall_loss_db(model, f) == pytest.approx(ref_wall(model, f), abs=1e-12)


def test_material_losses_and_hand_values():
    assert material_loss_db("concrete", 3.5) == pytest.approx(19.0)
    assert material_loss_db("wood", 10.0) == pytest.approx(6.05)
    # low loss at 3.5 GHz: 5 - 10 log10(0.3 * 10^-0.27 + 0.7 * 10^-1.9) = 12.70 dB
    assert o2i_wall_loss_db("low", 3.5) == pytest.approx(12.70, abs=0.01)
    # mean incl. indoor part: + 0.5 * 25 / 3 dB for UMa
    assert o2i_mean_loss_db("UMa", "low", 3.5) == pytest.approx(ref_wall("low", 3.5) + 12.5 / 3)


@pytest.mark.parametrize("scn,dmax", [("UMa", 25.0), ("UMi", 25.0), ("RMa", 10.0)])
def test_drawn_losses_have_the_tr_mean_and_std(scn, dmax):
    n = 200_000
    rng = np.random.default_rng(4)
    o = draw_o2i_loss(scn, np.ones(n, bool), 3.5, rng, high_loss_fraction=1.0)
    model = "low" if scn == "RMa" else "high"
    sigma_p = 4.4 if model == "low" else 6.5
    mean = ref_wall(model, 3.5) + 0.5 * dmax / 3  # E[min(U1, U2)] = dmax / 3
    std = math.sqrt(sigma_p**2 + 0.25 * dmax**2 / 18)  # Var[min(U1, U2)] = dmax^2 / 18
    assert o.loss_db.mean() == pytest.approx(mean, abs=0.05)
    assert o.loss_db.std() == pytest.approx(std, rel=0.01)
    assert o.d2d_in_m.max() <= dmax and o.d2d_in_m.mean() == pytest.approx(dmax / 3, rel=0.01)
    assert o.high_loss.all() == (scn != "RMa")


def test_mixture_outdoor_and_inh():
    rng = np.random.default_rng(1)
    indoor = rng.random(50_000) < 0.7
    o = draw_o2i_loss("UMi", indoor, 3.5, rng, high_loss_fraction=0.25)
    assert np.all(o.loss_db[~indoor] == 0) and np.all(o.d2d_in_m[~indoor] == 0)
    assert o.high_loss[indoor].mean() == pytest.approx(0.25, abs=0.01)
    assert not o.high_loss[~indoor].any()
    inh = draw_o2i_loss("InH", indoor, 3.5, rng)
    assert np.all(inh.loss_db == 0)


def test_bad_input():
    with pytest.raises(RofError, match=r"o2i_model = 'medium'.*'low', 'high'"):
        o2i_wall_loss_db("medium", 3.5)
    with pytest.raises(RofError, match=r"high_loss_fraction = 1\.5"):
        draw_o2i_loss("UMa", [True], 3.5, np.random.default_rng(0), high_loss_fraction=1.5)
    with pytest.raises(RofError, match="scenario"):
        draw_o2i_loss("Suburb", [True], 3.5, np.random.default_rng(0))
