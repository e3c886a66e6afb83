"""What the logbook tells the apps above it (they connect in their ``AppConfig.ready``)."""

from django.dispatch import Signal

# Sent after cases are logged, imported or corrected, with ``case_ids``, once the transaction
# commits: reconciliation re-matches them against the hospital's procedure lists.
cases_changed = Signal()
