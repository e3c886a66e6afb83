from django.db import migrations


def seed_default_template(apps, schema_editor):
    from agreements.criteria_defaults import DEFAULT_CRITERIA, DEFAULT_TEMPLATE_NAME

    Template = apps.get_model("agreements", "CriteriaTemplate")
    Criterion = apps.get_model("agreements", "CriterionTemplate")
    template, created = Template.objects.get_or_create(
        name=DEFAULT_TEMPLATE_NAME,
        version=1,
        defaults={
            "description": "Provisional figures from published sources. Each trust confirms or "
            "changes them locally before agreements are signed.",
        },
    )
    if created:
        for position, row in enumerate(DEFAULT_CRITERIA, start=1):
            Criterion.objects.create(template=template, position=position, **row)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(seed_default_template, migrations.RunPython.noop)]
