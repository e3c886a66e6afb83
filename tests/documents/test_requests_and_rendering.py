"""Asking for a document is idempotent; rendering it is idempotent and leaves exactly one file."""

import hashlib
import os
import subprocess
from pathlib import Path
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.db.models.query import QuerySet

from audit.models import AuditEvent
from documents import services
from documents.codes import ALPHABET, verification_code_normalise
from documents.models import GeneratedDocument
from documents.services import document_render, document_request
from documents.tasks import document_render_task

from .conftest import KIND

pytestmark = pytest.mark.django_db


def _pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


def test_asking_twice_for_the_same_content_gives_one_document(
    organisation, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
    with django_capture_on_commit_callbacks(execute=True):
        second = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
    assert queued == [first.pk]
    assert first.pk == second.pk
    assert GeneratedDocument.objects.count() == 1
    assert AuditEvent.objects.filter(verb="document.requested").count() == 1
    assert first.status == GeneratedDocument.Status.PENDING
    assert first.template_version == "tests-1"


def test_different_content_gives_a_new_document(organisation, queued):
    first = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
    second = document_request(kind=KIND, subject=organisation, content_digest="b" * 64)
    assert first.pk != second.pk
    assert first.verification_code != second.verification_code


def test_the_render_is_queued_only_after_commit(
    organisation, django_capture_on_commit_callbacks, queued
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
        assert queued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert queued == [document.pk]


def test_a_request_that_loses_the_race_returns_the_winners_row(organisation, queued):
    """Two requests at once: both miss the read, one insert wins, the UniqueConstraint stops the
    other, which then reads the winner. Simulated by hiding the row from the first read."""
    winner = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
    real_get = QuerySet.get
    misses = iter([True])

    def get_missing_once(self, *args, **kwargs):
        if self.model is GeneratedDocument and next(misses, False):
            raise GeneratedDocument.DoesNotExist
        return real_get(self, *args, **kwargs)

    with mock.patch.object(QuerySet, "get", get_missing_once):
        loser = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
    assert loser.pk == winner.pk
    assert GeneratedDocument.objects.count() == 1


def test_the_database_refuses_a_second_row_for_the_same_content(organisation, queued):
    document = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        GeneratedDocument.objects.create(
            kind=KIND,
            subject_type=document.subject_type,
            subject_id=organisation.pk,
            content_digest="a" * 64,
            template_version="x",
            verification_code="22222-22222",
            queued_at=document.queued_at,
        )


def test_a_verification_code_collision_draws_another_code(organisation, queued):
    existing = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
    codes = iter([existing.verification_code, "ABCDE-FGHJK"])
    with mock.patch.object(services, "verification_code_new", lambda: next(codes)):
        fresh = document_request(kind=KIND, subject=organisation, content_digest="b" * 64)
    assert fresh.verification_code == "ABCDE-FGHJK"


def test_three_colliding_codes_in_a_row_give_up_and_write_nothing(organisation, queued):
    """Three draws, each an existing code: a fourth is not tried, and no document is made."""
    existing = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
    codes = iter([existing.verification_code] * 3 + ["ABCDE-FGHJK"])
    with (
        mock.patch.object(services, "verification_code_new", lambda: next(codes)),
        pytest.raises(IntegrityError) as refused,
    ):
        document_request(kind=KIND, subject=organisation, content_digest="b" * 64)
    assert str(refused.value) == "Could not draw an unused verification code."
    assert list(GeneratedDocument.objects.values_list("content_digest", flat=True)) == ["a" * 64]


def test_verification_codes_are_short_and_unambiguous(organisation, queued):
    document = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
    code = document.verification_code
    assert len(code) == 11 and code[5] == "-"
    assert set(code.replace("-", "")) <= set(ALPHABET)
    assert not set("01ILOU") & set(ALPHABET)
    assert verification_code_normalise(code.lower().replace("-", " ")) == code
    assert verification_code_normalise("not a code") == ""


def test_running_the_task_twice_gives_one_document_one_file_and_no_temp_files(
    requested, private_media
):
    document_render_task(requested.pk)
    document_render_task(requested.pk)
    document = GeneratedDocument.objects.get()
    assert document.status == GeneratedDocument.Status.READY
    assert document.attempts == 1
    files = sorted(p.name for p in (private_media / "documents").iterdir())
    assert files == [f"{document.pk}.pdf"]
    assert AuditEvent.objects.filter(verb="document.issued").count() == 1


def test_a_rerun_after_a_lost_commit_replaces_the_file_rather_than_adding_one(
    requested, private_media
):
    """A worker that wrote the file but died before its commit: the next run overwrites it."""
    real_write = services._write_atomically

    def write_then_die(name, content):
        real_write(name, content)
        raise SystemExit("worker killed after writing")

    with (
        mock.patch.object(services, "_write_atomically", write_then_die),
        pytest.raises(SystemExit),
    ):
        document_render(document_id=requested.pk)
    document = document_render(document_id=requested.pk)
    assert document.status == GeneratedDocument.Status.READY
    assert [p.name for p in (private_media / "documents").iterdir()] == [f"{document.pk}.pdf"]


def test_a_temporary_file_left_by_a_render_killed_before_its_rename_is_swept_away(
    requested, private_media, monkeypatch
):
    """A worker killed (SIGKILL, out of memory) between writing the PDF and renaming it cannot
    clean up after itself; the document's next render must. The kill is simulated by leaving a
    file wherever the render wrote its temporary one, straight after the rename: wherever and
    however that file is named, nothing of it may be left in the storage or outside it."""
    real_replace = os.replace
    left: list[Path] = []

    def rename_and_leave_a_stray_copy(source, destination):
        real_replace(source, destination)
        Path(source).write_bytes(b"%PDF- half written")
        left.append(Path(source))

    monkeypatch.setattr(os, "replace", rename_and_leave_a_stray_copy)
    document = document_render(document_id=requested.pk)
    monkeypatch.undo()

    assert left, "the render wrote through no temporary file"
    assert [path for path in left if path.exists()] == []
    assert [p.name for p in (private_media / "documents").iterdir()] == [f"{document.pk}.pdf"]


def test_a_write_that_fails_leaves_no_file_and_reports_the_disks_error(
    requested, private_media, monkeypatch
):
    """A full disk while the PDF is written: the render fails with the disk's own error (for the
    task's retries and the failed document's record), and leaves neither half a file nor a
    temporary one."""

    def disk_full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        document_render(document_id=requested.pk)
    monkeypatch.undo()

    assert list((private_media / "documents").iterdir()) == []
    requested.refresh_from_db()
    assert requested.status == GeneratedDocument.Status.PENDING


def test_the_stored_hash_is_the_files_hash(issued):
    content = issued.file.open("rb").read()
    issued.file.close()
    assert issued.sha256 == hashlib.sha256(content).hexdigest()
    assert issued.size == len(content)
    assert content.startswith(b"%PDF-")
    assert issued.issued_at is not None
    assert issued.title == "Organisation record"
    assert issued.person_name == issued.subject.name


def test_the_pdf_prints_the_verification_code_and_url_on_every_page(issued, settings):
    text = _pdf_text(issued.file.path)
    url = f"{settings.SITE_URL}/verify/{issued.verification_code}/"
    pages = [page for page in text.split("\f") if page.strip()]
    assert pages
    for number, page in enumerate(pages, start=1):
        assert issued.verification_code in page
        assert url in page
        assert f"Page {number} of {len(pages)}" in page
    assert issued.subject.name in text


def test_the_private_file_has_no_url(issued):
    with pytest.raises(NotImplementedError):
        issued.file.url  # noqa: B018  (reading it is the test: it must raise)
