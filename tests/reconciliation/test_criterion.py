"""The criterion kind "reconciled cases >= N" (issue 16): verified cases matched to the list."""

from datetime import timedelta
from decimal import Decimal

import pytest

from agreements.models import AgreementCriterion, CriterionKind
from phases.criteria import EvidenceScope, evaluate_criteria

from ..caselogs.conftest import verify_as_lead
from .conftest import TODAY, import_list, log_case, row

pytestmark = pytest.mark.django_db
DAY = TODAY - timedelta(days=10)


def _criterion(world, **parameters):
    return AgreementCriterion(
        pk=1,
        version=world.version,
        phase=1,
        kind=CriterionKind.RECONCILED_CASES,
        target=Decimal(2),
        parameters=parameters,
        description="At least 2 verified cases matched to the hospital's procedure list",
        source="Local",
    )


def _progress(world, criterion):
    scope = EvidenceScope(world.version.agreement_id, world.trainee.pk, DAY - timedelta(days=30))
    return evaluate_criteria([criterion], scope)[0]


def test_counts_verified_matched_cases_only(world):
    matched = log_case(world, reference="MT-001", performed_on=DAY, accession_number="ACC-1")
    waiting = log_case(world, reference="MT-002", performed_on=DAY, accession_number="ACC-2")
    probable = log_case(world, reference="MT-003", performed_on=DAY)
    import_list(
        world,
        [
            row(DAY, "ACC-1", world.trainee.gmc_number),
            row(DAY, "ACC-2", world.trainee.gmc_number),
            row(DAY, "ACC-3", world.trainee.gmc_number),
        ],
    )
    for case in (matched, probable):
        verify_as_lead(world, case)
    progress = _progress(world, _criterion(world))
    assert (progress.current, progress.met) == ("1", False)
    assert progress.evidence["ids"] == [matched.pk]
    assert waiting.pk not in progress.evidence["ids"]  # not verified: does not count
    with_probable = _progress(world, _criterion(world, include_probable=True))
    assert (with_probable.current, with_probable.met) == ("2", True)
