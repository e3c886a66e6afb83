"""An edit's audit event names each changed field with a commitment to its new value, never the
value, and a reader holding the value (from the row's history) can check it: the commitment is to
the value written as text in one fixed way for each kind of value. And the log refuses, in words,
every change through the ORM (issue 19: tests written for survivors of mutation testing)."""

from datetime import date, timedelta

import pytest

from audit.models import AuditEvent, AuditLogIsAppendOnly
from caselogs.services import case_correct
from privacy.commitments import text_commitment

from .caselogs.conftest import log_case, logbook, mt_case_data  # noqa: F401 - fixture
from .factories import SiteFactory

pytestmark = pytest.mark.django_db


def _changed(case) -> dict[str, str]:
    event = AuditEvent.objects.filter(verb="case.corrected", object_id=str(case.pk)).first()
    assert event is not None, "the correction wrote no audit event"
    return event.data["changed"]


def test_each_changed_field_is_committed_as_its_text_and_unchanged_fields_are_not_named(logbook):
    case = log_case(logbook, age=70, imaging=["ncct"])
    other_site = SiteFactory(organisation=logbook.centre, name="Southbank Second Infirmary")
    new_day = date.today() - timedelta(days=3)
    case_correct(
        case=case,
        trainee=logbook.trainee,
        data=mt_case_data(
            logbook,
            performed_on=new_day,  # a date: its ISO form
            site=other_site,  # a row: its primary key
            out_of_hours=False,  # a flag: Python's word for it
            passes=3,  # a number: its digits
            age=None,  # no value: the empty text
            imaging=["ncct", "cta"],  # a list: sorted JSON
            reflection="Stent retriever first next time.",  # text as written
        ),
    )
    assert _changed(case) == {
        "performed_on": text_commitment(new_day.isoformat()),
        "site": text_commitment(str(other_site.pk)),
        "out_of_hours": text_commitment("False"),
        "passes": text_commitment("3"),
        "age": text_commitment(""),
        "imaging": text_commitment('["ncct", "cta"]'),
        "reflection": text_commitment("Stent retriever first next time."),
    }


def test_a_save_with_nothing_changed_names_no_field(logbook):
    case = log_case(logbook)
    case_correct(case=case, trainee=logbook.trainee, data=mt_case_data(logbook))
    assert _changed(case) == {}


def test_the_log_refuses_changes_and_deletions_in_words(logbook):
    """The refusal says which was refused: the log is append-only through every ORM path."""
    event = AuditEvent.objects.first()
    changed, deleted = r"^Audit events cannot be changed\.$", r"^Audit events cannot be deleted\.$"
    with pytest.raises(AuditLogIsAppendOnly, match=changed):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly, match=deleted):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly, match=changed):
        AuditEvent.objects.filter(pk=event.pk).update(summary="x")
    with pytest.raises(AuditLogIsAppendOnly, match=deleted):
        AuditEvent.objects.all().delete()
