"""The criterion kind "reconciled cases >= N" (issue 16): verified cases matched to the list."""

from datetime import timedelta
from decimal import Decimal

import pytest

from agreements.models import AgreementCriterion, CriterionKind
from phases.criteria import CriterionProgress, EvidenceScope, evaluate_criteria

from ..agreements.conftest import ended_early_and_agreed_again
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


def _full_row(criterion, required, current, met, missing, ids):
    return CriterionProgress(
        criterion.pk,
        criterion.description,
        criterion.source,
        required,
        current,
        met,
        missing,
        {"ids": ids},
    )


def test_a_named_procedure_narrows_the_count_and_the_missing_words_name_the_evidence(world):
    thrombectomy = log_case(world, reference="MT-010", performed_on=DAY, accession_number="ACC-10")
    angiogram = log_case(
        world,
        reference="DA-011",
        performed_on=DAY,
        accession_number="ACC-11",
        procedure="diagnostic_angiogram",
        final_etici="",
        passes=None,
    )
    import_list(
        world,
        [
            row(DAY, "ACC-10", world.trainee.gmc_number),
            row(DAY, "ACC-11", world.trainee.gmc_number, code="DA01"),
        ],
    )
    for case in (thrombectomy, angiogram):
        verify_as_lead(world, case)

    only_mt = _criterion(world, procedure="mt")
    assert _progress(world, only_mt) == _full_row(
        only_mt, "2", "1", False, "1 more reconciled verified cases needed", [thrombectomy.pk]
    )
    any_kind = _criterion(world)
    assert _progress(world, any_kind) == _full_row(
        any_kind, "2", "2", True, "", sorted([thrombectomy.pk, angiogram.pk])
    )


def test_reconciled_cases_of_an_earlier_agreement_count_for_none_of_the_new_one(world):
    earlier = log_case(world, reference="MT-020", performed_on=DAY, accession_number="ACC-20")
    import_list(world, [row(DAY, "ACC-20", world.trainee.gmc_number)])
    verify_as_lead(world, earlier)
    assert _progress(world, _criterion(world)).evidence == {"ids": [earlier.pk]}

    world.version = ended_early_and_agreed_again(world, world.version)
    progress = _progress(world, _criterion(world))
    assert (progress.current, progress.evidence) == ("0", {"ids": []})
