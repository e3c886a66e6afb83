from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from simple_history.admin import SimpleHistoryAdmin

from audit.services import audit_event_record

from .models import Directorate, Membership, Organisation, Site, User
from .services import membership_save_from_admin


class AuditedAdmin(SimpleHistoryAdmin):
    """Every admin change also lands in the audit log, in the same transaction."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_event_record(
            actor=request.user,
            verb=f"{obj._meta.model_name}.{'changed' if change else 'created'}",
            subject=obj,
            summary=(
                f"{obj._meta.verbose_name.capitalize()} {'changed' if change else 'created'}: {obj}"
            ),
            data={"changed": list(form.changed_data)},
        )


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "gmc_number")


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("role", "organisation", "directorate", "valid_from", "valid_to")
    autocomplete_fields = ("organisation", "directorate")
    # Memberships are edited on their own page, through the service that validates and audits.
    can_delete = False
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationForm
    ordering = ("full_name",)
    list_display = ("full_name", "email", "gmc_number", "is_active")
    list_filter = ("is_active",)
    search_fields = ("full_name", "email", "gmc_number")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "gmc_number")}),
        ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "gmc_number", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


class DirectorateInline(admin.TabularInline):
    model = Directorate
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "is_training_centre", "country")
    list_filter = ("kind", "is_training_centre", "country")
    search_fields = ("name",)
    inlines = [SiteInline, DirectorateInline]


@admin.register(Directorate)
class DirectorateAdmin(AuditedAdmin):
    list_display = ("name", "organisation")
    search_fields = ("name", "organisation__name")
    list_select_related = ("organisation",)


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ("name", "organisation")
    search_fields = ("name", "organisation__name")
    list_select_related = ("organisation",)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "organisation", "directorate", "valid_from", "valid_to")
    list_filter = ("role", "organisation")
    search_fields = ("user__full_name", "user__email", "organisation__name")
    autocomplete_fields = ("user", "organisation", "directorate")
    list_select_related = ("user", "organisation", "directorate")

    def save_model(self, request, obj, form, change):
        membership_save_from_admin(actor=request.user, membership=obj, changed=form.changed_data)

    def has_delete_permission(self, request, obj=None):
        # A membership ends by setting its end date, so who held which role stays on record.
        return False
