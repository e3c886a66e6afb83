"""The PAdES seal on every issued PDF, and the check of a seal (/verify, ``manage.py verify_pdf``).

A seal is an incremental PAdES signature (pyHanko) over WeasyPrint's output, made with the issuing
organisation's key (or the programme's) and carrying an RFC 3161 timestamp from the configured TSA:
PAdES B-T. Where revocation data is available (``DOCUMENT_SEAL_CRLS``, the demo CRL, or fetching
allowed by ``DOCUMENT_SEAL_FETCH_REVOCATION``) the certificates and CRLs are embedded in the file's
DSS as well: PAdES B-LT, checkable after the certificates expire. Keys, the TSA, revocation data and
the trust roots come from settings (``DOCUMENT_SEAL_*``), never from the database or the repository.
Anything that goes wrong raises ``SealError``: a document is never issued unsealed, nor with the
server's clock in place of a timestamp, nor B-T when B-LT was configured.

Checking is offline: the signature against the bytes it covers, the certificate chain against
``DOCUMENT_SEAL_TRUST_ROOTS``, the timestamp's own signature and chain, and whatever was appended
after the seal (pyHanko's difference analysis).
"""

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_T = TypeVar("_T")

SEAL_FIELD = "DocumentSeal"


def _outside_any_event_loop(call: Callable[[], _T]) -> _T:
    """Run call() where pyHanko's own asyncio.run() can work.

    pyHanko's synchronous API runs an event loop of its own, which fails in a thread that already
    runs one (an async caller, or the Playwright-driven test process); there it runs in a thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


class SealError(Exception):
    """The document could not be sealed: no usable key, no timestamp, or pyHanko failed."""


@dataclass(frozen=True)
class SealPlacement:
    """Where the visible seal block is: page index and (x1, y1, x2, y2) in PDF points."""

    page: int
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class SealKey:
    signer: Any  # pyhanko.sign.signers.SimpleSigner (pyHanko is imported when a PDF is sealed)
    organisation: str
    subject: str


def _organisation_of(name: x509.Name) -> str:
    for oid in (x509.NameOID.ORGANIZATION_NAME, x509.NameOID.COMMON_NAME):
        values = name.get_attributes_for_oid(oid)
        if values:
            return str(values[0].value)
    return name.rfc4514_string()


def _asn1_organisation(name: asn1_x509.Name) -> str:
    native = name.native
    return native.get("organization_name") or native.get("common_name") or name.human_friendly


def _passphrase() -> bytes | None:
    passphrase = settings.DOCUMENT_SEAL_PASSPHRASE
    return passphrase.encode() if passphrase else None


def seal_key_path(organisation_id: int | None = None) -> Path:
    """The organisation's own key file if there is one, else the programme's."""
    folder = settings.DOCUMENT_SEAL_PKCS12_DIR
    if organisation_id is not None and folder:
        own = Path(folder) / f"{organisation_id}.p12"
        if own.is_file():
            return own
    if not settings.DOCUMENT_SEAL_PKCS12:
        raise SealError("No document seal key is configured (set DOCUMENT_SEAL_PKCS12).")
    return Path(settings.DOCUMENT_SEAL_PKCS12)


def seal_key_load(organisation_id: int | None = None) -> SealKey:
    path = seal_key_path(organisation_id)
    if not path.is_file():
        hint = "" if settings.IS_PRODUCTION else " (`manage.py demo_pki` makes a demo one)"
        raise SealError(f"The document seal key {path} does not exist{hint}.")
    try:
        modified = path.stat().st_mtime_ns
    except OSError as error:
        raise SealError(f"Could not read the document seal key {path.name}: {error}") from error
    return _seal_key_read(str(path), modified, _passphrase())


# Opening a PKCS#12 file costs tens of milliseconds (its key derivation), per document; a worker
# keeps each key it has opened, and a replaced file (a new mtime) or passphrase is read afresh.
@lru_cache(maxsize=16)
def _seal_key_read(path: str, _modified: int, passphrase: bytes | None) -> SealKey:
    from pyhanko.sign.signers import SimpleSigner

    name = Path(path).name
    try:
        data = Path(path).read_bytes()
        _key, certificate, _chain = pkcs12.load_key_and_certificates(data, passphrase)
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase)
    except (OSError, ValueError) as error:
        raise SealError(f"Could not read the document seal key {name}: {error}") from error
    if certificate is None:
        raise SealError(f"The document seal file {name} holds no certificate.")
    return SealKey(
        signer=signer,
        organisation=_organisation_of(certificate.subject),
        subject=certificate.subject.rfc4514_string(),
    )


def timestamper() -> Any:
    """The RFC 3161 client: the configured TSA, or the demo TSA in-process outside production."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    if settings.DOCUMENT_SEAL_TSA_URL:
        return HTTPTimeStamper(
            settings.DOCUMENT_SEAL_TSA_URL, timeout=settings.DOCUMENT_SEAL_TSA_TIMEOUT_SECONDS
        )
    if settings.DOCUMENT_SEAL_DEMO_TSA:
        if settings.IS_PRODUCTION:
            raise ImproperlyConfigured("DOCUMENT_SEAL_DEMO_TSA is for development and tests only.")
        return _demo_timestamper(Path(settings.DOCUMENT_SEAL_DEMO_TSA))
    raise SealError("No timestamp authority is configured (set DOCUMENT_SEAL_TSA_URL).")


def _demo_timestamper(path: Path) -> Any:
    try:
        modified = path.stat().st_mtime_ns
    except OSError as error:
        raise SealError(f"Could not read the demo TSA key {path.name}: {error}") from error
    return _demo_timestamper_read(str(path), modified, _passphrase())


@lru_cache(maxsize=2)
def _demo_timestamper_read(path: str, _modified: int, passphrase: bytes | None) -> Any:
    from asn1crypto import keys as asn1_keys
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.timestamps import DummyTimeStamper

    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(
            Path(path).read_bytes(), passphrase
        )
    except (OSError, ValueError) as error:
        raise SealError(f"Could not read the demo TSA key {Path(path).name}: {error}") from error
    der = serialization.Encoding.DER
    return DummyTimeStamper(
        # The demo TSA's PKCS#12 holds its key and certificate (manage.py demo_pki writes it).
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(der)),  # type: ignore[union-attr]  # see above
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())  # type: ignore[union-attr]  # see above
        ),
        certs_to_embed=[asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain or ()],  # type: ignore[arg-type]  # pyHanko takes any iterable
    )


def _crl_read(path: str | Path) -> Any:
    """One CRL file, DER or PEM, as asn1crypto reads it; SealError if it cannot be read."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import pem

    try:
        data = Path(path).read_bytes()
        if pem.detect(data):
            _kind, _headers, data = pem.unarmor(data)
        certificate_list = asn1_crl.CertificateList.load(data)
        _ = (
            certificate_list.native
        )  # parses it all now: a truncated file fails here, not in pyHanko
    except (OSError, ValueError, TypeError) as error:
        raise SealError(f"Could not read the revocation list {Path(path).name}: {error}") from error
    return certificate_list


def seal_crl_paths() -> list[str]:
    """The CRL files to embed: DOCUMENT_SEAL_CRLS, else the demo CRL when its file exists.

    The demo CRL is optional so that a demo PKI made before CRLs keeps sealing (B-T); a configured
    DOCUMENT_SEAL_CRLS is not: a file that cannot be read fails the seal.
    """
    if settings.DOCUMENT_SEAL_CRLS:
        return [str(path) for path in settings.DOCUMENT_SEAL_CRLS]
    demo = settings.DOCUMENT_SEAL_DEMO_CRL
    return [str(demo)] if demo and Path(demo).is_file() else []


def seal_validation_context() -> Any | None:
    """pyHanko's ValidationContext for a B-LT seal, or None when no revocation data is available.

    hard-fail: a certificate that names a distribution point must have a CRL that covers it (given
    or fetched), so a CRL from the wrong CA fails the seal instead of yielding a quiet B-T file.
    """
    from pyhanko_certvalidator import ValidationContext

    paths = seal_crl_paths()
    fetch = settings.DOCUMENT_SEAL_FETCH_REVOCATION
    if not paths and not fetch:
        return None
    crls = [_crl_read(path) for path in paths]
    try:
        roots = trust_roots_load()
    except ImproperlyConfigured as error:
        raise SealError(str(error)) from error
    if not roots:
        raise SealError("Revocation data is configured but DOCUMENT_SEAL_TRUST_ROOTS is empty.")
    return ValidationContext(
        trust_roots=roots, crls=crls, allow_fetching=fetch, revocation_mode="hard-fail"
    )


def _has_dss(content: bytes) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return "/DSS" in PdfFileReader(BytesIO(content), strict=False).root


def pdf_seal(content: bytes, *, key: SealKey, placement: SealPlacement | None) -> "Sealed":
    """WeasyPrint's PDF with the seal appended as an incremental update (PAdES B-T, or B-LT with
    the validation data embedded when revocation data is available)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
    from pyhanko.stamp.noop import NoOpStampStyle

    context = seal_validation_context()
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=key.organisation,
        reason="Issued and sealed by the thrombectomy training record",
        embed_validation_info=context is not None,
        validation_context=context,
        # The DSS goes into the signature's own revision (no VRI: it needs the signature first),
        # so the seal still covers the whole file and readers say "Total document signed".
        dss_settings=DSSContentSettings(
            placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False
        ),
    )
    # The visible block is WeasyPrint's drawing; the field's box lies over it with an empty
    # appearance, so a reader shows the signature there without covering the block.
    spec = fields.SigFieldSpec(
        sig_field_name=SEAL_FIELD,
        on_page=placement.page if placement else 0,
        box=placement.box if placement else None,
        empty_field_appearance=True,
        readable_field_name="Document seal",
    )
    try:
        writer = IncrementalPdfFileWriter(BytesIO(content))
        signer = signers.PdfSigner(
            meta,
            key.signer,
            timestamper=timestamper(),
            new_field_spec=spec,
            stamp_style=NoOpStampStyle(),
        )
        output = _outside_any_event_loop(lambda: signer.sign_pdf(writer))
    except (SealError, ImproperlyConfigured):
        raise
    except Exception as error:
        # pyHanko and the TSA client raise many kinds (TimestampRequestError, SigningError, I/O).
        raise SealError(f"Could not seal the document: {type(error).__name__}: {error}") from error
    sealed = output.getvalue()
    if context is not None and not _has_dss(sealed):
        raise SealError("The seal should carry its validation data (B-LT) but has none.")
    timestamp = seal_timestamp(sealed)
    if timestamp is None:
        raise SealError("The seal carries no timestamp from the timestamp authority.")
    return Sealed(content=sealed, timestamp=timestamp)


@dataclass(frozen=True)
class Sealed:
    content: bytes
    timestamp: datetime


def _signature_timestamp(signer_info: Any) -> datetime | None:
    """The time in the TSA's token over the signature (unsigned attribute), in UTC."""

    for attribute in signer_info["unsigned_attrs"] or ():
        if attribute["type"].native == "signature_time_stamp_token":
            token = attribute["values"][0]
            tst_info = token["content"]["encap_content_info"]["content"].parsed
            return tst_info["gen_time"].native.astimezone(UTC)
    return None


def seal_timestamp(content: bytes) -> datetime | None:
    """When the TSA says the seal was made (read back from the sealed file)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = _seal_signature(PdfFileReader(BytesIO(content)))
    return _signature_timestamp(signature.signer_info) if signature else None


def trust_roots_load(paths: Sequence[str | Path] | None = None) -> list:
    """The certificates in the PEM (or DER) files named by DOCUMENT_SEAL_TRUST_ROOTS."""
    from pyhanko.keys import load_certs_from_pemder

    paths = settings.DOCUMENT_SEAL_TRUST_ROOTS if paths is None else paths
    try:
        return list(load_certs_from_pemder([str(path) for path in paths]))
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"Could not read the seal trust roots: {error}") from error


@dataclass
class SealCheck:
    """What a check of a PDF's seal found, for /verify and ``verify_pdf``."""

    readable: bool = True
    sealed: bool = False
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    timestamped: bool = False
    modified_after: bool = False
    long_term: bool = False  # the file carries revocation data (a DSS with CRLs or OCSP responses)
    organisation: str = ""
    certificate_subject: str = ""
    timestamp: datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.sealed
            and self.intact
            and self.valid
            and self.trusted
            and self.timestamped
            and not self.modified_after
        )

    def findings(self) -> list[tuple[bool, str]]:
        """The findings in plain words, one sentence each, with whether each is good news."""
        if not self.readable:
            return [(False, "This file could not be read as a PDF, so its seal cannot be checked.")]
        if not self.sealed:
            return [(False, "This PDF carries no seal.")]
        intact = self.intact and self.valid
        found = [
            (
                intact,
                "The seal is intact: the sealed content has not been altered."
                if intact
                else "The seal is broken: the content no longer matches what was sealed.",
            ),
            (
                bool(self.organisation),
                f"Sealed by {self.organisation}."
                if self.organisation
                else "The sealer is unknown.",
            ),
            (
                self.trusted,
                "The seal's certificate chains to a trusted root."
                if self.trusted
                else "The seal's certificate does NOT chain to a root this site trusts.",
            ),
        ]
        when = f"{self.timestamp:%-d %B %Y, %H:%M:%S} UTC" if self.timestamp else ""
        if self.timestamp and self.timestamped:
            found.append((True, f"Timestamped {when} by a trusted timestamp authority."))
        elif self.timestamp:
            found.append((False, f"It claims a timestamp of {when}, which could not be confirmed."))
        else:
            found.append((False, "It has no timestamp."))
        found.append(
            (False, "Something was added to the file after it was sealed.")
            if self.modified_after
            else (True, "Nothing was changed after sealing.")
        )
        if self.long_term:
            found.append(
                (
                    True,
                    "It carries its own revocation data (long-term validation data embedded), so "
                    "the seal can be checked after its certificate expires.",
                )
            )
        return found

    def sentences(self) -> list[str]:
        return [sentence for _good, sentence in self.findings()]


def _carries_revocation_data(reader: Any) -> bool:
    """Whether the file's DSS holds CRLs or OCSP responses (reading the catalogue only: cheap)."""
    dss = reader.root.get("/DSS")
    if dss is None:
        return False
    dss = dss.get_object()
    return any(len(dss.get(key, ())) > 0 for key in ("/CRLs", "/OCSPs"))


def _seal_signature(reader: Any) -> Any:
    signatures = reader.embedded_signatures
    for signature in signatures:
        if signature.field_name == SEAL_FIELD:
            return signature
    return signatures[0] if signatures else None


def pdf_seal_check(content: bytes, *, trust_roots: list | None = None) -> SealCheck:
    """Check the seal of a PDF offline. trust_roots: certificates; the configured ones if None."""

    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = trust_roots_load() if trust_roots is None else trust_roots
    check = SealCheck()
    try:
        reader = PdfFileReader(BytesIO(content), strict=False)
        signature = _seal_signature(reader)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as error:
        check.readable = False
        check.problems.append(f"{type(error).__name__}: {error}")
        return check
    if signature is None:
        return check
    check.sealed = True
    try:
        check.long_term = _carries_revocation_data(reader)
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        check.problems.append(f"{type(error).__name__}: {error}")
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = _outside_any_event_loop(
            lambda: validate_pdf_signature(signature, signer_validation_context=context)
        )
    except Exception as error:  # a mangled signature can fail anywhere in the CMS parser
        check.problems.append(f"{type(error).__name__}: {error}")
        return check
    check.intact, check.valid, check.trusted = status.intact, status.valid, status.trusted
    check.organisation = _asn1_organisation(status.signing_cert.subject)
    check.certificate_subject = status.signing_cert.subject.human_friendly
    stamp = status.timestamp_validity
    if stamp is not None:
        check.timestamp = stamp.timestamp.astimezone(UTC)
        check.timestamped = stamp.intact and stamp.valid and stamp.trusted
    level = status.modification_level
    check.modified_after = status.coverage != SignatureCoverageLevel.ENTIRE_FILE and (
        level is None or level > ModificationLevel.LTA_UPDATES
    )
    return check
