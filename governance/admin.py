from django import forms
from django.contrib import admin, messages
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from audit.services import audit_commitments

from .models import QualityStandard, QualityStandardSet
from .standards import standard_set_changes_record, standard_set_new_version


class QualityStandardInline(admin.TabularInline):
    model = QualityStandard
    extra = 0
    fields = (
        "position",
        "key",
        "label",
        "kind",
        "measure",
        "within_minutes",
        "unit",
        "direction",
        "value",
        "report_only",
        "status",
        "source",
        "notes",
    )
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 24})},
    }


def _standard_changes(formsets):
    changed, added, deleted = {}, [], []
    for formset in formsets:
        if formset.model is not QualityStandard:
            continue
        added += [row.key for row in formset.new_objects]
        deleted += [row.key for row in formset.deleted_objects]
        # Field names, each with a commitment to its new value: labels, sources and notes are
        # text a person wrote, and stay in the rows (and their history).
        changed.update(
            {
                row.key: audit_commitments({name: getattr(row, name) for name in fields})
                for row, fields in formset.changed_objects
            }
        )
    return changed, added, deleted


@admin.register(QualityStandardSet)
class QualityStandardSetAdmin(SimpleHistoryAdmin):
    list_display = ("name", "version", "is_active", "created_at")
    list_filter = ("is_active",)
    inlines = [QualityStandardInline]
    actions = ["copy_as_new_version"]

    def get_readonly_fields(self, request, obj=None):
        # Versions are numbered by "copy as a new version", never by hand once a set exists.
        return ("version", "created_at") if obj else ("created_at",)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_active:
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed, added, deleted = _standard_changes(formsets)
        standard_set_changes_record(
            actor=request.user,
            standard_set=form.instance,
            created=not change,
            set_changed=audit_commitments(
                {name: form.cleaned_data.get(name) for name in form.changed_data}
            ),
            standards_changed=changed,
            standards_added=added,
            standards_deleted=deleted,
        )

    @admin.action(description="Copy as a new version (and put it in force)")
    def copy_as_new_version(self, request, queryset):
        if queryset.count() != 1:
            messages.warning(request, "Choose one set to copy: only one set is in force at a time.")
            return
        copy = standard_set_new_version(actor=request.user, source_set=queryset.get())
        messages.success(
            request, f"Created {copy}, now in force. Edit its standards on its own page."
        )


@admin.register(QualityStandard)
class QualityStandardAdmin(SimpleHistoryAdmin):
    """Every standard's own history; standards are edited on their set's page."""

    list_display = ("label", "standard_set", "standard", "status", "source")
    list_filter = ("standard_set", "status", "kind")
    search_fields = ("key", "label", "source")
    list_select_related = ("standard_set",)

    @admin.display(description="Standard")
    def standard(self, obj):
        return obj.target_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
