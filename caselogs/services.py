"""Writes for the logbook: logging and correcting cases, and their verification."""

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from agreements.models import AgreementVersion
from agreements.selectors import active_version_for_trainee, named_supervisors
from audit.services import audit_changes, audit_event_record
from privacy.accession import (
    AccessionKeyMissing,
    NotAnAccessionNumber,
    accession_digest,
)

from . import choices as c
from .models import Case, CaseVerification
from .signals import cases_changed
from .validation import validate_case

# Fields a trainee enters; everything else on a case is set by the services.
CASE_INPUT_FIELDS = (
    "reference",
    "performed_on",
    "site",
    "out_of_hours",
    "procedure",
    "trainee_role",
    "supervisor",
    "supervision_mode",
    "final_etici",
    "passes",
    "any_complication",
    "age",
    "sex",
    "pre_stroke_mrs",
    "nihss_baseline",
    "aspects",
    "aspects_modality",
    "imaging",
    "occlusion_site",
    "occlusion_side",
    "thrombolysis",
    "admission",
    "onset_type",
    "onset_to_arrival_minutes",
    "door_in_door_out_minutes",
    "door_to_imaging_minutes",
    "door_to_puncture_minutes",
    "puncture_to_reperfusion_minutes",
    "procedure_minutes",
    "anaesthesia",
    "access",
    "technique",
    "balloon_guide",
    "first_pass_etici",
    "rescue_therapy",
    "aborted_reason",
    "complications",
    "haemorrhage",
    "haemorrhage_symptomatic",
    "sich_definition",
    "nihss_24h",
    "died_in_hospital",
    "mrs_90_days",
    "mrs_90_days_method",
    "ssnap_entered",
    "reflection",
)


# The optional accession number (issue 16): a form field, never a column. It is keyed at once
# under the site's organisation's key and only the digest is kept (Case.accession_key).
ACCESSION_FIELD = "accession_number"

DUPLICATE_REFERENCE = "You already have a case with this reference; each must be unique."


class NoActiveAgreement(ValidationError):
    pass


def _check_context(
    case: Case, version: AgreementVersion, existing_references: Collection[str] | None = None
) -> None:
    errors = {}
    if not case.site_id:
        errors["site"] = "Choose the site where the case was done."
    if case.supervisor_id not in {u.pk for u in named_supervisors(version)}:
        errors["supervisor"] = "Choose one of the supervisors named on your training agreement."
    if case.site_id and case.site.organisation_id not in {
        version.employer_id,
        version.training_centre_id,
    }:
        errors["site"] = "Choose a site of your employer or of your training centre."
    if existing_references is not None:  # the import read them once for the whole file
        repeated = case.reference in existing_references
    else:
        duplicate = Case.objects.filter(trainee_id=case.trainee_id, reference=case.reference)
        if case.pk:
            duplicate = duplicate.exclude(pk=case.pk)
        repeated = duplicate.exists()
    if case.reference and repeated:
        errors["reference"] = DUPLICATE_REFERENCE
    if errors:
        raise ValidationError(errors)


# Ticked lists are kept in the order of their choices, so the same ticks always store the same
# list: a form sends them in that order, and a case re-saved unchanged must not show a change.
_LIST_ORDER = {
    "imaging": {v: i for i, v in enumerate(c.Imaging.values)},
    "complications": {v: i for i, v in enumerate(c.Complication.values)},
}


def _apply(case: Case, data: dict) -> None:
    for name in CASE_INPUT_FIELDS:
        if name in data:
            value = data[name]
            if name in _LIST_ORDER and isinstance(value, list):
                order = _LIST_ORDER[name]
                value = sorted(
                    value,
                    key=lambda v: order.get(v, len(order)) if isinstance(v, str) else len(order),
                )
            setattr(case, name, value)


def _apply_accession(case: Case, data: dict, *, keep_existing: bool = False) -> dict[str, str]:
    """Key the accession number given in ``data`` (if any) onto the case; the errors by field.
    A correction without one keeps the digest, unless the case moved to another organisation's
    site (it was keyed under that organisation's key)."""
    raw = str(data.get(ACCESSION_FIELD) or "").strip()
    if not raw:
        if not keep_existing:
            case.accession_key = ""
        return {}
    if not case.site_id:
        return {}
    try:
        case.accession_key = accession_digest(case.site.organisation_id, raw)
    except (NotAnAccessionNumber, AccessionKeyMissing) as error:
        return {ACCESSION_FIELD: str(error)}
    return {}


def _announce(case_ids: list[int]) -> None:
    transaction.on_commit(lambda: cases_changed.send(sender=Case, case_ids=case_ids))


def case_build(
    *,
    trainee: User,
    data: dict,
    version: AgreementVersion | None = None,
    existing_references: Collection[str] | None = None,
) -> Case:
    """A validated, unsaved case: the import checks a whole file with this before saving any.

    ``version`` (the trainee's active agreement version) and ``existing_references`` (the
    references already in their logbook) are given when the caller, the import checking many
    rows, has read them once for all."""
    version = version or active_version_for_trainee(trainee)
    if version is None:
        raise NoActiveAgreement(
            "You need an active training agreement before logging cases: ask your training lead."
        )
    case = Case(trainee=trainee, agreement_id=version.agreement_id)
    _apply(case, data)
    errors: dict[str, str] = _apply_accession(case, data)
    for check in (validate_case, lambda c_: _check_context(c_, version, existing_references)):
        try:
            check(case)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, messages[0])
    if errors:
        raise ValidationError(errors)
    return case


def case_log(*, trainee: User, data: dict) -> Case:
    case = case_build(trainee=trainee, data=data)
    try:
        with transaction.atomic():
            case.save()
            audit_event_record(
                actor=trainee,
                verb="case.logged",
                subject=case,
                # "case <pk>", never its reference: the trainee makes the reference up.
                summary=f"Case {case.pk} ({case.get_procedure_display()}, "
                f"{case.performed_on:%d %b %Y}) logged for verification by {case.supervisor}",
            )
            _announce([case.pk])
    except IntegrityError:
        # The same form posted twice at once (a double click): both passed the reference check
        # in case_build, the unique constraint let one in, and this one is told why, not a 500.
        if Case.objects.filter(trainee=trainee, reference=case.reference).exists():
            raise ValidationError({"reference": DUPLICATE_REFERENCE}) from None
        raise
    return case


def case_save_many(*, trainee: User, cases: list[Case]) -> list[Case]:
    """Save cases already built and checked (the import): all of them, or none, in batches (with
    their history rows) rather than one insert each."""
    with transaction.atomic():
        cases = bulk_create_with_history(cases, Case, batch_size=500, default_user=trainee)
        audit_event_record(
            actor=trainee,
            verb="case.imported",
            summary=f"{len(cases)} cases imported by {trainee}",
            data={"cases": [case.pk for case in cases]},
        )
        _announce([case.pk for case in cases])
    return cases


def case_correct(*, case: Case, trainee: User, data: dict) -> Case:
    """Edit a case. Before any decision it changes in place; after a query or a verification the
    change is a new revision that goes back to the supervisor, and the history keeps both."""
    if case.trainee_id != trainee.pk:
        raise ValidationError("Only the trainee who logged a case can correct it.")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        version = active_version_for_trainee(trainee)
        if version is None:
            raise NoActiveAgreement("Your training agreement is no longer active.")
        before = {name: getattr(case, name) for name in CASE_INPUT_FIELDS}
        key_before, organisation_before = case.accession_key, case.site.organisation_id
        _apply(case, data)
        if case.site.organisation_id != organisation_before:
            case.accession_key = ""
        accession_errors = _apply_accession(case, data, keep_existing=True)
        if accession_errors:
            raise ValidationError(accession_errors)
        validate_case(case)
        _check_context(case, version)
        if case.status != c.VerificationStatus.SUBMITTED:
            case.resubmit()
            case.revision += 1
            case.submitted_at = timezone.now()
            case.reminder_sent_at = None
        case.save()
        audit_event_record(
            actor=trainee,
            verb="case.corrected",
            subject=case,
            summary=f"Case {case.pk} corrected (revision {case.revision})",
            # Which fields changed, each with a commitment to its new value: the values stay in
            # the case's row and its history.
            data={
                "revision": case.revision,
                "changed": audit_changes(
                    before, {name: getattr(case, name) for name in CASE_INPUT_FIELDS}
                ),
                "accession_number_changed": case.accession_key != key_before,
            },
        )
        _announce([case.pk])
    return case


def case_verify(
    *,
    case: Case,
    supervisor: User,
    role_view: str,
    mode_view: str,
    decision: str,
    comment: str = "",
) -> CaseVerification:
    """The supervisor's decision, with their own view of role and supervision recorded first."""
    comment = comment.strip()
    if decision == CaseVerification.Decision.QUERIED and not comment:
        raise ValidationError({"comment": "Say what needs changing: the trainee sees this."})
    if role_view not in c.TraineeRole.values:
        raise ValidationError({"role_view": "Choose the trainee's role as you saw it."})
    if mode_view not in c.SupervisionMode.values:
        raise ValidationError({"mode_view": "Choose the supervision as it was."})
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if supervisor.pk == case.trainee_id:
            raise ValidationError("You cannot verify your own case.")
        if case.supervisor_id != supervisor.pk:
            raise ValidationError("Only the supervisor named on the case can verify it.")
        if case.status != c.VerificationStatus.SUBMITTED:
            raise ValidationError(
                f"This case is already {case.get_status_display().lower()}; nothing to decide."
            )
        discordant = role_view != case.trainee_role or mode_view != case.supervision_mode
        verification = CaseVerification.objects.create(
            case=case,
            revision=case.revision,
            supervisor=supervisor,
            supervisor_view_of_role=role_view,
            supervisor_view_of_mode=mode_view,
            trainee_role_entered=case.trainee_role,
            supervision_mode_entered=case.supervision_mode,
            discordant=discordant,
            decision=decision,
            comment=comment,
        )
        if decision == CaseVerification.Decision.VERIFIED:
            case.verify()
        else:
            case.query()
        case.save()
        audit_event_record(
            actor=supervisor,
            verb=f"case.{decision}",
            subject=case,
            summary=f"Case {case.pk} {decision} by {supervisor}"
            + (" (ratings differ from the trainee's)" if discordant else ""),
            data={"revision": case.revision, "discordant": discordant},
        )
    return verification
