"""Verification rules (SPEC 4.2): blind supervisor view, verify or query, locked once verified,
corrections as new revisions, and only verified evidence counts."""

import re

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from caselogs.models import Case, CaseVerification
from caselogs.selectors import verified_cases
from caselogs.services import case_correct, case_verify

from ..conftest import sign_in
from ..factories import make_member
from .conftest import log_case, mt_case_data

pytestmark = pytest.mark.django_db


def _verify(world, case, decision="verified", role="primary_operator", mode="scrubbed", **kw):
    return case_verify(
        case=case,
        supervisor=world.lead_supervisor,
        role_view=role,
        mode_view=mode,
        decision=decision,
        **kw,
    )


def test_the_trainee_cannot_verify_their_own_case(logbook, client):
    case = log_case(logbook)
    with pytest.raises(ValidationError, match="named on the case|your own case"):
        case_verify(
            case=case,
            supervisor=logbook.trainee,
            role_view="primary_operator",
            mode_view="scrubbed",
            decision="verified",
        )
    sign_in(client, logbook.trainee)
    assert client.get(f"/logbook/{case.pk}/verify/").status_code == 404
    assert Case.objects.get().status == "submitted"


def test_a_supervisor_not_named_on_the_agreement_cannot_see_the_case(logbook, client):
    case = log_case(logbook)
    stranger = make_member(Role.SUPERVISOR, logbook.centre)
    sign_in(client, stranger)
    for path in (
        f"/logbook/{case.pk}/",
        f"/logbook/{case.pk}/verify/",
        f"/logbook/{case.pk}/edit/",
    ):
        assert client.get(path).status_code == 404, path
    assert case.reference not in client.get("/logbook/").content.decode()


def test_the_named_second_supervisor_sees_but_cannot_verify_anothers_case(logbook, client):
    case = log_case(logbook)
    sign_in(client, logbook.second_supervisor)
    assert client.get(f"/logbook/{case.pk}/").status_code == 200
    assert client.get(f"/logbook/{case.pk}/verify/").status_code == 404


def test_discordant_ratings_are_flagged_to_the_training_lead(logbook, client):
    case = log_case(logbook)
    verification = _verify(logbook, case, role="assistant", mode="in_room")
    assert verification.discordant
    sign_in(client, logbook.training_lead)
    home = client.get("/").content.decode()
    assert "supervisor and trainee differ" in home and case.reference in home


def test_concordant_ratings_are_not_flagged(logbook):
    assert not _verify(logbook, log_case(logbook)).discordant


def test_a_verified_case_is_locked_and_a_correction_is_a_new_revision(logbook):
    case = log_case(logbook)
    _verify(logbook, case)
    case.refresh_from_db()
    assert case.is_locked and case in verified_cases()
    corrected = case_correct(
        case=case, trainee=logbook.trainee, data=mt_case_data(logbook, final_etici="3", passes=1)
    )
    assert corrected.revision == 2 and corrected.status == "submitted"
    assert corrected not in verified_cases()
    history = list(
        corrected.history.order_by("history_date").values_list("revision", "status", "final_etici")
    )
    assert (1, "verified", "2b67") in history and (2, "submitted", "3") in history
    _verify(logbook, corrected)
    assert corrected.verifications.count() == 2


def test_a_query_needs_a_comment_and_goes_back_to_the_trainee(logbook, client):
    case = log_case(logbook)
    with pytest.raises(ValidationError):
        _verify(logbook, case, decision="queried")
    _verify(logbook, case, decision="queried", comment="Was this two passes or three?")
    case.refresh_from_db()
    assert case.status == "queried" and case not in verified_cases()
    sign_in(client, logbook.trainee)
    page = client.get(f"/logbook/{case.pk}/").content.decode()
    assert "Was this two passes or three?" in page
    resubmitted = case_correct(
        case=case, trainee=logbook.trainee, data=mt_case_data(logbook, passes=3)
    )
    assert resubmitted.status == "submitted" and resubmitted.revision == 2


def test_a_decided_revision_cannot_be_decided_again(logbook):
    case = log_case(logbook)
    _verify(logbook, case)
    with pytest.raises(ValidationError, match="already verified"):
        _verify(logbook, case, decision="queried", comment="late")


def test_the_verify_page_does_not_show_the_trainees_entry_before_deciding(logbook, client):
    case = log_case(logbook, trainee_role="assistant", supervision_mode="on_site")
    sign_in(client, logbook.lead_supervisor)
    page = client.get(f"/logbook/{case.pk}/verify/").content.decode()
    assert "Supervisor on site" not in page.split('class="verify-form"')[0]
    assert "Assistant" not in page.split('class="verify-form"')[0]
    response = client.post(
        f"/logbook/{case.pk}/verify/",
        {
            "role_view": "primary_operator",
            "mode_view": "scrubbed",
            "decision": "verified",
        },
    )
    assert response.status_code == 302
    detail = client.get(f"/logbook/{case.pk}/").content.decode()
    assert "differs from the trainee" in detail


def test_queue_is_oldest_first_and_shows_each_case(logbook, client):
    first = log_case(logbook, reference="A-1")
    second = log_case(logbook, reference="A-2")
    sign_in(client, logbook.lead_supervisor)
    page = client.get("/logbook/queue/").content.decode()
    assert page.index("A-1") < page.index("A-2")
    assert page.count('class="verify-form"') == 2
    assert "approve all" not in page.lower().replace("no “approve all”", "")
    assert first.pk and second.pk


def _inbox_badge_and_link(page):
    section = page.split("Waiting for your verification", 1)[1].split("</section>", 1)[0]
    badge = re.search(r'inbox-count"[^>]*>(?:<span[^>]*>[^<]*</span>)?\s*(\d+)', section).group(1)
    link = re.search(r"All (\d+) in the queue", section)
    return int(badge), int(link.group(1)) if link else None


def test_the_home_badge_and_the_queue_link_give_the_same_count(logbook, client):
    """Issue 13 item 5: the badge counted the ten shown, the link all eleven."""
    for n in range(11):
        log_case(logbook, reference=f"Q-{n:02d}")
    sign_in(client, logbook.lead_supervisor)
    assert _inbox_badge_and_link(client.get("/").content.decode()) == (11, 11)
    assert "Page 1 of 2" in client.get("/logbook/queue/").content.decode()


def test_after_deciding_the_supervisor_sees_the_trainees_entry_beside_their_own(logbook, client):
    """Issue 13 item 6: the form promises the trainee's entry after the decision."""
    case = log_case(logbook, reference="D-1", trainee_role="assistant", supervision_mode="on_site")
    waiting = log_case(logbook, reference="D-2")
    sign_in(client, logbook.lead_supervisor)
    response = client.post(
        f"/logbook/{case.pk}/verify/",
        {
            "role_view": "primary_operator",
            "mode_view": "on_site",
            "decision": "verified",
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"/logbook/{case.pk}/", 302)]
    page = response.content.decode()
    compared = page.split('id="views-compared"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r'<th [^>]*scope="row">(\w+)</th><td [^>]*>([^<]+)</td><td [^>]*>([^<]+)', compared
    )
    assert rows == [
        ("Role", "Primary operator", "Assistant "),
        ("Supervision", "Supervisor on site", "Supervisor on site"),
    ]
    assert "Your view differs from the trainee" in page
    assert f'href="/logbook/{waiting.pk}/verify/">Verify the next case: D-2' in page
    assert "Back to the verification queue (1 waiting)" in page
    # The trainee's own page has no such panel; nor does the other supervisor's.
    for person in (logbook.trainee, logbook.second_supervisor):
        client.logout()
        sign_in(client, person)
        assert 'id="decision-recorded"' not in client.get(f"/logbook/{case.pk}/").content.decode()


def test_a_trainee_named_as_their_own_cases_supervisor_still_cannot_verify_it(logbook):
    """Issue 19: the service's own check, reached with everything else in its favour. The agreement
    now refuses the trainee as their own supervisor, so the case is made as an older agreement
    could have made it: the trainee named as the case's supervisor."""
    case = log_case(logbook)
    Case.objects.filter(pk=case.pk).update(supervisor=logbook.trainee)
    case.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        case_verify(
            case=case,
            supervisor=logbook.trainee,
            role_view="primary_operator",
            mode_view="scrubbed",
            decision="verified",
        )
    assert refused.value.messages == ["You cannot verify your own case."]
    assert Case.objects.get(pk=case.pk).status == "submitted"
    assert not CaseVerification.objects.filter(case=case).exists()
