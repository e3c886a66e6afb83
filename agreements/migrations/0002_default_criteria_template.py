from django.db import migrations


def seed_default_template(apps, schema_editor):
    from agreements.criteria_defaults import default_template_ensure

    default_template_ensure(
        apps.get_model("agreements", "CriteriaTemplate"),
        apps.get_model("agreements", "CriterionTemplate"),
    )


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(seed_default_template, migrations.RunPython.noop)]
