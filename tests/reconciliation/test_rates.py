"""Where reconciliation shows (issue 16): progress and the frozen independence snapshot, the
dashboard (rate per trainee and centre) and the audit report (rates and the samples' findings)."""

from datetime import timedelta

import pytest

from caselogs.selectors import verified_cases
from governance.dashboard import dashboard_for
from governance.report_figures import report_snapshot
from phases.selectors import progress_for
from reconciliation.models import MatchState, SampledCase
from reconciliation.sample import quarter_of
from reconciliation.selectors import STATE_HELP
from reconciliation.services import audit_sample_draw, sampled_case_record

from ..caselogs.conftest import log_verified_case
from ..conftest import sign_in
from .conftest import TODAY, import_list, row

pytestmark = pytest.mark.django_db
DAY = TODAY - timedelta(days=1)


def _verified(world, reference, **overrides):
    return log_verified_case(world, reference=reference, performed_on=DAY, **overrides)


@pytest.fixture
def reconciled(world):
    _verified(world, "MT-001", accession_number="ACC-1")
    _verified(world, "MT-002", accession_number="ACC-2")
    _verified(world, "MT-003")  # probable
    _verified(world, "MT-004", accession_number="ACC-9")  # not on the list
    import_list(
        world,
        [
            row(DAY, "ACC-1", world.trainee.gmc_number),
            row(DAY, "ACC-2", world.trainee.gmc_number),
            row(DAY, "ACC-3", world.trainee.gmc_number),
        ],
    )
    return world


def test_progress_counts_verified_and_reconciled(reconciled):
    rate = progress_for(reconciled.version.agreement).reconciliation
    assert (rate.verified, rate.covered, rate.matched, rate.probable, rate.not_on_list) == (
        4,
        4,
        2,
        1,
        1,
    )
    assert rate.percent == 50.0


def test_the_dashboard_gives_the_rate_per_trainee_and_centre(reconciled):
    figures = dashboard_for(reconciled.training_lead)["reconciliation"]
    (trainee,) = figures["trainees"]
    assert (trainee["name"], trainee["covered"], trainee["matched"], trainee["percent"]) == (
        "Dr Trainee IR",
        4,
        2,
        50.0,
    )
    (centre,) = figures["centres"]
    assert centre["name"] == reconciled.centre.name


def test_the_report_freezes_rates_and_sample_findings(reconciled):
    year, quarter = quarter_of(DAY)
    sample = audit_sample_draw(
        organisation=reconciled.centre, year=year, quarter=quarter, user=reconciled.training_lead
    )
    first = sample.cases.first()
    sampled_case_record(
        user=reconciled.training_lead,
        sampled=first,
        confirmed=SampledCase.Confirmed.CONFIRMED,
        role="primary_operator",
        outcome=SampledCase.Outcome.AGREES,
    )
    snapshot = report_snapshot(verified_cases())["reconciliation"]
    assert snapshot["overall"]["matched"] == 2 and snapshot["overall"]["percent"] == 50.0
    assert snapshot["trainees"][0]["name"] == "Dr Trainee IR"
    (quarter_row,) = snapshot["samples"]
    assert (quarter_row["sampled"], quarter_row["recorded"], quarter_row["confirmed"]) == (4, 1, 1)


def test_the_case_page_and_queue_show_each_cases_state(reconciled, client):
    from django.urls import reverse

    from caselogs.models import Case
    from caselogs.registry import case_tags_attach

    cases = list(Case.objects.order_by("reference"))
    case_tags_attach(cases)
    labels = [[(t.subject, t.label, t.colour) for t in case.extra_tags] for case in cases]
    assert labels == [
        [("Hospital list", "Matched", "green")],
        [("Hospital list", "Matched", "green")],
        [("Hospital list", "Probable match", "blue")],
        [("Hospital list", "Not on the list", "orange")],
    ]
    # The case page shows the state and explains it in words.
    sign_in(client, reconciled.trainee)
    page = client.get(reverse("caselogs:detail", args=[cases[3].pk])).content.decode()
    assert "Not on the list" in page
    assert f"Hospital list: {STATE_HELP[MatchState.NOT_ON_LIST]}" in page
    assert STATE_HELP[MatchState.MATCHED] not in page
