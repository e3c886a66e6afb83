"""A realistic world for agreement tests: an employing trust and a separate neuroscience centre,
one person per party, all built through the app's services."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import Directorate, Organisation, Role, User
from accounts.services import backup_codes_set
from agreements.criteria_defaults import default_template_ensure
from agreements.models import AgreementVersion, CriteriaTemplate, CriterionTemplate
from agreements.services import (
    SupervisorChoice,
    agreement_create,
    agreement_end_early,
    agreement_version_submit,
)
from signoffs import registry as signoff_registry
from signoffs.models import SignoffStep
from signoffs.services import signoff_sign

from ..factories import (
    TEST_BACKUP_CODES,
    DirectorateFactory,
    OrganisationFactory,
    make_member,
    unused_backup_code,
)


@dataclass
class World:
    employer: Organisation
    centre: Organisation
    employer_directorate: Directorate
    centre_directorate: Directorate
    trainee: User
    lead_supervisor: User
    second_supervisor: User
    training_lead: User
    employer_clinical_director: User
    centre_clinical_director: User
    employer_medical_director: User
    centre_medical_director: User
    governance_lead: User
    administrator: User
    outsider_org: Organisation
    outsider_director: User

    def people(self):
        return {
            "trainee": self.trainee,
            "lead_supervisor": self.lead_supervisor,
            "second_supervisor": self.second_supervisor,
            "training_lead": self.training_lead,
            "employer_clinical_director": self.employer_clinical_director,
            "centre_clinical_director": self.centre_clinical_director,
            "employer_medical_director": self.employer_medical_director,
            "centre_medical_director": self.centre_medical_director,
            "governance_lead": self.governance_lead,
            "administrator": self.administrator,
            "outsider_director": self.outsider_director,
        }


def build_world() -> World:
    world = _people_and_places()
    # Signing always asks for a second factor, the trainee's too.
    backup_codes_set(actor=None, user=world.trainee, codes=TEST_BACKUP_CODES)
    return world


def _people_and_places() -> World:
    employer = OrganisationFactory.create(name="Northgate Hospitals NHS Trust")
    centre = OrganisationFactory.create(
        name="Southbank Neuroscience Centre", is_training_centre=True
    )
    employer_dir = DirectorateFactory.create(organisation=employer, name="Clinical Radiology")
    centre_dir = DirectorateFactory.create(organisation=centre, name="Neuroradiology")
    outsider = OrganisationFactory.create(name="Elsewhere NHS Trust")
    return World(
        employer=employer,
        centre=centre,
        employer_directorate=employer_dir,
        centre_directorate=centre_dir,
        trainee=make_member(
            Role.TRAINEE, employer, directorate=employer_dir, full_name="Dr Trainee IR"
        ),
        lead_supervisor=make_member(Role.SUPERVISOR, centre, full_name="Dr Lead INR"),
        second_supervisor=make_member(Role.SUPERVISOR, centre, full_name="Dr Second INR"),
        training_lead=make_member(Role.TRAINING_LEAD, centre, full_name="Dr Training Lead"),
        employer_clinical_director=make_member(
            Role.CLINICAL_DIRECTOR, employer, directorate=employer_dir, full_name="Dr Employer CD"
        ),
        centre_clinical_director=make_member(
            Role.CLINICAL_DIRECTOR, centre, directorate=centre_dir, full_name="Dr Centre CD"
        ),
        employer_medical_director=make_member(
            Role.MEDICAL_DIRECTOR, employer, full_name="Dr Employer MD"
        ),
        centre_medical_director=make_member(
            Role.MEDICAL_DIRECTOR, centre, full_name="Dr Centre MD"
        ),
        governance_lead=make_member(Role.GOVERNANCE_LEAD, employer, full_name="Ms Governance Lead"),
        administrator=make_member(Role.ADMINISTRATOR, employer, full_name="Programme Admin"),
        outsider_org=outsider,
        outsider_director=make_member(Role.MEDICAL_DIRECTOR, outsider, full_name="Dr Outsider MD"),
    )


def terms_for(world: World, **overrides) -> dict:
    terms = {
        "employer": world.employer,
        "employer_directorate": world.employer_directorate,
        "training_centre": world.centre,
        "centre_directorate": world.centre_directorate,
        "start_date": date(2026, 12, 1),
        "expected_duration_months": 18,
        "review_dates": ["2027-06-01", "2027-12-01"],
        "sessions_per_week": Decimal("2.0"),
        "arrangements": ["part_time_attachment", "mt_in_hours", "mt_out_of_hours"],
        "backfill_trainee_service": "One IR session per week backfilled by a locum.",
        "backfill_trainee_sessions": Decimal("1.0"),
        "backfill_centre": "Supervising INR job plan includes one extra session.",
        "backfill_centre_sessions": Decimal("1.0"),
        "job_plan_confirmed": True,
        "service_protection_confirmed": True,
        "independence_local_terms": "",
        "audit_frequency_months": 12,
        "governance_lead": world.governance_lead,
    }
    terms.update(overrides)
    return terms


def draft(world: World, actor=None, **overrides):
    return agreement_create(
        actor=actor or world.training_lead,
        trainee=world.trainee,
        terms=terms_for(world, **overrides),
        supervisors=SupervisorChoice(
            supervisors=[world.lead_supervisor, world.second_supervisor], lead=world.lead_supervisor
        ),
        criteria_template=default_template_ensure(CriteriaTemplate, CriterionTemplate),
    )


def signer_for(world: World, step: SignoffStep):
    if step.named_user_id:
        return step.named_user
    candidates: dict[tuple[str, int | None], User] = {
        (Role.TRAINING_LEAD, world.centre.pk): world.training_lead,
        (Role.CLINICAL_DIRECTOR, world.employer.pk): world.employer_clinical_director,
        (Role.CLINICAL_DIRECTOR, world.centre.pk): world.centre_clinical_director,
        (Role.MEDICAL_DIRECTOR, world.employer.pk): world.employer_medical_director,
        (Role.MEDICAL_DIRECTOR, world.centre.pk): world.centre_medical_director,
    }
    return candidates[(step.role, step.organisation_id)]


def sign_step(world: World, step: SignoffStep, decision="approve", reason="", signer=None):
    signer = signer or signer_for(world, step)
    return signoff_sign(
        step=step, signer=signer, decision=decision, code=unused_backup_code(signer), reason=reason
    )


def submit_and_sign_all(world: World, agreement):
    version = agreement.versions.order_by("-number").first()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    for step in request.steps.all():
        sign_step(world, step)
    version.refresh_from_db()
    return version, request


def another_trainee_in_force(
    world: World, *, full_name: str, supervisors: list[User], lead: User
) -> tuple[User, AgreementVersion]:
    """A second trainee, employed by the world's training centre, whose agreement is in force
    with the given INRs: evidence and reports that must never count for the world's trainee."""
    other = make_member(
        Role.TRAINEE, world.centre, directorate=world.centre_directorate, full_name=full_name
    )
    backup_codes_set(actor=None, user=other, codes=TEST_BACKUP_CODES)
    agreement = agreement_create(
        actor=world.training_lead,
        trainee=other,
        terms=terms_for(
            world,
            employer=world.centre,
            employer_directorate=world.centre_directorate,
            centre_directorate=None,
            start_date=date.today() - timedelta(days=30),
        ),
        supervisors=SupervisorChoice(supervisors=supervisors, lead=lead),
        criteria_template=default_template_ensure(CriteriaTemplate, CriterionTemplate),
    )
    version, _ = submit_and_sign_all(world, agreement)
    return other, version


def ended_early_and_agreed_again(world: World, version: AgreementVersion) -> AgreementVersion:
    """End ``version``'s agreement early and give the same trainee a new one, in force, with the
    same supervisors and criteria; returns the new agreement's version in force. Evidence of the
    first agreement must count for none of the second."""
    template = version.criteria_template
    assert template is not None, "an agreement in force has its criteria template"
    agreement_end_early(
        actor=world.training_lead,
        agreement=version.agreement,
        reason="The trainee moved to another rota.",
    )
    agreement = agreement_create(
        actor=world.training_lead,
        trainee=world.trainee,
        terms=terms_for(world, start_date=date.today() - timedelta(days=30)),
        supervisors=SupervisorChoice(
            supervisors=[world.lead_supervisor, world.second_supervisor],
            lead=world.lead_supervisor,
        ),
        criteria_template=template,
    )
    new_version, _ = submit_and_sign_all(world, agreement)
    return new_version


@pytest.fixture
def world(db):
    return build_world()


# A kind of sign-off for tests only: its content never changes, so a request about any subject
# (one not even saved) can be signed; the outcome changes nothing.
SIGNOFF_TEST_KIND = "tests.fixed_content"
_FIXED_CONTENT_HANDLER = signoff_registry.SignoffHandler(
    content=lambda subject: {"fixed": True},
    on_approved=lambda request, signature: None,
    on_declined=lambda request, signature: None,
)


@pytest.fixture
def signoff_test_kind(monkeypatch) -> str:
    """Registers ``SIGNOFF_TEST_KIND`` for one test (removed again after it)."""
    monkeypatch.setitem(signoff_registry._handlers, SIGNOFF_TEST_KIND, _FIXED_CONTENT_HANDLER)
    return SIGNOFF_TEST_KIND
