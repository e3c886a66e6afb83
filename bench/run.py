"""``make bench``: the app at national scale, each heavy path beside the fastest the underlying
tool can do, measured side by side in one run so the ratios hold on a noisy machine.

Environment: BENCH_CASES (default 100000), DATABASE_URL (PostgreSQL; the bench uses its own
database, the same name with BENCH_DB_SUFFIX, default ``_bench``, added, created and dropped
here), BENCH_KEEP_DB=1 keeps it and BENCH_REUSE_DB=1 reuses a kept one seeded at the same scale,
BENCH_REQUESTS (per page, 50), BENCH_WRK_SECONDS (10), BENCH_LCP_RUNS (the phone's loads of the
case form, 5), BENCH_OUTPUT (bench/results.json).
Writes the JSON and prints a table.
"""

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TRAINEE_AND_SUPERVISOR_PAGES = (
    "logbook_first",
    "logbook_last",
    "supervisor_queue",
    "progress",
    "agreement_detail",
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# The database -----------------------------------------------------------------------------------


def bench_database_url() -> tuple[str, str]:
    """(the bench database's URL, the maintenance database's URL) from DATABASE_URL."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/irtraining")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = parts.path.lstrip("/") or "irtraining"
    suffix = os.environ.get("BENCH_DB_SUFFIX", "_bench")
    bench = urlunsplit(parts._replace(path=f"/{name}{suffix}"))
    return bench, urlunsplit(parts._replace(path="/postgres"))


def psql(url: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", *args],
        check=True,
        text=True,
        capture_output=True,
        **kwargs,
    )


def prepare_database(url: str, admin_url: str, cases: int, env: dict) -> float:
    """Create, migrate and seed the bench database; returns the seconds seed_scale took."""
    name = urlsplit(url).path.lstrip("/")
    if os.environ.get("BENCH_REUSE_DB") == "1":
        try:
            seeded = psql(url, "-tAc", "SELECT cases FROM bench_scale").stdout.strip()
        except subprocess.CalledProcessError:
            seeded = ""
        if seeded == str(cases):
            log(f"reusing {name}, seeded with {cases:,} cases")
            subprocess.run(
                [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
            )
            return 0.0
    drop_database(admin_url, name)
    psql(admin_url, "-c", f'CREATE DATABASE "{name}"')
    log(f"migrating {name}")
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    log(f"seed_scale --cases {cases}")
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", "seed_scale", "--cases", str(cases)], cwd=ROOT, env=env, check=True
    )
    seconds = time.perf_counter() - started
    psql(url, "-c", f"CREATE TABLE bench_scale AS SELECT {cases} AS cases")
    return seconds


def drop_database(admin_url: str, name: str) -> None:
    psql(admin_url, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The server and the pages ----------------------------------------------------------------------


@contextmanager
def gunicorn(env: dict, port: int):
    process = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "irtraining.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/health/")
                break
            except OSError:
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def time_page(port: int, path: str, cookie: str | None, requests: int) -> dict:
    """Sequential requests on one keep-alive connection; the first three warm the workers."""
    connection = HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    times, queries = [], []
    for n in range(requests + 3):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        if n >= 3:
            times.append(elapsed)
            queries.append(int(response.getheader("X-Bench-Queries", "0")))
    connection.close()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        # The steady-state count: a worker's first requests also load caches (content types).
        "queries": statistics.mode(queries),
        "queries_max": max(queries),
        "requests": requests,
        "path": path,
    }


def wrk(port: int, path: str, cookie: str, seconds: int) -> dict:
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            "-c4",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Cookie: sessionid={cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    rps_found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total_found = re.search(r"(\d+) requests in", output)
    if rps_found is None or total_found is None:
        raise RuntimeError(f"wrk's output was not understood:\n{output}")
    rps, total = float(rps_found.group(1)), int(total_found.group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    )
    return {"rps": rps, "requests": total, "errors": errors}


# The run ---------------------------------------------------------------------------------------


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        cpu = model
    except (OSError, StopIteration):
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} CPU ({cpu}), {memory:.0f} GB RAM, {system}"


def bench_environment(url: str) -> tuple[dict, Path, Path]:
    """The environment of the bench's commands and server on the database at `url`: the bench's
    settings, no broker, a demo PKI of its own (returned, to remove) and the static files collected
    as production serves them (their folder, returned, to remove)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "EMAIL_URL": "dummymail://",
    }
    env.pop("REDIS_URL", None)  # in-process tasks and a local cache: the bench needs no broker
    sys.path.insert(0, str(ROOT))
    from bench import front_end

    if front_end.chromium() is None:
        sys.exit("make bench needs Chromium for the front end's figures (apt-get install chromium)")
    # Certificates are sealed: a demo PKI of the bench's own (the in-process demo TSA, so the seal's
    # figure measures our work, not a network round trip to a timestamp authority).
    pki = Path(tempfile.mkdtemp(prefix="bench-pki-"))
    env["DOCUMENT_SEAL_DEMO_PKI_DIR"] = str(pki)
    for name in ("DOCUMENT_SEAL_PKCS12", "DOCUMENT_SEAL_PKCS12_DIR", "DOCUMENT_SEAL_DEMO_TSA"):
        env.pop(name, None)
    env.pop("DOCUMENT_SEAL_TSA_URL", None)
    env.pop("CREDENTIAL_SIGNING_KEY", None)
    env.setdefault("DOCUMENT_SEAL_PASSPHRASE", "demo-not-secret")
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
    os.environ.pop("REDIS_URL", None)
    for name in ("DOCUMENT_SEAL_PKCS12", "DOCUMENT_SEAL_PKCS12_DIR", "DOCUMENT_SEAL_DEMO_TSA"):
        os.environ.pop(name, None)
    subprocess.run(
        [PYTHON, "manage.py", "demo_pki", "--out", str(pki), "-v0"], cwd=ROOT, env=env, check=True
    )
    # Static files as production serves them: collected, compressed, named from the manifest.
    static = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env["BENCH_STATIC_ROOT"] = os.environ["BENCH_STATIC_ROOT"] = str(static)
    log("collectstatic (whitenoise's compressed manifest storage)")
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    return env, pki, static


def main() -> dict:
    cases = int(os.environ.get("BENCH_CASES", "100000"))
    requests = int(os.environ.get("BENCH_REQUESTS", "50"))
    wrk_seconds = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
    output = Path(os.environ.get("BENCH_OUTPUT", ROOT / "bench" / "results.json"))
    url, admin_url = bench_database_url()
    if not shutil.which("wrk"):
        sys.exit("make bench needs wrk (apt-get install wrk)")
    env, pki, static = bench_environment(url)
    seed_s = prepare_database(url, admin_url, cases, env)
    try:
        results = measure(cases, requests, wrk_seconds, url, env)
    finally:
        shutil.rmtree(pki, ignore_errors=True)
        shutil.rmtree(static, ignore_errors=True)
        if os.environ.get("BENCH_KEEP_DB") != "1":
            drop_database(admin_url, urlsplit(url).path.lstrip("/"))
    results["seed_s"] = round(seed_s, 1) if seed_s else None
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    log(f"wrote {output}")
    return results


def measure(cases, requests, wrk_seconds, url, env) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from bench import measure as m
    from bench.sql import EXPORT_COPY, REPORT
    from ops.smoke_support import free_port

    who = m.people()
    cookies = {
        role: m.session_cookie(who[role])
        for role in ("trainee", "supervisor", "governance_lead", "administrator")
    }
    last_page = max(1, -(-who["trainee_cases"] // 25))
    pages_to_time = {
        "logbook_first": ("/logbook/", "trainee"),
        "logbook_last": (f"/logbook/?page={last_page}", "trainee"),
        "supervisor_queue": ("/logbook/queue/", "supervisor"),
        "progress": (f"/progress/{who['agreement']}/", "trainee"),
        "agreement_detail": (f"/agreements/{who['agreement']}/", "trainee"),
        "governance_dashboard": ("/governance/", "governance_lead"),
        "governance_dashboard_national": ("/governance/", "administrator"),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres = cursor.fetchone()[0].split(" on ")[0]
    connection.close()
    port = free_port()
    results = {
        "cases": cases,
        "machine": f"{machine()}; {postgres}",
        "trainees": None,
        "trainee_cases": who["trainee_cases"],
        "pages": {},
    }
    with gunicorn(env, port):
        log("pages")
        for name, (path, role) in pages_to_time.items():
            results["pages"][name] = time_page(port, path, cookies[role], requests)
        results["minimal_view"] = time_page(port, "/bench/minimal/", cookies["trainee"], requests)
        log("throughput (wrk)")
        page = wrk(port, "/logbook/", cookies["trainee"], wrk_seconds)
        floor = wrk(port, "/bench/minimal/", cookies["trainee"], wrk_seconds)
        results["throughput"] = {
            "page_rps": page["rps"],
            "minimal_rps": floor["rps"],
            "ratio": round(page["rps"] / floor["rps"], 2),
            "errors": page["errors"] + floor["errors"],
            "page_requests": page["requests"],
            "seconds": wrk_seconds,
            "connections": 4,
        }
        log("front end: page weight and the case form's largest paint on a throttled phone")
        from bench import front_end

        results["front_end"] = front_end.measure(f"http://127.0.0.1:{port}", cookies["trainee"])
    log("audit report figures")
    app_s, figures = m.report_app_seconds(who["administrator"], repeats=5)
    sql_s = statistics.median(psql_seconds(url, REPORT) for _ in range(5))
    results["report"] = {
        "app_s": round(app_s, 3),
        "sql_s": round(sql_s, 3),
        "ratio": round(app_s / sql_s, 2),
        **figures,
    }
    log("CSV export of every case")
    results["export"] = export(url, env, who["administrator"].pk, EXPORT_COPY)
    log("reconcile a 10,000-entry procedure list")
    from bench.reconcile import reconcile_figures

    results["reconcile"] = reconcile_figures()
    log("completion certificate, with and without its seal")
    results.update(m.certificate_seconds(repeats=9))
    from accounts.models import User

    results["trainees"] = User.objects.filter(memberships__role="trainee").count()
    results["targets"] = judge(results)
    connection.close()
    return results


def psql_seconds(url: str, sql: str) -> float:
    """Server-side time of one statement, from psql's own \\timing."""
    out = psql(url, "-o", os.devnull, input=f"\\timing on\n{sql};\n").stdout
    return float(re.findall(r"Time: ([\d.]+) ms", out)[-1]) / 1000


def export(url, env, admin_id, copy_sql) -> dict:
    app = json.loads(
        subprocess.run(
            [PYTHON, "-m", "bench.export_worker", str(admin_id)],
            cwd=ROOT,
            env=env,
            check=True,
            text=True,
            capture_output=True,
        ).stdout
    )
    started = time.perf_counter()
    with open(os.devnull, "w") as sink:
        subprocess.run(["psql", url, "-X", "-q", "-c", copy_sql.strip()], stdout=sink, check=True)
    copy_s = time.perf_counter() - started
    return {
        "app_s": app["app_s"],
        "copy_s": round(copy_s, 3),
        "ratio": round(app["app_s"] / copy_s, 2),
        "peak_rss_mb": app["peak_rss_mb"],
        "rss_at_start_mb": app["rss_before_mb"],
        "rows": app["lines"] - 1,
    }


def judge(r: dict) -> dict:
    """Each target of the issue: the figure, its limit, and whether it is met."""

    def at_most(value, limit, strict=False):
        met = value is not None and (value < limit if strict else value <= limit)
        return {"value": value, "target": limit, "met": met}

    pages = r["pages"]
    throughput = r["throughput"]
    judged = {
        "trainee_supervisor_p95_ms": at_most(
            max(pages[name]["p95_ms"] for name in TRAINEE_AND_SUPERVISOR_PAGES), 100
        ),
        "dashboard_p95_ms": at_most(pages["governance_dashboard"]["p95_ms"], 500),
        "dashboard_national_p95_ms": at_most(pages["governance_dashboard_national"]["p95_ms"], 500),
        "report_ratio": at_most(r["report"]["ratio"], 1.5),
        "export_ratio": at_most(r["export"]["ratio"], 2.0),
        "export_peak_rss_mb": at_most(r["export"]["peak_rss_mb"], 150, strict=True),
        "certificate_ratio": at_most(r["certificate"]["ratio"], 1.2),
        "certificate_with_seal_ratio": at_most(r["certificate_with_seal"]["ratio"], 1.5),
        "page_weight_kb": at_most(r["front_end"]["page_weight"]["kb"], 150),
        "case_form_lcp_s": at_most(r["front_end"]["case_form_lcp"]["s"], 1.5),
        # Issue 16: reconcile a 10,000-entry list under 5 s (the matching run; and the whole
        # import, reading and keying the file first, judged the same), in as many queries as a
        # list a tenth of its size.
        "reconcile_s": at_most(r["reconcile"]["match_s"], 5.0, strict=True),
        "reconcile_with_import_s": at_most(r["reconcile"]["import_s"], 5.0, strict=True),
        "reconcile_queries_flat": {
            "value": r["reconcile"]["import_queries"],
            "target": r["reconcile"]["tenth_import_queries"],
            "met": r["reconcile"]["import_queries"] == r["reconcile"]["tenth_import_queries"]
            and r["reconcile"]["match_queries"] == r["reconcile"]["tenth_match_queries"],
        },
        "throughput_ratio": {
            "value": throughput["ratio"],
            "target": 0.5,
            "met": throughput["ratio"] >= 0.5 and throughput["errors"] == 0,
        },
    }
    return judged


def print_table(r: dict) -> None:
    print(f"\nBenchmark: {r['cases']:,} cases, {r['trainees']:,} trainees; {r['machine']}")
    print(f"{'page':<24}{'p50 ms':>10}{'p95 ms':>10}{'queries':>10}")
    for name, row in [*r["pages"].items(), ("minimal_view (floor)", r["minimal_view"])]:
        print(f"{name:<24}{row['p50_ms']:>10}{row['p95_ms']:>10}{row.get('queries', ''):>10}")
    rep, exp, cert, thr = r["report"], r["export"], r["certificate"], r["throughput"]
    sealed = r["certificate_with_seal"]
    print(
        f"{'audit report figures':<24} app {rep['app_s']} s, SQL {rep['sql_s']} s, "
        f"ratio {rep['ratio']}"
    )
    print(
        f"{'CSV export, all cases':<24} app {exp['app_s']} s, COPY {exp['copy_s']} s, "
        f"ratio {exp['ratio']}, peak RSS {exp['peak_rss_mb']} MB"
    )
    print(
        f"{'certificate':<24} render {cert['app_s']} s, WeasyPrint {cert['bare_s']} s, "
        f"ratio {cert['ratio']}"
    )
    print(
        f"{'certificate with seal':<24} task {sealed['app_s']} s (seal {sealed.get('seal_s')} s), "
        f"WeasyPrint {sealed['bare_s']} s, ratio {sealed['ratio']}"
    )
    print(
        f"{'throughput (wrk)':<24} logbook {thr['page_rps']} rps, minimal {thr['minimal_rps']} "
        f"rps, ratio {thr['ratio']}, errors {thr['errors']}"
    )
    weight, paint = r["front_end"]["page_weight"], r["front_end"]["case_form_lcp"]
    print(
        f"{'page weight':<24} {weight['path']}: {weight['kb']} KB compressed (CSS "
        f"{weight['css_kb']}, JS {weight['js_kb']}, fonts {weight['fonts_kb']}; the HTML "
        f"{weight['html_kb']} KB)"
    )
    print(
        f"{'case form, slow phone':<24} largest paint {paint['s']} s (median of "
        f"{len(paint['runs_s'])}: {paint['runs_s']}), {paint['element']}"
    )
    rec = r["reconcile"]
    print(
        f"{'reconcile a list':<24} {rec['entries']:,} entries, {rec['cases_in_period']:,} cases "
        f"in its period: import and match {rec['import_s']} s ({rec['import_queries']} queries; "
        f"{rec['tenth_import_queries']} for {rec['tenth_entries']:,} entries), match again "
        f"{rec['match_s']} s ({rec['match_queries']} queries); matched {rec['matched']}, "
        f"probable {rec['probable']}, not on the list {rec['not_on_list']}, "
        f"not logged {rec['not_logged']}"
    )
    print(f"{'target':<28}{'value':>10}{'limit':>8}  met")
    for name, row in r["targets"].items():
        met = "yes" if row["met"] else "NO"
        print(f"{name:<28}{row['value']!s:>10}{row['target']!s:>8}  {met}")


if __name__ == "__main__":
    main()
