"""The procedure-list import (issue 16): all or nothing, problems by row and column, CSV and XLSX,
an audit event per import, and the accession number never shown back."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from reconciliation.models import ListEntry, ListOperator, ProcedureList

from .conftest import HEADER, PERIOD, TODAY, csv_upload, import_list, row

pytestmark = pytest.mark.django_db
DAY = TODAY - timedelta(days=5)


def test_a_good_file_is_imported_with_one_audit_event(world):
    outcome = import_list(
        world,
        [
            row(DAY, "ACC-1", world.trainee.gmc_number),
            row(DAY, "ACC-1", world.lead_supervisor.gmc_number, "supervisor"),
            row(DAY, "ACC-2", world.lead_supervisor.gmc_number, "operator"),
        ],
    )
    assert not outcome.problems
    assert outcome.procedure_list.entry_count == 2
    assert ListOperator.objects.count() == 3
    event = AuditEvent.objects.get(verb="procedure_list.imported")
    assert event.data["entries"] == 2 and event.data["not_logged"] == 1


def test_problems_come_by_row_and_column_and_nothing_is_saved(world):
    outcome = import_list(
        world,
        [
            row(DAY, "ACC-1", world.trainee.gmc_number),
            row(TODAY + timedelta(days=3), "ACC-2", "12345", "surgeon"),
            ["31/02/2026", "", "MT01", world.trainee.gmc_number, "assistant"],
            row(DAY - timedelta(days=1), "ACC-1", "7654321"),
            row(DAY, "ACC-1", world.trainee.gmc_number),
        ],
    )
    found = {(p.row, p.column) for p in outcome.problems}
    assert found == {
        (3, "procedure_date"),
        (3, "operator_gmc"),
        (3, "operator_role"),
        (4, "procedure_date"),
        (4, "accession_number"),
        (5, "accession_number"),  # same number, another date
        (6, "operator_gmc"),  # the same operator twice on one procedure
    }
    assert not ProcedureList.objects.exists() and not ListEntry.objects.exists()
    assert not AuditEvent.objects.filter(verb="procedure_list.imported").exists()


def test_the_header_is_checked_first(world):
    outcome = import_list(
        world, [], upload=csv_upload([["x"]], header=["procedure_date", "accession", "colour"])
    )
    messages = " ".join(p.message for p in outcome.problems)
    assert "Unknown column" in messages and "Missing columns: procedure_code" in messages


def test_a_procedure_code_holding_an_identifier_is_refused_and_hidden(world):
    outcome = import_list(world, [row(DAY, "ACC-1", world.trainee.gmc_number, code="MRN 12345678")])
    (problem,) = outcome.problems
    assert problem.column == "procedure_code" and problem.value == "(hidden)"


def test_accession_values_are_never_shown_back(world):
    outcome = import_list(
        world,
        [
            row(DAY, "ACC-SECRET-77", "bad"),
            row(DAY + timedelta(days=1), "ACC-SECRET-77", world.trainee.gmc_number),
            row(DAY, "not an accession!", world.trainee.gmc_number),
        ],
    )
    assert outcome.problems
    text = repr(outcome.problems)
    assert "SECRET" not in text and "not an accession" not in text
    assert all(p.value == "" for p in outcome.problems if p.column == "accession_number")


def test_xlsx(world):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([DAY, "ACC-1", "MT01", int(world.trainee.gmc_number), "Primary operator"])
    content = io.BytesIO()
    workbook.save(content)
    upload = SimpleUploadedFile("list.xlsx", content.getvalue())
    outcome = import_list(world, [], upload=upload)
    assert not outcome.problems
    assert outcome.procedure_list.file_format == "xlsx"
    assert ListEntry.objects.get().performed_on == DAY


def test_not_a_workbook(world):
    upload = SimpleUploadedFile("list.xlsx", b"PK\x03\x04 not really")
    outcome = import_list(world, [], upload=upload)
    assert outcome.problems[0].row is None and "Excel" in outcome.problems[0].message


def test_only_training_and_governance_leads_of_the_organisation_import(world):
    with pytest.raises(PermissionDenied):
        import_list(world, [row(DAY, "ACC-1", world.trainee.gmc_number)], user=world.trainee)
    with pytest.raises(PermissionDenied):
        # The governance lead is the employer's; the list is the centre's site.
        import_list(
            world, [row(DAY, "ACC-1", world.trainee.gmc_number)], user=world.governance_lead
        )
    outcome = import_list(
        world,
        [row(DAY, "ACC-1", world.trainee.gmc_number)],
        user=world.governance_lead,
        site=world.home_site,
        period=PERIOD,
    )
    assert not outcome.problems


def test_production_without_a_key_refuses_the_list(world, settings):
    settings.IS_PRODUCTION = True
    settings.RECONCILIATION_KEYS = {}
    outcome = import_list(world, [row(DAY, "ACC-1", world.trainee.gmc_number)])
    assert "RECONCILIATION_KEYS" in outcome.problems[0].message
    assert not ProcedureList.objects.exists()
