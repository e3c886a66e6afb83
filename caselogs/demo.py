"""A realistic, pseudonymous logbook for the demo trainee: about 80 cases over their training,
most verified, some queried, some waiting; with activities and assessments.

Every record is made up. References are the trainee's own ("AM-001"); ages, scores and minutes
are drawn from plausible ranges; there is nothing that could identify a patient.
"""

import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.demo import CENTRE, DEMO_SECOND_SUPERVISOR
from accounts.models import Site, User

from .activity_services import activity_decide, activity_log, assessment_record
from .choices import SUCCESSFUL_REPERFUSION
from .models import Case
from .services import case_log, case_verify

TRAINEE_EMAIL = "trainee@northfield.example"
LEAD_EMAIL = "supervisor@riverside.example"
CASE_COUNT = 80

ETICI_WEIGHTS = [("3", 30), ("2c", 20), ("2b67", 22), ("2b50", 12), ("2a", 8), ("1", 4), ("0", 4)]
OCCLUSIONS = [("m1", 45), ("ica_t", 12), ("m2", 20), ("basilar", 8), ("tandem", 8), ("ica", 7)]
# mRS at 90 days after thrombectomy: about 47% at 0-2 and 19% dead in a UK 24/7 series (Royal Stoke,
# BMC Neurol 2020; DOMAIN.md), worse after failed reperfusion or a symptomatic haemorrhage.
MRS_AFTER_REPERFUSION = [(0, 16), (1, 20), (2, 21), (3, 13), (4, 10), (5, 5), (6, 15)]
MRS_AFTER_FAILURE = [(0, 3), (1, 6), (2, 10), (3, 15), (4, 18), (5, 13), (6, 35)]
REFLECTIONS = [
    "Good catheter position; a smaller aspiration catheter might have reached the M2 sooner.",
    "Tortuous arch: switched to a radial approach after discussion with the supervisor.",
    "Clot fragmented on the second pass; reviewed the choice of stent retriever length afterwards.",
    "Straightforward first-pass reperfusion; focus next time on shortening door to puncture.",
    "",
]


def _weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def _mt_details(rng: random.Random, early: bool) -> dict:
    etici = _weighted(rng, ETICI_WEIGHTS)
    passes = 1 if etici in ("3", "2c") and rng.random() < 0.55 else rng.randint(1, 4)
    complication = rng.random() < 0.07
    symptomatic = rng.random() < 0.05
    details = {
        "final_etici": etici,
        "passes": passes,
        "first_pass_etici": etici if passes == 1 else rng.choice(["0", "1", "2a", "2b50"]),
        "any_complication": complication,
        "complications": [rng.choice(["distal_embolisation", "access_haematoma", "dissection"])]
        if complication
        else [],
        "age": rng.randint(38, 92),
        "sex": rng.choice(["female", "male"]),
        "pre_stroke_mrs": rng.choice([0, 0, 0, 1, 1, 2]),
        "nihss_baseline": rng.randint(6, 26),
        "aspects": rng.randint(6, 10),
        "aspects_modality": "ct",
        "imaging": ["ncct", "cta"] + (["ctp"] if rng.random() < 0.4 else []),
        "occlusion_site": _weighted(rng, OCCLUSIONS),
        "occlusion_side": rng.choice(["left", "right"]),
        "thrombolysis": rng.choice(["none", "alteplase", "tenecteplase", "tenecteplase"]),
        "admission": "transfer" if rng.random() < 0.6 else "direct",
        "onset_type": rng.choice(["witnessed", "witnessed", "wake_up", "unwitnessed"]),
        "onset_to_arrival_minutes": rng.randint(60, 300),
        "door_to_imaging_minutes": rng.randint(5, 35),
        "door_to_puncture_minutes": rng.randint(45, 130 if early else 95),
        "puncture_to_reperfusion_minutes": rng.randint(15, 75),
        "procedure_minutes": rng.randint(35, 120),
        "anaesthesia": rng.choice(["local", "conscious_sedation", "general"]),
        "access": "radial" if rng.random() < 0.2 else "femoral",
        "technique": rng.choice(["stent_retriever", "aspiration", "combined"]),
        "balloon_guide": rng.random() < 0.5,
        "rescue_therapy": rng.random() < 0.08,
        "haemorrhage": "1c" if symptomatic else rng.choice(["none", "none", "none", "1a"]),
        "haemorrhage_symptomatic": symptomatic,
        "sich_definition": "heidelberg" if symptomatic else "",
        "nihss_24h": rng.randint(0, 18),
        **_outcome(rng, reperfused=etici in SUCCESSFUL_REPERFUSION and not symptomatic),
        "ssnap_entered": True,
    }
    # Reperfusion happens within the procedure (caselogs.validation); drawn as before, so every
    # other figure of the demo stays the same.
    details["procedure_minutes"] = max(
        details["procedure_minutes"], details["puncture_to_reperfusion_minutes"] + 20
    )
    return details


def _outcome(rng: random.Random, reperfused: bool) -> dict:
    """The 90-day mRS; a little over half of the deaths happen before discharge."""
    mrs = _weighted(rng, MRS_AFTER_REPERFUSION if reperfused else MRS_AFTER_FAILURE)
    died_in_hospital = mrs == 6 and rng.random() < 0.55
    return {
        "died_in_hospital": died_in_hospital,
        "mrs_90_days": mrs,
        "mrs_90_days_method": "records" if mrs == 6 else rng.choice(["face_to_face", "telephone"]),
    }


PROCEDURE_WEIGHTS = [
    ("mt", 74),
    ("diagnostic_angiogram", 20),
    ("carotid_stenting", 4),
    ("other_neuro", 2),
]


# Most trainees give the angio suite's accession number with the case (issue 16); the demo's are
# made up from the reference. A separate draw, so every other figure of the demo stays the same.
ACCESSION_GIVEN_SHARE = 0.9


def demo_accession_number(reference: str) -> str:
    return f"EV-{reference}"


def seed_cases(
    *,
    trainee: User,
    supervisors: Sequence[User],
    site: Site | None,
    count: int,
    days_span: int,
    prefix: str,
    rng: random.Random,
    strong: bool = False,
    procedure_weights: Sequence[tuple[str, float]] = PROCEDURE_WEIGHTS,
) -> list[Case]:
    """Log ``count`` cases spread over the last ``days_span`` days, as a trainee would: observing
    and assisting first, then operating. A strong trainee's outcomes are better than average."""
    today = timezone.localdate()
    cases = []
    gives_accession = random.Random(f"{prefix}-accession")
    for n in range(count):
        progress = n / count
        procedure = _weighted(rng, procedure_weights)
        data = {
            "reference": f"{prefix}-{n + 1:03d}",
            "performed_on": today - timedelta(days=int(days_span * (1 - progress)) + 1),
            "site": site,
            "out_of_hours": rng.random() < 0.45,
            "procedure": procedure,
            "trainee_role": "observer"
            if progress < 0.05 and not strong
            else "assistant"
            if progress < 0.12
            else "primary_operator",
            "supervisor": supervisors[0] if rng.random() < 0.65 else supervisors[-1],
            "supervision_mode": "scrubbed"
            if progress < 0.6
            else rng.choice(["in_room", "on_site"]),
            "reflection": rng.choice(REFLECTIONS),
        }
        if gives_accession.random() < ACCESSION_GIVEN_SHARE:
            data["accession_number"] = demo_accession_number(data["reference"])
        if procedure == "mt":
            data |= _mt_details(rng, early=progress < 0.4)
            if strong and rng.random() < 0.85:
                data |= {
                    "final_etici": rng.choice(["3", "2c", "2b67"]),
                    "any_complication": False,
                    "complications": [],
                    "haemorrhage_symptomatic": False,
                    "sich_definition": "",
                    "haemorrhage": "none",
                }
        else:
            data |= {"final_etici": "", "passes": None, "any_complication": False}
        cases.append(case_log(trainee=trainee, data=data))
    return cases


def verify_cases(cases: Sequence[Case], *, leave_waiting: int = 0, query_every: int = 0) -> None:
    """The supervisors' decisions: most verified, a few queried, the newest left waiting."""
    for n, case in enumerate(cases):
        if n >= len(cases) - leave_waiting:
            continue
        if query_every and n % query_every == 5:
            case_verify(
                case=case,
                supervisor=case.supervisor,
                role_view=case.trainee_role,
                mode_view=case.supervision_mode,
                decision="queried",
                comment="Please check the number of passes against the procedure record.",
            )
            continue
        role_view = "assistant" if n == 12 and query_every else case.trainee_role
        case_verify(
            case=case,
            supervisor=case.supervisor,
            role_view=role_view,
            mode_view=case.supervision_mode,
            decision="verified",
        )


def seed_activities(*, trainee: User, supervisor: User, count: int, leave_waiting: int = 2) -> None:
    today = timezone.localdate()
    for n in range(count):
        activity = activity_log(
            trainee=trainee,
            data={
                "kind": ["mdt", "mdt", "mdt", "imaging_review", "diagnostic_list"][n % 5],
                "happened_on": today - timedelta(days=5 * n + 2),
                "hours": "1.5",
                "notes": "Weekly neurovascular meeting" if n % 5 < 3 else "",
                "supervisor": supervisor,
            },
        )
        if n >= leave_waiting:
            activity_decide(activity=activity, supervisor=supervisor, confirm=True)


def seed_assessments(*, trainee: User, cases: Sequence[Case], count: int, level: int) -> None:
    operated = [c for c in cases if c.procedure == "mt" and c.trainee_role == "primary_operator"]
    for case in operated[-count:]:
        assessment_record(
            assessor=case.supervisor,
            trainee=trainee,
            data={
                "kind": "procedural",
                "case": case,
                "assessed_on": case.performed_on,
                "entrustment": level,
                "strengths": "Systematic approach to access and guide catheter position.",
                "development_points": "Anticipate the need for a second pass earlier.",
            },
        )


@transaction.atomic
def seed_logbook() -> int:
    """The demo trainee's logbook: about 80 cases, most verified, some queried, some waiting."""
    trainee = User.objects.get(email=TRAINEE_EMAIL)
    if Case.objects.filter(trainee=trainee).exists():
        return Case.objects.filter(trainee=trainee).count()
    supervisors = [
        User.objects.get(email=LEAD_EMAIL),
        User.objects.get(email=DEMO_SECOND_SUPERVISOR.email),
    ]
    site = Site.objects.filter(organisation__name=CENTRE).first()
    cases = seed_cases(
        trainee=trainee,
        supervisors=supervisors,
        site=site,
        count=CASE_COUNT,
        days_span=190,
        prefix="AM",
        rng=random.Random(2017),
    )
    verify_cases(cases, leave_waiting=6, query_every=23)
    seed_activities(trainee=trainee, supervisor=supervisors[0], count=20)
    seed_assessments(trainee=trainee, cases=cases[:40], count=6, level=2)
    return len(cases)
