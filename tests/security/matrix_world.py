"""The world the access matrix runs in, built once per module through the app's services.

One acting person per role, all in the "own" organisations (Northgate, the employer, and
Southbank, its training centre), and three trainees whose records give the object relations:

- own:       Dr Trainee IR, the acting trainee; the acting supervisor is their lead INR and the
             acting governance lead is named on their agreement.
- same_org:  another trainee of Northgate, trained at Southbank by INRs other than the acting one.
- other_org: a trainee of Faraway NHS Trust, trained at Farland Neuroscience Centre, where no
             acting person holds any role.

Each relation has an active agreement (signed through the real sign-off chain), its PDF rendered,
a case waiting for verification, an activity waiting for confirmation, and an audit report; and
at its centre a hospital procedure list with an entry in each match state, and an audit sample.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from accounts.services import backup_codes_set
from agreements.criteria_defaults import default_template_ensure
from agreements.models import CriteriaTemplate, CriterionTemplate
from agreements.services import SupervisorChoice, agreement_create
from caselogs.choices import TraineeRole
from documents.models import GeneratedDocument
from documents.tasks import document_render_task
from governance.reports import audit_report_request
from reconciliation.models import SampledCase
from reconciliation.sample import quarter_bounds, quarter_of
from reconciliation.selectors import list_entry_counts, not_logged_for_trainee
from reconciliation.services import (
    audit_sample_draw,
    operator_not_involved,
    procedure_list_import,
    sampled_case_record,
)
from signoffs.models import SignoffStep

from ..agreements.conftest import World, build_world, submit_and_sign_all, terms_for
from ..factories import (
    TEST_BACKUP_CODES,
    DirectorateFactory,
    OrganisationFactory,
    SiteFactory,
    make_member,
)
from ..phases.conftest import add_activity, add_case

ROLES = (
    "trainee",
    "supervisor",
    "training_lead",
    "clinical_director",
    "medical_director",
    "governance_lead",
    "administrator",
)
RELATIONS = ("own", "same_org", "other_org")
# The acting person of each role, by their name in the agreements World.
ACTORS = {
    "trainee": "trainee",
    "supervisor": "lead_supervisor",
    "training_lead": "training_lead",
    "clinical_director": "employer_clinical_director",
    "medical_director": "employer_medical_director",
    "governance_lead": "governance_lead",
    "administrator": "administrator",
}


@dataclass
class Records:
    """One trainee's records: what a URL's kwargs are filled with for one relation."""

    trainee: object
    agreement: object
    case: object
    activity: object
    step: object
    document: object
    organisation: object
    # Reconciliation (issue 16): a procedure list at the centre naming the trainee, with an entry
    # in each state (the not-logged one is kept here), and an audit sample of the centre with one
    # sampled case.
    procedure_list: object = None
    not_logged: object = None
    sample: object = None
    sampled_case: object = None


@dataclass
class MatrixWorld:
    world: World
    actors: dict
    records: dict  # relation -> Records
    reports: dict = field(default_factory=dict)  # requester's role or "other_org" -> AuditReport

    def report_for(self, role, relation):
        """Own: the report the actor asked for (or, for roles that cannot ask, their governance
        lead's); same_org: one another person of Northgate asked for; other_org: Faraway's."""
        if relation == "other_org":
            return self.reports["other_org"]
        if relation == "own":
            return self.reports.get(role, self.reports["governance_lead"])
        return self.reports["medical_director" if role == "governance_lead" else "governance_lead"]


def _elsewhere() -> World:
    """A second employer and centre, with people of their own, mirroring build_world's."""
    employer = OrganisationFactory.create(name="Faraway NHS Trust")
    centre = OrganisationFactory.create(name="Farland Neuroscience Centre", is_training_centre=True)
    employer_dir = DirectorateFactory.create(organisation=employer, name="Radiology")
    centre_dir = DirectorateFactory.create(organisation=centre, name="Neurointervention")
    world = World(
        employer=employer,
        centre=centre,
        employer_directorate=employer_dir,
        centre_directorate=centre_dir,
        trainee=make_member(
            Role.TRAINEE, employer, directorate=employer_dir, full_name="Dr Faraway Trainee"
        ),
        lead_supervisor=make_member(Role.SUPERVISOR, centre, full_name="Dr Farland Lead"),
        second_supervisor=make_member(Role.SUPERVISOR, centre, full_name="Dr Farland Second"),
        training_lead=make_member(Role.TRAINING_LEAD, centre, full_name="Dr Farland TL"),
        employer_clinical_director=make_member(
            Role.CLINICAL_DIRECTOR, employer, directorate=employer_dir, full_name="Dr Faraway CD"
        ),
        centre_clinical_director=make_member(
            Role.CLINICAL_DIRECTOR, centre, directorate=centre_dir, full_name="Dr Farland CD"
        ),
        employer_medical_director=make_member(
            Role.MEDICAL_DIRECTOR, employer, full_name="Dr Faraway MD"
        ),
        centre_medical_director=make_member(
            Role.MEDICAL_DIRECTOR, centre, full_name="Dr Farland MD"
        ),
        governance_lead=make_member(
            Role.GOVERNANCE_LEAD, employer, full_name="Ms Faraway Governance"
        ),
        # This second world has no administrator and no outsider of its own.
        administrator=None,  # type: ignore[arg-type]  # not used
        outsider_org=None,  # type: ignore[arg-type]  # not used
        outsider_director=None,  # type: ignore[arg-type]  # not used
    )
    backup_codes_set(actor=None, user=world.trainee, codes=TEST_BACKUP_CODES)
    return world


def _reconciliation(world: World, site, *, sample_quarter_back: int) -> dict:
    """A list of the centre's site with an entry in each state, and the centre's audit sample of
    a quarter with a verified case (each relation its own quarter: one sample per centre and
    quarter).

    The list names the trainee on five procedures, so every page that shows reconciliation has
    something in each state to draw (the accessibility sweep's tags, rates and tables):
    - 20 days ago: probable (the verified case _records logged that day gives no accession number);
    - 12 days ago: matched (a verified case logged here with the entry's accession number);
    - 5 days ago: probable (the case waiting for verification: the case page's and queue's tag);
    - 4 days ago: answered "not involved" by the trainee;
    - 3 days ago: not logged (the one entry the trainee is still asked about).
    The sample's case, dated yesterday or at its quarter's end, is not on the list (or not covered
    by it); one sampled case has its findings recorded. Accession numbers are made up
    (``MATRIX-`` and the site), nothing like a hospital's."""
    today = date.today()
    year, quarter = quarter_of(today)
    for _ in range(sample_quarter_back):
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    start, end = quarter_bounds(year, quarter)
    accession = f"MATRIX-{site.pk}"
    # Its accession number is on no list, so it is never a probable match for an entry of its
    # day (at a quarter's start, the last quarter's end falls among the entries' days).
    add_case(
        world,
        days_ago=(today - min(end, today - timedelta(days=1))).days,
        accession_number=f"{accession}-S",
    )
    add_case(world, days_ago=12, accession_number=f"{accession}-M")
    gmc = world.trainee.gmc_number
    entries = (  # days ago, accession number, the trainee's role on the list
        (20, f"{accession}-P", "primary operator"),
        (12, f"{accession}-M", "primary operator"),
        (5, f"{accession}-W", "primary operator"),
        (4, f"{accession}-X", "assistant"),
        (3, accession, "primary operator"),
    )
    text = "procedure_date,accession_number,procedure_code,operator_gmc,operator_role\n" + "".join(
        f"{(today - timedelta(days=days)).isoformat()},{number},MT01,{gmc},{role}\n"
        for days, number, role in entries
    )
    outcome = procedure_list_import(
        user=world.training_lead,
        site=site,
        period_start=today - timedelta(days=30),
        period_end=today,
        upload=SimpleUploadedFile("list.csv", text.encode()),
    )
    assert not outcome.problems, outcome.problems
    assert outcome.procedure_list is not None
    not_involved = not_logged_for_trainee(user=world.trainee).get(
        entry__performed_on=today - timedelta(days=4)
    )
    operator_not_involved(trainee=world.trainee, operator=not_involved)
    counts = list_entry_counts(outcome.procedure_list)
    assert (counts["matched"], counts["probable"], counts["not_involved"]) == (1, 2, 1), counts
    sample = audit_sample_draw(
        organisation=world.centre, year=year, quarter=quarter, user=world.training_lead
    )
    # Findings for one sampled case, so the sample's and report's findings have a rate to show:
    # the last, so the first (the matrix's sampled case) keeps a blank form when there are two.
    recorded = sample.cases.order_by("case_id").last()
    assert recorded is not None
    sampled_case_record(
        user=world.training_lead,
        sampled=recorded,
        confirmed=SampledCase.Confirmed.CONFIRMED,
        role=TraineeRole.PRIMARY_OPERATOR,
        outcome=SampledCase.Outcome.AGREES,
    )
    return {
        "procedure_list": outcome.procedure_list,
        "not_logged": not_logged_for_trainee(user=world.trainee).get(),
        "sample": sample,
        "sampled_case": sample.cases.filter(case__trainee=world.trainee).first(),
    }


def _records(world: World, organisation, *, sample_quarter_back: int = 0) -> Records:
    """An active agreement (started 120 days ago), its PDF, a waiting case and activity."""
    agreement = agreement_create(
        actor=world.training_lead,
        trainee=world.trainee,
        terms=terms_for(world, start_date=date.today() - timedelta(days=120)),
        supervisors=SupervisorChoice(
            supervisors=[world.lead_supervisor, world.second_supervisor], lead=world.lead_supervisor
        ),
        criteria_template=default_template_ensure(CriteriaTemplate, CriterionTemplate),
    )
    version, request = submit_and_sign_all(world, agreement)
    world = replace(world)
    world.site = SiteFactory(organisation=world.centre)  # type: ignore[attr-defined]  # for add_case
    add_case(world, days_ago=20)
    case = add_case(world, verify=False, days_ago=5)
    activity = add_activity(world, confirm=False)
    document = GeneratedDocument.objects.get(kind="agreement", subject_id=version.pk)
    # Rendered as a worker would: the queued task runs on commit, which this world never reaches.
    document_render_task(document.pk)
    document.refresh_from_db()
    return Records(
        trainee=world.trainee,
        agreement=agreement,
        case=case,
        activity=activity,
        step=request.steps.order_by("position").first(),
        document=document,
        organisation=organisation,
        **_reconciliation(world, world.site, sample_quarter_back=sample_quarter_back),  # type: ignore[attr-defined]  # set above
    )


def build_matrix_world() -> MatrixWorld:
    world = build_world()
    own = _records(world, world.employer)

    # Another trainee of the same employer and centre, supervised by INRs the actor is not.
    colleague = make_member(
        Role.TRAINEE,
        world.employer,
        directorate=world.employer_directorate,
        full_name="Dr Colleague Trainee",
    )
    backup_codes_set(actor=None, user=colleague, codes=TEST_BACKUP_CODES)
    other_inr = make_member(Role.SUPERVISOR, world.centre, full_name="Dr Other INR")
    same_org = _records(
        replace(world, trainee=colleague, lead_supervisor=other_inr),
        world.employer,
        sample_quarter_back=1,
    )

    elsewhere = _elsewhere()
    other_org = _records(elsewhere, elsewhere.employer)

    actors = {role: getattr(world, name) for role, name in ACTORS.items()}
    matrix = MatrixWorld(
        world=world,
        actors=actors,
        records={"own": own, "same_org": same_org, "other_org": other_org},
    )
    period: dict[str, Any] = {
        "period_start": date.today() - timedelta(days=365),
        "period_end": date.today(),
    }
    for role in (
        "training_lead",
        "clinical_director",
        "medical_director",
        "governance_lead",
        "administrator",
    ):
        matrix.reports[role] = audit_report_request(
            user=actors[role], organisation=world.employer, **period
        )
    matrix.reports["other_org"] = audit_report_request(
        user=elsewhere.governance_lead, organisation=elsewhere.employer, **period
    )
    # A row for the admin's authenticator pages (config, QR code) to show; unconfirmed, so it
    # changes nobody's sign-in. (django-otp's admin answers 500 for a device that does not exist.)
    TOTPDevice.objects.create(user=elsewhere.governance_lead, name="new phone", confirmed=False)
    assert all(isinstance(r.step, SignoffStep) for r in matrix.records.values())
    return matrix
