"""The parts of the benchmark that run inside Django (bench/run.py sets it up on the bench
database): who signs in, the audit report figures, and the completion certificate with and
without its seal."""

import gc
import statistics
import time
from datetime import date

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from agreements.models import AgreementVersion, VersionStatus
from caselogs.models import Case
from caselogs.selectors import case_list_for_user, verified_cases
from documents.codes import verification_code_new
from documents.fetcher import StaticFilesOnlyURLFetcher, static_base_url
from documents.models import GeneratedDocument
from documents.tasks import document_render_task
from governance.indicators import indicators_for
from phases.certificate import (
    CERTIFICATE_KIND,
    TEMPLATE_VERSION,
    certificate_issuer,
    render_certificate_html,
)
from phases.models import ProgressionRequest

BACKEND = "accounts.backends.EmailMembershipBackend"
SCALE_DOMAIN = "@scale.example"  # caselogs.scale_world
# All time: the national programme's whole history, the largest report anyone can ask for.
REPORT_PERIOD = (date(2000, 1, 1), date(2100, 1, 1))


def people() -> dict:
    """The busiest trainee with an agreement in force, their lead supervisor, and the programme
    administrator (national scope: the dashboard and the export of every case)."""
    in_force = AgreementVersion.objects.filter(status=VersionStatus.ACTIVE).values("agreement")
    # Among the generated operators (not the demo people, whose two-factor devices and amended
    # agreements would change the query counts), so every scale measures the same kind of person.
    busiest = (
        Case.objects.filter(agreement__in=in_force, trainee__email__endswith=SCALE_DOMAIN)
        .values("trainee", "agreement")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None, "no generated trainee has an agreement in force (seed_scale)"
    trainee = User.objects.get(pk=busiest["trainee"])
    version = AgreementVersion.objects.filter(
        agreement_id=busiest["agreement"], status=VersionStatus.ACTIVE
    ).get()
    lead = version.supervisors.get(is_lead=True).supervisor
    admin = User.objects.filter(memberships__role="administrator").order_by("-pk").first()
    # The dashboard's everyday user: the governance lead of the training centre with the most
    # trainees (the national administrator's view of every trainee is measured too).
    centre = (
        AgreementVersion.objects.filter(status__in=[VersionStatus.ACTIVE, VersionStatus.COMPLETED])
        .values("training_centre")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert centre is not None, "no agreement in force names a training centre (seed_scale)"
    governance = User.objects.filter(
        memberships__role="governance_lead", memberships__organisation=centre["training_centre"]
    ).first()
    return {
        "trainee": trainee,
        "supervisor": lead,
        "administrator": admin,
        "governance_lead": governance,
        "agreement": busiest["agreement"],
        "trainee_cases": busiest["n"],
    }


def session_cookie(user) -> str:
    """A signed-in session, second factor given, as the login and verify pages would leave it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = next(devices_for_user(user, confirmed=True), None)
    if device is None:  # every role, trainees included, gives a second factor at sign-in
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session["otp_device_id"] = device.persistent_id
    session.create()
    assert session.session_key is not None  # create() gives the session its key
    return session.session_key


def _median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def report_app_seconds(admin, repeats: int) -> tuple[float, dict]:
    """``indicators_for`` over the cases the administrator's audit report would cover, as
    ``governance.reports.audit_report_request`` builds them."""

    def run():
        cases = verified_cases(case_list_for_user(user=admin)).filter(
            performed_on__gte=REPORT_PERIOD[0], performed_on__lte=REPORT_PERIOD[1]
        )
        return indicators_for(cases)

    figures = run()
    return _median_time(run, repeats), {
        "mt_cases": figures.mt_cases,
        "successful_reperfusion_percent": figures.successful_reperfusion_percent,
    }


def certificate_seconds(repeats: int) -> dict:
    """The completion certificate three ways, against WeasyPrint alone on the same HTML:

    - ``certificate``: our render without the seal (the print template's HTML, WeasyPrint through
      our URL fetcher, the seal block's placement read from the layout);
    - ``certificate_with_seal``: the whole ``documents.render`` task: that render, the PAdES seal
      with its RFC 3161 timestamp (the demo TSA, in-process: no network), the file, the hash and
      the row.

    Each round runs the three in a rotating order, each after a garbage collection: WeasyPrint's
    time moves by a third from run to run, and whichever ran second used to pay for the first
    one's garbage. Returns {"certificate": ..., "certificate_with_seal": ...}."""
    from weasyprint import HTML

    from documents.pdf import pdf_render
    from documents.sealing import pdf_seal, seal_key_load

    request = (
        ProgressionRequest.objects.filter(kind="independence", status="approved")
        .exclude(snapshot__has_key="seeded")
        .order_by("pk")
        .first()
    )
    if request is None:
        missing = {"app_s": None, "bare_s": None, "ratio": None, "note": "no signed certificate"}
        return {"certificate": missing, "certificate_with_seal": dict(missing)}

    def task_seconds(document):
        fresh = GeneratedDocument.objects.create(
            kind=CERTIFICATE_KIND,
            subject=request,
            content_digest=f"bench-{time.time_ns()}",
            template_version=TEMPLATE_VERSION,
            verification_code=verification_code_new(),
            queued_at=timezone.now(),
        )
        gc.collect()
        started = time.perf_counter()
        assert document_render_task.apply(args=[fresh.pk]).get() == "ready"
        return time.perf_counter() - started

    def unsealed_seconds(document):
        gc.collect()
        started = time.perf_counter()
        pdf_render(render_certificate_html(request, document))
        return time.perf_counter() - started

    def bare_seconds(document):
        html = render_certificate_html(request, document)
        gc.collect()
        started = time.perf_counter()
        # Our fetcher only maps the template's static URLs to files; WeasyPrint does the rest.
        HTML(
            string=html, base_url=static_base_url(), url_fetcher=StaticFilesOnlyURLFetcher()
        ).write_pdf()
        return time.perf_counter() - started

    # A document to print the HTML for (its code and issue time): the task's first one.
    task_seconds(None)
    document = GeneratedDocument.objects.filter(kind=CERTIFICATE_KIND).order_by("-pk").first()
    assert document is not None, "the render task made no certificate"
    measures = {"task": task_seconds, "unsealed": unsealed_seconds, "bare": bare_seconds}
    times: dict[str, list[float]] = {name: [] for name in measures}
    names = list(measures)
    for n in range(repeats + 1):
        order = names[n % 3 :] + names[: n % 3]
        for name in order:
            elapsed = measures[name](document)
            if n:  # the first round warms caches (fonts, templates, the seal key)
                times[name].append(elapsed)
    # The seal alone (signature and timestamp over WeasyPrint's output), for the breakdown.
    bare_pdf, placement = pdf_render(render_certificate_html(request, document))
    issuer = certificate_issuer(request)
    key = seal_key_load(issuer.pk if issuer else None)
    seal = []
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        pdf_seal(bare_pdf, key=key, placement=placement)
        seal.append(time.perf_counter() - started)

    # Judged on the best of each, as timeit does: WeasyPrint alone varies by a third between
    # identical runs, and the slower runs measure the machine, not the task's own overhead.
    bare_s = min(times["bare"])

    def figure(name: str) -> dict:
        app_s = min(times[name])
        return {
            "app_s": round(app_s, 3),
            "bare_s": round(bare_s, 3),
            "ratio": round(app_s / bare_s, 2),
            "runs": repeats,
            "median_app_s": round(statistics.median(times[name]), 3),
            "median_bare_s": round(statistics.median(times["bare"]), 3),
            "median_ratio": round(
                statistics.median(times[name]) / statistics.median(times["bare"]), 2
            ),
        }

    with_seal = figure("task")
    with_seal["seal_s"] = round(min(seal), 3)
    with_seal["median_seal_s"] = round(statistics.median(seal), 3)
    return {"certificate": figure("unsealed"), "certificate_with_seal": with_seal}
