"""Django's en_GB formats, with times on the 24-hour clock. Only what differs is set here; Django
falls back to its own en_GB module for everything else."""

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
