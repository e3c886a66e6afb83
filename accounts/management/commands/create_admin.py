"""The first administrator of a new installation (docs/deploy.md, "The first administrator").

    python manage.py create_admin --email it.lead@trust.nhs.uk --full-name "Sam Carter" \
        --organisation "Northfield Hospitals NHS Trust"

Makes the account with no password and an administrator membership at the organisation (made too
if it does not exist yet), and prints a one-time link to set the password, valid for
PASSWORD_RESET_TIMEOUT (two hours): no password is typed on a command line or kept in a shell's
history. At the first sign-in the app sends them to set up two-factor before any other page, as it
does for every role (accounts.middleware.TwoFactorRequiredMiddleware).
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Organisation, Role, User
from accounts.services import membership_create, user_create


class Command(BaseCommand):
    help = (
        "Create the first administrator (no password: prints a one-time link to set it; "
        "two-factor is set up at the first sign-in)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="their e-mail address (their sign-in)")
        parser.add_argument("--full-name", required=True, help='their name, e.g. "Sam Carter"')
        parser.add_argument(
            "--organisation",
            required=True,
            help="the organisation they administer for (made if it does not exist)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = User.objects.normalize_email(options["email"].strip()).lower()
        if User.objects.filter(email=email).exists():
            raise CommandError(
                f"An account for {email} already exists: give it an administrator membership in "
                "Administration -> Memberships, or name another address."
            )
        try:
            with transaction.atomic():
                name = options["organisation"].strip()
                organisation = Organisation.objects.filter(name=name).first()
                if organisation is None:
                    organisation = Organisation(name=name)
                    organisation.full_clean()
                    organisation.save()
                user = user_create(
                    actor=None, email=email, full_name=options["full_name"].strip(), password=None
                )
                membership_create(
                    actor=None, user=user, role=Role.ADMINISTRATOR, organisation=organisation
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error

        link = settings.SITE_URL.rstrip("/") + reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        hours = settings.PASSWORD_RESET_TIMEOUT // 3600
        self.stdout.write(
            self.style.SUCCESS(f"Administrator {user.full_name} <{email}> at {organisation.name}.")
        )
        self.stdout.write(
            f"Send them this link to set their password (it works once, for {hours} hours):"
        )
        self.stdout.write(link)
        self.stdout.write(
            "At their first sign-in they set up two-factor (an authenticator app) before anything "
            "else. If the link expires, they use 'Forgotten your password?' on the sign-in page."
        )
