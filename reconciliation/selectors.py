"""Reads for reconciliation, and the one place that decides who sees which list and sample.

- Procedure lists: training leads and governance leads of the list's organisation import them and
  see them; clinical and medical directors of that organisation see them; administrators see all.
- A trainee sees only the list entries that name their own GMC number (never a list itself).
- A case's state is shown wherever the case is (its visibility is the logbook's,
  ``caselogs.selectors.case_list_for_user``).
- Audit samples: the organisation's training leads draw them and record findings; its governance
  lead and directors read them; administrators see all.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Organisation, Role, Site, User
from accounts.selectors import membership_list_active_for_user, user_is_administrator
from caselogs.models import Case
from caselogs.registry import CaseTag

from .models import (
    AuditSample,
    CaseReconciliation,
    ListOperator,
    MatchState,
    ProcedureList,
    SampledCase,
)

IMPORT_ROLES = frozenset({Role.TRAINING_LEAD, Role.GOVERNANCE_LEAD})
LIST_READ_ROLES = IMPORT_ROLES | {Role.CLINICAL_DIRECTOR, Role.MEDICAL_DIRECTOR}
SAMPLE_RECORD_ROLES = frozenset({Role.TRAINING_LEAD})


def _organisation_ids(user: User, roles: Iterable[str]) -> set[int]:
    if user_is_administrator(user):
        return set(Organisation.objects.values_list("pk", flat=True))
    wanted = set(roles)
    return {m.organisation_id for m in membership_list_active_for_user(user) if m.role in wanted}


def list_organisation_ids_for_user(user: User) -> set[int]:
    """Organisations whose procedure lists this person may import."""
    return _organisation_ids(user, IMPORT_ROLES)


def list_site_list_for_user(user: User) -> QuerySet[Site]:
    """The sites whose procedure lists this person may import (the form names each by its own
    name, so no join)."""
    return Site.objects.filter(organisation_id__in=list_organisation_ids_for_user(user))


def sample_organisation_list(organisation_ids: Iterable[int]) -> QuerySet[Organisation]:
    """The organisations a sample may be drawn for, by name (ids from
    ``sample_record_organisation_ids_for_user``)."""
    return Organisation.objects.filter(pk__in=organisation_ids).order_by("name")


def sample_record_organisation_ids_for_user(user: User) -> set[int]:
    """Organisations whose audit samples this person may draw and record findings for."""
    return _organisation_ids(user, SAMPLE_RECORD_ROLES)


def procedure_list_list_for_user(*, user: User) -> QuerySet[ProcedureList]:
    return ProcedureList.objects.filter(
        organisation_id__in=_organisation_ids(user, LIST_READ_ROLES)
    ).select_related("site", "organisation", "uploaded_by")


def procedure_list_get_for_user(*, user: User, pk: int) -> ProcedureList:
    return get_object_or_404(procedure_list_list_for_user(user=user), pk=pk)


def list_entry_counts(procedure_list: ProcedureList) -> dict[str, int]:
    """How the list's operators stand: logged (a case took them), answered "not involved", and
    the rest."""
    operators = ListOperator.objects.filter(entry__procedure_list=procedure_list)
    return operators.aggregate(
        operators=Count("pk"),
        logged=Count("pk", filter=Q(match__isnull=False)),
        matched=Count("pk", filter=Q(match__state=MatchState.MATCHED)),
        probable=Count("pk", filter=Q(match__state=MatchState.PROBABLE)),
        not_involved=Count("pk", filter=Q(response=ListOperator.Response.NOT_INVOLVED)),
    )


def not_logged_for_trainee(*, user: User) -> QuerySet[ListOperator]:
    """List entries that name this trainee and that no case of theirs took, unanswered: each asks
    "were you involved?"."""
    if not user.gmc_number:
        return ListOperator.objects.none()
    return (
        ListOperator.objects.filter(gmc_number=user.gmc_number, response="", match__isnull=True)
        .select_related("entry__procedure_list__site")
        .order_by("entry__performed_on", "pk")
    )


def not_logged_get_for_trainee(*, user: User, pk: int) -> ListOperator:
    return get_object_or_404(not_logged_for_trainee(user=user), pk=pk)


def case_states(case_ids: Iterable[int]) -> dict[int, str]:
    """Each case's state (one query): cases no list covers are "no list uploaded yet"."""
    ids = list(case_ids)
    found = dict(CaseReconciliation.objects.filter(case_id__in=ids).values_list("case_id", "state"))
    return {pk: found.get(pk, MatchState.NO_LIST) for pk in ids}


def case_state(case: Case) -> str:
    return case_states([case.pk])[case.pk]


@dataclass(frozen=True)
class ReconciliationRate:
    """Verified cases against the lists: ``covered`` are those a list covers; the rate is the
    share of them matched (probable matches are shown beside it, not counted)."""

    verified: int
    covered: int
    matched: int
    probable: int
    not_on_list: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.matched / self.covered, 1) if self.covered else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "covered": self.covered,
            "matched": self.matched,
            "probable": self.probable,
            "not_on_list": self.not_on_list,
            "percent": self.percent,
        }


_RATE_AGGREGATES = {
    "verified": Count("pk"),
    "covered": Count("pk", filter=Q(reconciliation__isnull=False)),
    "matched": Count("pk", filter=Q(reconciliation__state=MatchState.MATCHED)),
    "probable": Count("pk", filter=Q(reconciliation__state=MatchState.PROBABLE)),
    "not_on_list": Count("pk", filter=Q(reconciliation__state=MatchState.NOT_ON_LIST)),
}


def reconciliation_rate(verified: QuerySet[Case]) -> ReconciliationRate:
    """The rate over these verified cases, in one aggregate."""
    return ReconciliationRate(**verified.order_by().aggregate(**_RATE_AGGREGATES))


def sample_list_for_user(*, user: User) -> QuerySet[AuditSample]:
    return AuditSample.objects.filter(
        organisation_id__in=_organisation_ids(user, LIST_READ_ROLES)
    ).select_related("organisation", "drawn_by")


def sample_get_for_user(*, user: User, pk: int) -> AuditSample:
    return get_object_or_404(sample_list_for_user(user=user), pk=pk)


def sampled_cases(sample: AuditSample) -> QuerySet[SampledCase]:
    return sample.cases.select_related("case__trainee", "case__site", "recorded_by")


@dataclass(frozen=True)
class SampleFindings:
    sampled: int
    recorded: int
    confirmed: int
    role_agrees: int
    outcome_agrees: int

    @property
    def confirmed_percent(self) -> float | None:
        return round(100 * self.confirmed / self.recorded, 1) if self.recorded else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "sampled": self.sampled,
            "recorded": self.recorded,
            "confirmed": self.confirmed,
            "role_agrees": self.role_agrees,
            "outcome_agrees": self.outcome_agrees,
            "confirmed_percent": self.confirmed_percent,
        }


def sample_findings(samples: QuerySet[SampledCase]) -> SampleFindings:
    """What the sampled cases' hospital records showed, in one aggregate. The role agrees when
    the record gives the role the logbook does."""
    figures = samples.order_by().aggregate(
        sampled=Count("pk"),
        recorded=Count("pk", filter=~Q(confirmed="")),
        confirmed=Count("pk", filter=Q(confirmed=SampledCase.Confirmed.CONFIRMED)),
        role_agrees=Count("pk", filter=Q(role=F("case__trainee_role"))),
        outcome_agrees=Count("pk", filter=Q(outcome=SampledCase.Outcome.AGREES)),
    )
    return SampleFindings(**figures)


RATES_LIMIT = 50


def _rate_rows(rows: Iterable[dict], name: str) -> list[dict[str, Any]]:
    """Rows of a grouped aggregate as the pages and the report print them, lowest rate first."""
    out = []
    for row in rows:
        rate = ReconciliationRate(
            verified=row.get("verified", row["covered"]),
            covered=row["covered"],
            matched=row["matched"],
            probable=row["probable"],
            not_on_list=row["not_on_list"],
        )
        out.append({"name": row[name], **rate.as_dict()})
    return sorted(out, key=lambda r: (r["percent"] if r["percent"] is not None else 101, r["name"]))


_COVERED_AGGREGATES = {
    "covered": Count("pk"),
    "matched": Count("pk", filter=Q(state=MatchState.MATCHED)),
    "probable": Count("pk", filter=Q(state=MatchState.PROBABLE)),
    "not_on_list": Count("pk", filter=Q(state=MatchState.NOT_ON_LIST)),
}


def reconciliation_rates_for_dashboard(agreement_ids: Any) -> dict[str, Any]:
    """The dashboard's rates per trainee and per centre (where the cases were done), over the
    verified cases of these agreements that a list covers. Read from the reconciliation rows, so
    the cost follows the lists uploaded, not the size of the logbook: two grouped queries."""
    covered = CaseReconciliation.objects.filter(
        case__agreement_id__in=agreement_ids, case__status="verified"
    ).order_by()
    trainees = covered.values(name=F("case__trainee__full_name")).annotate(**_COVERED_AGGREGATES)
    centres = covered.values(name=F("case__site__organisation__name")).annotate(
        **_COVERED_AGGREGATES
    )
    trainee_rows = _rate_rows(trainees, "name")
    return {
        "trainees": trainee_rows[:RATES_LIMIT],
        "trainees_total": len(trainee_rows),
        "centres": _rate_rows(centres, "name")[:RATES_LIMIT],
    }


def reconciliation_for_report(verified: QuerySet[Case]) -> dict[str, Any]:
    """What the audit report freezes (issue 16): the rate over its verified cases, per trainee and
    per centre, and the audit samples' findings for the cases it covers, per quarter."""
    overall = reconciliation_rate(verified)
    per_trainee = (
        verified.order_by().values(name=F("trainee__full_name")).annotate(**_RATE_AGGREGATES)
    )
    per_centre = (
        verified.order_by().values(name=F("site__organisation__name")).annotate(**_RATE_AGGREGATES)
    )
    sampled = SampledCase.objects.filter(case__in=verified.values("pk"))
    quarters = []
    for year, quarter, organisation in (
        sampled.order_by()
        .values_list("sample__year", "sample__quarter", "sample__organisation__name")
        .distinct()
        .order_by("sample__year", "sample__quarter", "sample__organisation__name")
    ):
        findings = sample_findings(
            sampled.filter(
                sample__year=year, sample__quarter=quarter, sample__organisation__name=organisation
            )
        )
        quarters.append(
            {"year": year, "quarter": quarter, "organisation": organisation, **findings.as_dict()}
        )
    return {
        "overall": overall.as_dict(),
        "trainees": _rate_rows(per_trainee, "name")[:RATES_LIMIT],
        "centres": _rate_rows(per_centre, "name")[:RATES_LIMIT],
        "samples": quarters,
        "sample_totals": sample_findings(sampled).as_dict(),
    }


STATE_COLOURS: dict[str, str] = {
    MatchState.MATCHED: "green",
    MatchState.PROBABLE: "blue",
    MatchState.NOT_ON_LIST: "orange",
    MatchState.NO_LIST: "grey",
}
STATE_HELP: dict[str, str] = {
    MatchState.MATCHED: "The hospital's procedure list names this case's accession number, within "
    "a day of its date, with the trainee as an operator.",
    MatchState.PROBABLE: "No accession number was given; the hospital's list has a procedure on "
    "this date at this site naming the trainee.",
    MatchState.NOT_ON_LIST: "A hospital list covers this site and date but has no procedure that "
    "matches this case.",
    MatchState.NO_LIST: "No procedure list covering this site and date has been uploaded yet.",
}


def case_tags(case_ids: list[int]) -> dict[int, CaseTag]:
    """The hospital-list state of each case, for the logbook's pages (one query)."""
    return {
        pk: CaseTag(
            subject="Hospital list",
            label=MatchState(state).label,
            colour=STATE_COLOURS[state],
            help_text=STATE_HELP[state],
        )
        for pk, state in case_states(case_ids).items()
    }
