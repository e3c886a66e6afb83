"""The governance lead's part of their home: independence decisions to acknowledge, agreements
whose review is overdue, their audit reports, and the way to the dashboard. Registered with
accounts' inbox from GovernanceConfig.ready, so accounts never imports governance."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.inbox import (
    GROUPS_TEMPLATE,
    InboxGroup,
    InboxItem,
    InboxSection,
    register_inbox_section,
)
from accounts.models import Role, User
from accounts.selectors import user_roles
from agreements.selectors import agreement_list_for_user
from signoffs.selectors import signoff_steps_awaiting_user

from .dashboard import _in_force, overdue_agreements
from .selectors import audit_report_list_for_user

# The home shows the first few of each; the dashboard and the reports page hold the rest.
SHOWN = 5


def register_governance_inbox() -> None:
    register_inbox_section(governance_section)


def governance_section(user: User) -> InboxSection | None:
    if Role.GOVERNANCE_LEAD not in user_roles(user):
        return None
    dashboard = reverse("governance:dashboard")
    decisions = signoff_steps_awaiting_user(user=user).filter(is_acknowledgement=True)
    decision_count = decisions.count()
    # The dashboard's own rule for "overdue", over the same agreements it shows.
    overdue = overdue_agreements(
        _in_force(agreement_list_for_user(user=user).values("pk")), timezone.localdate()
    )
    reports = audit_report_list_for_user(user=user)
    report_count = reports.count()
    groups = [
        InboxGroup(
            title="Independence decisions to acknowledge",
            items=[
                InboxItem(
                    step.request.title,
                    reverse("signoffs:sign", args=[step.pk]),
                    detail="acknowledge",
                )
                for step in decisions[:SHOWN]
            ],
            empty="None waiting.",
            **_more(decision_count, "on your signature list above", "#inbox-signatures"),
        ),
        InboxGroup(
            title="Overdue reviews",
            items=[
                InboxItem(
                    f"{version.trainee} ({version.reference})",
                    reverse("agreements:detail", args=[version.agreement_id]),
                    detail=reason,
                )
                for version, reason in overdue[:SHOWN]
            ],
            empty="No agreement is past a review date or its expected duration.",
            **_more(len(overdue), "on the dashboard", f"{dashboard}#overdue-heading"),
        ),
        InboxGroup(
            title="Audit reports",
            items=[
                InboxItem(
                    str(report),
                    reverse("governance:report", args=[report.pk]),
                    detail=f"asked for {date_format(report.created_at, 'j M Y')}",
                )
                for report in reports[:SHOWN]
            ],
            empty="None yet.",
            **(
                _more(report_count, "on the audit reports page", reverse("governance:reports"))
                or {
                    "more_text": "Ask for a report on the audit reports page",
                    "more_url": reverse("governance:reports"),
                }
            ),
        ),
    ]
    return InboxSection(
        title="Governance",
        template=GROUPS_TEMPLATE,
        context={
            "id": "inbox-governance",
            "groups": groups,
            "link_text": "Open the governance dashboard",
            "link_url": dashboard,
        },
        count=decision_count + len(overdue),
    )


def _more(total: int, where: str, url: str) -> dict:
    if total <= SHOWN:
        return {}
    return {"more_text": f"All {total} {where}", "more_url": url}
