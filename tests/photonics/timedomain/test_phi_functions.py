"""phi-functions of 2x2 matrices against the block-matrix exponential (scipy.linalg.expm).

Reference: for Z (2x2), expm of [[Z, I, 0], [0, 0, I], [0, 0, 0]] holds phi_1(Z) and
phi_2(Z) in its first block row, and the 4x4 extension phi_3(Z) (Higham,
*Functions of Matrices*, SIAM 2008, eq. 10.41; Hochbruck & Ostermann, Acta Numerica
19, 2010), computed with no use of the module's closed forms.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import expm

from rof.photonics.timedomain.phi_functions import (
    dphi1_real,
    phi1_coeffs,
    phi1_coeffs_series,
    phi1_real,
    phi123,
)


def _phis(z: np.ndarray) -> list[np.ndarray]:
    """phi_1..3 of a 2x2 matrix from one block exponential."""
    big = np.zeros((8, 8))
    big[:2, :2] = z
    for k in range(3):
        big[2 * k : 2 * k + 2, 2 * k + 2 : 2 * k + 4] = np.eye(2)
    e = expm(big)
    return [e[:2, 2 * k + 2 : 2 * k + 4] for k in range(3)]


# The DML's h J over a sample: complex eigenvalues (relaxation oscillation), real ones
# (overdamped), a double one, and tiny steps.
MATRICES = [
    np.array([[-0.5, -3.0], [1.2, -0.1]]),
    np.array([[-2.0, 0.3], [0.1, -0.7]]),
    np.array([[-1.0, 0.0], [0.0, -1.0]]),
    np.array([[-1e-4, -2e-3], [1e-3, -1e-5]]),
    np.array([[0.2, -8.0], [4.0, -0.3]]),
]


@pytest.mark.parametrize("z", MATRICES)
def test_phi1_coefficients_match_the_block_exponential(z):
    tr, det = float(np.trace(z)), float(np.linalg.det(z))
    ref = _phis(z)[0]
    for coeffs in (phi1_coeffs(tr, det), phi1_coeffs_series(tr, det)):
        c0, c1 = coeffs
        np.testing.assert_allclose(c0 * np.eye(2) + c1 * z, ref, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("z", MATRICES)
def test_phi123_match_the_block_exponential(z):
    tr, det = float(np.trace(z)), float(np.linalg.det(z))
    a1, b1, a2, b2, a3, b3 = phi123(tr, det)
    ref = _phis(z)
    for (a, b), r in zip(((a1, b1), (a2, b2), (a3, b3)), ref, strict=True):
        np.testing.assert_allclose(a * np.eye(2) + b * z, r, rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("x", [-30.0, -2.0, -1e-4, 0.0, 1e-6, 0.7])
def test_scalar_phi1_and_its_derivative(x):
    # phi_1(x) = sum_k x^k / (k+1)!, so phi_1'(x) = sum_k (k+1) x^k / (k+2)!; summed in
    # full below |x| = 1, by expm1 and the quotient rule above.
    if abs(x) < 1.0:
        exact = sum(x**k / math.factorial(k + 1) for k in range(25))
        deriv = sum((k + 1) * x**k / math.factorial(k + 2) for k in range(25))
    else:
        exact = math.expm1(x) / x
        deriv = (x * math.exp(x) - math.expm1(x)) / (x * x)
    assert phi1_real(x) == pytest.approx(exact, rel=1e-12)
    assert dphi1_real(x) == pytest.approx(deriv, rel=1e-9)
