"""Every test that issues a PDF seals it, with a demo PKI made once per test session.

``manage.py demo_pki`` writes a root CA and its CRL, the programme's seal, one organisation seal,
the demo TSA and the demo credential signing key into a temporary folder; settings point at it (the
demo TSA runs in-process: no network; in-process seals are B-T unless a test embeds the demo CRL),
and so does the environment, for the workers, servers and `manage.py` processes some tests start
(a worker's seals are B-LT: its settings default to the demo CRL, and it runs in real time).
"""

import os

import pytest
from django.conf import settings
from django.core.management import call_command

from documents.demo_pki import demo_pki_ensure

PASSPHRASE = "tests-demo-passphrase"
# The id of the organisation that gets a seal of its own (tests/documents/test_seal.py).
OWN_SEAL_ORGANISATION_ID = 424242
OWN_SEAL_ORGANISATION_NAME = "Northshire Hospitals NHS Trust"


def seal_settings(folder) -> dict:
    return {
        "DOCUMENT_SEAL_PKCS12": str(folder / "seal.p12"),
        "DOCUMENT_SEAL_PASSPHRASE": PASSPHRASE,
        "DOCUMENT_SEAL_PKCS12_DIR": str(folder / "organisations"),
        "DOCUMENT_SEAL_TSA_URL": "",
        "DOCUMENT_SEAL_DEMO_TSA": str(folder / "tsa.p12"),
        "DOCUMENT_SEAL_TRUST_ROOTS": [str(folder / "root.pem")],
        "DOCUMENT_SEAL_CRLS": [],
        "DOCUMENT_SEAL_FETCH_REVOCATION": False,
        # B-T by default: a B-LT seal validates its certificates at signing, which fails in tests
        # that travel back in time past them. tests/documents/test_seal_long_term.py turns it on.
        "DOCUMENT_SEAL_DEMO_CRL": "",
        "CREDENTIAL_SIGNING_KEY": str(folder / "credential-key.pem"),
        "CREDENTIAL_SIGNING_KEY_PASSPHRASE": "",
        "CREDENTIAL_RETIRED_PUBLIC_KEYS": [],
        "CREDENTIAL_STATUS_CACHE_DIR": str(folder / "credential-status-cache"),
    }


@pytest.fixture(scope="session", autouse=True)
def seal_pki(tmp_path_factory):
    """The folder of the session's demo PKI; settings and the environment point at it."""
    folder = tmp_path_factory.mktemp("seal-pki")
    call_command("demo_pki", out=str(folder), passphrase=PASSPHRASE, verbosity=0)
    # Outside the database (none is open yet for a session fixture): the organisation is named here.
    demo_pki_ensure(
        folder,
        passphrase=PASSPHRASE,
        organisations=[(OWN_SEAL_ORGANISATION_ID, OWN_SEAL_ORGANISATION_NAME)],
    )
    values = seal_settings(folder)
    saved_settings = {name: getattr(settings, name) for name in values}
    environment = {
        "DOCUMENT_SEAL_DEMO_PKI_DIR": str(folder),
        "DOCUMENT_SEAL_PASSPHRASE": PASSPHRASE,
    }
    saved_environment = {name: os.environ.get(name) for name in environment}
    for name, value in values.items():
        setattr(settings, name, value)
    os.environ.update(environment)
    yield folder
    for name, value in saved_settings.items():
        setattr(settings, name, value)
    for name, value in saved_environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
