"""Quality standards: the figures in force, judging an observed figure against one, new versions,
and the seed from the published sources in DOMAIN.md ("Quality indicators" and "Time targets").

The seed is used by a data migration (and by tests after a transactional flush); from then on the
standards are data that administrators maintain in the admin.
"""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from accounts.models import User
from audit.services import audit_event_record

from .models import QualityStandard, QualityStandardSet


class Judgement:
    MET = "met"
    NOT_MET = "not met"
    REPORT_ONLY = "report only"
    NO_DATA = "no data"


DEFAULT_SET_NAME = "Thrombectomy quality standards (published sources)"

PROVISIONAL = "provisional"
CONFIRMED = "confirmed"

_QI = "quality_indicator"
_TIME = "time_target"

# One row per line of DOMAIN.md's two tables, with the source text and status as given there.
DEFAULT_STANDARDS = [
    # Quality indicators
    dict(
        key="eligible_treated_percent",
        label="Eligible patients treated",
        kind=_QI,
        measure="proportion",
        unit="%",
        direction="at_least",
        value=Decimal("90"),
        source="Sacks 2018, metric 1",
        status=CONFIRMED,
    ),
    dict(
        key="ssnap_entered_percent",
        label="Minimum dataset entered in a registry (SSNAP)",
        kind=_QI,
        measure="proportion",
        unit="%",
        direction="at_least",
        value=Decimal("100"),
        source="Sacks 2018, metric 2",
        status=CONFIRMED,
    ),
    dict(
        key="successful_reperfusion",
        label="Successful reperfusion (eTICI 2b50 or better)",
        kind=_QI,
        measure="proportion",
        unit="%",
        direction="at_least",
        value=Decimal("80"),
        source="Wasselius 2024; Royal Stoke series, BMC Neurol 2020",
        status=PROVISIONAL,
        notes="Registries show 83-86%.",
    ),
    dict(
        key="vessel_perforation_percent",
        label="Vessel perforation",
        kind=_QI,
        measure="proportion",
        unit="%",
        direction="at_most",
        report_only=True,
        source="MR CLEAN Registry",
        status=PROVISIONAL,
        notes="About 2.6% seen nationally (MR CLEAN Registry).",
    ),
    dict(
        key="any_complication_percent",
        label="Any intraprocedural complication",
        kind=_QI,
        measure="proportion",
        unit="%",
        direction="at_most",
        report_only=True,
        source="published trial summaries",
        status=PROVISIONAL,
        notes="2.4-7% in trials (published trial summaries).",
    ),
    dict(
        key="mrs_0_2_at_90_days_percent",
        label="90-day mRS 0-2",
        kind=_QI,
        measure="proportion",
        unit="%",
        direction="at_least",
        report_only=True,
        source="Royal Stoke, BMC Neurol 2020",
        status=PROVISIONAL,
        notes="47% in a UK 24/7 series (Royal Stoke, BMC Neurol 2020).",
    ),
    dict(
        key="mortality_90_days_percent",
        label="90-day mortality",
        kind=_QI,
        measure="proportion",
        unit="%",
        direction="at_most",
        report_only=True,
        source="Royal Stoke",
        status=PROVISIONAL,
        notes="19% in the same UK 24/7 series (Royal Stoke, BMC Neurol 2020).",
    ),
    dict(
        key="centre_volume_per_year",
        label="Centre volume (thrombectomies a year)",
        kind=_QI,
        measure="count",
        unit="cases a year",
        direction="at_least",
        value=Decimal("50"),
        source="Wasselius 2024",
        status=PROVISIONAL,
    ),
    # Time targets
    dict(
        key="door_to_imaging_within_30_min_percent",
        label="Door to imaging",
        kind=_TIME,
        measure="proportion_within",
        within_minutes=30,
        unit="%",
        direction="at_least",
        value=Decimal("75"),
        source="Sacks et al. 2018, metric 3",
        status=CONFIRMED,
    ),
    dict(
        key="door_to_puncture_minutes",
        label="Door to groin puncture (comprehensive centre)",
        kind=_TIME,
        measure="median",
        unit="minutes",
        direction="at_most",
        value=Decimal("60"),
        source="SNIS process metrics",
        status=CONFIRMED,
        notes="Published as under 60 min; judged as at most 60.",
    ),
    dict(
        key="door_to_reperfusion_minutes",
        label="Door to reperfusion",
        kind=_TIME,
        measure="median",
        unit="minutes",
        direction="at_most",
        value=Decimal("90"),
        source="SNIS process metrics",
        status=CONFIRMED,
        notes="Published as under 90 min; judged as at most 90.",
    ),
    dict(
        key="referring_imaging_to_puncture_minutes",
        label="Referring-centre imaging to puncture (transfer)",
        kind=_TIME,
        measure="median",
        unit="minutes",
        direction="at_most",
        value=Decimal("90"),
        source="SNIS process metrics",
        status=CONFIRMED,
        notes="Published as under 90 min; judged as at most 90.",
    ),
    dict(
        key="imaging_to_puncture_within_60_min_percent",
        label="Imaging to puncture",
        kind=_TIME,
        measure="proportion_within",
        within_minutes=60,
        unit="%",
        direction="at_least",
        value=Decimal("75"),
        source="Sacks et al. 2018, metric 4",
        status=PROVISIONAL,
        notes="Published as 75% within about 60 min.",
    ),
    dict(
        key="door_in_door_out_minutes",
        label="Door-in-door-out at the referring unit",
        kind=_TIME,
        measure="median",
        unit="minutes",
        direction="at_most",
        value=Decimal("60"),
        source="UK practice, to confirm",
        status=PROVISIONAL,
    ),
]


def default_standards_ensure(set_model: Any, standard_model: Any) -> Any:
    """Create the default set if missing. Takes the models so the data migration can pass its
    historical ones; tests pass the real ones (a transactional test's flush empties the table).
    An existing set is left as administrators made it."""
    standard_set, created = set_model.objects.get_or_create(
        name=DEFAULT_SET_NAME,
        version=1,
        defaults={
            "description": "Seeded from published sources (DOMAIN.md). Figures marked "
            "provisional must be confirmed locally.",
            "is_active": not set_model.objects.filter(is_active=True).exists(),
        },
    )
    if created:
        for position, row in enumerate(DEFAULT_STANDARDS, start=1):
            standard_model.objects.create(standard_set=standard_set, position=position, **row)
    return standard_set


def standard_set_in_force() -> QualityStandardSet | None:
    return QualityStandardSet.objects.filter(is_active=True).first()


def standards_in_force() -> dict[str, QualityStandard]:
    """The standards of the set in force, keyed by key, in their order; empty if none is."""
    rows = (
        QualityStandard.objects.filter(standard_set__is_active=True)
        .select_related("standard_set")
        .order_by("position", "pk")
    )
    return {row.key: row for row in rows}


def standard_judge(standard: QualityStandard, observed: Any) -> str:
    """ "met", "not met", "report only" or "no data". The value itself meets the standard."""
    if standard.report_only or standard.value is None:
        return Judgement.REPORT_ONLY
    if observed is None:
        return Judgement.NO_DATA
    # Through str, so a float such as 79.99 is compared as written, not as its binary neighbour.
    figure = observed if isinstance(observed, Decimal) else Decimal(str(observed))
    met = figure <= standard.value if standard.direction == "at_most" else figure >= standard.value
    return Judgement.MET if met else Judgement.NOT_MET


_COPIED_FIELDS = (
    "key",
    "label",
    "kind",
    "measure",
    "within_minutes",
    "unit",
    "direction",
    "value",
    "report_only",
    "source",
    "status",
    "notes",
    "position",
)


def standard_set_new_version(*, actor: User, source_set: QualityStandardSet) -> QualityStandardSet:
    """Copy a set as the next version of its name, put the copy in force and retire the set that
    was (the copy starts identical; administrators then edit it)."""
    with transaction.atomic():
        # Lock the source and the set in force, so two administrators copying at once queue.
        list(
            QualityStandardSet.objects.select_for_update()
            .filter(Q(pk=source_set.pk) | Q(is_active=True))
            .order_by("pk")
        )
        newest = QualityStandardSet.objects.filter(name=source_set.name).aggregate(
            newest=Max("version")
        )["newest"]
        retired = []
        for in_force in QualityStandardSet.objects.filter(is_active=True):
            in_force.is_active = False
            in_force._history_user = actor  # type: ignore[attr-defined]  # simple_history's author
            in_force.save(update_fields=["is_active"])
            retired.append(in_force.pk)
        copy = QualityStandardSet(
            name=source_set.name,
            version=newest + 1,
            description=source_set.description,
            is_active=True,
        )
        copy._history_user = actor  # type: ignore[attr-defined]  # simple_history's author
        copy.save()
        rows = source_set.standards.order_by("position", "pk")
        for row in rows:
            standard = QualityStandard(
                standard_set=copy, **{field: getattr(row, field) for field in _COPIED_FIELDS}
            )
            standard._history_user = actor  # type: ignore[attr-defined]  # simple_history's author
            standard.save()
        audit_event_record(
            actor=actor,
            verb="quality_standards.versioned",
            subject=copy,
            # References only: a set's name and description are text a person wrote.
            summary=f"New version of the quality standards: set {copy.pk} (version "
            f"{copy.version}), copied from set {source_set.pk} (version {source_set.version})",
            data={"copied_from": source_set.pk, "retired": retired},
        )
    return copy


def standard_set_changes_record(
    *,
    actor: User,
    standard_set: QualityStandardSet,
    created: bool,
    set_changed: dict[str, str],
    standards_changed: dict[str, dict[str, str]],
    standards_added: list[str],
    standards_deleted: list[str],
) -> None:
    """The audit event for an administrator's edit: standards by key, fields by name, each
    changed field with a commitment to its value (``audit_commitments``); the row history holds
    the values."""
    audit_event_record(
        actor=actor,
        verb="quality_standards.created" if created else "quality_standards.changed",
        subject=standard_set,
        summary=f"Quality standards set {standard_set.pk} (version {standard_set.version}) "
        f"{'created' if created else 'changed'}",
        data={
            "changed": set_changed,
            "standards_changed": standards_changed,
            "standards_added": standards_added,
            "standards_deleted": standards_deleted,
        },
    )
