"""A supervisor decides a case's role blind (SPEC 4.2): until they have given their own view, no
page may tell them what the trainee entered. Filtering the logbook by role would, if a case
waiting for them were kept or dropped by the trainee's entry, so such cases are left out of a
role filter altogether, and their role is not counted."""

import pytest
from django.urls import reverse

from caselogs.services import case_verify

from ..conftest import sign_in
from .conftest import log_case

pytestmark = pytest.mark.django_db


def _verified(world, reference: str, role: str):
    case = log_case(world, reference=reference, trainee_role=role)
    case_verify(
        case=case,
        supervisor=world.lead_supervisor,
        role_view=role,
        mode_view=case.supervision_mode,
        decision="verified",
    )
    return case


def test_a_role_filter_leaves_out_the_cases_waiting_for_the_supervisors_own_view(logbook, client):
    _verified(logbook, "DECIDED-1", "primary_operator")
    _verified(logbook, "DECIDED-2", "assistant")
    log_case(logbook, reference="WAITING-1", trainee_role="primary_operator")
    log_case(logbook, reference="WAITING-2", trainee_role="assistant")
    sign_in(client, logbook.lead_supervisor)

    everything = client.get(reverse("caselogs:list")).content.decode()
    as_operator = client.get(
        reverse("caselogs:list"), {"trainee_role": "primary_operator"}
    ).content.decode()
    as_assistant = client.get(
        reverse("caselogs:list"), {"trainee_role": "assistant"}
    ).content.decode()

    # Unfiltered, the waiting cases are listed (without their role); filtered by role, they are
    # in neither list, so neither filter tells the supervisor what the trainee entered.
    assert all(ref in everything for ref in ["DECIDED-1", "DECIDED-2", "WAITING-1", "WAITING-2"])
    assert "DECIDED-1" in as_operator and "DECIDED-2" not in as_operator
    assert "DECIDED-2" in as_assistant and "DECIDED-1" not in as_assistant
    assert "WAITING-1" not in as_operator and "WAITING-2" not in as_operator
    assert "WAITING-1" not in as_assistant and "WAITING-2" not in as_assistant


def test_the_trainee_filters_their_own_waiting_cases_by_the_role_they_entered(logbook, client):
    log_case(logbook, reference="WAITING-1", trainee_role="primary_operator")
    log_case(logbook, reference="WAITING-2", trainee_role="assistant")
    sign_in(client, logbook.trainee)

    as_operator = client.get(
        reverse("caselogs:list"), {"trainee_role": "primary_operator"}
    ).content.decode()

    assert "WAITING-1" in as_operator and "WAITING-2" not in as_operator
