# The production image. gunicorn serves the app by default; docker-compose.yml runs the same image
# as the Celery worker and beat. TLS ends at a reverse proxy in front of it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PRIVATE_MEDIA_ROOT=/var/lib/irtraining/private-media \
    PORT=8000 \
    WEB_CONCURRENCY=3

# WeasyPrint's runtime libraries and the font the PDFs are drawn with, and PostgreSQL 15's client
# tools (pg_dump, pg_restore, psql), so backups and restores run from this image
# (docs/deploy.md, "Backups"): bookworm's are version 15, as docker-compose.yml's server is, and
# pg_dump refuses a server newer than itself.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        postgresql-client-15 \
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
        EMAIL_URL=consolemail:// \
        python manage.py collectstatic --noinput \
    && python -m compileall -q .

# The code stays root-owned and read-only to the app; the app writes only the private media
# volume, its home directory (fontconfig's cache, used by WeasyPrint) and, in the backup service,
# /backups and the restored PDFs' folder (volumes that take these folders' owner).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app \
    && mkdir -p "$PRIVATE_MEDIA_ROOT" /backups /home/app/irtraining-restores \
    && chown app:app "$PRIVATE_MEDIA_ROOT" /backups /home/app/irtraining-restores \
    && chmod 700 /backups /home/app/irtraining-restores
USER app

EXPOSE 8000
# docs/deploy.md, "Start the web": gunicorn listens on 0.0.0.0:$PORT, with WEB_CONCURRENCY workers.
CMD ["gunicorn", "irtraining.wsgi:application", "--access-logfile", "-", \
     "--worker-tmp-dir", "/dev/shm"]
