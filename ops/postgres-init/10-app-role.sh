#!/bin/sh
# Run once by the postgres image when docker-compose.yml's `db` service first creates its data
# (/docker-entrypoint-initdb.d). POSTGRES_USER (irtraining) owns the database and runs the
# migrations; this adds the role the app connects as, and keeps everyone else from creating
# anything in the schema (docs/deploy.md, "Database roles"). `manage.py grant_app_role` gives the
# app role its privileges on the tables once they exist.
set -eu
psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE irtraining_app LOGIN PASSWORD :'app_password';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
