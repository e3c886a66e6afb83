"""The access matrix: every URL in the URLconf x every role x own / same organisation / other
organisation, against the table in access_table.py.

The world (matrix_world.py) is built once for the module inside a transaction that is rolled back
at the end; every request runs in a savepoint that is rolled back too, so an action one role is
allowed cannot change what the next role sees, and a denied POST can be checked for writes.
"""

from copy import deepcopy
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ..conftest import sign_in
from ..factories import TEST_PASSWORD
from .access_table import ADMIN, ADMIN_PREFIX, LOGIN, MOVED, TABLE
from .matrix_world import RELATIONS, ROLES, build_matrix_world

pytestmark = pytest.mark.django_db

LOGIN_PATH = reverse("accounts:login")
ADMIN_LOGIN_PATH = reverse("admin:login")
# Apps whose rows a denied POST must not add to (the history tables and the audit log included).
OUR_APPS = (
    "accounts",
    "audit",
    "signoffs",
    "documents",
    "agreements",
    "caselogs",
    "phases",
    "governance",
)


@dataclass(frozen=True)
class Url:
    name: str
    kwargs: tuple  # the pattern's keyword names, in order
    positional: int  # unnamed groups (simple_history's admin pages use them)
    route: str
    namespace: str | None


def _walk(resolver, namespace=None, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = entry.namespace or None
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(entry, ns, route)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            regex = entry.pattern.regex
            yield Url(
                name,
                tuple(regex.groupindex),
                regex.groups - len(regex.groupindex),
                route,
                namespace,
            )


# The admin's unnamed patterns (its catch-all, the object-id shortcut) only redirect to named ones.
ALL_PATTERNS = list(_walk(get_resolver()))
ALL_URLS = {url.name: url for url in ALL_PATTERNS if url.name}
APP_URLS = sorted(name for name in ALL_URLS if not name.startswith(ADMIN_PREFIX))
ADMIN_URLS = sorted(name for name in ALL_URLS if name.startswith(ADMIN_PREFIX))


def test_every_url_is_in_the_table():
    unnamed = [url.route for url in ALL_PATTERNS if not url.name and url.namespace != "admin"]
    assert not unnamed, f"URLs without a name cannot be in the access table: {unnamed}"
    missing = sorted(set(APP_URLS) - set(TABLE))
    stale = sorted(set(TABLE) - set(APP_URLS))
    assert not missing, (
        f"URLs with no line in tests/security/access_table.py: {missing}. Add what each role gets "
        "for its own object, another trainee's of the same organisation and another "
        "organisation's."
    )
    assert not stale, f"access_table.py names URLs that no longer exist: {stale}"


# The world, the clients and one request ----------------------------------------------------------


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    quick = dict(
        MEDIA_ROOT=media,
        CELERY_TASK_ALWAYS_EAGER=True,
        CELERY_TASK_EAGER_PROPAGATES=True,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(**quick):
        world = build_matrix_world()
        # raise_request_exception=False: a 500 is an answer the table never expects, not a crash.
        world.clients = {"anonymous": Client(raise_request_exception=False)}
        for role, person in world.actors.items():
            world.clients[role] = sign_in(Client(raise_request_exception=False), person)
        world.media = media
        yield world
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _matrix_media(request, settings):
    # After the shared conftest's temporary MEDIA_ROOT: the world's PDFs are in the module's.
    if "matrix" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("matrix").media


def _row_counts():
    """Rows in every table of our apps, in one query (it runs twice for every refused POST)."""
    tables = [m._meta.db_table for app in OUR_APPS for m in apps.get_app_config(app).get_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(f"(SELECT count(*) FROM {connection.ops.quote_name(t)})" for t in tables)
        )
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _outcome(response):
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith(LOGIN_PATH):
            return LOGIN
        if location.startswith(ADMIN_LOGIN_PATH):
            return "admin-login"
        return MOVED
    return response.status_code


def _close_quietly(response):
    """Close a file or streamed download unread. Closing signals request_finished, whose
    close_old_connections would close the connection holding the world's open transaction."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def probe(client, method, path, *, count_writes=False):
    """One request, rolled back afterwards with the client's cookies: (outcome, wrote)."""
    cookies = deepcopy(client.cookies)
    with transaction.atomic():
        before = _row_counts() if count_writes else None
        response = getattr(client, method)(path)
        wrote = count_writes and _row_counts() != before
        if response.streaming:
            _close_quietly(response)
        transaction.set_rollback(True)
    client.cookies = cookies
    return _outcome(response), wrote


def _kwargs(world, url: Url, subject, role, relation) -> dict:
    records = world.records[relation]
    actor = world.actors.get(role) or world.actors["trainee"]
    values = {}
    for key in url.kwargs:
        if key == "pk":
            values[key] = {
                "agreement": records.agreement.pk,
                "case": records.case.pk,
                "activity": records.activity.pk,
                "step": records.step.pk,
                "document": records.document.pk,
                "organisation": (
                    actor.memberships.get().organisation_id
                    if relation == "own"
                    else records.organisation.pk
                ),
                "report": world.report_for(role, relation).pk
                if role
                else world.reports["governance_lead"].pk,
                "procedure_list": records.procedure_list.pk,
                "not_logged": records.not_logged.pk,
                "sample": records.sample.pk,
            }[subject]
        elif key == "case_pk":
            values[key] = records.sampled_case.pk
        elif key == "number":
            values[key] = 1
        elif key == "name":
            values[key] = "indicators"
        elif key == "code":
            values[key] = records.document.verification_code
        elif key == "issuer_id":
            values[key] = records.organisation.pk
        elif key == "uidb64":
            values[key] = urlsafe_base64_encode(force_bytes(actor.pk))
        elif key == "token":
            values[key] = "not-a-valid-token"
        elif (url.name, key) == ("governance:export_download", "dataset"):
            values[key] = "cases"
        elif key == "fmt":
            values[key] = "csv"
        else:
            raise AssertionError(f"{url.name}: no value for its {key!r}: teach _kwargs")
    return values


def _expected(cell, relation):
    return cell[RELATIONS.index(relation)] if isinstance(cell, tuple) else cell


@pytest.mark.parametrize("name", APP_URLS)
def test_access(matrix, name):
    """Each role (and an anonymous visitor) against one URL, for each object relation."""
    assert name in TABLE, f"{name} is not in access_table.py (see test_every_url_is_in_the_table)"
    url, rule = ALL_URLS[name], TABLE[name]
    relations = RELATIONS if rule.subject else ("own",)
    expected, observed, writes = {}, {}, []
    for who in ("anonymous", *ROLES):
        for relation in relations:
            path = reverse(
                name,
                kwargs=_kwargs(matrix, url, rule.subject, who if who in ROLES else None, relation),
            )
            want = rule.anonymous if who == "anonymous" else _expected(rule.roles[who], relation)
            denied = rule.method == "post" and want in (403, 404)
            got, wrote = probe(matrix.clients[who], rule.method, path, count_writes=denied)
            expected[(who, relation)], observed[(who, relation)] = want, got
            if wrote:
                writes.append(f"{who}/{relation} {rule.method.upper()} {path}")
    differences = {
        key: f"expected {expected[key]}, got {observed[key]}"
        for key in expected
        if expected[key] != observed[key]
    }
    assert not differences, f"{name}: " + "; ".join(
        f"{who}/{relation}: {text}" for (who, relation), text in differences.items()
    )
    assert not writes, f"{name}: a refused POST wrote rows: {writes}"


# The admin site, one family ----------------------------------------------------------------------


def _admin_path(url: Url) -> str:
    """The first row of the URL's model for object pages, so the administrator sees a real one."""
    if url.positional:  # (object_id, history_id)
        _, object_id, _, history_id = _admin_object(url.name)
        return reverse(url.name, args=[object_id, history_id][: url.positional])
    values = {}
    for key in url.kwargs:
        if key == "app_label":
            values[key] = "accounts"
        elif key in ("object_id", "id", "pk", "content_type_id", "history_id"):
            _, values["object_id"], values["content_type_id"], values["history_id"] = _admin_object(
                url.name
            )
            values["id"] = values["pk"] = values["object_id"]
        else:
            raise AssertionError(f"{url.name}: no value for its {key!r}: teach _admin_path")
    return reverse(url.name, kwargs={k: v for k, v in values.items() if k in url.kwargs})


def _admin_object(name):
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            row = model._default_manager.order_by("pk").first()
            history = getattr(row, "history", None)
            past = history.order_by("pk").first() if history is not None else None
            return (
                model,
                (row.pk if row else 0),
                ContentType.objects.get_for_model(model).pk,
                past.history_id if past else 0,
            )
    user_model = apps.get_model("accounts", "User")
    user = user_model.objects.order_by("pk").first()
    return user_model, user.pk, ContentType.objects.get_for_model(user_model).pk, 0


def test_admin_family(matrix):
    """Every admin URL: only the administrator (with a second factor) gets in."""
    wrong = []
    for name in ADMIN_URLS:
        path = _admin_path(ALL_URLS[name])
        for who in ("anonymous", *ROLES):
            got, _ = probe(matrix.clients[who], "get", path)
            if name == "admin:logout":
                ok = got == ADMIN["admin:logout"][who == "administrator"]
            elif who == "administrator":
                ok = got in ADMIN["administrator"]
            elif who == "anonymous":
                # To the admin's sign-in, which sends them on to the app's own.
                ok = got == ADMIN["anonymous"] or (got == "admin-login" and name != "admin:login")
            elif name == "admin:login":
                ok = got == ADMIN["admin:login"]
            else:
                ok = got == ADMIN["signed_in"]
            if not ok or got == 500:
                wrong.append(f"{who} GET {path}: {got}")
    assert not wrong, "admin family:\n" + "\n".join(wrong)


def test_the_admin_needs_a_second_factor(matrix):
    """An administrator who has only given a password is sent to give a code first."""
    person = matrix.actors["administrator"]
    client = Client(raise_request_exception=False)
    client.post(LOGIN_PATH, {"username": person.email, "password": TEST_PASSWORD})
    got = client.get(reverse("admin:index"))
    assert got.status_code == 302
    assert got["Location"].startswith(reverse("accounts:two_factor_verify"))
