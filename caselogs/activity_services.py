"""Writes for activities (confirmed by a supervisor) and assessments (recorded by the assessor)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from agreements.models import AgreementVersion
from agreements.selectors import active_version_for_trainee, named_supervisors
from audit.services import audit_event_record

from .models import Activity, Assessment, AssessmentKind, Case, ConfirmationStatus

ACTIVITY_FIELDS = ("kind", "happened_on", "hours", "notes", "supervisor")
ASSESSMENT_FIELDS = (
    "kind",
    "case",
    "assessed_on",
    "entrustment",
    "strengths",
    "development_points",
)


def _active_version(trainee: User) -> AgreementVersion:
    version = active_version_for_trainee(trainee)
    if version is None:
        raise ValidationError("There is no active training agreement for this trainee.")
    return version


def _not_in_future(day: date | None, field: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: "The date cannot be in the future."})


def activity_log(*, trainee: User, data: dict) -> Activity:
    version = _active_version(trainee)
    activity = Activity(trainee=trainee, agreement_id=version.agreement_id)
    for name in ACTIVITY_FIELDS:
        setattr(activity, name, data.get(name))
    activity.full_clean(exclude=["trainee", "agreement"])
    _not_in_future(activity.happened_on, "happened_on")
    if activity.supervisor not in named_supervisors(version):
        raise ValidationError(
            {"supervisor": "Choose one of the supervisors named on your training agreement."}
        )
    with transaction.atomic():
        activity.save()
        audit_event_record(
            actor=trainee,
            verb="activity.logged",
            subject=activity,
            summary=f"{activity} logged for confirmation by {activity.supervisor}",
        )
    return activity


def activity_decide(
    *, activity: Activity, supervisor: User, confirm: bool, comment: str = ""
) -> Activity:
    comment = comment.strip()
    if not confirm and not comment:
        raise ValidationError({"comment": "Say what needs changing: the trainee sees this."})
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.supervisor_id != supervisor.pk or activity.trainee_id == supervisor.pk:
            raise ValidationError("Only the supervisor named on the activity can confirm it.")
        if activity.status != ConfirmationStatus.SUBMITTED:
            raise ValidationError(
                f"This activity is already {activity.get_status_display().lower()}."
            )
        activity.status = ConfirmationStatus.CONFIRMED if confirm else ConfirmationStatus.QUERIED
        activity.supervisor_comment = comment
        activity.decided_at = timezone.now()
        activity.full_clean(exclude=["trainee", "agreement"])
        activity.save()
        audit_event_record(
            actor=supervisor,
            verb=f"activity.{activity.status}",
            subject=activity,
            summary=f"{activity} {activity.status} by {supervisor}",
        )
    return activity


def assessment_record(*, assessor: User, trainee: User, data: dict) -> Assessment:
    version = _active_version(trainee)
    if assessor.pk == trainee.pk:
        raise ValidationError("You cannot assess yourself.")
    if assessor not in named_supervisors(version):
        raise ValidationError("Only a supervisor named on the trainee's agreement can assess them.")
    assessment = Assessment(trainee=trainee, agreement_id=version.agreement_id, assessor=assessor)
    for name in ASSESSMENT_FIELDS:
        setattr(assessment, name, data.get(name))
    errors = {}
    if assessment.kind == AssessmentKind.PROCEDURAL and assessment.case is None:
        errors["case"] = "A procedural assessment is of an observed case: choose the case."
    if assessment.case is not None and assessment.case.trainee_id != trainee.pk:
        errors["case"] = "Choose one of this trainee's cases."
    if errors:
        raise ValidationError(errors)
    assessment.full_clean(exclude=["trainee", "agreement", "assessor"])
    _not_in_future(assessment.assessed_on, "assessed_on")
    with transaction.atomic():
        assessment.save()
        audit_event_record(
            actor=assessor,
            verb="assessment.recorded",
            subject=assessment,
            summary=(
                f"{assessment} recorded for {trainee} at entrustment level {assessment.entrustment}"
            ),
        )
    return assessment


def trainees_supervised_by(supervisor: User) -> QuerySet[User]:
    """Trainees whose active agreement names this supervisor."""
    return (
        User.objects.filter(
            training_agreements__versions__status="active",
            training_agreements__versions__supervisors__supervisor=supervisor,
        )
        .distinct()
        .order_by("full_name")
    )


def cases_for_assessment(trainee: User) -> QuerySet[Case]:
    return Case.objects.filter(trainee=trainee).order_by("-performed_on")
