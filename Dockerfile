# The production image. gunicorn serves the app by default; docker-compose.yml runs the same image
# as the Celery worker and beat. TLS ends at a reverse proxy in front of it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PRIVATE_MEDIA_ROOT=/var/lib/irtraining/private-media \
    WEB_CONCURRENCY=3

# WeasyPrint's runtime libraries and the font the PDFs are drawn with; nothing else.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies before the code, so a code change reuses this layer. pyproject.toml declares no
# modules, so this installs the pinned dependencies and nothing of the project itself.
COPY pyproject.toml ./
RUN pip install . && rm -rf build ./*.egg-info

# .dockerignore keeps local state out: a developer's virtualenv and SQLite database, generated
# documents, collected static files, tests.
COPY . .

# Collected in production mode, because only then is the storage WhiteNoise's manifest storage:
# static files collected in development mode have no manifest, and every production page that
# uses {% static %} would fail. The key is a throwaway: collectstatic signs nothing, and the real
# key comes from the environment at run time.
RUN DJANGO_ENV=production DJANGO_SECRET_KEY=collectstatic-at-build-time-only \
        TEXT_COMMITMENT_KEY=collectstatic-at-build-time-only SITE_URL=https://build.invalid \
        python manage.py collectstatic --noinput \
    && python -m compileall -q .

# The code stays root-owned and read-only to the app; the app writes only the private media
# volume, and its home directory (fontconfig's cache, used by WeasyPrint).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app \
    && mkdir -p "$PRIVATE_MEDIA_ROOT" \
    && chown app:app "$PRIVATE_MEDIA_ROOT"
USER app

EXPOSE 8000
CMD ["gunicorn", "irtraining.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", "--worker-tmp-dir", "/dev/shm"]
