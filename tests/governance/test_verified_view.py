"""The verified view of a case is its supervisor's view of the current revision, recorded when
they verified it: not a query's, and not an earlier revision's that a correction superseded
(issue 19: mutation testing found both filters of `with_verified_view` unguarded). Criteria
count it and exports show it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from agreements.models import AgreementCriterion
from caselogs.services import case_correct, case_verify
from phases.criteria import EvidenceScope, evaluate_criteria

from ..caselogs.conftest import mt_case_data
from ..phases.conftest import add_case
from .conftest import export_rows

pytestmark = pytest.mark.django_db


def _primary_operator_cases(world) -> tuple[str, dict]:
    criterion = AgreementCriterion(
        pk=91,
        version=world.version,
        phase=1,
        kind="cases",
        target=Decimal(1),
        parameters={"role": "primary_operator"},
        description="A thrombectomy as primary operator",
        source="Written for this test",
    )
    scope = EvidenceScope(
        world.version.agreement_id, world.trainee.pk, date.today() - timedelta(days=60)
    )
    progress = evaluate_criteria([criterion], scope)[0]
    return progress.current, progress.evidence


def _decide(world, case, role_view, decision="verified", comment=""):
    case_verify(
        case=case,
        supervisor=world.lead_supervisor,
        role_view=role_view,
        mode_view="scrubbed",
        decision=decision,
        comment=comment,
    )


def _exported(world, reference):
    rows = export_rows(world.training_lead, "cases", "csv")
    return next(row for row in rows if row["reference"] == reference)


def test_a_reverified_correction_is_counted_and_exported_by_its_new_view(trainee_world):
    w = trainee_world
    case = add_case(w, verify=False, reference="VV-1")
    _decide(w, case, "primary_operator")
    assert _primary_operator_cases(w) == ("1", {"ids": [case.pk]})

    case_correct(
        case=case,
        trainee=w.trainee,
        data=mt_case_data(w, reference="VV-1", performed_on=case.performed_on, site=case.site),
    )
    assert _primary_operator_cases(w) == ("0", {"ids": []})  # waiting for a fresh decision
    row = _exported(w, "VV-1")
    assert (row["revision"], row["supervisor_view_of_role"]) == ("2", "")

    case.refresh_from_db()
    _decide(w, case, "assistant")
    assert _primary_operator_cases(w) == ("0", {"ids": []})
    row = _exported(w, "VV-1")
    assert (row["revision"], row["supervisor_view_of_role"]) == ("2", "assistant")


def test_a_queried_case_has_no_verified_view(trainee_world):
    w = trainee_world
    case = add_case(w, verify=False, reference="VV-2")
    _decide(w, case, "primary_operator", decision="queried", comment="Which side was it?")
    row = _exported(w, "VV-2")
    assert (row["verification_status"], row["supervisor_view_of_role"]) == ("queried", "")
    assert (row["supervisor_view_of_mode"], row["revision"]) == ("", "1")
