"""The quarterly audit sample (issue 16): 10% of each trainee's verified cases, at least 5, drawn
reproducibly from a recorded seed; the training lead's findings per case."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from reconciliation.models import SampledCase
from reconciliation.sample import quarter_of, sample_case_ids, sample_population
from reconciliation.selectors import sample_findings
from reconciliation.services import audit_sample_draw, sampled_case_record

from ..caselogs.conftest import log_verified_case
from .conftest import TODAY, log_case

pytestmark = pytest.mark.django_db
YEAR, QUARTER = quarter_of(TODAY - timedelta(days=1))  # the cases' day


def _verified_cases(world, count):
    day = TODAY - timedelta(days=1)
    cases = [
        log_verified_case(world, reference=f"MT-{n:03d}", performed_on=day) for n in range(count)
    ]
    log_case(world, reference="WAITING", performed_on=day)  # not verified
    return cases


def test_at_least_five_per_trainee_and_reproducible_from_the_seed(world):
    cases = _verified_cases(world, 12)
    sample = audit_sample_draw(
        organisation=world.centre, year=YEAR, quarter=QUARTER, user=world.training_lead
    )
    drawn = sorted(sample.cases.values_list("case_id", flat=True))
    assert len(drawn) == 5  # 10% of 12 is 2: the minimum of 5 applies
    assert set(drawn) <= {case.pk for case in cases}
    assert (sample.percent, sample.minimum_per_trainee, sample.population) == (10, 5, 12)
    # Anyone with the recorded seed draws the same cases again.
    population = sample_population(organisation_id=world.centre.pk, year=YEAR, quarter=QUARTER)
    again = sample_case_ids(population, seed=sample.seed, percent=10, minimum=5)
    assert sorted(again) == drawn
    other_seed = sample_case_ids(population, seed=sample.seed + 1, percent=10, minimum=5)
    assert len(other_seed) == 5
    event = AuditEvent.objects.get(verb="audit_sample.drawn")
    assert event.data["seed"] == sample.seed and sorted(event.data["cases"]) == drawn


def test_the_share_is_configurable(world, settings):
    _verified_cases(world, 12)
    settings.RECONCILIATION_SAMPLE_PERCENT = 50
    settings.RECONCILIATION_SAMPLE_MINIMUM = 2
    sample = audit_sample_draw(
        organisation=world.centre, year=YEAR, quarter=QUARTER, user=world.training_lead
    )
    assert sample.cases.count() == 6
    assert sample_case_ids({1: [1, 2, 3]}, seed=7, percent=10, minimum=5) == [1, 2, 3]


def test_one_sample_a_quarter_drawn_by_the_training_lead(world):
    _verified_cases(world, 2)
    with pytest.raises(PermissionDenied):
        audit_sample_draw(
            organisation=world.centre, year=YEAR, quarter=QUARTER, user=world.governance_lead
        )
    audit_sample_draw(
        organisation=world.centre, year=YEAR, quarter=QUARTER, user=world.training_lead
    )
    with pytest.raises(ValidationError):
        audit_sample_draw(
            organisation=world.centre, year=YEAR, quarter=QUARTER, user=world.training_lead
        )


def test_findings_recorded_per_case(world):
    _verified_cases(world, 5)
    sample = audit_sample_draw(
        organisation=world.centre, year=YEAR, quarter=QUARTER, user=world.training_lead
    )
    first, second, *_ = list(sample.cases.all())
    sampled_case_record(
        user=world.training_lead,
        sampled=first,
        confirmed=SampledCase.Confirmed.CONFIRMED,
        role="primary_operator",
        outcome=SampledCase.Outcome.AGREES,
    )
    sampled_case_record(
        user=world.training_lead,
        sampled=second,
        confirmed=SampledCase.Confirmed.NOT_CONFIRMED,
        role="",
        outcome=SampledCase.Outcome.NOT_RECORDED,
    )
    findings = sample_findings(sample.cases.all())
    assert findings.as_dict() == {
        "sampled": 5,
        "recorded": 2,
        "confirmed": 1,
        "role_agrees": 1,
        "outcome_agrees": 1,
        "confirmed_percent": 50.0,
    }
    assert first.history.count() == 2  # drawn, then recorded
    with pytest.raises(ValidationError):
        sampled_case_record(
            user=world.training_lead, sampled=first, confirmed="maybe", role="", outcome=""
        )


def test_the_quarterly_task_draws_last_quarter_once(world):
    from reconciliation.models import AuditSample
    from reconciliation.sample import quarter_bounds
    from reconciliation.tasks import quarterly_samples_task

    _verified_cases(world, 3)
    next_quarter = quarter_bounds(YEAR, QUARTER)[1] + timedelta(days=1)
    from reconciliation.services import quarterly_samples_draw

    (sample,) = quarterly_samples_draw(today=next_quarter)
    assert (sample.year, sample.quarter, sample.drawn_by) == (YEAR, QUARTER, None)
    assert sample.cases.count() == 3
    assert quarterly_samples_draw(today=next_quarter) == []
    assert AuditSample.objects.count() == 1
    assert quarterly_samples_task.name == "reconciliation.quarterly_samples"
