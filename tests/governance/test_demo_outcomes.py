"""Issue 13, item 23: the demo's outcomes look like a real service's, so its audit report reads
like one: some patients die by 90 days (mRS 6), some of them in hospital (DOMAIN.md quotes 47%
mRS 0-2 and 19% mortality from a UK 24/7 series)."""

import pytest

from accounts.demo import seed_people
from agreements.demo import seed_agreements
from caselogs.demo import TRAINEE_EMAIL, seed_logbook
from caselogs.models import Case
from caselogs.selectors import verified_cases
from governance.indicators import indicators_for

pytestmark = pytest.mark.django_db


def test_the_demo_logbook_has_realistic_mortality_and_good_outcomes():
    seed_people()
    seed_agreements()
    seed_logbook()

    figures = indicators_for(verified_cases().filter(trainee__email=TRAINEE_EMAIL))
    assert figures.mrs_recorded >= 40
    assert 10 <= figures.mortality_90_days_percent <= 30
    assert 30 <= figures.mrs_0_2_percent <= 60
    died_in_hospital = Case.objects.filter(died_in_hospital=True)
    assert died_in_hospital.exists()
    assert set(died_in_hospital.values_list("mrs_90_days", flat=True)) == {6}
