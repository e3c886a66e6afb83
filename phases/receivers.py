from typing import Any

from agreements.models import AgreementVersion

from .services import phase_one_start


def start_phase_one(sender: Any, version: AgreementVersion, **kwargs: Any) -> None:
    phase_one_start(version=version)
