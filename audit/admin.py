from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from .models import AuditEvent, Redaction
from .redaction import RedactionRefused, redactable_tables, text_redact


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is written by services and never edited."""

    list_display = ("sequence", "occurred_at", "actor_label", "verb", "summary")
    list_filter = ("verb",)
    search_fields = ("summary", "actor_label", "object_repr")
    list_select_related = ("actor",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RedactionForm(forms.Form):
    """What `manage.py scan_identifiers` prints: table, column, row. Never the text itself."""

    column = forms.ChoiceField(
        label="Table and column",
        help_text="As scan_identifiers prints them: only columns that hold text a person wrote.",
    )
    object_id = forms.CharField(label="Row id", max_length=64)
    reason = forms.ChoiceField(label="Why", choices=Redaction.Reason.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].choices = [
            (f"{table}.{field}", f"{table}.{field} ({model._meta.verbose_name}: {field})")
            for table, (model, fields) in sorted(redactable_tables().items())
            for field in fields
        ]


@admin.register(Redaction)
class RedactionAdmin(admin.ModelAdmin):
    """Redaction, for the Caldicott guardian: the row keeps "[redacted]", this keeps who, when,
    which field and why, and the commitment that keeps every chain verifiable."""

    list_display = ("redacted_at", "where", "reason", "redacted_by")
    list_filter = ("reason", "model")
    list_select_related = ("redacted_by",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Table, column and row")
    def where(self, redaction):
        return (
            f"{redaction.app_label}_{redaction.model}.{redaction.field}, row {redaction.object_id}"
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RedactionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            table, field = form.cleaned_data["column"].rsplit(".", 1)
            model, _ = redactable_tables()[table]
            try:
                text_redact(
                    actor=request.user,
                    model=model,
                    object_id=form.cleaned_data["object_id"].strip(),
                    fields=[field],
                    reason=form.cleaned_data["reason"],
                )
            except RedactionRefused as refusal:
                form.add_error(
                    refusal.field if refusal.field in form.fields else None, refusal.message
                )
            except (ValueError, ValidationError):
                form.add_error("object_id", "Give the row id as scan_identifiers prints it.")
            else:
                self.message_user(
                    request,
                    f"Redacted {table}.{field}, row {form.cleaned_data['object_id'].strip()}.",
                    messages.SUCCESS,
                )
                return redirect("admin:audit_redaction_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Redact a text",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/audit/redaction/redact.html", context)
