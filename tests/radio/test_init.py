"""Every name rof.radio advertises resolves (the binding names of DESIGN.md included)."""

import rof.radio


def test_public_names_resolve():
    for name in rof.radio.__all__:
        assert getattr(rof.radio, name) is not None, name
    from rof.radio import hex_sites, pathloss_38901, ppp_sites  # noqa: F401
