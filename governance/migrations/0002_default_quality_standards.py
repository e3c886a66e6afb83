from django.db import migrations
from django.utils import timezone

SEED_REASON = "Seeded from published sources"


def _history_start(apps, model_name, rows, now):
    """Historical models in migrations write no row history, so record where each row began:
    the first administrator's edit then shows what the figure was before."""
    historical = apps.get_model("governance", f"Historical{model_name}")
    for row in rows:
        if not historical.objects.filter(id=row.pk).exists():
            fields = {
                field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields
            }
            historical.objects.create(
                **fields, history_date=now, history_type="+", history_change_reason=SEED_REASON
            )


def seed_default_standards(apps, schema_editor):
    from governance.standards import default_standards_ensure

    standard_set = default_standards_ensure(
        apps.get_model("governance", "QualityStandardSet"),
        apps.get_model("governance", "QualityStandard"),
    )
    now = timezone.now()
    _history_start(apps, "QualityStandardSet", [standard_set], now)
    _history_start(apps, "QualityStandard", standard_set.standards.all(), now)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(seed_default_standards, migrations.RunPython.noop)]
