from .services import phase_one_start


def start_phase_one(sender, version, **kwargs):
    phase_one_start(version=version)
