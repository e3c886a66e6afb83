"""Continued practice: an independent operator's last 12 months against the standards."""

import pytest

from governance.continued_practice import continued_practice_for
from governance.standards import default_standards_ensure
from governance.models import QualityStandard, QualityStandardSet
from signoffs.selectors import signoff_requests_for_subject

from ..agreements.conftest import sign_step
from ..phases.conftest import add_case
from ..phases.test_progression import _independence

pytestmark = pytest.mark.django_db


def _to_phase_three(world):
    request = _independence(world)
    for step in signoff_requests_for_subject(request).get().steps.all():
        chosen = {
            "Second INR": world.second_supervisor,
            "Governance lead": world.governance_lead,
            "Medical director, Southbank": world.centre_medical_director,
        }
        sign_step(world, step, signer=next((u for k, u in chosen.items() if step.label.startswith(k)), None))


def test_an_operator_below_the_reperfusion_standard_raises_an_alert(small_world):
    default_standards_ensure(QualityStandardSet, QualityStandard)
    _to_phase_three(small_world)
    for grade in ("0", "1", "2a", "3"):
        add_case(small_world, final_etici=grade, passes=2)
    rows = continued_practice_for([small_world.agreement.pk])
    assert len(rows) == 1
    practice = rows[0]
    assert practice.volume >= 4
    alerts = {label for label, *_ in practice.alerts}
    assert any("reperfusion" in label.lower() for label in alerts)


def test_operators_still_in_training_are_not_monitored(small_world):
    default_standards_ensure(QualityStandardSet, QualityStandard)
    assert continued_practice_for([small_world.agreement.pk]) == []
