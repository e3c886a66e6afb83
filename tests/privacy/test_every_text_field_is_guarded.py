"""Every text field a person can write is guarded, by construction: the structural check below
fails on a field that is neither guarded nor listed as system-written, and the save backstop
refuses an identifier in any guarded field whichever door the row came through."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings

from caselogs.models import CaseVerification
from privacy.guard import (
    SYSTEM_WRITTEN,
    THIRD_PARTY_APPS,
    guard_free_text,
    guarded_fields,
    is_history_model,
    unguarded_text_fields,
)
from privacy.identifiers import reject_patient_identifiers

from .strategies import identifier_texts


def guarded_model_fields():
    return [
        (model, name)
        for model in apps.get_models()
        if not is_history_model(model) and model._meta.app_label not in THIRD_PARTY_APPS
        for name in guarded_fields(model)
    ]


def test_every_text_field_is_guarded_or_listed_with_its_reason():
    assert unguarded_text_fields() == []
    assert all(reason.strip() for reason in SYSTEM_WRITTEN.values())


def test_removing_a_guard_is_caught(monkeypatch):
    field = CaseVerification._meta.get_field("comment")
    monkeypatch.setattr(
        field, "validators", [v for v in field.validators if v is not reject_patient_identifiers]
    )
    guarded_fields.cache_clear()
    try:
        assert unguarded_text_fields() == [
            "caselogs.CaseVerification.comment is neither guarded nor listed as system-written"
        ]
    finally:
        guarded_fields.cache_clear()


def test_the_person_written_fields_the_audit_found_unguarded_are_guarded():
    expected = {
        "caselogs.CaseVerification.comment",
        "agreements.AgreementVersion.backfill_trainee_service",
        "agreements.AgreementVersion.backfill_centre",
        "agreements.AgreementVersion.independence_local_terms",
        "agreements.AgreementVersion.end_reason",
        "agreements.AgreementCriterion.description",
        "agreements.CriterionTemplate.description",
        "agreements.CriteriaTemplate.description",
        "phases.ProgressionRequest.reason",
        "phases.CompetencySignoff.statement",
        "signoffs.Signature.reason",
        "governance.QualityStandardSet.description",
        "governance.QualityStandard.notes",
    }
    guarded = {f"{m._meta.app_label}.{m.__name__}.{name}" for m, name in guarded_model_fields()}
    assert expected <= guarded


@pytest.mark.parametrize(
    "model,name", guarded_model_fields(), ids=lambda v: v if isinstance(v, str) else v.__name__
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(found=identifier_texts())
def test_the_save_backstop_refuses_an_identifier_in_every_guarded_field(model, name, found):
    kind, identifier, text = found
    max_length = model._meta.get_field(name).max_length
    if max_length and len(text) > max_length:
        text = identifier[:max_length]
    instance = model(**{name: text})
    with pytest.raises(ValidationError) as refused:
        guard_free_text(instance)
    assert list(refused.value.message_dict) == [name]
    assert identifier not in str(refused.value)


def test_the_backstop_is_connected_to_every_save(db):
    from governance.models import QualityStandardSet

    with pytest.raises(ValidationError):
        QualityStandardSet.objects.create(
            name="Standards", description="pt 943 476 5919", is_active=False
        )
    assert not QualityStandardSet.objects.filter(name="Standards").exists()


def test_a_save_of_named_fields_checks_only_those(db):
    from governance.models import QualityStandardSet

    standard_set = QualityStandardSet.objects.create(
        name="Standards", description="Clean.", is_active=False
    )
    # Older text the guard missed at the time (written without the signal): a later save of other
    # fields still works, and a save of the text itself is refused.
    QualityStandardSet.objects.filter(pk=standard_set.pk).update(description="pt 943 476 5919")
    standard_set.refresh_from_db()
    standard_set.version = 2
    standard_set.save(update_fields=["version"])
    with pytest.raises(ValidationError):
        standard_set.save(update_fields=["description"])
    with pytest.raises(ValidationError):
        standard_set.save()


@pytest.mark.parametrize(
    "model,name", guarded_model_fields(), ids=lambda v: v if isinstance(v, str) else v.__name__
)
def test_the_clinical_corpus_passes_through_every_guarded_field(model, name):
    from .clinical_corpus import CLINICAL_PHRASES

    max_length = model._meta.get_field(name).max_length
    refused = []
    for phrase in CLINICAL_PHRASES:
        try:
            guard_free_text(model(**{name: phrase[:max_length] if max_length else phrase}))
        except ValidationError:
            refused.append(phrase)
    assert refused == []
