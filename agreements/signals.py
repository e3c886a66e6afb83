"""Signals for higher apps (phases), which this app must not import."""

from django.dispatch import Signal

# Sent inside the signing transaction when a version comes into force: version=AgreementVersion.
agreement_version_activated = Signal()
