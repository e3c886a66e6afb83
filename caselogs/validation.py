"""Rules that span fields of a case (SPEC 4.1), raised beside the field they concern."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from . import choices as c
from .models import INTERVAL_LIMITS, Case

# What a thrombectomy left without these is told, by this module and by the case form, which
# refuses them empty itself when the procedure chosen is a thrombectomy (caselogs.forms).
MT_REQUIRED_MESSAGES = {
    "final_etici": "Record the final eTICI grade for a thrombectomy.",
    "passes": "Record the number of passes (0 if no pass was made).",
}


def case_errors(case: Case) -> dict[str, str]:
    """Every cross-field problem with a case, keyed by the field to show it beside."""
    errors: dict[str, str] = {}
    if case.performed_on and case.performed_on > timezone.localdate():
        errors["performed_on"] = "The date cannot be in the future."

    for field, (limit, reason) in INTERVAL_LIMITS.items():
        value = getattr(case, field)
        if value is not None and value > limit:
            errors[field] = (
                f"{value} minutes is {reason}; check whether hours were entered as minutes. "
                f"The most this field accepts is {limit} minutes."
            )
    if (
        case.door_to_puncture_minutes is not None
        and case.door_to_imaging_minutes is not None
        and case.door_to_puncture_minutes < case.door_to_imaging_minutes
    ):
        errors["door_to_puncture_minutes"] = (
            "Door to puncture cannot be shorter than door to imaging: imaging comes first."
        )
    # The procedure runs from groin puncture to closure, so reperfusion happens within it.
    if (
        case.puncture_to_reperfusion_minutes is not None
        and case.procedure_minutes is not None
        and case.puncture_to_reperfusion_minutes > case.procedure_minutes
    ):
        errors.setdefault(
            "puncture_to_reperfusion_minutes",
            (
                "Puncture to reperfusion "
                f"({case.puncture_to_reperfusion_minutes} minutes) cannot be "
                f"longer than the whole procedure ({case.procedure_minutes} minutes): reperfusion "
                "happens during the procedure. Check both times."
            ),
        )

    if case.procedure == c.Procedure.MT:
        if not case.final_etici:
            errors["final_etici"] = MT_REQUIRED_MESSAGES["final_etici"]
        if case.passes is None:
            errors["passes"] = MT_REQUIRED_MESSAGES["passes"]
    if case.first_pass_etici and not case.passes:
        errors["first_pass_etici"] = "A first-pass grade needs at least one pass."
    if case.passes == 0 and case.final_etici in c.EXCELLENT_REPERFUSION:
        errors.setdefault(
            "passes", "Excellent reperfusion with no pass: record the passes made, or the grade."
        )

    if case.aspects is not None and not case.aspects_modality:
        errors["aspects_modality"] = "Say whether ASPECTS was scored on CT, DWI or pc-ASPECTS."
    if case.haemorrhage_symptomatic and not case.sich_definition:
        errors["sich_definition"] = (
            "Name the definition of symptomatic haemorrhage used (Heidelberg, ECASS II, ECASS III "
            "or SITS-MOST): they give different rates on the same patients."
        )
    if case.haemorrhage_symptomatic and case.haemorrhage in ("", c.Heidelberg.NONE):
        errors["haemorrhage"] = "A symptomatic haemorrhage needs its Heidelberg class."
    if case.mrs_90_days is not None and not case.mrs_90_days_method:
        errors["mrs_90_days_method"] = "Say how the 90-day mRS was obtained."
    if case.died_in_hospital and case.mrs_90_days is not None and case.mrs_90_days != 6:
        errors["mrs_90_days"] = "A patient who died in hospital has an mRS of 6 at 90 days."

    unknown_imaging = set(case.imaging or []) - set(c.Imaging.values)
    if unknown_imaging:
        errors["imaging"] = "Choose imaging from the list."
    unknown_complications = set(case.complications or []) - set(c.Complication.values)
    if unknown_complications:
        errors["complications"] = "Choose complications from the list."
    if case.complications and not case.any_complication:
        errors["any_complication"] = "You listed complications: tick “any complication”."
    return errors


def validate_case(case: Case) -> None:
    """Field validation (scales, identifiers) and the cross-field rules, all at once."""
    errors = {}
    try:
        # Not the database constraints: each would cost a query per case (a 1,000-row import is
        # 1,000 queries), and each has its rule here in Python (the symptomatic haemorrhage's
        # definition below; the unique reference in services._check_context).
        case.full_clean(
            exclude=["trainee", "agreement", "supervisor", "site"], validate_constraints=False
        )
    except ValidationError as error:
        errors.update(
            {k: v[0] if isinstance(v, list) else v for k, v in error.message_dict.items()}
        )
    for field, message in case_errors(case).items():
        errors.setdefault(field, message)
    if errors:
        raise ValidationError(errors)
