"""A local demonstration PKI for `make run` and the tests: a root CA, seal certificates, a TSA, the
root's certificate revocation list and the key that signs verifiable credentials.

Every subject carries "demo: not trusted", so a PDF sealed with it can never pass for a real one in
a PDF reader or on /verify of a production site (whose trust roots never include the demo root).
Keys are written as PKCS#12 files protected by a passphrase, into a folder outside the repository
(git-ignored); nothing here is ever used in production (settings refuse the demo TSA there).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEMO_LABEL = "demo: not trusted"
PROGRAMME_NAME = "Mechanical thrombectomy training programme"
ROOT_FILE = "root.pem"
ROOT_KEY_FILE = "root.p12"
SEAL_FILE = "seal.p12"
TSA_FILE = "tsa.p12"
CREDENTIAL_KEY_FILE = "credential-key.pem"
# The root's CRL (DER). Certificates issued here name CRL_URL as their distribution point; nothing
# serves it: sealing embeds the local file (DOCUMENT_SEAL_DEMO_CRL), so a seal is PAdES B-LT.
CRL_FILE = "root.crl"
CRL_URL = "http://demo-pki.invalid/root.crl"
ORGANISATIONS_DIR = "organisations"
VALIDITY = timedelta(days=10 * 365)


@dataclass(frozen=True)
class DemoPki:
    folder: Path

    @property
    def root(self) -> Path:
        return self.folder / ROOT_FILE

    @property
    def seal(self) -> Path:
        return self.folder / SEAL_FILE

    @property
    def crl(self) -> Path:
        return self.folder / CRL_FILE

    @property
    def tsa(self) -> Path:
        return self.folder / TSA_FILE

    @property
    def credential_key(self) -> Path:
        return self.folder / CREDENTIAL_KEY_FILE

    @property
    def organisations(self) -> Path:
        return self.folder / ORGANISATIONS_DIR

    def organisation_seal(self, organisation_id: int | str) -> Path:
        return self.organisations / f"{organisation_id}.p12"


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{organisation} ({DEMO_LABEL})"[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{common_name} ({DEMO_LABEL})"[:64]),
        ]
    )


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: Any,
    signing_key: Any,
    *,
    ca: bool,
    extra: Iterable[tuple[x509.ExtensionType, bool]] = (),
) -> x509.Certificate:
    now = datetime.now(UTC) - timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    for extension, critical in extra:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


def _key_usage(**allowed: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{name: allowed.get(name, False) for name in names})


def _distribution_point() -> tuple[x509.ExtensionType, bool]:
    point = x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(CRL_URL)],
        relative_name=None,
        reasons=None,
        crl_issuer=None,
    )
    return x509.CRLDistributionPoints([point]), False


def crl_write(path: Path, root_key: Any, root_cert: x509.Certificate) -> None:
    """The root's CRL, revoking nothing, valid as long as the demo certificates (DER)."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root_cert.subject)
        .last_update(now)
        .next_update(now + VALIDITY)
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    path.write_bytes(crl.public_bytes(serialization.Encoding.DER))


def _write_pkcs12(
    path: Path, name: str, key: Any, cert: x509.Certificate, chain: Any, passphrase: str
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pkcs12.serialize_key_and_certificates(
        name.encode(),
        key,
        cert,
        chain,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    path.write_bytes(data)
    path.chmod(0o600)


def _root(pki: DemoPki, passphrase: str) -> tuple[Any, Any]:
    """The demo root's key and certificate: made once, then read back to issue more."""
    if pki.folder.joinpath(ROOT_KEY_FILE).is_file():
        key, cert, _ = pkcs12.load_key_and_certificates(
            pki.folder.joinpath(ROOT_KEY_FILE).read_bytes(), passphrase.encode()
        )
        return key, cert
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name("Demo root CA", PROGRAMME_NAME)
    cert = _certificate(
        subject,
        subject,
        key.public_key(),
        key,
        ca=True,
        extra=[(_key_usage(key_cert_sign=True, crl_sign=True), True)],
    )
    _write_pkcs12(pki.folder / ROOT_KEY_FILE, "demo root", key, cert, None, passphrase)
    pki.root.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _seal(
    path: Path, organisation: str, root_key: Any, root_cert: x509.Certificate, passphrase: str
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(
        _name("Document seal", organisation),
        root_cert.subject,
        key.public_key(),
        root_key,
        ca=False,
        extra=[
            (_key_usage(digital_signature=True, content_commitment=True), True),
            (x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False),
            _distribution_point(),
        ],
    )
    _write_pkcs12(path, "document seal", key, cert, [root_cert], passphrase)


def _tsa(path: Path, root_key: Any, root_cert: x509.Certificate, passphrase: str) -> None:
    # RSA: pyHanko's in-process test timestamper signs with RSA only (and reloads the key for each
    # token, which costs far more at 3072 bits than at 2048; a demo key needs no more).
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _certificate(
        _name("Demo timestamp authority", PROGRAMME_NAME),
        root_cert.subject,
        key.public_key(),
        root_key,
        ca=False,
        extra=[
            (_key_usage(digital_signature=True, content_commitment=True), True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
            (x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False),
            _distribution_point(),
        ],
    )
    _write_pkcs12(path, "demo tsa", key, cert, [root_cert], passphrase)


def credential_key_write(path: Path, passphrase: str) -> None:
    """A demo credential signing key (EC P-256, ES256): PEM, encrypted, labelled as a demo.

    The label is text before the PEM block (which PEM readers skip): credential_keys reads it and
    gives the key an id that says "demo-not-trusted".
    """
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(f"Credential signing key ({DEMO_LABEL})\n".encode() + pem)
    path.chmod(0o600)


def demo_pki_ensure(
    folder: Path,
    *,
    passphrase: str,
    organisations: Iterable[tuple[int | str, str]] = (),
    force: bool = False,
) -> list[Path]:
    """Create whatever of the demo PKI is missing in folder; returns the files written.

    organisations: (id, name) pairs that get a seal certificate of their own, named by the id.
    With force, everything is made anew (a new root: documents sealed before stop verifying
    against the folder's root.pem).
    """
    pki = DemoPki(Path(folder))
    pki.folder.mkdir(parents=True, exist_ok=True)
    if force:
        for path in [
            pki.root,
            pki.folder / ROOT_KEY_FILE,
            pki.seal,
            pki.tsa,
            pki.crl,
            pki.credential_key,
            *pki.organisations.glob("*.p12"),
        ]:
            path.unlink(missing_ok=True)
    written = []
    if not pki.root.is_file():
        (pki.folder / ROOT_KEY_FILE).unlink(missing_ok=True)
        written += [pki.root, pki.folder / ROOT_KEY_FILE]
    root_key, root_cert = _root(pki, passphrase)
    if not pki.seal.is_file():
        _seal(pki.seal, PROGRAMME_NAME, root_key, root_cert, passphrase)
        written.append(pki.seal)
    if not pki.tsa.is_file():
        _tsa(pki.tsa, root_key, root_cert, passphrase)
        written.append(pki.tsa)
    # A folder made before CRLs gets one too: its older certificates name no distribution point,
    # which pyHanko accepts (there is nothing to look up for them).
    if not pki.crl.is_file():
        crl_write(pki.crl, root_key, root_cert)
        written.append(pki.crl)
    if not pki.credential_key.is_file():
        credential_key_write(pki.credential_key, passphrase)
        written.append(pki.credential_key)
    for organisation_id, name in organisations:
        path = pki.organisation_seal(organisation_id)
        if not path.is_file():
            _seal(path, name, root_key, root_cert, passphrase)
            written.append(path)
    return written
