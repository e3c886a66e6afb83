from django.contrib import admin, messages
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from audit.services import audit_commitments, audit_event_record

from .models import AgreementVersion, CriteriaTemplate, CriterionTemplate, TrainingAgreement


class CriterionTemplateInline(admin.TabularInline):
    model = CriterionTemplate
    extra = 0
    fields = (
        "phase",
        "position",
        "kind",
        "target",
        "parameters",
        "description",
        "source",
        "source_status",
    )


@admin.register(CriteriaTemplate)
class CriteriaTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("name", "version", "is_active", "created_at")
    list_filter = ("is_active",)
    inlines = [CriterionTemplateInline]
    actions = ["copy_as_new_version"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_event_record(
            actor=request.user,
            verb="criteria_template.changed" if change else "criteria_template.created",
            subject=obj,
            # References only: the template's name and description are text a person wrote.
            summary=f"Criteria template {obj.pk} (version {obj.version}) "
            f"{'changed' if change else 'created'}",
            data={
                "changed": audit_commitments(
                    {name: form.cleaned_data.get(name) for name in form.changed_data}
                )
            },
        )

    @admin.action(description="Copy as a new version (and retire the old one)")
    def copy_as_new_version(self, request, queryset):
        for template in queryset:
            with transaction.atomic():
                criteria = list(template.criteria.all())
                newest = CriteriaTemplate.objects.filter(name=template.name).order_by("-version")[0]
                copy = CriteriaTemplate.objects.create(
                    name=template.name,
                    version=newest.version + 1,
                    description=template.description,
                    is_active=True,
                )
                for row in criteria:
                    row.pk = None
                    row.template = copy
                    row.save()
                template.is_active = False
                template.save(update_fields=["is_active"])
                audit_event_record(
                    actor=request.user,
                    verb="criteria_template.versioned",
                    subject=copy,
                    summary=f"Criteria template {copy.pk} (version {copy.version}) copied from "
                    f"criteria template {template.pk} (version {template.version})",
                    data={"copied_from": template.pk},
                )
            messages.success(
                request, f"Created {copy}. Agreements already drafted keep their copy."
            )


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Agreements change only through their pages and services, so the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrainingAgreement)
class TrainingAgreementAdmin(ReadOnlyAdmin):
    list_display = ("reference", "trainee", "created_at")
    search_fields = ("reference", "trainee__full_name")
    list_select_related = ("trainee",)


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "status", "employer", "training_centre", "start_date")
    list_filter = ("status",)
    list_select_related = ("agreement", "employer", "training_centre")
