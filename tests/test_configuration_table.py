"""The Configuration table of docs/deploy.md lists every environment variable the app reads (issue
18): the settings (irtraining/settings.py) and the backup and restore scripts (ops/). The README
says it is the one table."""

import re

from ops.deploy_docs import DEPLOY_DOC, ROOT

from .test_compose import settings_env_names

# os.environ.get("NAME"), os.environ["NAME"], os.environ.setdefault("NAME", ...)
_OS_ENVIRON = re.compile(
    r"""os\.environ(?:\.get|\.setdefault)?[\(\[]\s*["']([A-Z][A-Z0-9_]*)["']"""
)
# Set for the process, never by an operator.
NOT_CONFIGURATION = {"DJANGO_SETTINGS_MODULE"}


def ops_env_names() -> set[str]:
    names = set()
    for script in (ROOT / "ops").glob("*.py"):
        names |= set(_OS_ENVIRON.findall(script.read_text()))
    return names - NOT_CONFIGURATION


def table_rows() -> dict[str, list[str]]:
    """The Configuration section's table: each variable named in its first column, with the row."""
    text = DEPLOY_DOC.read_text()
    section = text[text.index("## 3. Configuration") :]
    section = section[: section.index("\n## ", 1)]
    rows = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0]):
            rows[name] = cells
    return rows


def test_the_scans_find_what_they_look_for():
    # Guards the patterns: if they stopped matching, the test below would pass vacuously.
    assert {"DJANGO_ENV", "DATABASE_URL", "EMAIL_URL", "SITE_URL"} <= settings_env_names()
    assert {"BACKUP_DIR", "RESTORE_DB", "RESTORE_MEDIA_ROOT"} <= ops_env_names()
    assert len(table_rows()) > 30


def test_every_variable_the_app_reads_is_in_the_configuration_table():
    missing = (settings_env_names() | ops_env_names()) - set(table_rows())
    assert not missing, f"read but not in docs/deploy.md's Configuration table: {sorted(missing)}"


def test_every_row_says_production_default_and_effect():
    for name, cells in table_rows().items():
        assert len(cells) == 4, f"{name}: variable | production | default | effect"
        assert cells[2] and cells[3], f"{name}: say its default and its effect"


def test_the_readme_names_the_one_table():
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "docs/deploy.md" in readme
    assert "one table of every environment variable" in readme
