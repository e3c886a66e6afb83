from django.contrib import admin, messages

from .models import GeneratedDocument
from .registry import document_kind
from .services import document_requeue


def kind_label(key: str) -> str:
    """The label its app registered ("Signed training agreement"), not the stored key."""
    try:
        return document_kind(key).label
    except LookupError:
        return key


class KindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        keys = GeneratedDocument.objects.order_by("kind").values_list("kind", flat=True).distinct()
        return [(key, kind_label(key)) for key in keys]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are made and changed by services; failed ones can be queued again."""

    list_display = (
        "verification_code",
        "title",
        "kind_display",
        "person_name",
        "status",
        "attempts",
        "issued_at",
        "validity_label",
    )
    list_filter = ("status", KindFilter)
    search_fields = ("verification_code", "person_name", "sha256")
    readonly_fields = (
        "kind_display",
        "subject_type",
        "subject_id",
        "content_digest",
        "template_version",
        "verification_code",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "queued_at",
        "sha256",
        "size",
        "issued_at",
        "title",
        "person_name",
        "superseded_by",
        "superseded_at",
        "revoked_at",
        "revoked_reason",
        "revoked_by",
    )
    exclude = ("file", "kind")
    list_select_related = ("subject_type",)
    actions = ["requeue_failed"]

    @admin.display(description="Kind", ordering="kind")
    def kind_display(self, document):
        return kind_label(document.kind)

    @admin.display(description="Validity")
    def validity_label(self, document):
        return document.get_validity_display() if document.is_ready else "—"

    @admin.action(description="Queue the selected failed documents again")
    def requeue_failed(self, request, queryset):
        failed = queryset.filter(status=GeneratedDocument.Status.FAILED)
        count = 0
        for document in failed:
            document_requeue(document_id=document.pk, actor=request.user)
            count += 1
        skipped = queryset.count() - count
        self.message_user(request, f"{count} document(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected document(s) had not failed and were left as they are.",
                messages.WARNING,
            )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
