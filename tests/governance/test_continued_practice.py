"""Continued practice: an independent operator's last 12 months against the standards."""

import pytest

from governance.continued_practice import continued_practice_for
from governance.models import QualityStandard, QualityStandardSet
from governance.standards import default_standards_ensure
from phases.services import annual_review_request
from signoffs.selectors import signoff_requests_for_subject

from ..agreements.conftest import sign_step
from ..conftest import sign_in
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
        sign_step(
            world,
            step,
            signer=next((u for k, u in chosen.items() if step.label.startswith(k)), None),
        )


def test_an_operator_below_the_reperfusion_standard_raises_an_alert(small_world):
    default_standards_ensure(QualityStandardSet, QualityStandard)
    _to_phase_three(small_world)
    for grade in ("0", "1", "2a", "3"):
        add_case(small_world, final_etici=grade, passes=2)
    rows = continued_practice_for([small_world.agreement.pk])
    assert len(rows) == 1
    practice = rows[0]
    assert practice.volume >= 4
    alerts = {row["label"] for row in practice.alerts}
    assert any("reperfusion" in label.lower() for label in alerts)


def test_operators_still_in_training_are_not_monitored(small_world):
    default_standards_ensure(QualityStandardSet, QualityStandard)
    assert continued_practice_for([small_world.agreement.pk]) == []


def test_a_volume_below_the_agreement_raises_an_alert_and_the_annual_review_freezes_it(
    small_world, client
):
    default_standards_ensure(QualityStandardSet, QualityStandard)
    small_world.version.minimum_mt_per_year = 40
    small_world.version.save()
    _to_phase_three(small_world)
    add_case(small_world, final_etici="3")
    (practice,) = continued_practice_for([small_world.agreement.pk])
    volume = next(row for row in practice.judgements if row["unit"] == "cases")
    assert volume["judgement"] == "not met" and volume["observed"] == practice.volume < 40
    assert volume in practice.alerts

    sign_in(client, small_world.governance_lead)
    dashboard = client.get("/governance/").content.decode()
    assert "below the agreement: at least 40 a year" in dashboard

    review = annual_review_request(agreement=small_world.agreement, actor=small_world.training_lead)
    frozen = review.snapshot["continued_practice"]
    assert frozen["volume"] == practice.volume
    assert [row["label"] for row in frozen["judgements"]] == [
        r["label"] for r in practice.judgements
    ]
    page = client.get(f"/progress/{small_world.agreement.pk}/").content.decode()
    assert "Continued practice against the quality standards and the agreement" in page
    assert "at least 40 a year (agreement)" in page


def test_without_a_volume_term_the_volume_is_reported_not_judged(small_world):
    default_standards_ensure(QualityStandardSet, QualityStandard)
    _to_phase_three(small_world)
    (practice,) = continued_practice_for([small_world.agreement.pk])
    volume = next(row for row in practice.judgements if row["unit"] == "cases")
    assert volume["judgement"] == "report only" and volume not in practice.alerts
