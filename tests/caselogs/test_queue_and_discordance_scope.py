"""Whose cases wait in a supervisor's queue, and whose disagreements a training lead reads
(issue 19: mutation testing found the queue's supervisor filter, and the discordance list's
"discordant" and agreement filters, unguarded by the logbook's own tests)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from caselogs.models import Case
from caselogs.selectors import discordant_verifications_for_user, verification_queue_for_user

from ..conftest import sign_in
from ..factories import make_member
from .conftest import log_case, log_differently_verified_case, log_verified_case

pytestmark = pytest.mark.django_db


def test_a_supervisor_waits_only_on_the_cases_that_name_them(logbook):
    w = logbook
    mine = log_case(w, reference="MT-LEAD", supervisor=w.lead_supervisor)
    log_case(w, reference="MT-SECOND", supervisor=w.second_supervisor)
    assert list(verification_queue_for_user(user=w.lead_supervisor)) == [mine]


def test_a_training_lead_reads_disagreements_on_agreements_they_oversee_only(logbook):
    w = logbook
    log_verified_case(w, reference="MT-AGREED")
    differed = log_differently_verified_case(w, w.lead_supervisor, "MT-DIFFERED")
    assert [v.case for v in discordant_verifications_for_user(user=w.training_lead)] == [differed]
    elsewhere = make_member(Role.TRAINING_LEAD, w.outsider_org, full_name="Dr Far Lead")
    assert list(discordant_verifications_for_user(user=elsewhere)) == []


def test_the_queue_is_oldest_submission_first_and_reads_trainees_and_sites_with_the_cases(
    logbook, client
):
    """A case corrected and resubmitted goes to the back of the queue, whatever its number; and
    three cases at two sites cost the page what one does."""
    w = logbook
    first = log_case(w, reference="MT-FIRST")
    sign_in(client, w.lead_supervisor)
    url = reverse("caselogs:queue")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one = queries()
    second = log_case(w, reference="MT-SECOND", site=w.home_site)
    third = log_case(w, reference="MT-THIRD")
    Case.objects.filter(pk=first.pk).update(submitted_at=timezone.now() + timedelta(minutes=5))
    assert list(verification_queue_for_user(user=w.lead_supervisor)) == [second, third, first]
    assert queries() == one
