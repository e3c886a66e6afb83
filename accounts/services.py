"""Writes about people, memberships and two-factor devices. Views, admin and seed data all call
these, so every change is validated the same way and lands in the audit log."""

import secrets
from datetime import date
from uuid import UUID

from django.db import IntegrityError, transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_event_record

from .models import Directorate, FormSubmission, Membership, Organisation, User, role_in_sentence

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def user_create(
    *, actor: User | None, email: str, full_name: str, password: str | None, gmc_number: str = ""
) -> User:
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=password, full_name=full_name, gmc_number=gmc_number
        )
        audit_event_record(
            actor=actor, verb="account.created", subject=user, summary=f"Account created for {user}"
        )
    return user


def membership_create(
    *,
    actor: User | None,
    user: User,
    role: str,
    organisation: Organisation,
    directorate: Directorate | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Membership:
    membership = Membership(
        user=user,
        role=role,
        organisation=organisation,
        directorate=directorate,
        valid_to=valid_to,
    )
    if valid_from is not None:
        membership.valid_from = valid_from
    membership.full_clean()
    with transaction.atomic():
        membership.save()
        audit_event_record(
            actor=actor,
            verb="membership.created",
            subject=membership,
            summary=f"{user} became {role_in_sentence(role)} at {organisation}",
            data={"role": role, "organisation_id": organisation.pk},
        )
    return membership


def membership_save_from_admin(
    *, actor: User, membership: Membership, changed: list[str]
) -> Membership:
    """The admin's edit path: the form has already run ``full_clean``."""
    adding = membership._state.adding
    with transaction.atomic():
        membership.save()
        audit_event_record(
            actor=actor,
            verb="membership.created" if adding else "membership.changed",
            subject=membership,
            summary=f"Membership {'created' if adding else 'changed'}: {membership}",
            data={"changed": changed},
        )
    return membership


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator key; any earlier unfinished enrolment is discarded."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def totp_enrolment_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device if the code is right. Returns the new backup codes, or None if wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed or not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _backup_codes_replace(user=user)
        audit_event_record(
            actor=user,
            verb="two_factor.enrolled",
            subject=user,
            summary=f"{user} enrolled an authenticator app",
        )
    return codes


def backup_codes_regenerate(*, user: User) -> list[str]:
    with transaction.atomic():
        codes = _backup_codes_replace(user=user)
        audit_event_record(
            actor=user,
            verb="two_factor.backup_codes_regenerated",
            subject=user,
            summary=f"{user} replaced their backup codes",
        )
    return codes


def backup_codes_set(*, actor: User | None, user: User, codes: list[str]) -> None:
    """Install known codes: used only by the demo seed, so a newcomer can sign in without a
    phone."""
    with transaction.atomic():
        _backup_codes_replace(user=user, codes=codes)
        audit_event_record(
            actor=actor,
            verb="two_factor.backup_codes_set",
            subject=user,
            summary=f"Backup codes installed for {user}",
        )


def _backup_codes_replace(*, user: User, codes: list[str] | None = None) -> list[str]:
    if codes is None:
        codes = [_new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _new_backup_code() -> str:
    # 10 characters from an unambiguous alphabet: about 50 bits, typed once in an emergency.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def form_submission_claim(*, user: User, token: UUID | None) -> bool:
    """True the first time a form's token is claimed, False when the same form comes again. Call
    it inside the transaction that creates the record: a concurrent repeat waits on the token's
    unique key until that transaction ends, then finds it taken; if the first attempt rolled back,
    the token is free again. A form posted without a token (not from our page) is not guarded."""
    if token is None:
        return True
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=user)
    except IntegrityError:
        return False
    return True
