"""Reads for governance pages: which reports and trainees a user may see."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.selectors import user_is_administrator
from agreements.selectors import agreement_list_for_user

from .models import AuditReport


def audit_report_list_for_user(*, user: User) -> QuerySet[AuditReport]:
    """A report's figures were computed within its requester's scope, so only they (and an
    administrator, who sees everything) may open it."""
    reports = AuditReport.objects.select_related("requested_by", "organisation", "trainee")
    if not user_is_administrator(user):
        reports = reports.filter(requested_by=user)
    return reports.order_by("-created_at", "-pk")


def audit_report_get_for_user(*, user: User, pk: int) -> AuditReport:
    """One report the user may open; any other answers 404, as if it did not exist."""
    return get_object_or_404(audit_report_list_for_user(user=user), pk=pk)


def trainee_list_for_user(*, user: User) -> QuerySet:
    """Trainees whose agreements the user may see: the choices of report and export forms."""
    return (
        get_user_model()
        .objects.filter(pk__in=agreement_list_for_user(user=user).order_by().values("trainee"))
        .order_by("full_name")
    )
