"""Shared parameter checks: messages name the parameter, the value and the range."""

import numpy as np
import pytest

from rof import ParameterError, RofError
from rof._validate import check_choice, check_int_range, check_range


def test_range_message_names_field_value_and_range():
    with pytest.raises(ParameterError, match=r"Fiber\.length_km = -1\.0 .*>= 0"):
        check_range("Fiber.length_km", -1.0, lo=0.0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_rejected(bad):
    with pytest.raises(RofError, match="x"):
        check_range("x", bad, lo=0.0)


def test_open_bounds_and_arrays():
    assert check_range("v", 0.5, 0.0, 1.0, lo_open=True, hi_open=True) == 0.5
    with pytest.raises(ParameterError, match=r"> 0"):
        check_range("v", 0.0, 0.0, 1.0, lo_open=True)
    with pytest.raises(ParameterError, match=r"rf_hz = -5\.0"):
        check_range("rf_hz", np.array([1.0, -5.0, 3.0]), lo=0.0, lo_open=True)
    np.testing.assert_array_equal(check_range("a", [1.0, 2.0], lo=0.0), [1.0, 2.0])


def test_int_and_choice():
    assert check_int_range("k", 3, lo=1) == 3
    with pytest.raises(ParameterError, match=r"k = 0 .*>= 1"):
        check_int_range("k", 0, lo=1)
    with pytest.raises(ParameterError, match="not an integer"):
        check_int_range("k", 1.5, lo=1)
    with pytest.raises(ParameterError, match=r"'UMa', 'UMi'"):
        check_choice("scenario", "Foo", ("UMa", "UMi"))


def test_rof_error_is_value_error():
    assert issubclass(RofError, ValueError)
