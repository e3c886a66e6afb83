"""Derived values against hand-worked examples (DOMAIN.md: Liebeskind et al. 2019)."""

import pytest

from caselogs.models import Case


@pytest.mark.parametrize(
    "etici,passes,rescue,mtici,successful,excellent,fpe",
    [
        ("0", 3, False, "0", False, False, False),
        ("2a", 2, False, "2a", False, False, False),
        ("2b50", 1, False, "2b", True, False, False),
        ("2b67", 1, False, "2b", True, False, False),
        ("2c", 1, False, "2c", True, True, True),
        ("3", 1, False, "3", True, True, True),
        ("3", 1, True, "3", True, True, False),  # rescue therapy: not a first-pass effect
        ("3", 2, False, "3", True, True, False),  # two passes: not a first-pass effect
    ],
)
def test_derived_reperfusion_values(etici, passes, rescue, mtici, successful, excellent, fpe):
    case = Case(final_etici=etici, passes=passes, rescue_therapy=rescue)
    assert case.mtici == mtici
    assert case.successful_reperfusion is successful
    assert case.excellent_reperfusion is excellent
    assert case.first_pass_effect is fpe


def test_no_grade_means_no_derived_values():
    case = Case(final_etici="", passes=None)
    assert case.mtici == "" and case.successful_reperfusion is None
    assert case.first_pass_effect is None
