"""Each role against the logbook's list, detail, edit and verify pages, for a case in their own
organisation's agreement and one elsewhere. What a role may not see answers 404."""

import pytest

from accounts.models import Role

from ..conftest import sign_in
from ..factories import make_member
from .conftest import log_case

pytestmark = pytest.mark.django_db

# role -> (detail, edit, verify) for the trainee's own case
EXPECTED = {
    "trainee": (200, 200, 404),
    "lead_supervisor": (200, 403, 200),
    "second_supervisor": (200, 403, 404),
    "training_lead": (200, 403, 404),
    "employer_clinical_director": (200, 403, 404),
    "centre_clinical_director": (200, 403, 404),
    "employer_medical_director": (200, 403, 404),
    "centre_medical_director": (200, 403, 404),
    "governance_lead": (200, 403, 404),
    "administrator": (200, 403, 404),
    "outsider_director": (404, 404, 404),
    "unnamed_supervisor": (404, 404, 404),
    "other_trainee": (404, 404, 404),
}


def test_permission_table(logbook, client):
    case = log_case(logbook, reference="VIS-1")
    people = logbook.people()
    people["unnamed_supervisor"] = make_member(Role.SUPERVISOR, logbook.centre)
    people["other_trainee"] = make_member(Role.TRAINEE, logbook.employer)
    assert set(people) == set(EXPECTED)
    for name, user in people.items():
        client.logout()
        sign_in(client, user, code_index=9)
        detail, edit, verify = EXPECTED[name]
        got = (
            client.get(f"/logbook/{case.pk}/").status_code,
            client.get(f"/logbook/{case.pk}/edit/").status_code,
            client.get(f"/logbook/{case.pk}/verify/").status_code,
        )
        assert got == (detail, edit, verify), name
        listing = client.get("/logbook/?trainee=all").content.decode()
        assert ("VIS-1" in listing) is (detail == 200), name
        posted = client.post(
            f"/logbook/{case.pk}/verify/",
            {"role_view": "primary_operator", "mode_view": "scrubbed", "decision": "verified"},
        )
        assert posted.status_code in ((302,) if name == "lead_supervisor" else (404,)), name
        if name == "lead_supervisor":
            case.refresh_from_db()
            assert case.status == "verified"
    assert case.verifications.count() == 1
