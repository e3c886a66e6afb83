"""Who must sign an agreement version (SPEC section 3 defaults), as sign-off steps."""

from accounts.models import Directorate, Organisation, Role
from signoffs.services import StepSpec

from .models import AgreementVersion


def agreement_required_signatories(version: AgreementVersion) -> list[StepSpec]:
    trainee = version.agreement.trainee
    employer, centre = version.employer, version.training_centre
    lead = version.supervisors.select_related("supervisor").get(is_lead=True).supervisor
    subject = f"training agreement {version.agreement.reference} (version {version.number})"
    steps = [
        StepSpec(
            label="Trainee",
            named_user=trainee,
            meaning=f"I, the trainee, agree to the terms of {subject}.",
        ),
        StepSpec(
            label="Lead supervisor (INR)",
            named_user=lead,
            meaning=f"As lead supervising interventional neuroradiologist, I agree to supervise "
            f"{trainee.full_name} under the terms of {subject}.",
        ),
    ]
    if version.centre_is_separate:
        steps.append(
            StepSpec(
                label=f"Training lead, {centre.name}",
                role=Role.TRAINING_LEAD,
                organisation=centre,
                meaning=f"I agree, for {centre.name} as training centre, to provide the training "
                f"set out in {subject}.",
            )
        )
    directorates: list[tuple[Organisation, Directorate]] = [
        (employer, version.employer_directorate)
    ]
    if version.centre_directorate is not None:
        directorates.append((centre, version.centre_directorate))
    for organisation, directorate in directorates:
        steps.append(
            StepSpec(
                label=f"Clinical director, {directorate.name}, {organisation.name}",
                role=Role.CLINICAL_DIRECTOR,
                organisation=organisation,
                directorate=directorate,
                meaning=f"As clinical director of {directorate.name}, I agree to {subject}, "
                "including the sessions and backfill it sets out.",
            )
        )
    medical_directors = [employer] + ([centre] if version.centre_is_separate else [])
    for organisation in medical_directors:
        steps.append(
            StepSpec(
                label=f"Medical director, {organisation.name}",
                role=Role.MEDICAL_DIRECTOR,
                organisation=organisation,
                meaning=f"As medical director of {organisation.name}, I agree to {subject} on "
                "behalf of the organisation.",
            )
        )
    return steps
