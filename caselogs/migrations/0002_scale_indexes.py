"""Indexes for a national programme's million cases (docs/performance.md has the plans).

- ``case_day_idx`` (performed_on, id): the export's order and every report period, without
  sorting the whole table.
- ``case_agreement_day_idx`` (agreement_id, performed_on): each agreement's recent cases, for the
  dashboard's training time and continued practice over thousands of agreements.
- ``case_waiting_idx`` (agreement_id, submitted_at) for submitted cases only: the dashboard's
  cases waiting for verification, a few percent of the table.

Written as SQL, not ``Meta.indexes``: the same statements work on SQLite and PostgreSQL, and the
model module stays as it is. ``IF NOT EXISTS`` makes a re-run harmless.
"""

from django.db import migrations

INDEXES = {
    "case_day_idx": "(performed_on, id)",
    "case_agreement_day_idx": "(agreement_id, performed_on)",
    "case_waiting_idx": "(agreement_id, submitted_at) WHERE status = 'submitted'",
}


class Migration(migrations.Migration):
    dependencies = [("caselogs", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON caselogs_case {columns}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
