"""The progress page's competencies: each lists the INRs who signed it off for this agreement, and
the page reads them in the same queries however many there are (issue 19: mutation testing found
the agreement filter and the signers' join of `competency_signoffs_for` unguarded)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from phases.models import Competency
from phases.services import competency_sign

from ..agreements.conftest import another_trainee_in_force
from ..conftest import sign_in

pytestmark = pytest.mark.django_db


def _competencies(client, world) -> tuple[int, dict[str, str]]:
    """The page's query count, and each competency's line of signers as the page shows it."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/progress/{world.agreement.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    listed = html[html.index('id="competencies"') :].split("</ul>")[0]
    rows = re.findall(r"<li>([^<]+)<p[^>]*>([^<]*)</p></li>", listed)
    return len(captured), {label.strip(): signers.strip() for label, signers in rows}


def _sign(world, supervisor, competency, agreement=None):
    competency_sign(
        agreement=agreement or world.agreement, supervisor=supervisor, competency=competency
    )


def test_each_competency_lists_the_inrs_who_signed_it_for_this_agreement_only(
    trainee_world, client
):
    w = trainee_world
    _, other_version = another_trainee_in_force(
        w,
        full_name="Dr Other Trainee",
        supervisors=[w.lead_supervisor, w.second_supervisor],
        lead=w.lead_supervisor,
    )
    _sign(w, w.second_supervisor, Competency.AFTERCARE, agreement=other_version.agreement)
    _sign(w, w.lead_supervisor, Competency.MT_TECHNIQUE)
    sign_in(client, w.trainee)

    one, shown = _competencies(client, w)
    assert shown[Competency.MT_TECHNIQUE.label] == "Dr Lead INR"
    assert shown[Competency.AFTERCARE.label] == "Not signed off"

    _sign(w, w.second_supervisor, Competency.MT_TECHNIQUE)
    _sign(w, w.second_supervisor, Competency.STROKE_MANAGEMENT)
    _sign(w, w.lead_supervisor, Competency.COMPLICATION_MANAGEMENT)
    four, shown = _competencies(client, w)
    assert four == one
    assert sorted(shown[Competency.MT_TECHNIQUE.label].split(", ")) == [
        "Dr Lead INR",
        "Dr Second INR",
    ]
    assert shown[Competency.STROKE_MANAGEMENT.label] == "Dr Second INR"
    assert shown[Competency.COMPLICATION_MANAGEMENT.label] == "Dr Lead INR"
    assert shown[Competency.AFTERCARE.label] == "Not signed off"
    assert shown[Competency.IMAGING_INTERPRETATION.label] == "Not signed off"
