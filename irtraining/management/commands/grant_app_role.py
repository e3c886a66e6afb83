"""Give the application's database role what it needs on every table, and no more.

    python manage.py grant_app_role irtraining_app      # as the owner role, after every migrate

Production runs migrations as the owner role and the app as a lesser role (docs/deploy.md,
"Database roles"). The app role may read and write every table except:

- the audit log (`audit_auditevent`): read and append only, never change, delete or truncate;
- its chain head (`audit_auditchainhead`): read, create and move, never delete;
- `django_migrations`: read only (only the owner migrates).

Run it after every `migrate`: a release's new tables get their grants then. It starts from nothing
(REVOKE ALL) each time, so it also takes back anything granted by hand. PostgreSQL only.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

# Tables the app role may not fully write, with what it may do; every other table gets DML.
RESTRICTED = {
    "audit_auditevent": "SELECT, INSERT",
    "audit_auditchainhead": "SELECT, INSERT, UPDATE",
    "django_migrations": "SELECT",
}
EVERY_OTHER_TABLE = "SELECT, INSERT, UPDATE, DELETE"


class Command(BaseCommand):
    help = "Grant the app's database role its privileges on every table (run as the owner)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the role the app connects as, e.g. irtraining_app")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL (production's database).")
        role = options["role"]
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"There is no database role {role}: create it first.")
            if role == connection.settings_dict["USER"]:
                raise CommandError(f"{role} is the role this command connects as (the owner).")
            tables = sorted(connection.introspection.table_names(cursor))
            missing = set(RESTRICTED) - set(tables)
            if missing:
                raise CommandError(f"Run migrate first: {', '.join(sorted(missing))} missing.")
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quote(role)}")
            cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quote(role)}")
            for table in tables:
                privileges = RESTRICTED.get(table, EVERY_OTHER_TABLE)
                cursor.execute(f"GRANT {privileges} ON {quote(table)} TO {quote(role)}")
            cursor.execute(
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quote(role)}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{role}: {EVERY_OTHER_TABLE} on {len(tables) - len(RESTRICTED)} tables; "
                + "; ".join(f"{p} on {t}" for t, p in RESTRICTED.items())
                + "."
            )
        )
