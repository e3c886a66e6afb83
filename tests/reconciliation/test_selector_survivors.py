"""A procedure list's counts, each exactly (issue 19: every count in ``list_entry_counts`` was
unchecked), on one list whose operators stand in every state, beside another list whose operators
must not be counted.

Each count has its own number here (7 operators, 3 logged, 2 matched, 1 probable, 1 not
involved), so a count that lost its filter, counted the wrong state or another list's operators
shows a different number."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from accounts.models import Role
from governance.dashboard import dashboard_for
from reconciliation.models import SampledCase
from reconciliation.sample import quarter_of
from reconciliation.selectors import list_entry_counts, not_logged_for_trainee
from reconciliation.services import audit_sample_draw, operator_not_involved, sampled_case_record

from ..caselogs.conftest import log_verified_case
from ..conftest import sign_in
from ..factories import SiteFactory, make_member
from .conftest import TODAY, import_list, log_case, row

pytestmark = pytest.mark.django_db
DAY = TODAY - timedelta(days=20)


@pytest.fixture
def counted(world):
    """A list of five procedures naming seven operators:

    - ACC-1001 (DAY): the trainee, matched on the accession number by a logged case;
    - ACC-1002 (DAY + 1): the trainee, matched on the accession number by a logged case, and the
      supervising consultant (no logbook here: neither logged nor answered);
    - ACC-1003 (DAY + 2): the trainee, a probable match (a case with no accession number, same
      date, site and operator), and the supervising consultant again;
    - ACC-1004 (DAY + 3): the trainee, not logged, answered "not involved";
    - ACC-1005 (DAY + 4): the trainee, not logged and not answered.

    Another list, at another site of the same organisation, names the trainee on two entries
    nobody logged, one answered "not involved": none of them is this list's."""
    gmc, consultant = world.trainee.gmc_number, world.lead_supervisor.gmc_number
    log_case(world, reference="MT-001", performed_on=DAY, accession_number="ACC-1001")
    log_case(
        world, reference="MT-002", performed_on=DAY + timedelta(days=1), accession_number="ACC-1002"
    )
    log_case(world, reference="MT-003", performed_on=DAY + timedelta(days=2))
    outcome = import_list(
        world,
        [
            row(DAY, "ACC-1001", gmc),
            row(DAY + timedelta(days=1), "ACC-1002", gmc),
            row(DAY + timedelta(days=1), "ACC-1002", consultant, "supervisor"),
            row(DAY + timedelta(days=2), "ACC-1003", gmc),
            row(DAY + timedelta(days=2), "ACC-1003", consultant, "supervisor"),
            row(DAY + timedelta(days=3), "ACC-1004", gmc),
            row(DAY + timedelta(days=4), "ACC-1005", gmc),
        ],
    )
    assert not outcome.problems
    other_site = SiteFactory(organisation=world.centre, name="Southbank Annexe")
    other = import_list(
        world,
        [
            row(DAY + timedelta(days=5), "ACC-2001", gmc),
            row(DAY + timedelta(days=6), "ACC-2002", gmc),
        ],
        site=other_site,
    )
    assert not other.problems
    waiting = list(not_logged_for_trainee(user=world.trainee))
    assert len(waiting) == 4  # ACC-1004, ACC-1005 and the other list's two
    for operator in waiting:
        if operator.entry.performed_on in (DAY + timedelta(days=3), DAY + timedelta(days=5)):
            operator_not_involved(trainee=world.trainee, operator=operator)
    return outcome.procedure_list, other.procedure_list


EXPECTED = {"operators": 7, "logged": 3, "matched": 2, "probable": 1, "not_involved": 1}


def test_each_count_of_a_list_in_every_state(counted):
    procedure_list, other = counted
    assert list_entry_counts(procedure_list) == EXPECTED
    # The other list's own counts: two operators, neither logged, one not involved.
    assert list_entry_counts(other) == {
        "operators": 2,
        "logged": 0,
        "matched": 0,
        "probable": 0,
        "not_involved": 1,
    }


def test_the_list_page_shows_each_count(counted, world, client):
    procedure_list, _ = counted
    sign_in(client, world.training_lead)
    response = client.get(reverse("reconciliation:list_detail", args=[procedure_list.pk]))
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", response.content.decode())
    assert 'Operators named</dt><dd class="nhsuk-summary-list__value">7</dd>' in text
    assert (
        'In a logbook</dt><dd class="nhsuk-summary-list__value">3 (2 matched on the accession'
        " number, 1 probable on date, site and operator)</dd>"
    ) in text
    assert 'Trainee said not involved</dt><dd class="nhsuk-summary-list__value">1</dd>' in text


# A sample's page reads each sampled case's trainee and site with the case (issue 19: dropping
# either from ``sampled_cases``' ``select_related`` changed nothing any other test saw). The page is
# read at two sizes: the number of queries must not grow with the cases.


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_sample_page_reads_its_cases_trainees_sites_and_recorders_with_them(world, client):
    """A sample's page lists each sampled case's trainee and site, and who recorded its findings:
    a sample of one case at the employer's site and one of six at the centre's, the same quarter,
    every finding recorded, read by an administrator."""
    sign_in(client, world.administrator)
    day = TODAY - timedelta(days=1)
    year, quarter = quarter_of(day)
    employer_lead = make_member(Role.TRAINING_LEAD, world.employer, full_name="Dr Home Lead")
    counts = []
    for size, site, recorder in ((1, world.home_site, employer_lead), (6, world.site, None)):
        for n in range(size):
            log_verified_case(world, reference=f"MT-{size}-{n}", performed_on=day, site=site)
        # Drawn as the quarterly task draws it (no user): every case, at least ``size``.
        sample = audit_sample_draw(
            organisation=site.organisation,
            year=year,
            quarter=quarter,
            user=None,
            percent=100,
            minimum=size,
        )
        assert sample.cases.count() == size
        for sampled in sample.cases.all():
            sampled_case_record(
                user=recorder or world.training_lead,
                sampled=sampled,
                confirmed=SampledCase.Confirmed.CONFIRMED,
                role="primary_operator",
                outcome=SampledCase.Outcome.AGREES,
            )
        url = reverse("reconciliation:sample_detail", args=[sample.pk])
        counts.append(_queries(client, url))
    assert counts[0] == counts[1]
    page = client.get(url).content.decode()
    assert page.count(f"Recorded by Dr Training Lead, {date_format(TODAY, 'j M Y')}") == 6


def test_the_dashboard_rates_count_verified_cases_only(world):
    """A case the list takes but no supervisor has verified yet is not in the dashboard's rates
    (issue 19: ``reconciliation_rates_for_dashboard``'s verified filter was unchecked)."""
    day = TODAY - timedelta(days=1)
    for reference, accession in (("MT-001", "ACC-1"), ("MT-002", "ACC-9")):
        log_verified_case(world, reference=reference, performed_on=day, accession_number=accession)
    # Logged, matched on the list, waiting for its supervisor.
    log_case(world, reference="MT-003", performed_on=day, accession_number="ACC-2")
    gmc = world.trainee.gmc_number
    import_list(world, [row(day, "ACC-1", gmc), row(day, "ACC-2", gmc)])

    figures = dashboard_for(world.training_lead)["reconciliation"]
    expected = {
        "verified": 2,
        "covered": 2,
        "matched": 1,
        "probable": 0,
        "not_on_list": 1,
        "percent": 50.0,
    }
    assert figures["trainees"] == [{"name": "Dr Trainee IR", **expected}]
    assert figures["trainees_total"] == 1
    assert figures["centres"] == [{"name": world.centre.name, **expected}]


def test_the_dashboard_rates_cover_only_the_agreements_its_reader_oversees(world):
    """A training lead at another organisation sees no rate of this trainee's cases, though they
    were matched against a hospital list (issue 19: the agreement filter was unchecked)."""
    day = TODAY - timedelta(days=1)
    log_verified_case(world, reference="MT-001", performed_on=day, accession_number="ACC-1")
    import_list(world, [row(day, "ACC-1", world.trainee.gmc_number)])
    elsewhere_lead = make_member(Role.TRAINING_LEAD, world.outsider_org, full_name="Dr Far Lead")
    near = dashboard_for(world.training_lead)["reconciliation"]
    assert [trainee["name"] for trainee in near["trainees"]] == ["Dr Trainee IR"]
    far = dashboard_for(elsewhere_lead)["reconciliation"]
    assert far["trainees"] == [] and far["centres"] == [] and far["trainees_total"] == 0


def test_entries_waiting_for_the_trainees_answer_come_oldest_first(world):
    """ "Were you involved?" asks about the oldest procedure first, whatever order the list gave."""
    gmc = world.trainee.gmc_number
    days = [TODAY - timedelta(days=n) for n in (2, 9, 5)]
    import_list(world, [row(day, f"ACC-{n}", gmc) for n, day in enumerate(days)])
    waiting = not_logged_for_trainee(user=world.trainee)
    assert [operator.entry.performed_on for operator in waiting] == sorted(days)


def test_the_reconciliation_home_and_upload_pages_read_in_the_same_queries_as_they_grow(
    world, client
):
    """Each list's site, organisation and uploader, each sample's organisation and who drew it,
    and each site's organisation in the upload form are read with them: one list, sample and site
    cost the pages what three at three organisations, by three people, do."""
    sign_in(client, world.administrator)
    pages = [reverse("reconciliation:home"), reverse("reconciliation:list_upload")]

    def add_one(n, organisation, lead):
        site = SiteFactory(organisation=organisation, name=f"Site {n}")
        import_list(world, [], site=site, user=lead)
        audit_sample_draw(organisation=organisation, year=2020, quarter=n, user=lead)

    add_one(1, world.centre, world.training_lead)
    before = [_queries(client, page) for page in pages]
    for n, organisation in ((2, world.employer), (3, world.outsider_org)):
        add_one(n, organisation, make_member(Role.TRAINING_LEAD, organisation))
    assert [_queries(client, page) for page in pages] == before
