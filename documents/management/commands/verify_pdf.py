import hashlib
import re
from io import BytesIO
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from documents.codes import verification_code_normalise
from documents.models import GeneratedDocument
from documents.sealing import pdf_seal_check, trust_roots_load

_CODE_IN_KEYWORDS = re.compile(r"verification code ([0-9A-Z]{5}-[0-9A-Z]{5})")


def _verification_code(content: bytes) -> str:
    """The code the print template wrote into the PDF's keywords (documents/pdf/base.html)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        info = PdfFileReader(BytesIO(content), strict=False).trailer_view.get("/Info")
        keywords = str(info.get_object().get("/Keywords", "")) if info is not None else ""
    except Exception:  # an unreadable file has no code; the seal check says it is unreadable
        return ""
    match = _CODE_IN_KEYWORDS.search(keywords)
    return verification_code_normalise(match.group(1)) if match else ""


class Command(BaseCommand):
    help = (
        "Check a PDF offline, as /verify does: its seal (intact, who sealed it, the timestamp, "
        "anything added after sealing, against DOCUMENT_SEAL_TRUST_ROOTS or --trust-roots) and, "
        "when this database issued it, that it is the issued file (SHA-256) and still valid. "
        "Exits non-zero when it is not valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the PDF to check")
        parser.add_argument(
            "--trust-roots",
            nargs="+",
            metavar="PEM",
            help="trust these roots instead of DOCUMENT_SEAL_TRUST_ROOTS",
        )

    def handle(self, *args, file, trust_roots=None, **options):
        try:
            content = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        check = pdf_seal_check(
            content, trust_roots=trust_roots_load(trust_roots) if trust_roots else None
        )
        problems = [] if check.ok else ["its seal is not valid"]
        self.stdout.write("Seal:")
        for good, sentence in check.findings():
            self.stdout.write(f"  [{'ok' if good else 'NO'}] {sentence}")
        problems += self._record(content)
        if problems:
            raise CommandError(f"{file} is NOT valid: {'; '.join(problems)}.")
        self.stdout.write(self.style.SUCCESS(f"{file} is valid."))

    def _record(self, content: bytes) -> list[str]:
        """What this database's record says, printed; the problems it shows."""
        code = _verification_code(content)
        if not code:
            self.stdout.write(
                "Record: the file names no verification code; only its seal was checked."
            )
            return []
        try:
            document = GeneratedDocument.objects.filter(
                verification_code=code, status=GeneratedDocument.Status.READY
            ).first()
        except DatabaseError:
            self.stdout.write(
                f"Record: verification code {code}; this database could not be "
                "consulted, so only the seal was checked."
            )
            return []
        if document is None:
            self.stdout.write(
                f"Record: no issued document has verification code {code} in this "
                "database; only the seal was checked."
            )
            return []
        matches = hashlib.sha256(content).hexdigest() == document.sha256
        self.stdout.write(
            f"Record: {document.title}, issued to {document.person_name} on "
            f"{document.issued_at:%-d %B %Y} (verification code {code})."
        )
        self.stdout.write(
            f"  [{'ok' if matches else 'NO'}] "
            + (
                "This file is, byte for byte, the issued document (SHA-256 matches)."
                if matches
                else "This file does NOT match the issued document (SHA-256 differs)."
            )
        )
        valid = document.validity == GeneratedDocument.Validity.VALID
        self.stdout.write(
            f"  [{'ok' if valid else 'NO'}] Status: {document.get_validity_display()}."
        )
        return ([] if matches else ["it is not the issued file"]) + (
            [] if valid else [f"the document is {document.get_validity_display().lower()}"]
        )
