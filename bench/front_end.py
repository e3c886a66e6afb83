"""The front end's two figures (issue 14, part 5), measured in Chromium against the bench's gunicorn
(production static files: whitenoise's compressed manifest storage, collected by bench/run.py):

- page weight: the CSS, JavaScript and fonts a signed-in page loads with a cold cache, as
  transferred (compressed), from Chromium's own network log (``encodedDataLength``);
- the case form's largest contentful paint on a throttled phone: 375 CSS px, a cold cache,
  ``Network.emulateNetworkConditions`` (150 ms latency, 1.6 Mbit/s down, 750 kbit/s up) and
  ``Emulation.setCPUThrottlingRate`` 4, the median of BENCH_LCP_RUNS (5) loads.
"""

import os
import shutil
import statistics
from typing import Any

from ops.chromium import CHROMIUM_ARGS

# Resource types (Chromium's Network domain) that count towards the page weight.
WEIGHED = {"Stylesheet": "css", "Script": "js", "Font": "fonts"}
SLOW_PHONE = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6e6 / 8,  # bytes per second
    "uploadThroughput": 750e3 / 8,
}
CPU_SLOWDOWN = 4
PHONE = {"width": 375, "height": 812}
LCP_SCRIPT = """() => new Promise(resolve => {
    new PerformanceObserver(list => {
        const entries = list.getEntries();
        const last = entries[entries.length - 1];
        resolve({time: last.renderTime || last.loadTime || last.startTime,
                 element: last.element ? last.element.tagName + (last.element.id ? '#' +
                 last.element.id : '') + ' ' + (last.element.textContent || '').trim().slice(0, 40)
                 : ''});
    }).observe({type: 'largest-contentful-paint', buffered: true});
})"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _context(browser: Any, base: str, cookie: str, **options: Any) -> Any:
    context = browser.new_context(**options)
    host = base.split("//", 1)[1].split(":")[0]
    context.add_cookies([{"name": "sessionid", "value": cookie, "domain": host, "path": "/"}])
    return context


def page_weight(browser: Any, base: str, path: str, cookie: str) -> dict:
    """Bytes on the wire of each CSS, JS and font file of one cold load of a signed-in page."""
    context = _context(browser, base, cookie, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    kinds: dict[str, tuple[str, str, str]] = {}
    sizes: dict[str, int] = {}

    def on_response(event: dict) -> None:
        response = event["response"]
        encoding = {k.lower(): v for k, v in response.get("headers", {}).items()}.get(
            "content-encoding", "identity"
        )
        kinds[event["requestId"]] = (event["type"], response["url"], encoding)

    cdp.on("Network.responseReceived", on_response)
    cdp.on(
        "Network.loadingFinished",
        lambda event: sizes.__setitem__(event["requestId"], int(event["encodedDataLength"])),
    )
    response = page.goto(base + path, wait_until="load")
    assert response is not None and response.status == 200, f"GET {path}: {response}"
    page.wait_for_timeout(500)  # late loadingFinished events (fonts)
    files: list[dict[str, Any]] = []
    # The page's own HTML, as transferred: not part of the target, but the rest of what a phone
    # downloads before it can paint.
    html = sum(
        sizes.get(request_id, 0) for request_id, (kind, _, _) in kinds.items() if kind == "Document"
    )
    for request_id, (kind, url, encoding) in kinds.items():
        if kind in WEIGHED and request_id in sizes:
            files.append(
                {
                    "url": url.removeprefix(base),
                    "kind": WEIGHED[kind],
                    "bytes": sizes[request_id],
                    "encoding": encoding,
                }
            )
    context.close()
    by_kind = dict.fromkeys(WEIGHED.values(), 0)
    for entry in files:
        by_kind[entry["kind"]] += entry["bytes"]
    total = sum(by_kind.values())
    return {
        "path": path,
        "kb": round(total / 1000, 1),
        **{f"{name}_kb": round(size / 1000, 1) for name, size in by_kind.items()},
        "html_kb": round(html / 1000, 1),
        "files": sorted(files, key=lambda f: -f["bytes"]),
    }


def largest_paint(browser: Any, base: str, path: str, cookie: str, runs: int) -> dict:
    """The median largest contentful paint of `runs` cold loads on the throttled phone."""
    times, elements = [], []
    for _ in range(runs):
        context = _context(
            browser,
            base,
            cookie,
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", SLOW_PHONE)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        response = page.goto(base + path, wait_until="load")
        assert response is not None and response.status == 200, f"GET {path}: {response}"
        found = page.evaluate(LCP_SCRIPT)
        times.append(found["time"])
        elements.append(found["element"])
        context.close()
    return {
        "path": path,
        "s": round(statistics.median(times) / 1000, 3),
        "runs_s": [round(t / 1000, 3) for t in times],
        "element": statistics.mode(elements),
        "latency_ms": SLOW_PHONE["latency"],
        "down_mbit_s": 1.6,
        "up_kbit_s": 750,
        "cpu_slowdown": CPU_SLOWDOWN,
        "width": PHONE["width"],
    }


def measure(base: str, cookie: str, path: str = "/logbook/new/") -> dict:
    """Both figures for the signed-in page at `path` (the case form)."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    if executable is None:
        raise SystemExit(
            "make bench needs Chromium for the front-end figures (apt-get install chromium)"
        )
    runs = int(os.environ.get("BENCH_LCP_RUNS", "5"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            # One load first, so gunicorn's workers have the page's code and templates warm.
            warm = _context(browser, base, cookie)
            warm.new_page().goto(base + path)
            warm.close()
            weight = page_weight(browser, base, path, cookie)
            paint = largest_paint(browser, base, path, cookie, runs)
        finally:
            browser.close()
    return {"page_weight": weight, "case_form_lcp": paint}


def main() -> dict:
    """``make bench-front-end``: the two figures alone, on the demo data (seed_demo) in a database
    of their own (BENCH_DB_SUFFIX, default ``_bench_front``), without the national-scale seed.
    The figures are the same as make bench's: the page and its files do not grow with the data."""
    import json
    import subprocess
    import sys
    from urllib.parse import urlsplit

    os.environ.setdefault("BENCH_DB_SUFFIX", "_bench_front")
    from bench import run

    url, admin_url = run.bench_database_url()
    name = urlsplit(url).path.lstrip("/")
    env, pki, static = run.bench_environment(url)
    try:
        run.drop_database(admin_url, name)
        run.psql(admin_url, "-c", f'CREATE DATABASE "{name}"')
        for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            run.log("manage.py " + " ".join(command))
            subprocess.run(
                [run.PYTHON, "manage.py", *command],
                cwd=run.ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        import django

        django.setup()
        from django.db import connection

        from accounts.demo import DEMO_PEOPLE
        from accounts.models import Role, User
        from bench.measure import session_cookie
        from ops.smoke_support import free_port

        demo = next(person for person in DEMO_PEOPLE if person.role == Role.TRAINEE)
        cookie = session_cookie(User.objects.get(email=demo.email))
        connection.close()
        port = free_port()
        with run.gunicorn(env, port):
            run.log("front end: page weight and the case form's largest paint on a slow phone")
            results = measure(f"http://127.0.0.1:{port}", cookie)
    finally:
        shutil.rmtree(pki, ignore_errors=True)
        shutil.rmtree(static, ignore_errors=True)
        run.drop_database(admin_url, name)
    weight, paint = results["page_weight"], results["case_form_lcp"]
    json.dump(results, sys.stdout, indent=2)
    print(
        f"\npage weight {weight['path']}: {weight['kb']} KB (CSS {weight['css_kb']}, JS "
        f"{weight['js_kb']}, fonts {weight['fonts_kb']}; target <= 150 KB; the HTML "
        f"{weight['html_kb']} KB)\n"
        f"case form, slow phone: largest paint {paint['s']} s, runs {paint['runs_s']} "
        f"(target <= 1.5 s), {paint['element']}"
    )
    return results


if __name__ == "__main__":
    main()
