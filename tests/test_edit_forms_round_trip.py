"""Every page that edits an existing object, opened for a fully populated object and sent back
exactly as it rendered, saves with no error and changes nothing (issue 13, item 1).

The data posted is read off the rendered page the way a browser builds it (the values of inputs,
checked radios and boxes, selected options, textareas), never written by hand, so a widget that
renders a saved value in a shape it cannot read back (an en-GB "08/06/2026" in an
``<input type="date">``, a radio whose saved ``False`` matches no "false" option) fails here.

The pages are found, not listed: every URL whose view builds a form with ``instance=`` or whose
name ends in ``edit`` must have a case below, so a new edit page without one fails, naming it.
The administration's change forms are sent back the same way, every model it lets one change.
"""

import inspect
import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from agreements.models import AgreementVersion
from agreements.services import SupervisorChoice, agreement_amend, agreement_version_update
from caselogs import choices as c
from caselogs.services import CASE_INPUT_FIELDS, case_log, case_verify

from .agreements.conftest import build_world, draft, submit_and_sign_all, terms_for
from .conftest import sign_in
from .factories import SiteFactory

pytestmark = pytest.mark.django_db

# Written by the services, not by the person editing: a resubmission moves these on.
CASE_BOOKKEEPING = {"status", "revision", "submitted_at", "reminder_sent_at"}


# A browser's value sanitisation (HTML, "value sanitization algorithm"): a value an input of
# these types cannot hold is sent as empty, which is how "08/06/2026" became "required".
SANITISED = {
    "date": re.compile(r"^\d{4,}-\d{2}-\d{2}$"),
    "number": re.compile(r"^-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$"),
    "email": re.compile(r"^[^@\s]+@[^@\s]+$|^$"),
}


class _FormData(HTMLParser):
    """The fields a browser would send for the page's main form (the one posting to the page
    itself, not the navigation's sign-out form), with the button that submits it."""

    def __init__(self, button_name=None):
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self.forms = 0
        self._button_name = button_name
        self._in_form = False
        self._select = None  # (name, multiple, options [(value, selected)])
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post" and not a.get("action"):
            self._in_form, self.forms = True, self.forms + 1
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.data.append((name, a.get("value", "on")))
            elif kind == "submit":
                if name == self._button_name:
                    self.data.append((name, a.get("value", "")))
            elif kind not in ("file", "button", "reset", "image"):
                value = a.get("value", "")
                if kind in SANITISED and not SANITISED[kind].match(value):
                    value = ""
                self.data.append((name, value))
        elif tag == "button" and name and name == self._button_name:
            self.data.append((name, a.get("value", "")))
        elif tag == "select" and name and "disabled" not in a:
            self._select = (name, "multiple" in a, [])
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
            self._select[2].append(self._option)
        elif tag == "textarea" and name and "disabled" not in a:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            name, multiple, options = self._select
            values = [(v if v is not None else text) for v, selected, text in options if selected]
            if not values and not multiple and options:  # a browser sends the first option
                first = options[0]
                values = [first[0] if first[0] is not None else first[2]]
            self.data.extend((name, value) for value in values)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # The HTML parser drops the newline straight after <textarea>, as Django expects.
            self.data.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def rendered_form_data(html: str, button_name=None) -> dict[str, list[str]]:
    parser = _FormData(button_name)
    parser.feed(html)
    assert parser.forms == 1, f"expected one form posting to the page, found {parser.forms}"
    data: dict[str, list[str]] = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data


def round_trip(client, url, *, button_name=None):
    """Open the page, send back what it rendered, and return (form data, response)."""
    page = client.get(url)
    assert page.status_code == 200, url
    data = rendered_form_data(page.content.decode(), button_name)
    response = client.post(url, data)
    errors = ""
    if response.status_code != 302 and response.context:
        form = response.context.get("form")
        errors = form.errors.as_json() if form is not None else ""
    assert response.status_code == 302, f"{url} refused its own rendering: {errors}"
    return data, response


# ---------------------------------------------------------------------------------------------
# The world: a fully populated case (every field the trainee enters has a value, none a default)
# and a fully populated draft agreement


def _full_case_data(world) -> dict:
    return {
        "reference": "FULL-ROUND-TRIP",
        "performed_on": timezone.localdate() - timedelta(days=40),
        "site": world.site,
        "out_of_hours": False,
        "procedure": c.Procedure.MT,
        "trainee_role": c.TraineeRole.PRIMARY_OPERATOR,
        "supervisor": world.lead_supervisor,
        "supervision_mode": c.SupervisionMode.IN_ROOM,
        "final_etici": c.ETICI.G2C,
        "passes": 2,
        "any_complication": True,
        "age": 71,
        "sex": c.Sex.FEMALE,
        "pre_stroke_mrs": 1,
        "nihss_baseline": 17,
        "aspects": 8,
        "aspects_modality": c.AspectsModality.CT,
        "imaging": [c.Imaging.NCCT, c.Imaging.CTA],
        "occlusion_site": c.OcclusionSite.M1,
        "occlusion_side": c.Side.LEFT,
        "thrombolysis": c.Thrombolysis.TENECTEPLASE,
        "admission": c.Admission.TRANSFER,
        "onset_type": c.OnsetType.WITNESSED,
        "onset_to_arrival_minutes": 150,
        "door_in_door_out_minutes": 75,
        "door_to_imaging_minutes": 12,
        "door_to_puncture_minutes": 48,
        "puncture_to_reperfusion_minutes": 31,
        "procedure_minutes": 55,
        "anaesthesia": c.Anaesthesia.CONSCIOUS_SEDATION,
        "access": c.Access.RADIAL,
        "technique": c.Technique.COMBINED,
        "balloon_guide": False,
        "first_pass_etici": c.ETICI.G2B67,
        "rescue_therapy": False,
        "aborted_reason": "Not aborted; noted for the round trip.",
        "complications": [c.Complication.ACCESS_HAEMATOMA, c.Complication.DISTAL_EMBOLISATION],
        "haemorrhage": c.Heidelberg.PH1,
        "haemorrhage_symptomatic": True,
        "sich_definition": c.SICHDefinition.SITS_MOST,
        "nihss_24h": 9,
        "died_in_hospital": False,
        "mrs_90_days": 3,
        "mrs_90_days_method": c.MRSMethod.TELEPHONE,
        "ssnap_entered": True,
        "reflection": "Radial access held well.\nThe second pass needed a longer stent.",
    }


@pytest.fixture
def world(db):
    world = build_world()
    version, _ = submit_and_sign_all(world, draft(world))
    world.agreement = version.agreement
    world.site = SiteFactory(organisation=world.centre, name="Southbank Royal Infirmary")
    data = _full_case_data(world)
    assert set(data) == set(CASE_INPUT_FIELDS), "a case field is missing from the full case"
    world.case = case_log(trainee=world.trainee, data=data)
    world.queried = case_log(
        trainee=world.trainee, data={**data, "reference": "FULL-QUERIED", "out_of_hours": True}
    )
    case_verify(
        case=world.queried,
        supervisor=world.lead_supervisor,
        role_view="primary_operator",
        mode_view="in_room",
        decision="queried",
        comment="Please check the passes.",
    )
    return world


def _case_values(case):
    case.refresh_from_db()
    return {name: getattr(case, name) for name in CASE_INPUT_FIELDS}


def _agreement_draft(world) -> AgreementVersion:
    """An amendment of the active agreement (a draft), with every term given."""
    version = agreement_amend(actor=world.training_lead, agreement=world.agreement)
    return agreement_version_update(
        actor=world.training_lead,
        version=version,
        terms=terms_for(
            world,
            independence_local_terms="Two consultants present for the first ten independent cases.",
            minimum_mt_per_year=24,
            backfill_trainee_sessions=Decimal("1.5"),
            review_dates=["2027-06-01", "2027-12-01"],
        ),
        supervisors=SupervisorChoice(
            supervisors=[world.lead_supervisor, world.second_supervisor],
            lead=world.second_supervisor,
        ),
    )


def _agreement_values(version):
    version = AgreementVersion.objects.get(pk=version.pk)
    values = model_to_dict(version)
    named = sorted((n.supervisor_id, n.is_lead) for n in version.supervisors.all())
    criteria = sorted((k.pk, k.description, k.target) for k in version.criteria.all())
    return values, named, criteria


# ---------------------------------------------------------------------------------------------


def test_a_case_waiting_for_verification_round_trips_unchanged(world, client):
    sign_in(client, world.trainee)
    before = _case_values(world.case)
    data, response = round_trip(client, f"/logbook/{world.case.pk}/edit/")
    day = before["performed_on"]  # three boxes, as typed: no leading zeros
    assert [data[f"performed_on_{part}"] for part in ("day", "month", "year")] == [
        [str(day.day)],
        [str(day.month)],
        [str(day.year)],
    ]
    assert data["out_of_hours"] == ["false"]
    assert _case_values(world.case) == before
    world.case.refresh_from_db()
    assert (world.case.status, world.case.revision) == (c.VerificationStatus.SUBMITTED, 1)


def test_correcting_a_queried_case_round_trips_unchanged_as_its_next_revision(world, client):
    """The journey of issue 13 item 1: the trainee opens the queried case to correct it."""
    sign_in(client, world.trainee)
    before = _case_values(world.queried)
    data, _ = round_trip(client, f"/logbook/{world.queried.pk}/edit/")
    assert data["out_of_hours"] == ["true"]
    assert _case_values(world.queried) == before
    world.queried.refresh_from_db()
    assert (world.queried.status, world.queried.revision) == (c.VerificationStatus.SUBMITTED, 2)


def test_an_agreement_draft_round_trips_unchanged(world, client):
    version = _agreement_draft(world)
    sign_in(client, world.training_lead)
    before = _agreement_values(version)
    round_trip(client, f"/agreements/{world.agreement.pk}/edit/", button_name="save")
    assert _agreement_values(version) == before


# The URL names each test above covers: a new edit page must add its own round trip.
COVERED = {"caselogs:edit", "agreements:edit"}


OUR_APPS = {
    "accounts",
    "agreements",
    "audit",
    "caselogs",
    "documents",
    "governance",
    "irtraining",
    "phases",
    "privacy",
    "reconciliation",
    "signoffs",
}


def _patterns(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.callback


def _is_our_edit_page(name, callback) -> bool:
    view = inspect.unwrap(getattr(callback, "view_class", callback))
    module = getattr(view, "__module__", "") or ""
    if module.split(".")[0] not in OUR_APPS:  # Django's admin and the libraries test their own
        return False
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        return False
    return "instance=" in source or name.endswith("edit")


def test_every_edit_page_has_a_round_trip():
    edit_pages = {name for name, view in _patterns(get_resolver()) if _is_our_edit_page(name, view)}
    assert edit_pages, "no edit page found: the search is broken"
    assert edit_pages <= COVERED, f"edit pages without a round trip: {edit_pages - COVERED}"


def test_every_admin_change_form_round_trips_unchanged(world, client):
    """The administration edits objects too: each model it lets the administrator change, opened
    for the latest object of the world above and saved as rendered, saves and changes nothing."""
    _agreement_draft(world)
    sign_in(client, world.administrator)
    request = RequestFactory().get("/")
    request.user = world.administrator
    refused, changed, tried = {}, {}, []
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.order_by("pk").last()
        if obj is None or not model_admin.has_change_permission(request, obj):
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/change/"
        page = client.get(url)
        if page.status_code != 200 or b'name="_save"' not in page.content:
            continue
        tried.append(model.__name__)
        before = model_to_dict(model._default_manager.get(pk=obj.pk))
        data = rendered_form_data(page.content.decode(), "_save")
        response = client.post(url, data)
        if response.status_code != 302:
            form = response.context.get("adminform") if response.context else None
            refused[model.__name__] = form.form.errors.as_json() if form else response.status_code
            continue
        after = model_to_dict(model._default_manager.get(pk=obj.pk))
        if after != before:
            changed[model.__name__] = {
                k: (before[k], after[k]) for k in before if before[k] != after.get(k)
            }
    assert {"User", "Organisation", "Site", "CriteriaTemplate"} <= set(tried), tried
    assert not refused, f"administration forms refused their own rendering: {refused}"
    assert not changed, f"administration forms changed what they were sent back: {changed}"
