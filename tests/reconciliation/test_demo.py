"""seed_demo's procedure list (issue 16): a realistic mix, about 85% of the cases it covers matched,
some probable, a few not on the list, and entries naming the demo trainee that are not logged; and
last quarter's audit sample."""

import pytest
from django.core.management import call_command

from accounts.models import User
from caselogs.demo import TRAINEE_EMAIL
from reconciliation.models import AuditSample, CaseReconciliation, MatchState, ProcedureList
from reconciliation.selectors import not_logged_for_trainee

pytestmark = pytest.mark.django_db


def test_the_demo_list_has_a_realistic_mix(tmp_path, settings):
    settings.DEMO_MAIL_DIR = str(tmp_path)
    call_command("seed_demo", verbosity=0)
    (procedure_list,) = ProcedureList.objects.all()
    states = list(CaseReconciliation.objects.values_list("state", flat=True))
    share = {state: states.count(state) / len(states) for state in MatchState.values}
    assert len(states) > 100
    assert 0.8 <= share[MatchState.MATCHED] <= 0.9, share
    assert 0.03 <= share[MatchState.PROBABLE] <= 0.12, share
    assert 0 < share[MatchState.NOT_ON_LIST] <= 0.12, share
    trainee = User.objects.get(email=TRAINEE_EMAIL)
    assert 2 <= not_logged_for_trainee(user=trainee).count() <= 6
    sample = AuditSample.objects.get()
    assert sample.cases.count() >= 5 and sample.cases.exclude(confirmed="").count() == 4
    # Seeding again changes nothing.
    call_command("seed_demo", verbosity=0)
    assert ProcedureList.objects.get() == procedure_list
