"""The radio layer: deployments, TR 38.901 channels, fading, SINR and rates.

* :mod:`~rof.radio.deployment` -- the :class:`Deployment` of one drop, made from
  :mod:`~rof.radio.layouts` (hex with 3GPP wrap-around, PPP, file) and
  :mod:`~rof.radio.ue_drop` (uniform or hotspot UTs, indoor floors);
* :mod:`~rof.radio.tr38901` -- one module per TR 38.901 scenario (UMa, UMi, InH,
  RMa) and their registry, read by everything below;
* :mod:`~rof.radio.pathloss`, :mod:`~rof.radio.los`, :mod:`~rof.radio.shadowing`,
  :mod:`~rof.radio.o2i`, :mod:`~rof.radio.antenna` -- TR 38.901 large-scale channel;
* :mod:`~rof.radio.arrays` -- TR 38.901 section 7.3 panels with a fixed tilt, array
  response vectors and named BS/UE antenna presets;
* :mod:`~rof.radio.calibration` -- TR 38.901 section 7.8.1's large-scale calibration
  against the published (R1-165974) curves;
* :mod:`~rof.radio.two_tier` -- small cells under a macro layer, merged link table;
* :mod:`~rof.radio.linktable` -- each UE's K strongest cells plus the summed rest
  (numba kernel in :mod:`~rof.radio.kernels_linktable`, NumPy reference in
  :mod:`~rof.radio.linktable_reference`);
* :mod:`~rof.radio.fading`, :mod:`~rof.radio.tdl` -- time-correlated Rayleigh,
  Rician and TDL fading per resource block;
* :mod:`~rof.radio.sinr` -- SINR with each site's fronthaul noise riding on its signal;
  :mod:`~rof.radio.effective_sinr` -- one transport block's effective SINR;
* :mod:`~rof.radio.rates` -- TS 38.214 CQI/MCS tables, BLER, attenuated Shannon.

Names load on first access, so importing the package stays cheap.
"""

from __future__ import annotations

import lazy_loader as lazy

# The public names and the submodules that define them are listed once, in
# __init__.pyi (which type checkers read); each loads on first access.
__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
