"""CUSUM against the worked values in DOMAIN.md (Rogers et al. 2004; Bolsin & Colson 2000)."""

import math

import pytest

from phases.cusum import CusumParameters, cusum_curve

DEFAULT = CusumParameters(p0=0.15, p1=0.30, alpha=0.1, beta=0.1)


def test_decrement_and_limits_for_the_default_rates():
    assert DEFAULT.s == pytest.approx(0.219, abs=0.0005)
    assert DEFAULT.h0 == pytest.approx(2.48, abs=0.005)
    assert DEFAULT.h1 == pytest.approx(2.48, abs=0.005)


def test_the_second_worked_example():
    p = CusumParameters(p0=0.10, p1=0.20, alpha=0.1, beta=0.1)
    assert p.s == pytest.approx(0.145, abs=0.0005)
    assert p.h0 == pytest.approx(2.71, abs=0.005)
    assert cusum_curve([False] * 19, p).shows_acceptable_performance
    assert not cusum_curve([False] * 18, p).shows_acceptable_performance


def test_twelve_straight_successes_cross_the_lower_limit_and_eleven_do_not():
    assert cusum_curve([False] * 12, DEFAULT).shows_acceptable_performance
    assert not cusum_curve([False] * 11, DEFAULT).shows_acceptable_performance


def test_a_run_of_failures_crosses_the_upper_limit_where_the_formula_says():
    # Each failure adds 1 - s; the limit h1 is crossed at the first n with n(1 - s) >= h1.
    expected = math.ceil(DEFAULT.h1 / (1 - DEFAULT.s))
    assert expected == 4
    assert not cusum_curve([True] * (expected - 1), DEFAULT).signals_unacceptable_performance
    assert cusum_curve([True] * expected, DEFAULT).signals_unacceptable_performance


def test_each_case_moves_the_sum_by_its_outcome():
    curve = cusum_curve([False, True, False], DEFAULT)
    s = DEFAULT.s
    assert curve.values == pytest.approx([-s, 1 - 2 * s, 1 - 3 * s])
