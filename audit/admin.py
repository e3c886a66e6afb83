from django.contrib import admin

from .models import AuditEvent


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
