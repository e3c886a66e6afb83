"""National-registry-size logbook data for benchmarks: ``manage.py seed_scale``.

Rows go in with PostgreSQL ``COPY ... FROM STDIN`` in chunks (tens of thousands of rows per
statement), with explicit ids so related rows (verifications, assessments) can point at cases
without reading them back; the sequences are moved past the ids afterwards. The ORM would take an
hour for a million cases; COPY takes about a minute.

Every record is made up and pseudonymous: cases carry no patient identity at all (age, scores
and minutes only, as in ``caselogs.demo``, whose distributions are reused so the demo and the scale
data tell the same clinical story). People are "Operator 0001" and "Supervisor 0001".
"""

import json
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from io import StringIO, TextIOBase
from typing import Any, TextIO

from django.db import connection

from .demo import REFLECTIONS, _mt_details, _weighted

CHUNK_ROWS = 50_000
PROCEDURES = [("mt", 72), ("diagnostic_angiogram", 22), ("carotid_stenting", 4), ("other_neuro", 2)]
CASE_COLUMNS = (
    "id",
    "trainee_id",
    "agreement_id",
    "reference",
    "performed_on",
    "site_id",
    "out_of_hours",
    "procedure",
    "trainee_role",
    "supervisor_id",
    "supervision_mode",
    "final_etici",
    "passes",
    "any_complication",
    "age",
    "sex",
    "pre_stroke_mrs",
    "nihss_baseline",
    "aspects",
    "aspects_modality",
    "imaging",
    "occlusion_site",
    "occlusion_side",
    "thrombolysis",
    "admission",
    "onset_type",
    "onset_to_arrival_minutes",
    "door_in_door_out_minutes",
    "door_to_imaging_minutes",
    "door_to_puncture_minutes",
    "puncture_to_reperfusion_minutes",
    "procedure_minutes",
    "anaesthesia",
    "access",
    "technique",
    "balloon_guide",
    "first_pass_etici",
    "rescue_therapy",
    "aborted_reason",
    "complications",
    "haemorrhage",
    "haemorrhage_symptomatic",
    "sich_definition",
    "nihss_24h",
    "died_in_hospital",
    "mrs_90_days",
    "mrs_90_days_method",
    "ssnap_entered",
    "reflection",
    "status",
    "revision",
    "created_at",
    "submitted_at",
    "reminder_sent_at",
)
# What a case that is not a thrombectomy leaves empty (the MT details of the demo fill the rest).
_NOT_MT: dict[str, Any] = {
    "final_etici": "",
    "passes": None,
    "any_complication": False,
    "age": None,
    "sex": "",
    "pre_stroke_mrs": None,
    "nihss_baseline": None,
    "aspects": None,
    "aspects_modality": "",
    "imaging": [],
    "occlusion_site": "",
    "occlusion_side": "",
    "thrombolysis": "",
    "admission": "",
    "onset_type": "",
    "onset_to_arrival_minutes": None,
    "door_in_door_out_minutes": None,
    "door_to_imaging_minutes": None,
    "door_to_puncture_minutes": None,
    "puncture_to_reperfusion_minutes": None,
    "procedure_minutes": None,
    "anaesthesia": "",
    "access": "",
    "technique": "",
    "balloon_guide": None,
    "first_pass_etici": "",
    "rescue_therapy": None,
    "complications": [],
    "haemorrhage": "",
    "haemorrhage_symptomatic": None,
    "sich_definition": "",
    "nihss_24h": None,
    "died_in_hospital": None,
    "mrs_90_days": None,
    "mrs_90_days_method": "",
    "ssnap_entered": None,
    "aborted_reason": "",
}
_DETAIL_COLUMNS = CASE_COLUMNS[CASE_COLUMNS.index("final_etici") : CASE_COLUMNS.index("reflection")]
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _cell(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, dict)):
        return json.dumps(value).translate(_ESCAPES)
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)


class ProgressBar:
    """A one-line bar on stderr: "cases [#####.....] 512,000/1,000,000  41 s"."""

    def __init__(
        self, label: str, total: int, stream: TextIO | TextIOBase | None = None, width: int = 30
    ) -> None:
        self.label, self.total, self.width = label, max(total, 1), width
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.finished = False

    def update(self, done: int) -> None:
        if self.finished:
            return
        filled = int(self.width * done / self.total)
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r{self.label:<13} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{done:>11,}/{self.total:,}  {elapsed:5.0f} s"
        )
        if done >= self.total:
            self.finished = True
            self.stream.write("\n")
        self.stream.flush()


def copy_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    bar: ProgressBar | None = None,
    done: int = 0,
) -> int:
    """COPY the rows (tuples in ``columns`` order) into ``table`` in chunks; returns the count."""
    buffer, count = StringIO(), 0
    with connection.cursor() as cursor:
        for row in rows:
            buffer.write("\t".join(map(_cell, row)))
            buffer.write("\n")
            count += 1
            if count % CHUNK_ROWS == 0:
                _flush(cursor, table, columns, buffer)
                buffer = StringIO()
                if bar:
                    bar.update(done + count)
        _flush(cursor, table, columns, buffer)
    if bar:
        bar.update(done + count)
    return count


def _flush(cursor: Any, table: str, columns: Sequence[str], buffer: StringIO) -> None:
    if buffer.tell():
        buffer.seek(0)
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def reset_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(7, 22), rng.randint(0, 59), tzinfo=UTC
    )


def _case_fields(rng: random.Random, procedure: str, progress: float) -> dict:
    if procedure != "mt":
        return _NOT_MT
    details = _NOT_MT | _mt_details(rng, early=progress < 0.4)
    if details["admission"] == "transfer":
        details["door_in_door_out_minutes"] = rng.randint(40, 150)
    roll = rng.random()
    if roll < 0.09:  # died before 90 days
        details |= {"mrs_90_days": 6, "died_in_hospital": rng.random() < 0.6}
    elif roll < 0.17:  # lost to follow-up: a real registry is never complete
        details |= {"mrs_90_days": None, "mrs_90_days_method": "", "ssnap_entered": None}
    return details


def case_rows(
    plans: list[dict[str, Any]], *, first_id: int, today: date, seed: int, verifications: list
) -> Iterator[tuple]:
    """Each trainee's cases, oldest first, as tuples in CASE_COLUMNS order.

    ``plans`` is a list of dicts: trainee, agreement, site, supervisors, start (date), count.
    The newest cases of each trainee wait for verification, a few are queried, the rest are
    verified; for each decided case a (case id, supervisor, role, mode, decision, at) tuple is
    appended to ``verifications``."""
    rng = random.Random(seed)
    case_id = first_id
    for plan in plans:
        count, start = plan["count"], plan["start"]
        span = max((today - start).days - 1, 1)
        waiting = max(1, count // 25) if plan["open"] else 0
        lead, second = plan["supervisors"]
        for n in range(count):
            progress = n / count
            procedure = _weighted(rng, PROCEDURES)
            day = start + timedelta(days=int(span * progress) + 1)
            role = (
                "observer"
                if progress < 0.04
                else "assistant"
                if progress < 0.12
                else "primary_operator"
            )
            mode = "scrubbed" if progress < 0.6 else rng.choice(["in_room", "on_site"])
            supervisor = lead if rng.random() < 0.65 else second
            fields = _case_fields(rng, procedure, progress)
            status = (
                "submitted"
                if n >= count - waiting
                else "queried"
                if rng.random() < 0.03
                else "verified"
            )
            at = _at(day, rng)
            yield (
                case_id,
                plan["trainee"],
                plan["agreement"],
                f"OP{plan['trainee']}-{n + 1:05d}",
                day,
                plan["site"],
                rng.random() < 0.45,
                procedure,
                role,
                supervisor,
                mode,
                *(fields[name] for name in _DETAIL_COLUMNS),
                rng.choice(REFLECTIONS),
                status,
                1,
                at,
                at,
                None,
            )
            if status != "submitted":
                verifications.append((case_id, supervisor, role, mode, status, at))
            case_id += 1


VERIFICATION_COLUMNS = (
    "case_id",
    "revision",
    "supervisor_id",
    "supervisor_view_of_role",
    "supervisor_view_of_mode",
    "trainee_role_entered",
    "supervision_mode_entered",
    "discordant",
    "decision",
    "comment",
    "decided_at",
)


def verification_rows(decided: Iterable[tuple], *, seed: int) -> Iterator[tuple]:
    """One decision per decided case, about 2% of them discordant on the trainee's role."""
    rng = random.Random(seed)
    for case_id, supervisor, role, mode, decision, at in decided:
        view = "assistant" if role == "primary_operator" and rng.random() < 0.02 else role
        yield (
            case_id,
            1,
            supervisor,
            view,
            mode,
            role,
            mode,
            view != role,
            decision,
            "Please check the number of passes." if decision == "queried" else "",
            at + timedelta(days=rng.randint(0, 6)),
        )
