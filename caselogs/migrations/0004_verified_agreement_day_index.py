"""Index-only scans for the governance dashboard at national scale (docs/performance.md).

- ``case_verified_agreement_day_idx``: verified cases by agreement and day, carrying the columns
  continued practice (12 months) and training time (8 weeks) sum: 213 and 390 ms down to about
  35 ms each over every agreement at a million cases.
- ``case_waiting_idx`` (from 0002) also carries the trainee and supervisor, whom the cases
  waiting for verification are grouped by: 70 down to 31 ms.

Only PostgreSQL has INCLUDE; SQLite gets the same keys without the carried columns.
"""

from django.db import migrations

WAITING_KEY = "ON caselogs_case (agreement_id, submitted_at)"
WAITING_ONLY = "WHERE status = 'submitted'"
INDEXES = {
    "case_verified_agreement_day_idx": (
        "ON caselogs_case (agreement_id, performed_on)",
        "procedure, final_etici, any_complication, mrs_90_days, ssnap_entered, "
        "procedure_minutes, id",
        "WHERE status = 'verified'",
    ),
    "case_waiting_idx": (WAITING_KEY, "trainee_id, supervisor_id, id", WAITING_ONLY),
}


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, (key, carried, where) in INDEXES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        included = f" INCLUDE ({carried})" if postgres else ""
        schema_editor.execute(f"CREATE INDEX {name} {key}{included} {where}")


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS case_verified_agreement_day_idx")
    schema_editor.execute("DROP INDEX IF EXISTS case_waiting_idx")
    schema_editor.execute(f"CREATE INDEX case_waiting_idx {WAITING_KEY} {WAITING_ONLY}")


class Migration(migrations.Migration):
    dependencies = [("caselogs", "0003_trainee_day_index")]

    operations = [migrations.RunPython(create, drop)]
