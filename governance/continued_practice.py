"""Continued practice (phase 3): each independent operator's rolling 12 months of verified
thrombectomies against the quality standards in force, with an alert when a figure falls below."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from caselogs.selectors import verified_cases
from phases.models import PhaseRecord

from .indicators import indicators_for
from .standards import Judgement, standard_judge, standards_in_force

ROLLING_DAYS = 365
# Indicator attribute -> standard key: the rates an operator's own practice is judged on.
JUDGED = {
    "successful_reperfusion_percent": "successful_reperfusion",
    "any_complication_percent": "any_complication_percent",
    "mrs_0_2_percent": "mrs_0_2_at_90_days_percent",
    "ssnap_entered_percent": "ssnap_entered_percent",
}


@dataclass
class OperatorPractice:
    trainee: str
    agreement_id: int
    volume: int
    judgements: list  # (label, observed, standard value, judgement)

    @property
    def alerts(self) -> list:
        return [row for row in self.judgements if row[3] == Judgement.NOT_MET]


def continued_practice_for(agreement_ids) -> list[OperatorPractice]:
    standards = standards_in_force()
    since = timezone.localdate() - timedelta(days=ROLLING_DAYS)
    independent = PhaseRecord.objects.filter(
        agreement_id__in=agreement_ids, ended_on__isnull=True, phase=3
    ).select_related("agreement__trainee")
    rows = []
    for record in independent:
        figures = indicators_for(
            verified_cases().filter(agreement_id=record.agreement_id, performed_on__gte=since)
        )
        judgements = []
        for attribute, key in JUDGED.items():
            standard = standards.get(key)
            if standard is None:
                continue
            observed = getattr(figures, attribute)
            judgements.append((standard.label, observed, standard, standard_judge(standard, observed)))
        rows.append(OperatorPractice(record.agreement.trainee.full_name, record.agreement_id,
                                     figures.mt_cases, judgements))
    return rows
