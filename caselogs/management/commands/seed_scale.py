"""``manage.py seed_scale --trainees T --cases N``: a national programme's worth of pseudonymous
data, for benchmarks (``make bench``). PostgreSQL only: it writes with COPY.

The demo data (``seed_demo``, run by name so this lower app imports nothing above it) comes first:
it holds the completion certificate, signed through the real services, that the benchmark prints.
"""

import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from caselogs.scale import (
    CASE_COLUMNS,
    VERIFICATION_COLUMNS,
    ProgressBar,
    case_rows,
    copy_rows,
    next_id,
    reset_sequence,
    verification_rows,
)
from caselogs.scale_world import World

SEQUENCED_TABLES = (
    "accounts_organisation",
    "accounts_site",
    "accounts_directorate",
    "accounts_user",
    "accounts_membership",
    "agreements_trainingagreement",
    "agreements_agreementversion",
    "agreements_namedsupervisor",
    "agreements_agreementcriterion",
    "phases_phaserecord",
    "phases_competencysignoff",
    "phases_progressionrequest",
    "caselogs_case",
    "caselogs_caseverification",
    "caselogs_activity",
    "caselogs_assessment",
)
ACTIVITY_COLUMNS = (
    "kind",
    "happened_on",
    "hours",
    "notes",
    "status",
    "supervisor_comment",
    "decided_at",
    "created_at",
    "agreement_id",
    "supervisor_id",
    "trainee_id",
)
ASSESSMENT_COLUMNS = (
    "kind",
    "assessed_on",
    "entrustment",
    "strengths",
    "development_points",
    "created_at",
    "agreement_id",
    "assessor_id",
    "trainee_id",
    "case_id",
)


class Command(BaseCommand):
    help = "Generate a national programme of pseudonymous trainees and cases (PostgreSQL, COPY)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--trainees",
            type=int,
            default=None,
            help="Trainees (default: one per 400 cases, at least 20).",
        )
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--no-demo",
            action="store_true",
            help="Skip seed_demo (and so the signed completion certificate).",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale writes with COPY: point DATABASE_URL at PostgreSQL.")
        cases = options["cases"]
        trainees = options["trainees"] or max(20, cases // 400)
        if trainees < 2 or cases < 0:
            raise CommandError("At least 2 trainees and no negative number of cases.")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM accounts_user WHERE email LIKE %s LIMIT 1", ["%@scale.example"]
            )
            if cursor.fetchone():
                raise CommandError(
                    "This database already holds scale data: seed a fresh one "
                    "(make bench creates its own)."
                )
        started = time.monotonic()
        if not options["no_demo"]:
            self.stderr.write("demo data (seed_demo) ...")
            with open(os.devnull, "w") as quiet:
                call_command("seed_demo", stdout=quiet)
        with transaction.atomic():
            world = self._seed(trainees, cases, options["seed"])
        self.stderr.write("VACUUM ANALYZE ...")
        with connection.cursor() as cursor:
            # VACUUM as well as ANALYZE: it sets the visibility map, as autovacuum would on a live
            # system, so the dashboard's index-only scans (caselogs 0004) need not visit the heap.
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {len(world.trainees):,} trainees, {len(world.orgs):,} organisations and "
                f"{cases:,} cases in {time.monotonic() - started:.0f} s."
            )
        )

    def _seed(self, trainees, cases, seed) -> World:
        today = timezone.localdate()
        world = World(trainees=trainees, today=today, seed=seed)
        self.stderr.write(f"programme: {trainees:,} trainees, agreements, phases ...")
        world.build()
        world.share_cases(cases)
        first = next_id("caselogs_case")
        for plan in world.plans:
            plan["first_case"] = first
            first += plan["count"]
        decided: list = []
        copy_rows(
            "caselogs_case",
            CASE_COLUMNS,
            case_rows(
                world.plans,
                first_id=next_id("caselogs_case"),
                today=today,
                seed=seed,
                verifications=decided,
            ),
            bar=ProgressBar("cases", cases, self.stderr),
        )
        copy_rows(
            "caselogs_caseverification",
            VERIFICATION_COLUMNS,
            verification_rows(decided, seed=seed),
            bar=ProgressBar("verifications", len(decided), self.stderr),
        )
        del decided
        self.stderr.write("activities and assessments ...")
        copy_rows("caselogs_activity", ACTIVITY_COLUMNS, world.activity_rows())
        copy_rows("caselogs_assessment", ASSESSMENT_COLUMNS, world.assessment_rows())
        for table in SEQUENCED_TABLES:
            reset_sequence(table)
        return world
