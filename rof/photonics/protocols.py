"""The interface an optical transmitter offers to :class:`rof.link.RoFLink`.

Every intensity-modulated transmitter (directly modulated laser, CW laser plus
Mach-Zehnder modulator, microring modulator) describes itself to the link budget by
its static optical-power transfer curve around the bias point:

.. math:: P(t) = P_0 + \\Delta P(v(t)),

where :math:`v(t)` is the RF voltage across the transmitter's input (source and
load impedance ``input_impedance_ohm``) and :math:`P_0` the mean launched optical
power. The link budget (Cox, *Analog Optical Links*, Cambridge Univ. Press, 2004,
ch. 2-6) needs only:

* ``mean_power_w()`` -- :math:`P_0`, W, launched into the fiber (after insertion loss);
* ``slope_w_per_v(rf_hz)`` -- small-signal slope :math:`|dP/dv|` at the RF
  frequency, W/V, including the transmitter's modulation frequency response;
* ``taylor_w_per_vn()`` -- :math:`(a_1, a_2, a_3)` of
  :math:`\\Delta P = a_1 v + a_2 v^2 + a_3 v^3 + \\dots` at low frequency, W/V^n
  (two-tone IIP3 follows from :math:`a_1, a_3`);
* ``envelope_response_w(amplitude_v)`` -- first-zone (in-band) optical-power
  amplitude produced by a sinusoidal drive of amplitude ``amplitude_v``, W; this is
  the AM/AM curve used for the in-band distortion of Gaussian (OFDM) signals;
* ``rin_db_per_hz``, ``chirp_alpha`` (small-signal transient chirp / linewidth
  enhancement factor, Henry's sign convention), ``wavelength_nm`` and
  ``input_impedance_ohm`` attributes.

Optional hooks, read with ``getattr`` by :class:`rof.link.RoFLink` when present:

* ``drive_response(rf_hz)`` -- :math:`|H_e(f)|` of an electrical input network that
  sits *before* the non-linearity (an MZM's travelling-wave electrode): distortion
  and IIP3 are then computed on the drive that reaches the optical transfer;
* ``rin_fades`` (bool) -- the source's intensity noise is carried like the signal
  (a CW laser behind an external modulator), so it fades with dispersion as
  :math:`\\cos^2\\theta`;
* ``linewidth_hz`` -- the laser's Lorentzian linewidth, whose phase noise dispersion
  converts to intensity noise (Wang & Petermann, JLT 10(1), 1992);
* ``small_signal_chirp()`` -- ``(alpha_transient, adiabatic_corner_hz)`` of a
  directly modulated laser, for the fading with adiabatic chirp.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Transmitter"]


@runtime_checkable
class Transmitter(Protocol):
    """Structural type of an intensity-modulating optical transmitter."""

    wavelength_nm: float
    rin_db_per_hz: float
    input_impedance_ohm: float

    @property
    def chirp_alpha(self) -> float: ...

    def mean_power_w(self) -> float: ...

    def slope_w_per_v(self, rf_hz: np.ndarray) -> np.ndarray: ...

    def taylor_w_per_vn(self) -> tuple[float, float, float]: ...

    def envelope_response_w(self, amplitude_v: np.ndarray) -> np.ndarray: ...
