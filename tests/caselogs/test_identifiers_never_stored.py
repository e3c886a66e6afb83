"""Generated NHS numbers, dates of birth and postcodes inside a case's free text are refused by
the logging service, and none of them reaches the database."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from caselogs.models import Case

from .conftest import log_case
from .test_identifier_guard import date_formats, postcodes, surrounding, valid_nhs_numbers

pytestmark = pytest.mark.django_db

FREE_TEXT_FIELDS = ["reflection", "aborted_reason", "reference"]


@st.composite
def identifiers(draw):
    kind = draw(st.sampled_from(["nhs", "dob", "postcode"]))
    if kind == "nhs":
        return draw(valid_nhs_numbers())
    if kind == "postcode":
        return draw(postcodes())
    day = draw(st.dates(min_value=date(1900, 1, 1), max_value=date.today()))
    return draw(st.sampled_from(date_formats(day)))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    identifier=identifiers(),
    field=st.sampled_from(FREE_TEXT_FIELDS),
    before=surrounding,
    after=surrounding,
)
def test_identifiers_in_free_text_never_reach_the_database(
    logbook, identifier, field, before, after
):
    text = f"{before} {identifier} {after}".strip()[: 40 if field == "reference" else 2000]
    if identifier not in text:
        text = identifier
    with pytest.raises(ValidationError) as excinfo:
        log_case(logbook, **{field: text})
    assert field in excinfo.value.message_dict
    assert identifier not in str(excinfo.value)
    assert not Case.objects.exists()
    assert not Case.history.exists()
    assert not AuditEvent.objects.filter(summary__contains=identifier).exists()
