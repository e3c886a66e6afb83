"""Demo organisations and one person per role, so a newcomer can sign in as anyone.

Everyone here is fictional staff; there are no patients in this module, and never will be.
Idempotent: running it again finds what exists and resets the demo backup codes.
"""

from dataclasses import dataclass

from django.db import transaction

from .models import Directorate, Membership, Organisation, Role, Site, User
from .services import backup_codes_set, membership_create, user_create

DEMO_PASSWORD = "demo-password-2026"
DEMO_BACKUP_CODES = [f"demo-{n:04d}" for n in range(1, 11)]

EMPLOYER = "Northfield Hospitals NHS Trust"
CENTRE = "Riverside University Hospitals NHS Foundation Trust"


@dataclass(frozen=True)
class DemoPerson:
    role: str
    email: str
    full_name: str
    gmc_number: str
    organisation: str
    directorate: str | None


DEMO_PEOPLE = [
    DemoPerson(
        Role.TRAINEE,
        "trainee@northfield.example",
        "Dr Alex Morgan",
        "7100001",
        EMPLOYER,
        "Clinical Radiology",
    ),
    DemoPerson(
        Role.SUPERVISOR,
        "supervisor@riverside.example",
        "Dr Priya Shah",
        "7100002",
        CENTRE,
        "Neuroradiology",
    ),
    DemoPerson(
        Role.TRAINING_LEAD,
        "training.lead@riverside.example",
        "Dr Tom Okafor",
        "7100003",
        CENTRE,
        "Neuroradiology",
    ),
    DemoPerson(
        Role.CLINICAL_DIRECTOR,
        "clinical.director@northfield.example",
        "Dr Helen Price",
        "7100004",
        EMPLOYER,
        "Clinical Radiology",
    ),
    DemoPerson(
        Role.MEDICAL_DIRECTOR,
        "medical.director@northfield.example",
        "Dr James Whitfield",
        "7100005",
        EMPLOYER,
        None,
    ),
    DemoPerson(
        Role.GOVERNANCE_LEAD, "governance@northfield.example", "Sarah Collins", "", EMPLOYER, None
    ),
    DemoPerson(
        Role.ADMINISTRATOR,
        "admin@northfield.example",
        "Programme Administrator",
        "",
        EMPLOYER,
        None,
    ),
]


# More trainees, so each state of a training agreement can be shown on its own person.
DEMO_OTHER_TRAINEES = [
    DemoPerson(
        Role.TRAINEE,
        "sam.patel@northfield.example",
        "Dr Sam Patel",
        "7100011",
        EMPLOYER,
        "Clinical Radiology",
    ),
    DemoPerson(
        Role.TRAINEE,
        "jordan.lee@northfield.example",
        "Dr Jordan Lee",
        "7100012",
        EMPLOYER,
        "Clinical Radiology",
    ),
    DemoPerson(
        Role.TRAINEE,
        "chris.evans@northfield.example",
        "Dr Chris Evans",
        "7100013",
        EMPLOYER,
        "Clinical Radiology",
    ),
    DemoPerson(
        Role.TRAINEE,
        "dana.whitaker@northfield.example",
        "Dr Dana Whitaker",
        "7100014",
        EMPLOYER,
        "Clinical Radiology",
    ),
]
# A second INR, so independence can be concurred by a different supervisor.
DEMO_SECOND_SUPERVISOR = DemoPerson(
    Role.SUPERVISOR,
    "second.supervisor@riverside.example",
    "Dr Marcus Reid",
    "7100006",
    CENTRE,
    "Neuroradiology",
)
# The training centre is another trust, so its directors sign agreements too.
DEMO_CENTRE_DIRECTORS = [
    DemoPerson(
        Role.CLINICAL_DIRECTOR,
        "clinical.director@riverside.example",
        "Dr Fiona Grant",
        "7100007",
        CENTRE,
        "Neuroradiology",
    ),
    DemoPerson(
        Role.MEDICAL_DIRECTOR,
        "medical.director@riverside.example",
        "Dr Robert Hughes",
        "7100008",
        CENTRE,
        None,
    ),
]
ALL_DEMO_PEOPLE = (
    DEMO_PEOPLE + DEMO_OTHER_TRAINEES + [DEMO_SECOND_SUPERVISOR] + DEMO_CENTRE_DIRECTORS
)


def _organisations() -> dict[str, Organisation]:
    employer, _ = Organisation.objects.get_or_create(
        name=EMPLOYER, defaults={"kind": Organisation.Kind.NHS_TRUST, "is_training_centre": False}
    )
    centre, _ = Organisation.objects.get_or_create(
        name=CENTRE, defaults={"kind": Organisation.Kind.NHS_TRUST, "is_training_centre": True}
    )
    for organisation, sites, directorates in (
        (employer, ["Northfield General Hospital", "St Aidan's Hospital"], ["Clinical Radiology"]),
        (centre, ["Riverside Royal Infirmary"], ["Neuroradiology", "Neurosciences"]),
    ):
        for name in sites:
            Site.objects.get_or_create(organisation=organisation, name=name)
        for name in directorates:
            Directorate.objects.get_or_create(organisation=organisation, name=name)
    return {EMPLOYER: employer, CENTRE: centre}


@transaction.atomic
def seed_people() -> list[DemoPerson]:
    organisations = _organisations()
    for person in ALL_DEMO_PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = user_create(
                actor=None,
                email=person.email,
                full_name=person.full_name,
                password=DEMO_PASSWORD,
                gmc_number=person.gmc_number,
            )
        organisation = organisations[person.organisation]
        directorate = (
            Directorate.objects.get(organisation=organisation, name=person.directorate)
            if person.directorate
            else None
        )
        if not Membership.objects.filter(
            user=user, role=person.role, organisation=organisation
        ).exists():
            membership_create(
                actor=None,
                user=user,
                role=person.role,
                organisation=organisation,
                directorate=directorate,
            )
    reset_demo_backup_codes()
    return DEMO_PEOPLE


def reset_demo_backup_codes() -> None:
    """Every demo person, trainees included, has the same ten codes: signing always asks for a
    second factor, and a trainee signs their own agreement."""
    for person in ALL_DEMO_PEOPLE:
        user = User.objects.get(email=person.email)
        backup_codes_set(actor=None, user=user, codes=DEMO_BACKUP_CODES)
