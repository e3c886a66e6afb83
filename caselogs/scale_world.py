"""The people, organisations, agreements and phase records around the scale logbook
(``caselogs.scale``): a national programme of T trainees.

Rows go in by COPY with explicit ids, like the cases. The phase tables belong to ``phases``, an app
above this one: they are written by table name (raw COPY), never by importing its models, so the
dependency direction of docs/architecture.md holds for the code that runs in production.

Agreements are in every state (draft, awaiting signatures, active in phase 1 or 2, amended,
completed in phase 3, ended early); a trainee's share of the cases grows with their time in
training.
"""

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from agreements.models import CriterionTemplate

from .scale import copy_rows, next_id

ORGS_PER_TRAINEES = 40
SUPERVISORS_PER_TRAINEE = 0.3
# (status, phase, share, days in training from, to)
PATHWAYS = [
    ("draft", None, 0.06, 0, 30),
    ("awaiting_signatures", None, 0.04, 0, 30),
    ("active", 1, 0.32, 60, 400),
    ("active", 2, 0.38, 300, 700),
    ("completed", 3, 0.17, 700, 1400),
    ("ended_early", 1, 0.03, 100, 500),
]
COMPETENCIES = [
    "stroke_management",
    "imaging_interpretation",
    "mt_technique",
    "complication_management",
    "aftercare",
]
ACTIVITY_KINDS = ["mdt", "mdt", "mdt", "imaging_review", "diagnostic_list", "teaching"]


def _ts(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _ids(table: str, count: int) -> list[int]:
    first = next_id(table)
    return list(range(first, first + count))


class World:
    """Builds the programme; ``plans`` then says how many cases each trainee logs."""

    def __init__(self, *, trainees: int, today: date, seed: int) -> None:
        self.count, self.today, self.rng = trainees, today, random.Random(seed)
        self.plans: list[dict] = []

    def build(self) -> None:
        self._organisations()
        self._people()
        self._agreements()

    # Organisations, sites, directorates --------------------------------------------------------

    def _organisations(self) -> None:
        n = max(2, -(-self.count // ORGS_PER_TRAINEES))
        self.orgs = _ids("accounts_organisation", n)
        self.centres = [org for i, org in enumerate(self.orgs) if i % 3 == 0]
        copy_rows(
            "accounts_organisation",
            ("id", "name", "kind", "is_training_centre", "country"),
            (
                (
                    org,
                    f"Scale Trust {i + 1:04d}",
                    "nhs_trust",
                    org in self.centres,
                    "United Kingdom",
                )
                for i, org in enumerate(self.orgs)
            ),
        )
        self.site = dict(zip(self.orgs, _ids("accounts_site", n), strict=True))
        copy_rows(
            "accounts_site",
            ("id", "name", "organisation_id"),
            (
                (self.site[org], f"Scale Hospital {i + 1:04d}", org)
                for i, org in enumerate(self.orgs)
            ),
        )
        self.directorate = dict(zip(self.orgs, _ids("accounts_directorate", n), strict=True))
        copy_rows(
            "accounts_directorate",
            ("id", "name", "organisation_id"),
            ((self.directorate[org], "Neurosciences and Radiology", org) for org in self.orgs),
        )

    # People and memberships --------------------------------------------------------------------

    def _people(self) -> None:
        n_sup = max(2 * len(self.centres), int(self.count * SUPERVISORS_PER_TRAINEE))
        users, memberships = [], []
        ids = iter(_ids("accounts_user", self.count + n_sup + 2 * len(self.orgs) + 1))
        joined = _ts(self.today - timedelta(days=1500))

        def person(email: str, name: str, gmc: str, role: str, org: int) -> int:
            pk = next(ids)
            users.append((pk, "!", None, False, email, name, gmc, True, False, joined))
            memberships.append((role, joined.date(), None, None, pk, org))
            return pk

        self.supervisors: dict[int, list[int]] = {centre: [] for centre in self.centres}
        for i in range(n_sup):
            centre = self.centres[i % len(self.centres)]
            self.supervisors[centre].append(
                person(
                    f"supervisor{i + 1:05d}@scale.example",
                    f"Supervisor {i + 1:05d}",
                    f"8{i + 1:06d}",
                    "supervisor",
                    centre,
                )
            )
        self.trainees = [
            person(
                f"operator{i + 1:05d}@scale.example",
                f"Operator {i + 1:05d}",
                "",
                "trainee",
                self.orgs[i % len(self.orgs)],
            )
            for i in range(self.count)
        ]
        self.governance_lead = {}
        for i, org in enumerate(self.orgs):
            self.governance_lead[org] = person(
                f"governance{i + 1:04d}@scale.example",
                f"Governance Lead {i + 1:04d}",
                "",
                "governance_lead",
                org,
            )
            person(
                f"director{i + 1:04d}@scale.example",
                f"Clinical Director {i + 1:04d}",
                "",
                "clinical_director",
                org,
            )
        self.administrator = person(
            "programme.admin@scale.example",
            "Programme Administrator",
            "",
            "administrator",
            self.orgs[0],
        )
        copy_rows(
            "accounts_user",
            (
                "id",
                "password",
                "last_login",
                "is_superuser",
                "email",
                "full_name",
                "gmc_number",
                "is_active",
                "is_staff",
                "date_joined",
            ),
            users,
        )
        copy_rows(
            "accounts_membership",
            ("role", "valid_from", "valid_to", "directorate_id", "user_id", "organisation_id"),
            memberships,
        )

    # Agreements, versions, supervisors, criteria, phases ------------------------------------------

    def _pathway(self, i: int) -> tuple:
        roll, total = (i * 0.6180339887) % 1, 0.0  # evenly spread, reproducible
        for pathway in PATHWAYS:
            total += pathway[2]
            if roll < total:
                return pathway
        return PATHWAYS[2]

    def _agreements(self) -> None:
        rng, today = self.rng, self.today
        criteria = list(
            CriterionTemplate.objects.filter(template__is_active=True).order_by(
                "template_id", "phase", "position"
            )
        )
        template_id = criteria[0].template_id if criteria else None
        agreements: list[tuple]
        versions: list[tuple]
        named: list[tuple]
        criterion_rows: list[tuple]
        phases: list[tuple]
        competencies: list[tuple]
        requests: list[tuple]
        agreements, versions, named, criterion_rows, phases = [], [], [], [], []
        competencies, requests = [], []
        agreement_ids = iter(_ids("agreements_trainingagreement", self.count))
        version_ids = iter(_ids("agreements_agreementversion", 2 * self.count))
        for i, trainee in enumerate(self.trainees):
            status, phase, _, low, high = self._pathway(i)
            employer = self.orgs[i % len(self.orgs)]
            centre = self.centres[i % len(self.centres)]
            lead, second = rng.sample(self.supervisors[centre], 2)
            start = today - timedelta(days=rng.randint(low, high))
            agreement = next(agreement_ids)
            agreements.append(
                (
                    agreement,
                    f"SC-{i + 1:06d}",
                    _ts(start - timedelta(days=20)),
                    self.governance_lead[employer],
                    trainee,
                )
            )
            amended = status == "active" and rng.random() < 0.12
            chain = (
                [("superseded", start), (status, start + timedelta(days=90))]
                if amended
                else [(status, start)]
            )
            previous = None
            for number, (version_status, from_day) in enumerate(chain, start=1):
                version = next(version_ids)
                signed = version_status not in ("draft", "awaiting_signatures")
                versions.append(
                    (
                        version,
                        number,
                        version_status,
                        start,
                        rng.choice([12, 18, 24]),
                        "[]",
                        rng.choice(["1.0", "2.0", "2.0", "3.0"]),
                        '["mt_in_hours", "interventional_lists"]',
                        "Sessions covered by the department's locum budget.",
                        "0.0",
                        "Centre rota unchanged.",
                        "0.0",
                        True,
                        True,
                        "",
                        12,
                        _ts(from_day - timedelta(days=14)),
                        _ts(from_day - timedelta(days=7)) if version_status != "draft" else None,
                        _ts(from_day) if signed else None,
                        _ts(today - timedelta(days=rng.randint(1, 90)))
                        if version_status in ("completed", "ended_early")
                        else _ts(from_day + timedelta(days=90))
                        if version_status == "superseded"
                        else None,
                        "Left the programme." if version_status == "ended_early" else "",
                        "",
                        self.directorate[centre],
                        employer,
                        self.directorate[employer],
                        self.governance_lead[employer] if version_status == "ended_early" else None,
                        self.governance_lead[employer],
                        previous,
                        centre,
                        template_id,
                        agreement,
                    )
                )
                named += [(True, lead, version), (False, second, version)]
                criterion_rows += [
                    (
                        c.phase,
                        c.position,
                        c.kind,
                        c.target,
                        c.parameters,
                        c.description,
                        c.source,
                        c.source_status,
                        version,
                    )
                    for c in criteria
                ]
                previous = version
            if phase is None:
                continue
            self._phases(
                agreement,
                phase,
                status,
                start,
                lead,
                second,
                trainee,
                phases,
                competencies,
                requests,
            )
            self.plans.append(
                {
                    "trainee": trainee,
                    "agreement": agreement,
                    "site": self.site[centre],
                    "supervisors": (lead, second),
                    "start": start,
                    "weight": (today - start).days * rng.uniform(0.6, 1.4),
                    "open": status in ("active", "completed"),
                }
            )
        self._copy_agreements(
            agreements, versions, named, criterion_rows, phases, competencies, requests
        )

    def _phases(
        self,
        agreement: int,
        phase: int,
        status: str,
        start: date,
        lead: int,
        second: int,
        trainee: int,
        phases: list[tuple],
        competencies: list[tuple],
        requests: list[tuple],
    ) -> None:
        today, rng = self.today, self.rng
        days = (today - start).days
        moves = [start + timedelta(days=int(days * share)) for share in (0.45, 0.8)][: phase - 1]
        starts = [start, *moves]
        ends = [*moves, None]
        if status == "ended_early":
            ends[-1] = today - timedelta(days=rng.randint(1, 60))
        for number, (began, ended) in enumerate(zip(starts, ends, strict=True), start=1):
            phases.append((number, began, ended, "", _ts(began), agreement))
        for move, (kind, to) in zip(moves, [("advance", 2), ("independence", 3)], strict=False):
            requests.append(
                (
                    kind,
                    to - 1,
                    to,
                    _ts(move - timedelta(days=10)),
                    "",
                    '{"criteria": [], "seeded": true}',
                    "approved",
                    _ts(move),
                    "",
                    agreement,
                    trainee if to == 2 else lead,
                )
            )
        earned = COMPETENCIES[:2] if phase == 2 else COMPETENCIES if phase == 3 else []
        for competency in earned:
            for supervisor in (lead, second) if competency in COMPETENCIES[2:] else (lead,):
                competencies.append(
                    (
                        competency,
                        "Observed over several cases.",
                        _ts(moves[0] if moves else start),
                        agreement,
                        supervisor,
                    )
                )

    def _copy_agreements(
        self,
        agreements: list[tuple],
        versions: list[tuple],
        named: list[tuple],
        criteria: list[tuple],
        phases: list[tuple],
        competencies: list[tuple],
        requests: list[tuple],
    ) -> None:
        copy_rows(
            "agreements_trainingagreement",
            ("id", "reference", "created_at", "created_by_id", "trainee_id"),
            agreements,
        )
        copy_rows(
            "agreements_agreementversion",
            (
                "id",
                "number",
                "status",
                "start_date",
                "expected_duration_months",
                "review_dates",
                "sessions_per_week",
                "arrangements",
                "backfill_trainee_service",
                "backfill_trainee_sessions",
                "backfill_centre",
                "backfill_centre_sessions",
                "job_plan_confirmed",
                "service_protection_confirmed",
                "independence_local_terms",
                "audit_frequency_months",
                "created_at",
                "submitted_at",
                "activated_at",
                "closed_at",
                "end_reason",
                "returned_reason",
                "centre_directorate_id",
                "employer_id",
                "employer_directorate_id",
                "ended_by_id",
                "governance_lead_id",
                "supersedes_id",
                "training_centre_id",
                "criteria_template_id",
                "agreement_id",
            ),
            versions,
        )
        copy_rows("agreements_namedsupervisor", ("is_lead", "supervisor_id", "version_id"), named)
        copy_rows(
            "agreements_agreementcriterion",
            (
                "phase",
                "position",
                "kind",
                "target",
                "parameters",
                "description",
                "source",
                "source_status",
                "version_id",
            ),
            criteria,
        )
        copy_rows(
            "phases_phaserecord",
            ("phase", "started_on", "ended_on", "reason", "created_at", "agreement_id"),
            phases,
        )
        copy_rows(
            "phases_competencysignoff",
            ("competency", "statement", "signed_at", "agreement_id", "supervisor_id"),
            competencies,
        )
        copy_rows(
            "phases_progressionrequest",
            (
                "kind",
                "from_phase",
                "to_phase",
                "requested_at",
                "reason",
                "snapshot",
                "status",
                "decided_at",
                "outcome_reason",
                "agreement_id",
                "requested_by_id",
            ),
            requests,
        )

    # Shares of the cases, activities and assessments -------------------------------------------

    def share_cases(self, total: int) -> None:
        """Give each started trainee a share of ``total`` cases in proportion to their time in
        training (and a little chance), so the shares add up exactly."""
        weights = sum(plan["weight"] for plan in self.plans) or 1
        given = 0
        for plan in self.plans:
            plan["count"] = max(1, int(total * plan["weight"] / weights)) if total else 0
            given += plan["count"]
        for plan in self.plans[: max(total - given, 0)]:
            plan["count"] += 1
        surplus = given - total
        for plan in self.plans:
            if surplus <= 0:
                break
            cut = min(surplus, plan["count"] - 1)
            plan["count"] -= cut
            surplus -= cut

    def activity_rows(self) -> Iterator[tuple]:
        """About one confirmed meeting or list for every eight cases, a couple still waiting."""
        rng = self.rng
        for plan in self.plans:
            lead = plan["supervisors"][0]
            count = max(1, plan["count"] // 8)
            span = max((self.today - plan["start"]).days, 1)
            for n in range(count):
                day = plan["start"] + timedelta(days=int(span * n / count))
                confirmed = n < count - 2
                yield (
                    rng.choice(ACTIVITY_KINDS),
                    day,
                    "1.5",
                    "",
                    "confirmed" if confirmed else "submitted",
                    "",
                    _ts(day, 17) if confirmed else None,
                    _ts(day, 16),
                    plan["agreement"],
                    lead,
                    plan["trainee"],
                )

    def assessment_rows(self) -> Iterator[tuple]:
        """A procedural assessment for about one case in forty, on the trainee's own cases."""
        for plan in self.plans:
            for n in range(plan["count"] // 40):
                offset = int(plan["count"] * (n + 0.5) / max(plan["count"] // 40, 1))
                case = plan["first_case"] + min(offset, plan["count"] - 1)
                day = plan["start"] + timedelta(days=n * 7)
                yield (
                    "procedural",
                    day,
                    2 if n < 3 else 3,
                    "Systematic approach to access and guide catheter position.",
                    "Anticipate the need for a second pass earlier.",
                    _ts(day, 18),
                    plan["agreement"],
                    plan["supervisors"][0],
                    plan["trainee"],
                    case,
                )
