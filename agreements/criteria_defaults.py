"""The provisional default criteria (SPEC section 5, DOMAIN.md), each with its source.

Used once, by a data migration, to seed the first template; from then on the template is data
that administrators maintain. Every figure is provisional until a trust confirms it locally.
"""

from typing import Any

DEFAULT_TEMPLATE_NAME = "UK consultant IR thrombectomy training (provisional defaults)"

PROVISIONAL = "provisional"
CONFIRMED = "confirmed"

DEFAULT_CRITERIA = [
    # Phase 1: direct supervision
    dict(
        phase=1,
        kind="cases",
        target=20,
        parameters={
            "procedure": "mt",
            "role": "primary_operator",
            "supervision": ["scrubbed", "in_room"],
            "within_phase": True,
        },
        description="Thrombectomies as primary operator under direct supervision, in phase 1",
        source="Example figure for phase 1 (direct supervision); each trust sets its own",
        source_status=PROVISIONAL,
    ),
    dict(
        phase=1,
        kind="activities",
        target=10,
        parameters={"activity": "mdt"},
        description="Stroke MDT meetings attended",
        source="BSIR/BSNR/RCR supplementary guidance 2017: attendance at relevant MDT meetings; "
        "number set locally",
        source_status=PROVISIONAL,
    ),
    dict(
        phase=1,
        kind="competencies",
        target=1,
        parameters={
            "competencies": ["stroke_management", "imaging_interpretation"],
            "signers_required": 1,
        },
        description="Competencies signed off: stroke management principles; diagnostic imaging "
        "interpretation for thrombectomy",
        source="BSIR/BSNR/RCR supplementary guidance 2017: training content",
        source_status=CONFIRMED,
    ),
    dict(
        phase=1,
        kind="assessments",
        target=5,
        parameters={"assessment": "procedural", "min_level": 2},
        description="Procedural assessments (Rad-DOPS) at entrustment level 2 or above",
        source="RCR formative assessment vocabulary (Rad-DOPS); number set locally",
        source_status=PROVISIONAL,
    ),
    # Phase 2: indirect supervision, ending in independence
    dict(
        phase=2,
        kind="cases",
        target=50,
        parameters={"procedure": "mt", "role": "primary_operator", "within_phase": False},
        description="Thrombectomies as primary operator in total",
        source="Zhu et al., Stroke 2021 (ETIS registry): 50 as first operator is the figure most "
        "guidelines quote; learning continues to about 100",
        source_status=PROVISIONAL,
    ),
    dict(
        phase=2,
        kind="diagnostic_angiograms",
        target=100,
        parameters={},
        description="Diagnostic cerebral angiograms in total",
        source="Meyers et al. 2009, US neurovascular performance and training standards",
        source_status=PROVISIONAL,
    ),
    dict(
        phase=2,
        kind="distinct_verifiers",
        target=2,
        parameters={},
        description="Distinct INRs verifying the trainee's cases",
        source="RCR: competencies approved by more than one GMC-registered INR",
        source_status=CONFIRMED,
    ),
    dict(
        phase=2,
        kind="competencies",
        target=1,
        parameters={
            "competencies": ["mt_technique", "complication_management", "aftercare"],
            "signers_required": 2,
        },
        description="Competencies signed off by two distinct INRs: thrombectomy technique; "
        "complication management; aftercare",
        source="RCR: competencies approved by more than one GMC-registered INR",
        source_status=CONFIRMED,
    ),
    dict(
        phase=2,
        kind="reperfusion_rate",
        target=80,
        parameters={"last_n": 20},
        description="Successful reperfusion (eTICI 2b50 or better) in at least 80% of the last 20 "
        "thrombectomies",
        source="Wasselius et al. 2024 (Swedish registry, 83.1%); UK series report 83-86%",
        source_status=PROVISIONAL,
    ),
    dict(
        phase=2,
        kind="assessments",
        target=5,
        parameters={"assessment": "procedural", "min_level": 3},
        description="Procedural assessments (Rad-DOPS) at entrustment level 3 or above",
        source="RCR formative assessment vocabulary (Rad-DOPS); number set locally",
        source_status=PROVISIONAL,
    ),
    dict(
        phase=2,
        kind="learning_curve",
        target=0,
        parameters={"p0": 0.15, "p1": 0.30, "alpha": 0.1, "beta": 0.1},
        description="Learning curve (CUSUM) crosses the acceptable-performance boundary",
        source=(
            "Rogers et al. 2004; Bolsin & Colson 2000 (CUSUM); failure rates 15%/30% provisional"
        ),
        source_status=PROVISIONAL,
    ),
]


def default_template_ensure(template_model: Any, criterion_model: Any) -> Any:
    """Create the default template if missing. Takes the models so the data migration can pass its
    historical ones; tests pass the real ones (a transactional test's flush empties the table)."""
    template, created = template_model.objects.get_or_create(
        name=DEFAULT_TEMPLATE_NAME,
        version=1,
        defaults={
            "description": "Provisional figures from published sources. Each trust confirms or "
            "changes them locally before agreements are signed.",
        },
    )
    if created:
        for position, row in enumerate(DEFAULT_CRITERIA, start=1):
            criterion_model.objects.create(template=template, position=position, **row)
    return template
