"""``case_trainee_day_idx`` (trainee_id, performed_on, id): a trainee's own logbook, newest first,
a page at a time, without sorting their cases (docs/performance.md). SQL, as in 0002."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("caselogs", "0002_scale_indexes")]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS case_trainee_day_idx "
            "ON caselogs_case (trainee_id, performed_on, id)",
            reverse_sql="DROP INDEX IF EXISTS case_trainee_day_idx",
        ),
    ]
