# The two commands a newcomer needs: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Exported so that settings.SITE_URL follows it in development: links in e-mails, PDF footers and
# QR codes (the demo's, made by `make seed`, included) lead to the server `make run` starts.
export PORT

.PHONY: run test fuzz setup worker beat migrate seed check clean bench static lint backup restore mutants mutants-postgres frontend

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[test]"
	@rm -rf build *.egg-info
	@touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py demo_pki
	$(PY) manage.py seed_demo

run: seed
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The same examples every run (hypothesis derandomized: tests/conftest.py), so a red run reproduces.
test: setup
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

# Mutation testing (docs/testing.md): mutmut makes small changes to the trust-critical modules
# ([tool.mutmut] in pyproject.toml) one at a time and runs the tests that reach each; a change no
# test notices is a rule no test defends. Too slow for `make test`: see docs/testing.md for how
# long. SQLite and no services, whatever the environment says. MUTANTS='phases.cusum.*' runs only
# the mutants whose names match; results are kept in mutants/ between runs.
MUTANTS_DB := $(CURDIR)/mutants/template.sqlite3
MUTANTS_CHILDREN ?= 2
mutants: setup
	@mkdir -p mutants && rm -f $(MUTANTS_DB)
	env -u REDIS_URL DATABASE_URL=sqlite:///$(MUTANTS_DB) $(PY) manage.py migrate --noinput -v0
	env -u DATABASE_URL -u REDIS_URL MUTANTS_TEMPLATE_DB=$(MUTANTS_DB) \
	  nice -n 10 $(VENV)/bin/mutmut run --max-children $(MUTANTS_CHILDREN) $(MUTANTS)
	$(VENV)/bin/mutmut results --all true | $(PY) tests/mutation_score.py

# The mutants only PostgreSQL reaches (governance.indicators._in_postgres), which `make mutants`
# on SQLite reports as "no tests": each run on its own against the tests that read it, in the
# tree `make mutants` left in mutants/. Needs DATABASE_URL naming a PostgreSQL database.
MUTANTS_POSTGRES_TESTS := tests/governance/test_indicators_in_full.py \
  tests/governance/test_indicators.py tests/governance/test_audit_report.py \
  tests/governance/test_report_sections.py tests/governance/test_dashboard.py
mutants-postgres: setup
	@test -d mutants || { echo "Run make mutants first: it makes mutants/."; exit 1; }
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "Set DATABASE_URL to PostgreSQL."; exit 1;; esac
	env -u REDIS_URL $(PY) tests/mutation_one_by_one.py 'governance.indicators.x__in_postgres*' \
	  -- $(MUTANTS_POSTGRES_TESTS) | tee mutants/postgres-results.txt
	$(PY) tests/mutation_score.py < mutants/postgres-results.txt

# Explore: new random examples each run, FUZZ_FACTOR (default 10) times as many, for developers
# (README, "Tests"). Keep each failure it finds as an @example (tests/fuzz: examples=).
fuzz: setup
	FUZZ=1 $(PY) -m pytest tests/fuzz $(PYTEST_ARGS)

# The national-scale benchmark (README, docs/performance.md): BENCH_CASES cases, default 100000.
bench: setup
	$(PY) bench/run.py

# With REDIS_URL set, the background workers. PDFs run on their own queue (see docs/architecture.md).
worker: setup
	$(VENV)/bin/celery -A irtraining worker --loglevel=INFO --queues=celery,documents --max-tasks-per-child=50

# Remote control on, so `celery -A irtraining inspect ping --destination celerybeat@$$(hostname)`
# answers while its scheduler ticks (the health check docker-compose.yml and docs/deploy.md use).
beat: setup
	$(VENV)/bin/celery -A irtraining beat --loglevel=INFO --enable-remote-control

check: setup
	DJANGO_ENV=production DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-check-only-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=')} \
	  TEXT_COMMITMENT_KEY=$${TEXT_COMMITMENT_KEY:-check-only} \
	  DJANGO_ALLOWED_HOSTS=example.org SITE_URL=$${SITE_URL:-https://example.org} \
	  EMAIL_URL=$${EMAIL_URL:-consolemail://} \
	  DOCUMENT_SEAL_PKCS12=$${DOCUMENT_SEAL_PKCS12:-/check-only/seal.p12} \
	  CREDENTIAL_SIGNING_KEY=$${CREDENTIAL_SIGNING_KEY:-/check-only/credential-key.pem} \
	  RECONCILIATION_KEYS=$${RECONCILIATION_KEYS:-1=$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')} \
	  $(PY) manage.py check --deploy --fail-level WARNING

# Lint, format and type checks (issue 17; docs/architecture.md, "Static checks"): ruff's rules and
# its formatting, mypy with django-stubs and celery-types, djlint over the templates, and a reason
# beside every noqa and type: ignore. .pre-commit-config.yaml runs the same before a commit.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/djlint --lint templates */templates
	@if grep -rnP --include='*.py' --exclude-dir=.venv --exclude-dir=mutants --exclude-dir=static \
	    '#\s*(noqa|type:\s*ignore)\b' . \
	  | grep -vP '#\s*noqa:\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*\s+(\(|-\s|#\s*)\S' \
	  | grep -vP '#\s*type:\s*ignore\[[a-z0-9_-]+(\s*,\s*[a-z0-9_-]+)*\]\s+#\s*\S'; then \
	  echo "Each noqa and type: ignore above needs its codes and its reason on the same line."; \
	  exit 1; \
	fi

# Static checks CI runs before the tests: lint (above), no high-severity bandit finding in our
# code, installed packages consistent, and Django's deployment checks clean under production
# settings.
static: setup
	$(MAKE) --no-print-directory lint
	$(VENV)/bin/bandit --recursive . --exclude ./.venv,./tests,./mutants --severity-level high --quiet
	$(PY) -m pip check
	$(MAKE) --no-print-directory check

# The front end (docs/architecture.md, "Front end"): NHS.UK frontend, pinned in frontend/package.json,
# compiled with our settings into static/dist/. The output is committed, so `make run` and CI need
# no Node; run this after changing frontend/ or the pinned version, and commit what it writes.
frontend:
	cd frontend && npm ci --no-audit --no-fund && npm run build
	for icon in arrow-down arrow-up-down arrow-up cross; do \
	  cp frontend/node_modules/nhsuk-frontend/dist/nhsuk/assets/images/nhsuk-icon-$$icon.svg static/dist/images/; \
	done

# Backups (README, "Backups and restores"): the database (pg_dump) and the private PDFs, with a
# manifest; a restore goes into a new database and is verified (audit chain, row counts, hashes).
BACKUP_DIR ?= backups
backup: setup
	$(PY) ops/backup.py --dir "$(BACKUP_DIR)"

restore: setup
	$(PY) ops/restore.py --dir "$(BACKUP_DIR)" --backup "$(BACKUP)" --database "$(RESTORE_DB)" \
	  --media-root "$(RESTORE_MEDIA_ROOT)" $(if $(filter 1,$(FORCE)),--force)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles private-media test-artifacts sent-mail mutants
