"""The logbook's summary cards and page count, as the trainee and their supervisor see them.

The counts come from one aggregate query (caselogs.selectors.case_counts) and the paginator is
told the total rather than counting again, so these tests check both against counts made here,
case by case, from what was logged."""

import re
from collections import Counter

import pytest

from caselogs import choices as c
from caselogs.services import case_verify

from ..conftest import sign_in
from .conftest import log_case

pytestmark = pytest.mark.django_db


def summary_cards(page: str) -> dict[str, dict[str, int]]:
    """{card title: {label: count}} read from the rendered summary."""
    section = page.split('aria-label="Summary"')[1].split("</section>")[0]
    cards = {}
    for card in re.split(r"<caption[^>]*>", section)[1:]:
        title, body = card.split("</caption>", 1)
        cards[title.strip()] = {
            label: int(n)
            for label, n in re.findall(
                r'<th [^>]*scope="row">([^<]+)</th><td [^>]*>(\d+)</td>', body
            )
        }
    return cards


def labelled(counter: Counter, choices) -> dict[str, int]:
    return {label: counter[value] for value, label in choices}


@pytest.fixture
def logged(logbook):
    """25 cases, one page's worth: two procedures, three roles, and each verification state."""
    cases = []
    for n in range(25):
        procedure = "diagnostic_angiogram" if n % 4 == 3 else "mt"
        extra = {} if procedure == "mt" else {"final_etici": "", "passes": None}
        cases.append(
            log_case(
                logbook,
                reference=f"SUM-{n:02d}",
                procedure=procedure,
                trainee_role=list(c.TraineeRole.values)[n % 3],
                **extra,
            )
        )
    for case in cases[:9]:
        case_verify(
            case=case,
            supervisor=logbook.lead_supervisor,
            role_view=case.trainee_role,
            mode_view="scrubbed",
            decision="verified",
        )
    for case in cases[9:12]:
        case_verify(
            case=case,
            supervisor=logbook.lead_supervisor,
            role_view=case.trainee_role,
            mode_view="scrubbed",
            decision="queried",
            comment="Which vessel?",
        )
    for case in cases:
        case.refresh_from_db()
    return cases


def test_the_trainee_sees_every_count_and_the_right_number_of_pages(logbook, logged, client):
    sign_in(client, logbook.trainee)
    page = client.get("/logbook/").content.decode()
    cards = summary_cards(page)
    assert cards["By type"] == labelled(Counter(x.procedure for x in logged), c.Procedure.choices)
    assert cards["By role"] == labelled(
        Counter(x.trainee_role for x in logged), c.TraineeRole.choices
    )
    assert cards["Verification"] == labelled(
        Counter(x.status for x in logged), c.VerificationStatus.choices
    )
    assert (
        cards["Verification"]["Verified"] == 9
        and cards["Verification"]["Queried by supervisor"] == 3
    )
    assert page.count("SUM-") == 25 and "Page 1 of" not in page  # exactly one page
    log_case(logbook, reference="SUM-25")
    assert "Page 1 of 2" in client.get("/logbook/").content.decode()
    second = client.get("/logbook/?page=2").content.decode()
    assert second.count("SUM-") == 1 and "Page 2 of 2" in second


def test_a_filter_narrows_the_counts_and_the_pages_together(logbook, logged, client):
    sign_in(client, logbook.trainee)
    page = client.get("/logbook/?procedure=diagnostic_angiogram").content.decode()
    cards = summary_cards(page)
    angiograms = [x for x in logged if x.procedure == "diagnostic_angiogram"]
    assert sum(cards["Verification"].values()) == len(angiograms) == 6
    assert cards["By type"]["Mechanical thrombectomy"] == 0
    assert page.count("SUM-") == 6 and "Page 1 of" not in page


def test_the_supervisor_is_not_told_the_role_of_cases_waiting_for_their_own_view(
    logbook, logged, client
):
    sign_in(client, logbook.lead_supervisor)
    cards = summary_cards(client.get("/logbook/?trainee=all").content.decode())
    decided = [x for x in logged if x.status != c.VerificationStatus.SUBMITTED]
    # The roles of the 13 cases waiting for them are left out; their states are not.
    assert cards["By role"] == labelled(
        Counter(x.trainee_role for x in decided), c.TraineeRole.choices
    )
    assert sum(cards["By role"].values()) == 12
    assert cards["Verification"]["Waiting for verification"] == 13
