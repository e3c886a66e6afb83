"""Settings, read from the environment in this one place.

With nothing set the app runs on SQLite in the project folder, runs background tasks in-process and
prints e-mail to the console, so a newcomer needs no services. ``DATABASE_URL`` switches to
PostgreSQL, ``REDIS_URL`` to a real Celery broker and a shared cache, and ``DJANGO_ENV=production``
turns on every production safety.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
IS_PRODUCTION = DJANGO_ENV == "production"

if IS_PRODUCTION:
    # Required: a production secret must never fall back to a default.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    DEBUG = False
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
else:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="development-only-key-never-used-in-production-0123456789"
    )
    DEBUG = env.bool("DJANGO_DEBUG", default=True)
    ALLOWED_HOSTS = env.list(
        "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"]
    )

# The key of every commitment to free text (privacy/commitments.py): signatures and the audit log
# hold HMACs under it, so it must never change once the service holds data. Required in production.
TEXT_COMMITMENT_KEY = (
    env.str("TEXT_COMMITMENT_KEY")
    if IS_PRODUCTION
    else env.str("TEXT_COMMITMENT_KEY", default="development-only-text-commitment-key")
)

# Evidence reconciliation (issue 16; privacy/accession.py). Each organisation's secret key for
# accession numbers, "<organisation id>=<64 hex digits>,...": they are replaced by an HMAC-SHA256
# under it on reading. The previous keys are kept only while a rotation lasts (docs/deploy.md).
# Outside production an organisation without a key gets one derived from SECRET_KEY.
RECONCILIATION_KEYS = env.dict("RECONCILIATION_KEYS", default={})
RECONCILIATION_PREVIOUS_KEYS = env.dict("RECONCILIATION_PREVIOUS_KEYS", default={})
# The quarterly audit sample: this share of each trainee's verified cases, at least this many.
RECONCILIATION_SAMPLE_PERCENT = env.int("RECONCILIATION_SAMPLE_PERCENT", default=10)
RECONCILIATION_SAMPLE_MINIMUM = env.int("RECONCILIATION_SAMPLE_MINIMUM", default=5)

# Printed into every PDF and QR code, which cannot change once issued: required in production.
# In development it follows the port `make run` serves on (the Makefile exports PORT), so links in
# e-mails, PDF footers and QR codes lead to the running server.
SITE_URL = (
    env.str("SITE_URL")
    if IS_PRODUCTION
    else env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")
)

INSTALLED_APPS = [
    "irtraining.apps.ProjectConfig",
    "irtraining.apps.IRAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "irtraining.apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp
    "irtraining.apps.BackupCodesConfig",  # django_otp.plugins.otp_static
    "irtraining.apps.SignInLockoutsConfig",  # axes
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "crispy_forms",
    "django_filters",
    "django_celery_beat",
    "csp",
    "privacy",
    "accounts",
    "audit",
    "signoffs",
    "documents",
    "agreements",
    "caselogs",
    "reconciliation",
    "phases",
    "governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "irtraining.middleware.PermissionsPolicyMiddleware",
    # Before the host check (CommonMiddleware) and after the security headers: probes (/health/).
    "irtraining.middleware.HealthProbeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in page must not stay in a shared ward PC's browser cache.
    "irtraining.middleware.SignedInNoStoreMiddleware",
    "accounts.middleware.IdleTimeoutRenewalMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "irtraining.urls"
WSGI_APPLICATION = "irtraining.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue instead of
    # one failing with "database is locked" half-way through a service.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery --------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "irtraining",
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # No broker: tasks run in-process, at once, so the embedded default still does everything.
    # In-process tasks still take a producer from the broker's pool; a memory URL without a host
    # made kombu warn "No hostname was supplied" on every `make run`.
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# WeasyPrint grows in long-lived workers: PDFs run on their own queue, whose worker is started with
# --max-tasks-per-child (Makefile, docker-compose.yml).
CELERY_TASK_ROUTES = {"documents.*": {"queue": "documents"}}
# The longest a render may run (WeasyPrint, then the seal and its timestamp): the hard time limit of
# documents.render; its soft limit, 15 seconds earlier, fails the render into its retries.
DOCUMENTS_RENDER_TIME_LIMIT_SECONDS = env.int("DOCUMENTS_RENDER_TIME_LIMIT_SECONDS", default=60)
# A document still pending this long after its render last started (or was queued) is queued again
# by the sweeper: longer than any render may run, so a render still running is never taken twice;
# short, so a document whose whole worker died (nothing left to hand its message back) is produced
# within two minutes: at most AFTER + INTERVAL after its render started, plus the render.
DOCUMENTS_SWEEP_AFTER_SECONDS = env.int(
    "DOCUMENTS_SWEEP_AFTER_SECONDS", default=DOCUMENTS_RENDER_TIME_LIMIT_SECONDS + 15
)
DOCUMENTS_SWEEP_INTERVAL_SECONDS = env.int("DOCUMENTS_SWEEP_INTERVAL_SECONDS", default=30)
if DOCUMENTS_SWEEP_AFTER_SECONDS <= DOCUMENTS_RENDER_TIME_LIMIT_SECONDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DOCUMENTS_SWEEP_AFTER_SECONDS must be longer than DOCUMENTS_RENDER_TIME_LIMIT_SECONDS, "
        "or the sweeper would queue again renders that are still running."
    )
# The first retry delay of a failed render; it doubles each time, up to the maximum. Settings
# rather than constants so the fault tests can shorten them.
DOCUMENTS_RENDER_RETRY_SECONDS = 30
DOCUMENTS_RENDER_RETRY_MAX_SECONDS = 15 * 60
# Redis hands an unacknowledged message to another worker after the visibility timeout. A worker
# holds a retry's message unacknowledged while it waits out the retry's delay, so a timeout shorter
# than the longest delay plus a render would run that retry twice (Celery's documentation, "Redis:
# visibility timeout"): this is the backstop, and the sweeper above is the fast path.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": DOCUMENTS_RENDER_RETRY_MAX_SECONDS
    + DOCUMENTS_RENDER_TIME_LIMIT_SECONDS
    + 60
}
# How often beat sends the sign-off e-mails a broker outage kept from being queued.
SIGNOFF_NOTIFY_SWEEP_SECONDS = env.int("SIGNOFF_NOTIFY_SWEEP_SECONDS", default=5 * 60)
CELERY_BEAT_SCHEDULE = {
    "signoff-reminders": {"task": "signoffs.reminders", "schedule": 60 * 60},
    "signoff-notify-sweep": {
        "task": "signoffs.notify_sweep",
        "schedule": SIGNOFF_NOTIFY_SWEEP_SECONDS,
    },
    "documents-sweep": {"task": "documents.sweep", "schedule": DOCUMENTS_SWEEP_INTERVAL_SECONDS},
    "case-verification-reminders": {"task": "caselogs.verification_reminders", "schedule": 60 * 60},
    # Last quarter's audit sample, for each organisation without one (issue 16).
    "reconciliation-quarterly-samples": {
        "task": "reconciliation.quarterly_samples",
        "schedule": 24 * 60 * 60,
    },
}

# --- Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.EmailMembershipBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "irtraining.startup.DemoPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Idle timeout: the session lives 30 minutes from the last renewal (at most a minute old).
SESSION_COOKIE_AGE = 30 * 60
# Renewed by accounts.middleware.IdleTimeoutRenewalMiddleware, at most once a minute.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script of ours reads the CSRF cookie (forms carry the token), so scripts need not see it.
CSRF_COOKIE_HTTPONLY = True

OTP_TOTP_ISSUER = "IR Thrombectomy Training"
# An administrator may manage people's devices but never read their TOTP secrets (the admin's key
# field, configuration page and QR code), which would let them pass as that person's second
# factor. It also makes those pages 403 before django-otp looks the device up without a 404.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Lockout: ten wrong passwords are allowed; the eleventh locks the username from that address.
AXES_FAILURE_LIMIT = 11
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the lockout and is not extended by attempts made while locked, so the
# message "locked for 30 minutes" stays true for someone who keeps trying.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Behind a load balancer the socket address is the proxy's; count the trusted proxies so the client
# address is read from X-Forwarded-For instead.
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# British formats with 24-hour times ("4 Dec 2026, 14:05"), as clinical records write them;
# Django's en_GB formats use "2:05 p.m." (irtraining/formats/en_GB/formats.py).
FORMAT_MODULE_PATH = ["irtraining.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Forms render as NHS.UK frontend markup through the project's own crispy-forms template pack
# (accounts/templates/nhsuk/, docs/architecture.md, "Front end").
CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"

# --- E-mail ---------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="thrombectomy-training@localhost")
# Where seed_demo keeps the e-mails its sign-offs send when e-mail would only be printed (the
# console backend of development): a folder to read, not 300 lines before the sign-in table.
DEMO_MAIL_DIR = Path(env.str("DEMO_MAIL_DIR", default=str(BASE_DIR / "sent-mail")))

# --- Security headers -----------------------------------------------------------------------------
# The CSP is on in every environment so a violation shows up in development and tests, not first in
# production. Nothing inline: htmx's indicator style is shipped in our CSS instead.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page of the app uses, refused to any script (irtraining.middleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)

if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # A load balancer's probe talks plain HTTP to the app itself, without the proxy's header: it
    # must get the health answer, not a redirect to https.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if not SECURE_HSTS_PRELOAD:
        # Waiver: HSTS preloading binds every subdomain of the trust's domain for years, so it is
        # the trust's decision (DJANGO_HSTS_PRELOAD=true), not a default this app may make for them.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Axes logs every start-up at INFO; its lockouts are WARNING and still shown.
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # WeasyPrint reports every layout step at INFO.
        "weasyprint": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "fontTools": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Celery logs each task's success at INFO: a worker's log wants it; run in-process (no
        # REDIS_URL), it would only interleave with the development server's requests.
        **(
            {}
            if REDIS_URL
            else {
                "celery.app.trace": {
                    "handlers": ["console"],
                    "level": "WARNING",
                    "propagate": False,
                },
            }
        ),
    },
}

# --- Document seals (issue 15) ------------------------------------------------------------------
# Every issued PDF carries a PAdES seal (documents/sealing.py): a PKCS#12 key file and its
# passphrase, an RFC 3161 timestamp authority, and the roots /verify and `manage.py verify_pdf`
# trust. Keys come from here, never from the database or the repository.
# - DOCUMENT_SEAL_PKCS12: the programme's seal (path to a .p12); DOCUMENT_SEAL_PASSPHRASE opens it.
# - DOCUMENT_SEAL_PKCS12_DIR: optional folder of <organisation id>.p12 files (same passphrase); an
#   organisation's own file seals the documents it issues, in place of the programme's.
# - DOCUMENT_SEAL_TSA_URL: the TSA (required in production). DOCUMENT_SEAL_DEMO_TSA: the PKCS#12
#   of the local demo TSA, run in-process; for `make run` and the tests only, refused in production.
# - DOCUMENT_SEAL_TRUST_ROOTS: PEM file(s) of the roots seals are checked against; keep old roots
#   listed after a key rotation so documents sealed before it keep verifying.
# Outside production everything defaults to the demo PKI that `manage.py demo_pki` writes into
# DOCUMENT_SEAL_DEMO_PKI_DIR (git-ignored; `make run` creates it when missing).
DOCUMENT_SEAL_DEMO_PKI_DIR = Path(
    env.str("DOCUMENT_SEAL_DEMO_PKI_DIR", default=str(BASE_DIR / "demo-pki"))
)
_seal_demo = None if IS_PRODUCTION else DOCUMENT_SEAL_DEMO_PKI_DIR
DOCUMENT_SEAL_PKCS12 = env.str(
    "DOCUMENT_SEAL_PKCS12", default="" if _seal_demo is None else str(_seal_demo / "seal.p12")
)
DOCUMENT_SEAL_PASSPHRASE = env.str(
    "DOCUMENT_SEAL_PASSPHRASE", default="" if _seal_demo is None else "demo-not-secret"
)
DOCUMENT_SEAL_PKCS12_DIR = env.str(
    "DOCUMENT_SEAL_PKCS12_DIR",
    default="" if _seal_demo is None else str(_seal_demo / "organisations"),
)
DOCUMENT_SEAL_TSA_URL = env.str("DOCUMENT_SEAL_TSA_URL", default="")
DOCUMENT_SEAL_TSA_TIMEOUT_SECONDS = env.int("DOCUMENT_SEAL_TSA_TIMEOUT_SECONDS", default=10)
DOCUMENT_SEAL_DEMO_TSA = env.str(
    "DOCUMENT_SEAL_DEMO_TSA",
    default="" if _seal_demo is None or DOCUMENT_SEAL_TSA_URL else str(_seal_demo / "tsa.p12"),
)
if IS_PRODUCTION and DOCUMENT_SEAL_DEMO_TSA:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DOCUMENT_SEAL_DEMO_TSA is for development and tests, never production."
    )
DOCUMENT_SEAL_TRUST_ROOTS = env.list(
    "DOCUMENT_SEAL_TRUST_ROOTS",
    default=[] if _seal_demo is None else [str(_seal_demo / "root.pem")],
)
# Revocation data, for PAdES B-LT seals (the certificates and CRLs embedded in the PDF's DSS):
# - DOCUMENT_SEAL_CRLS: CRL files (DER or PEM, comma-separated) to embed; one that cannot be read,
#   or that does not cover a certificate naming a distribution point, fails the seal (never B-T).
# - DOCUMENT_SEAL_FETCH_REVOCATION: let pyHanko fetch CRLs/OCSP named in the certificates (network).
# With neither, seals are B-T. Outside production the demo CRL is embedded when its file exists (a
# demo PKI made before CRLs has none, and keeps sealing B-T).
DOCUMENT_SEAL_CRLS = env.list("DOCUMENT_SEAL_CRLS", default=[])
DOCUMENT_SEAL_FETCH_REVOCATION = env.bool("DOCUMENT_SEAL_FETCH_REVOCATION", default=False)
DOCUMENT_SEAL_DEMO_CRL = "" if _seal_demo is None else str(_seal_demo / "root.crl")
# pyHanko logs every failed check (an untrusted root, a broken copy someone uploads to /verify) as
# a WARNING with a traceback; the page and `verify_pdf` say what failed, so only its errors are
# logged.
LOGGING["loggers"]["pyhanko"] = {"handlers": ["console"], "level": "ERROR", "propagate": False}

# --- Production refuses to start half-configured (docs/deploy.md) ---------------------------------
# What production would otherwise survive silently. The checks that need files or the database
# (static files collected, no demo password) run when the web server starts (irtraining/startup.py).
if IS_PRODUCTION:
    from django.core.exceptions import ImproperlyConfigured

    _refusals = []
    if not SITE_URL.startswith("https://"):
        _refusals.append(
            f"SITE_URL must be the public https:// address, not {SITE_URL!r}: it is printed into "
            "every issued PDF and QR code, which can never change."
        )
    if not env.str("EMAIL_URL", default=""):
        _refusals.append(
            "EMAIL_URL is not set: sign-off requests and password resets would only be printed to "
            "the log. Set it to the trust's relay (smtp+tls://user:password@host:587), or to "
            "consolemail:// (or filemail:///path) to keep e-mail in the log on purpose."
        )
    elif EMAIL_CONFIG["EMAIL_BACKEND"].rsplit(".", 2)[-2] not in ("smtp", "console", "filebased"):
        _refusals.append(
            f"EMAIL_URL gives {EMAIL_CONFIG['EMAIL_BACKEND']}, which drops every e-mail: use smtp, "
            "console or file."
        )
    if _refusals:
        raise ImproperlyConfigured("Refusing to start in production:\n- " + "\n- ".join(_refusals))

# --- Verifiable credentials (issue 15) ----------------------------------------------------------
# The completion certificate is also an Open Badges 3.0 / VC 2.0 JWT-VC (documents/credentials.py).
# - CREDENTIAL_SIGNING_KEY: PEM private key file (EC P-256 for ES256, or Ed25519 for EdDSA) that
#   signs credentials and their status lists; CREDENTIAL_SIGNING_KEY_PASSPHRASE opens it when it is
#   encrypted (default: DOCUMENT_SEAL_PASSPHRASE). Read by the web process (downloads, status list).
# - CREDENTIAL_RETIRED_PUBLIC_KEYS: comma-separated PEM public keys of earlier signing keys; they
#   stay in /.well-known/jwks.json so credentials signed before a rotation keep verifying.
# - CREDENTIAL_STATUS_CACHE_DIR: where `manage.py verify_credential` keeps the status lists it
#   fetched, to answer offline.
CREDENTIAL_SIGNING_KEY = env.str(
    "CREDENTIAL_SIGNING_KEY",
    default="" if _seal_demo is None else str(_seal_demo / "credential-key.pem"),
)
CREDENTIAL_SIGNING_KEY_PASSPHRASE = env.str("CREDENTIAL_SIGNING_KEY_PASSPHRASE", default="")
CREDENTIAL_RETIRED_PUBLIC_KEYS = env.list("CREDENTIAL_RETIRED_PUBLIC_KEYS", default=[])
CREDENTIAL_STATUS_CACHE_DIR = Path(
    env.str("CREDENTIAL_STATUS_CACHE_DIR", default=str(BASE_DIR / "credential-status-cache"))
)
