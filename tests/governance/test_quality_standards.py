"""Quality standards are data: seeded from DOMAIN.md with their sources, judged by direction,
versioned by copying, and edited by administrators with history and audit events."""

import importlib
import threading
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from governance.models import QualityStandard, QualityStandardSet
from governance.standards import (
    DEFAULT_SET_NAME,
    default_standards_ensure,
    standard_judge,
    standard_set_in_force,
    standard_set_new_version,
    standards_in_force,
)
from tests.admin_forms import admin_change_form_data
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:governance_qualitystandardset_changelist"

# Every row of DOMAIN.md's "Quality indicators" and "Time targets" tables: source and status as
# written there.
DOMAIN_ROWS = {
    "eligible_treated_percent": ("Sacks 2018, metric 1", "confirmed"),
    "ssnap_entered_percent": ("Sacks 2018, metric 2", "confirmed"),
    "successful_reperfusion": (
        "Wasselius 2024; Royal Stoke series, BMC Neurol 2020",
        "provisional",
    ),
    "vessel_perforation_percent": ("MR CLEAN Registry", "provisional"),
    "any_complication_percent": ("published trial summaries", "provisional"),
    "mrs_0_2_at_90_days_percent": ("Royal Stoke, BMC Neurol 2020", "provisional"),
    "mortality_90_days_percent": ("Royal Stoke", "provisional"),
    "centre_volume_per_year": ("Wasselius 2024", "provisional"),
    "door_to_imaging_within_30_min_percent": ("Sacks et al. 2018, metric 3", "confirmed"),
    "door_to_puncture_minutes": ("SNIS process metrics", "confirmed"),
    "door_to_reperfusion_minutes": ("SNIS process metrics", "confirmed"),
    "referring_imaging_to_puncture_minutes": ("SNIS process metrics", "confirmed"),
    "imaging_to_puncture_within_60_min_percent": ("Sacks et al. 2018, metric 4", "provisional"),
    "door_in_door_out_minutes": ("UK practice, to confirm", "provisional"),
}
REPORT_ONLY = {
    "vessel_perforation_percent",
    "any_complication_percent",
    "mrs_0_2_at_90_days_percent",
    "mortality_90_days_percent",
}


@pytest.fixture
def seeded():
    # A transactional test elsewhere may have flushed the migration's seed.
    return default_standards_ensure(QualityStandardSet, QualityStandard)


@pytest.fixture
def administrator(member, organisation):
    return member(Role.ADMINISTRATOR, organisation)


@pytest.fixture
def admin_client(client, administrator):
    return sign_in(client, administrator)


def _standard(**overrides):
    fields = dict(
        key="test_percent",
        label="Test",
        kind="quality_indicator",
        measure="proportion",
        unit="%",
        direction="at_least",
        value=Decimal("50"),
        source="A test source",
        status="provisional",
    )
    return QualityStandard(**{**fields, **overrides})


# The seed


def test_the_seed_holds_every_domain_row_with_its_source_and_status(seeded):
    standards = standards_in_force()
    assert standard_set_in_force() == seeded and seeded.name == DEFAULT_SET_NAME
    assert set(standards) == set(DOMAIN_ROWS)
    for key, (source, status) in DOMAIN_ROWS.items():
        assert (standards[key].source, standards[key].status) == (source, status), key
        assert standards[key].report_only is (key in REPORT_ONLY), key
        assert standards[key].label and standards[key].full_clean() is None


def test_a_few_seeded_standards_exactly(seeded):
    standards = standards_in_force()

    door_to_imaging = standards["door_to_imaging_within_30_min_percent"]
    assert (
        door_to_imaging.value,
        door_to_imaging.direction,
        door_to_imaging.measure,
        door_to_imaging.within_minutes,
        door_to_imaging.unit,
    ) == (Decimal("75"), "at_least", "proportion_within", 30, "%")
    assert door_to_imaging.source == "Sacks et al. 2018, metric 3"
    assert door_to_imaging.status == "confirmed"
    assert door_to_imaging.target_display == "at least 75% within 30 minutes"

    reperfusion = standards["successful_reperfusion"]
    assert (reperfusion.value, reperfusion.direction, reperfusion.status) == (
        Decimal("80"),
        "at_least",
        "provisional",
    )
    assert "Wasselius 2024" in reperfusion.source
    assert reperfusion.target_display == "at least 80%"

    perforation = standards["vessel_perforation_percent"]
    assert perforation.report_only and perforation.value is None
    assert perforation.direction == "at_most"
    assert "2.6% seen nationally (MR CLEAN Registry)" in perforation.notes
    assert perforation.target_display == "Report only"

    puncture = standards["door_to_puncture_minutes"]
    assert puncture.target_display == "median at most 60 minutes"
    assert standards["centre_volume_per_year"].target_display == "at least 50 cases a year"


def test_every_figure_not_confirmed_is_provisional(seeded):
    statuses = {row.key: row.status for row in seeded.standards.all()}
    assert set(statuses.values()) == {"confirmed", "provisional"}
    confirmed = {key for key, (_, status) in DOMAIN_ROWS.items() if status == "confirmed"}
    assert {key for key, status in statuses.items() if status == "confirmed"} == confirmed
    assert all(status == "provisional" for key, status in statuses.items() if key not in confirmed)


def test_the_seed_is_idempotent_and_leaves_administrators_edits_alone(seeded):
    reperfusion = seeded.standards.get(key="successful_reperfusion")
    reperfusion.value = Decimal("85")
    reperfusion.save()
    assert default_standards_ensure(QualityStandardSet, QualityStandard) == seeded
    assert QualityStandardSet.objects.count() == 1
    assert seeded.standards.count() == len(DOMAIN_ROWS)
    assert standards_in_force()["successful_reperfusion"].value == Decimal("85")


def test_the_data_migration_seeds_through_the_same_function():
    QualityStandardSet.objects.all().delete()
    migration = importlib.import_module("governance.migrations.0002_default_quality_standards")
    migration.seed_default_standards(django_apps, None)
    assert set(standards_in_force()) == set(DOMAIN_ROWS)


def test_no_set_in_force_means_no_standards(seeded):
    seeded.is_active = False
    seeded.save()
    assert standards_in_force() == {} and standard_set_in_force() is None


# Judging an observed figure


@pytest.mark.parametrize(
    "direction, value, observed, expected",
    [
        ("at_least", "80", Decimal("80"), "met"),
        ("at_least", "80", Decimal("80.01"), "met"),
        ("at_least", "80", Decimal("79.99"), "not met"),
        ("at_least", "80", 79.99, "not met"),
        ("at_least", "80", 80.0, "met"),
        ("at_least", "100", 100, "met"),
        ("at_least", "100", Decimal("99.9"), "not met"),
        ("at_most", "60", 60, "met"),
        ("at_most", "60", Decimal("59.5"), "met"),
        ("at_most", "60", Decimal("60.5"), "not met"),
        ("at_most", "60", 61, "not met"),
        ("at_least", "80", None, "no data"),
        ("at_most", "60", None, "no data"),
        ("at_least", "0", 0, "met"),
    ],
)
def test_judge_honours_the_direction_and_meets_at_the_value(direction, value, observed, expected):
    standard = _standard(direction=direction, value=Decimal(value))
    assert standard_judge(standard, observed) == expected


@pytest.mark.parametrize("observed", [Decimal("0"), Decimal("2.6"), Decimal("50"), None])
def test_judge_says_report_only_whatever_the_figure(observed):
    standard = _standard(direction="at_most", value=None, report_only=True)
    assert standard_judge(standard, observed) == "report only"


def test_judge_on_the_seeded_standards(seeded):
    standards = standards_in_force()
    assert standard_judge(standards["successful_reperfusion"], Decimal("83.1")) == "met"
    assert standard_judge(standards["door_to_puncture_minutes"], 75) == "not met"
    assert standard_judge(standards["vessel_perforation_percent"], 3) == "report only"
    assert standard_judge(standards["centre_volume_per_year"], None) == "no data"


# Validation


def test_a_standard_without_a_value_and_not_report_only_is_refused_beside_the_field(seeded):
    standard = _standard(standard_set=seeded, value=None)
    with pytest.raises(ValidationError) as refused:
        standard.full_clean()
    assert list(refused.value.error_dict) == ["value"]
    assert "report only" in refused.value.error_dict["value"][0].messages[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        standard.save()


def test_other_inconsistent_standards_are_refused_beside_their_field(seeded):
    cases = [
        (dict(report_only=True), "value"),
        (dict(value=Decimal("101")), "value"),
        (dict(measure="proportion_within"), "within_minutes"),
        (dict(measure="proportion_within", within_minutes=30, unit="minutes"), "unit"),
        (dict(key="successful_reperfusion"), "__all__"),
    ]
    for overrides, field in cases:
        with pytest.raises(ValidationError) as refused:
            _standard(standard_set=seeded, **overrides).full_clean()
        assert field in refused.value.error_dict, overrides


def test_only_one_set_is_in_force(seeded):
    second = QualityStandardSet(name="Local standards", version=1, is_active=True)
    with pytest.raises(ValidationError) as refused:
        second.full_clean()
    assert "Another set of quality standards is in force" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


# Versions


def test_a_new_version_copies_the_rows_retires_the_old_and_is_audited(seeded, administrator):
    copy = standard_set_new_version(actor=administrator, source_set=seeded)
    seeded.refresh_from_db()
    assert not seeded.is_active and copy.is_active
    assert (copy.name, copy.version) == (seeded.name, 2)
    assert standard_set_in_force() == copy

    def rows(standard_set):
        return [
            (
                row.key,
                row.label,
                row.value,
                row.direction,
                row.report_only,
                row.source,
                row.status,
                row.notes,
                row.measure,
                row.within_minutes,
                row.unit,
                row.position,
            )
            for row in standard_set.standards.order_by("position")
        ]

    assert rows(copy) == rows(seeded) and len(rows(copy)) == len(DOMAIN_ROWS)
    assert {row.standard_set_id for row in standards_in_force().values()} == {copy.pk}
    assert seeded.standards.count() == len(DOMAIN_ROWS)

    assert copy.history.get().history_user == administrator
    assert seeded.history.first().history_user == administrator
    assert not seeded.history.first().is_active
    assert all(row.history.get().history_user == administrator for row in copy.standards.all())
    event = AuditEvent.objects.get(verb="quality_standards.versioned")
    assert event.actor == administrator and event.object_id == str(copy.pk)
    assert event.data["copied_from"] == seeded.pk


def test_copying_an_old_version_numbers_after_the_newest(seeded, administrator):
    second = standard_set_new_version(actor=administrator, source_set=seeded)
    third = standard_set_new_version(actor=administrator, source_set=seeded)
    second.refresh_from_db()
    assert third.version == 3 and third.is_active and not second.is_active
    assert QualityStandardSet.objects.filter(is_active=True).get() == third


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent connections need PostgreSQL (DATABASE_URL); CI runs this",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_log_truncatable")
def test_administrators_copying_at_once_queue_and_leave_one_set_in_force(member, organisation):
    seeded = default_standards_ensure(QualityStandardSet, QualityStandard)
    administrator = member(Role.ADMINISTRATOR, organisation)
    barrier = threading.Barrier(4)
    versions, errors = [], []

    def copy():
        try:
            barrier.wait(timeout=10)
            copy = standard_set_new_version(actor=administrator, source_set=seeded)
            versions.append(copy.version)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=copy) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(versions) == [2, 3, 4, 5]
    assert standard_set_in_force().version == 5
    assert all(
        row.standards.count() == len(DOMAIN_ROWS) for row in QualityStandardSet.objects.all()
    )


# The admin


def test_the_admin_lists_the_sets_for_an_administrator(
    admin_client, seeded, administrator, django_assert_max_num_queries
):
    standard_set_new_version(actor=administrator, source_set=seeded)
    with django_assert_max_num_queries(20):
        response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    html = response.content.decode()
    assert DEFAULT_SET_NAME in html and "copy_as_new_version" in html
    change = admin_client.get(
        reverse("admin:governance_qualitystandardset_change", args=[seeded.pk])
    )
    assert change.status_code == 200
    assert "Sacks et al. 2018, metric 3" in change.content.decode()
    standards = admin_client.get(reverse("admin:governance_qualitystandard_changelist"))
    assert standards.status_code == 200 and "at least 75% within 30 minutes" in (
        standards.content.decode()
    )


def test_the_admin_list_query_count_does_not_grow_with_the_sets(
    admin_client, seeded, administrator, django_assert_max_num_queries
):
    admin_client.get(reverse(CHANGELIST))
    for _ in range(5):
        standard_set_new_version(actor=administrator, source_set=seeded)
    with django_assert_max_num_queries(20):
        assert admin_client.get(reverse(CHANGELIST)).status_code == 200


def test_people_who_are_not_administrators_do_not_reach_the_admin(
    client, member, organisation, seeded
):
    sign_in(client, member(Role.GOVERNANCE_LEAD, organisation))
    assert client.get(reverse(CHANGELIST), follow=True).status_code == 403


def _row_prefix(response, key):
    formset = response.context["inline_admin_formsets"][0].formset
    return next(form.prefix for form in formset.forms if form.instance.key == key)


def test_an_administrator_edits_a_standard_and_history_records_who_changed_what(
    admin_client, administrator, seeded
):
    url = reverse("admin:governance_qualitystandardset_change", args=[seeded.pk])
    page = admin_client.get(url)
    data = admin_change_form_data(page)
    prefix = _row_prefix(page, "successful_reperfusion")
    data[f"{prefix}-value"] = "85"
    data[f"{prefix}-status"] = "confirmed"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    standard = seeded.standards.get(key="successful_reperfusion")
    assert (standard.value, standard.status) == (Decimal("85"), "confirmed")
    latest = standard.history.first()
    assert latest.history_user == administrator and latest.prev_record.history_type == "+"
    delta = latest.diff_against(latest.prev_record)
    assert {change.field: (change.old, change.new) for change in delta.changes} == {
        "value": (Decimal("80.00"), Decimal("85.00")),
        "status": ("provisional", "confirmed"),
    }
    event = AuditEvent.objects.get(verb="quality_standards.changed")
    assert event.actor == administrator
    assert sorted(event.data["standards_changed"]["successful_reperfusion"]) == ["status", "value"]


def test_the_admin_refuses_a_value_left_empty_beside_the_field(admin_client, seeded):
    url = reverse("admin:governance_qualitystandardset_change", args=[seeded.pk])
    page = admin_client.get(url)
    data = admin_change_form_data(page)
    prefix = _row_prefix(page, "eligible_treated_percent")
    data[f"{prefix}-value"] = ""
    response = admin_client.post(url, data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    row = next(form for form in formset.forms if form.prefix == prefix)
    assert list(row.errors) == ["value"]
    assert "tick “report only”" in response.content.decode()
    assert seeded.standards.get(key="eligible_treated_percent").value == Decimal("90")
    assert not AuditEvent.objects.filter(verb="quality_standards.changed").exists()


def test_the_copy_action_makes_a_new_version_in_force(admin_client, administrator, seeded):
    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "copy_as_new_version", "_selected_action": [seeded.pk]},
        follow=True,
    )
    assert response.status_code == 200
    copy = standard_set_in_force()
    assert copy.version == 2 and copy.standards.count() == len(DOMAIN_ROWS)
    assert f"Created {copy}, now in force" in response.content.decode()
    assert AuditEvent.objects.get(verb="quality_standards.versioned").actor == administrator


def test_the_set_in_force_cannot_be_deleted_in_the_admin(admin_client, administrator, seeded):
    delete = reverse("admin:governance_qualitystandardset_delete", args=[seeded.pk])
    assert admin_client.get(delete).status_code == 403
    standard_set_new_version(actor=administrator, source_set=seeded)
    assert admin_client.get(delete).status_code == 200
