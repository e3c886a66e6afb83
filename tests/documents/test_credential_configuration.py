"""The credential signing key comes from configuration: a warning outside production when it is
missing, a refusal to start under production settings when it (or the seal key) is not set."""

from django.core.checks import Error, Warning

from documents.checks import credential_key_present, seal_key_present
from documents.credential_keys import (
    DEMO_KID_PREFIX,
    CredentialKeyError,
    credential_signing_key,
    jwks_document,
)


def test_production_refuses_to_start_without_the_credential_and_seal_keys(settings):
    settings.IS_PRODUCTION = True
    settings.CREDENTIAL_SIGNING_KEY = ""
    settings.DOCUMENT_SEAL_PKCS12 = ""
    found = credential_key_present() + seal_key_present()
    assert [(type(m), m.id) for m in found] == [
        (Error, "documents.E002"),
        (Error, "documents.E001"),
    ]
    settings.CREDENTIAL_SIGNING_KEY = "/etc/irtraining/credential-keys/key.pem"
    settings.DOCUMENT_SEAL_PKCS12 = "/etc/irtraining/seal-keys/seal.p12"
    assert credential_key_present() + seal_key_present() == []


def test_outside_production_a_missing_key_file_is_a_warning_naming_demo_pki(settings, tmp_path):
    settings.IS_PRODUCTION = False
    settings.CREDENTIAL_SIGNING_KEY = str(tmp_path / "missing.pem")
    (warning,) = credential_key_present()
    assert isinstance(warning, Warning) and warning.id == "documents.W002"
    assert "demo_pki" in warning.hint


def test_the_demo_key_is_labelled_in_its_key_id_and_the_jwks_holds_public_halves_only():
    key = credential_signing_key()
    assert key.demo and key.kid.startswith(DEMO_KID_PREFIX) and key.algorithm == "ES256"
    (listed,) = jwks_document()["keys"]
    assert listed["kid"] == key.kid and listed["alg"] == "ES256" and listed["use"] == "sig"
    assert "d" not in listed


def test_an_ed25519_key_signs_with_eddsa(settings, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    path = tmp_path / "ed25519.pem"
    path.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings.CREDENTIAL_SIGNING_KEY = str(path)
    key = credential_signing_key()
    assert key.algorithm == "EdDSA" and not key.demo


def test_an_unsupported_key_is_refused_with_the_reason(settings, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path = tmp_path / "p384.pem"
    path.write_bytes(
        ec.generate_private_key(ec.SECP384R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings.CREDENTIAL_SIGNING_KEY = str(path)
    try:
        credential_signing_key()
    except CredentialKeyError as error:
        assert "P-256" in str(error)
    else:
        raise AssertionError("a P-384 key was accepted")
