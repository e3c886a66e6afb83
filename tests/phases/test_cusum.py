"""CUSUM against the worked values in DOMAIN.md (Rogers et al. 2004; Bolsin & Colson 2000)."""

import math

import pytest

from phases.cusum import LOWER, UPPER, Crossing, CusumParameters, cusum_curve

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


# Issue 13, item 22: alpha != beta, worked by hand. p0 0.10, p1 0.25, alpha 0.05, beta 0.20:
#   OR = 0.25 x 0.90 / (0.10 x 0.75) = 3
#   s  = ln(0.90 / 0.75) / ln 3 = 0.18232 / 1.09861 = 0.16596
#   h0 = ln(0.95 / 0.20) / ln 3 = 1.55814 / 1.09861 = 1.41828  (lower limit -1.41828)
#   h1 = ln(0.80 / 0.05) / ln 3 = 2.77259 / 1.09861 = 2.52372
# Lower limit: 8 successes reach -1.32768, 9 reach -1.49364. Upper: 3 failures reach 2.50212
# (just short), 4 reach 3.33616.
UNEQUAL = CusumParameters(p0=0.10, p1=0.25, alpha=0.05, beta=0.20)


def test_unequal_error_rates_give_unequal_limits():
    assert UNEQUAL.log_odds_ratio == pytest.approx(math.log(3))
    assert UNEQUAL.s == pytest.approx(0.16596, abs=5e-6)
    assert UNEQUAL.h0 == pytest.approx(1.41828, abs=5e-6)
    assert UNEQUAL.h1 == pytest.approx(2.52372, abs=5e-6)


def test_unequal_limits_are_crossed_where_the_hand_computation_says():
    assert cusum_curve([False] * 8, UNEQUAL).crossings == ()
    assert cusum_curve([False] * 9, UNEQUAL).crossings == (Crossing(9, LOWER),)
    assert cusum_curve([True] * 3, UNEQUAL).crossings == ()
    assert cusum_curve([True] * 4, UNEQUAL).crossings == (Crossing(4, UPPER),)
    assert cusum_curve([True] * 3, UNEQUAL).values[-1] == pytest.approx(2.50212, abs=5e-5)


def test_after_the_upper_limit_the_curve_restarts_and_can_show_acceptable_performance():
    early_trouble = [True] * 4 + [False] * 9
    curve = cusum_curve(early_trouble, UNEQUAL)

    # 4 failures: 4 x 0.83404 = 3.33616, past 2.52372. Restart: case 5 is -0.16596 from zero,
    # and case 13 (the ninth success) reaches -1.49364, past -1.41828.
    assert curve.values[3] == pytest.approx(3.33616, abs=5e-5)
    assert curve.values[4] == pytest.approx(-0.16596, abs=5e-5)
    assert curve.values[12] == pytest.approx(-1.49364, abs=5e-5)
    assert curve.crossings == (Crossing(4, UPPER), Crossing(13, LOWER))
    assert curve.restarts == [5]
    assert curve.shows_acceptable_performance and not curve.signals_unacceptable_performance
    assert curve.current == 0.0  # the 13th case crossed: the next one starts from zero

    # One case short of that, the latest crossing is still the upper limit: not met.
    short = cusum_curve(early_trouble[:-1], UNEQUAL)
    assert short.signals_unacceptable_performance and not short.shows_acceptable_performance
    assert short.current == pytest.approx(-1.32768, abs=5e-5)


def test_the_latest_crossing_decides():
    curve = cusum_curve([False] * 9 + [True] * 4, UNEQUAL)
    assert curve.crossings == (Crossing(9, LOWER), Crossing(13, UPPER))
    assert curve.signals_unacceptable_performance and not curve.shows_acceptable_performance
