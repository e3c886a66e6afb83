"""Each scale bound and each rule of SPEC 4.1: the error is beside its field and nothing is
saved."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from caselogs.models import Case

from .conftest import log_case

pytestmark = pytest.mark.django_db


def _refused(world, field, **overrides):
    with pytest.raises(ValidationError) as excinfo:
        log_case(world, **overrides)
    assert field in excinfo.value.message_dict, excinfo.value.message_dict
    assert not Case.objects.exists()
    return excinfo.value.message_dict[field][0]


SCALE_BOUNDS = [
    ("age", 15, 111),
    ("pre_stroke_mrs", None, 6),
    ("nihss_baseline", None, 43),
    ("aspects", None, 11),
    ("nihss_24h", None, 43),
    ("mrs_90_days", None, 7),
    ("passes", None, 21),
]


@pytest.mark.parametrize("field,below,above", SCALE_BOUNDS)
def test_scale_bounds(logbook, field, below, above):
    extra = {"aspects_modality": "ct"} if field == "aspects" else {}
    extra |= {"mrs_90_days_method": "telephone"} if field == "mrs_90_days" else {}
    message = _refused(logbook, field, **{field: above}, **extra)
    assert "less than or equal to" in message
    if below is not None:
        assert "greater than or equal to" in _refused(logbook, field, **{field: below}, **extra)


@pytest.mark.parametrize(
    "field,limit",
    [
        ("onset_to_arrival_minutes", 1440),
        ("door_in_door_out_minutes", 480),
        ("door_to_imaging_minutes", 360),
        ("door_to_puncture_minutes", 720),
        ("puncture_to_reperfusion_minutes", 360),
        ("procedure_minutes", 480),
    ],
)
def test_implausible_intervals_are_refused_with_the_reason(logbook, field, limit):
    message = _refused(logbook, field, **{field: limit + 1})
    assert "hours were entered as minutes" in message
    log_case(logbook, **{field: limit}, reference=f"ok-{field}")


def test_negative_intervals_are_refused(logbook):
    assert "greater than or equal to 0" in _refused(
        logbook, "door_to_imaging_minutes", door_to_imaging_minutes=-5
    )


def test_door_to_puncture_cannot_precede_imaging(logbook):
    message = _refused(
        logbook, "door_to_puncture_minutes", door_to_imaging_minutes=40, door_to_puncture_minutes=30
    )
    assert "imaging comes first" in message


def test_puncture_to_reperfusion_cannot_outlast_the_procedure(logbook):
    message = _refused(
        logbook,
        "puncture_to_reperfusion_minutes",
        puncture_to_reperfusion_minutes=95,
        procedure_minutes=60,
    )
    assert "longer than the whole procedure (60 minutes)" in message
    log_case(
        logbook, puncture_to_reperfusion_minutes=60, procedure_minutes=60, reference="p2r-equal-ok"
    )


def test_no_future_dates(logbook):
    assert "future" in _refused(
        logbook, "performed_on", performed_on=date.today() + timedelta(days=1)
    )


def test_etici_must_be_one_of_the_grades(logbook):
    assert "not a valid choice" in _refused(logbook, "final_etici", final_etici="2b")


def test_a_thrombectomy_needs_its_final_grade_and_passes(logbook):
    assert "final eTICI" in _refused(logbook, "final_etici", final_etici="")
    assert "number of passes" in _refused(logbook, "passes", passes=None)


def test_symptomatic_haemorrhage_needs_its_definition(logbook):
    message = _refused(logbook, "sich_definition", haemorrhage="2", haemorrhage_symptomatic=True)
    assert "Heidelberg, ECASS II, ECASS III or SITS-MOST" in message
    log_case(
        logbook,
        haemorrhage="2",
        haemorrhage_symptomatic=True,
        sich_definition="ecass3",
        reference="sich-ok",
    )


def test_aspects_needs_its_modality(logbook):
    assert "CT, DWI" in _refused(logbook, "aspects_modality", aspects=8)


def test_listed_complications_need_the_quick_flag(logbook):
    assert "any complication" in _refused(logbook, "any_complication", complications=["dissection"])


def test_a_death_in_hospital_is_mrs_6(logbook):
    assert "mRS of 6" in _refused(
        logbook, "mrs_90_days", died_in_hospital=True, mrs_90_days=3, mrs_90_days_method="records"
    )


def test_the_supervisor_must_be_named_on_the_agreement(logbook):
    assert "supervisors named" in _refused(logbook, "supervisor", supervisor=logbook.training_lead)


def test_a_repeated_reference_is_refused(logbook):
    log_case(logbook)
    with pytest.raises(ValidationError) as excinfo:
        log_case(logbook)
    assert "already have a case with this reference" in excinfo.value.message_dict["reference"][0]
    assert Case.objects.count() == 1


def test_identifiers_in_free_text_are_refused(logbook):
    message = _refused(logbook, "reflection", reflection="Pt 943 476 5919 did well")
    assert "NHS number" in message
    assert "5919" not in message
    _refused(logbook, "reference", reference="SW1A 1AA")
