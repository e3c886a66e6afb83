"""How every headless Chromium we start is launched: the browser tests' (tests/browser/conftest.py)
and the benchmark's front-end figures (bench/front_end.py). Here because bench must not import test
fixtures and ops never imports either. Never imported by the app."""

# The machine's network is closed: keep Chromium from reaching out (QUIC, component updates, sync).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
