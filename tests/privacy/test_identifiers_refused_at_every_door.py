"""An identifier written into any guarded field, through the page a person uses, the CSV import
or the administration, is refused beside the field and nothing is saved.

Each door is tried with generated identifiers of every kind (tests/privacy/strategies.py) placed
in realistic clinical text. Each example runs in a transaction that is rolled back after the
check, so every example starts from the same world.
"""

import html
import io
import uuid
from datetime import date

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from agreements.models import AgreementCriterion, AgreementVersion
from agreements.services import agreement_version_submit
from caselogs.models import Activity, Assessment, Case, CaseVerification
from governance.models import QualityStandardSet
from phases.models import CompetencySignoff, ProgressionRequest
from privacy.identifiers import find_patient_identifiers
from signoffs.models import Signature

from ..admin_forms import admin_change_form_data
from ..agreements.conftest import draft, world  # noqa: F401  (fixture)
from ..caselogs.conftest import log_case, logbook  # noqa: F401  (fixture)
from ..conftest import TEST_BACKUP_CODES, sign_in
from ..fuzz.test_agreement_forms import terms_as_posted
from ..fuzz.test_logbook_forms import case_as_posted
from ..phases.conftest import add_activity, trainee_world  # noqa: F401  (fixture)
from .strategies import identifier_texts

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def fitted(found, max_length=None):
    _, identifier, text = found
    return identifier if max_length and len(text) > max_length else text


def refused(client, url, data, model, field, text, *, follow=False):
    """Post ``data``; assert the refusal is shown and no ``model`` row holds ``text``."""
    with transaction.atomic():
        response = client.post(url, data, follow=follow)
        stored = model.objects.filter(**{f"{field}__contains": text.strip()}).exists()
        transaction.set_rollback(True)
    assert response.status_code == 200, (response.status_code, url, field)
    page = html.unescape(response.content.decode())
    assert find_patient_identifiers(text)[0].message in page, (field, text)
    assert not stored, (model.__name__, field)


def door(client, url, valid, model, field, max_length=None, rename=None, follow=False):
    @EXAMPLES
    @given(found=identifier_texts())
    def run(found):
        text = fitted(found, max_length)
        refused(client, url, {**valid, rename or field: text}, model, field, text, follow=follow)

    run()


@pytest.mark.parametrize(
    "field,max_length", [("reference", 40), ("reflection", None), ("aborted_reason", None)]
)
def test_logging_a_case(logbook, field, max_length):
    client = sign_in(Client(), logbook.trainee)
    door(client, reverse("caselogs:new"), case_as_posted(logbook), Case, field, max_length)


def test_verifying_a_case(logbook):
    case = log_case(logbook)
    client = sign_in(Client(), logbook.lead_supervisor)
    valid = {
        "decision": "queried",
        "supervisor_view_of_role": "primary_operator",
        "supervisor_view_of_mode": "scrubbed",
        "next": "/logbook/queue/",
    }
    door(
        client,
        reverse("caselogs:verify", kwargs={"pk": case.pk}),
        valid,
        CaseVerification,
        "comment",
    )


def test_activities_and_their_confirmation(logbook):
    trainee = sign_in(Client(), logbook.trainee)
    door(
        trainee,
        reverse("caselogs:activity_new"),
        {
            "kind": "mdt",
            "happened_on": date.today().isoformat(),
            "hours": "1.5",
            "supervisor": str(logbook.lead_supervisor.pk),
            "submission_token": str(uuid.uuid4()),
        },
        Activity,
        "notes",
    )
    activity = add_activity(logbook, confirm=False)
    supervisor = sign_in(Client(), logbook.lead_supervisor)
    door(
        supervisor,
        reverse("caselogs:activity_decide", kwargs={"pk": activity.pk}),
        {"confirm": "no"},
        Activity,
        "supervisor_comment",
        max_length=1000,
        rename="comment",
        follow=True,
    )  # decided inline on the list: the refusal is shown at its top


@pytest.mark.parametrize("field", ["strengths", "development_points"])
def test_assessments(logbook, field):
    case = log_case(logbook)
    client = sign_in(Client(), logbook.lead_supervisor)
    valid = {
        "kind": "procedural",
        "case": str(case.pk),
        "assessed_on": date.today().isoformat(),
        "entrustment": "2",
        "strengths": "Steady catheter work.",
        "development_points": "Plan the second pass.",
        "submission_token": str(uuid.uuid4()),
    }
    door(
        client,
        f"{reverse('caselogs:assessment_new')}?trainee={logbook.trainee.pk}",
        valid,
        Assessment,
        field,
    )


@pytest.mark.parametrize(
    "field", ["backfill_trainee_service", "backfill_centre", "independence_local_terms"]
)
def test_agreement_terms(world, field):
    agreement = draft(world)
    client = sign_in(Client(), world.training_lead)
    valid = {**terms_as_posted(world), "criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0"}
    door(
        client,
        reverse("agreements:edit", kwargs={"pk": agreement.pk}),
        valid,
        AgreementVersion,
        field,
    )


def test_criterion_descriptions(world):
    agreement = draft(world)
    criterion = agreement.versions.get().criteria.first()
    client = sign_in(Client(), world.training_lead)
    valid = {
        **terms_as_posted(world),
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "1",
        "criteria-0-criterion_id": str(criterion.pk),
        "criteria-0-target": "5",
    }
    door(
        client,
        reverse("agreements:edit", kwargs={"pk": agreement.pk}),
        valid,
        AgreementCriterion,
        "description",
        300,
        rename="criteria-0-description",
    )


def test_ending_an_agreement_early(world):
    agreement = draft(world)
    client = sign_in(Client(), world.training_lead)
    door(
        client,
        reverse("agreements:end", kwargs={"pk": agreement.pk}),
        {},
        AgreementVersion,
        "end_reason",
        2000,
        rename="reason",
    )


def test_a_signature_reason(world):
    request = agreement_version_submit(
        actor=world.training_lead, version=draft(world).versions.get()
    )
    step = request.steps.get(named_user=world.lead_supervisor)
    client = sign_in(Client(), world.lead_supervisor)
    codes = iter(TEST_BACKUP_CODES[1:] * 20)

    @EXAMPLES
    @given(found=identifier_texts())
    def run(found):
        text = fitted(found, 2000)
        refused(
            client,
            reverse("signoffs:sign", kwargs={"pk": step.pk}),
            {"decision": "decline", "reason": text, "code": next(codes)},
            Signature,
            "reason",
            text,
        )

    run()


def test_a_competency_statement_and_a_return_reason(trainee_world):
    world = trainee_world
    supervisor = sign_in(Client(), world.lead_supervisor)
    door(
        supervisor,
        reverse("phases:competency", kwargs={"pk": world.agreement.pk}),
        {"competency": "mt_technique"},
        CompetencySignoff,
        "statement",
        1000,
        follow=True,
    )
    director = sign_in(Client(), world.employer_clinical_director)
    door(
        director,
        reverse("phases:return", kwargs={"pk": world.agreement.pk}),
        {"to_phase": "1"},
        ProgressionRequest,
        "reason",
        2000,
    )


def test_the_csv_import(logbook):
    client = sign_in(Client(), logbook.trainee)
    import_url = reverse("caselogs:import")
    template = client.get(reverse("caselogs:import_template")).content.decode()
    header = template.splitlines()[0]

    @EXAMPLES
    @given(found=identifier_texts())
    def run(found):
        text = fitted(found).replace('"', "'")
        posted = case_as_posted(logbook)
        row = {column: posted.get(column, "") for column in header.split(",")}
        row["reflection"] = text
        line = ",".join(f'"{value}"' for value in row.values())
        upload = io.BytesIO(f"{header}\n{line}\n".encode())
        upload.name = "cases.csv"
        with transaction.atomic():
            response = client.post(import_url, {"file": upload})
            stored = Case.objects.filter(reflection__contains=text.strip()).exists()
            transaction.set_rollback(True)
        page = html.unescape(response.content.decode())
        assert response.status_code == 200 and not stored
        assert "patient identifier" in page.lower() or "identifier" in page.lower(), page[:3000]

    run()


def test_the_administration(world):
    client = sign_in(Client(), world.administrator)
    standard_set = QualityStandardSet.objects.order_by("pk").first()
    url = reverse("admin:governance_qualitystandardset_change", args=[standard_set.pk])
    unchanged = admin_change_form_data(client.get(url))

    @EXAMPLES
    @given(found=identifier_texts())
    def run(found):
        text = fitted(found, 200)
        with transaction.atomic():
            response = client.post(url, {**unchanged, "description": text})
            stored = QualityStandardSet.objects.filter(description__contains=text.strip()).exists()
            transaction.set_rollback(True)
        assert response.status_code == 200 and not stored
        assert find_patient_identifiers(text)[0].message in html.unescape(response.content.decode())

    run()
