"""The case export's cells computed by PostgreSQL, for ``governance.exports`` on PostgreSQL.

Building a model instance per case and formatting 58 cells in Python took over three minutes for
a million cases; here the database writes every cell as the CSV shows it (codes, "yes"/"no",
ISO dates, lists joined with ";", the formula escape, the derived values, the blind rule) and
Python only puts in the two pseudonyms (an HMAC keyed with SECRET_KEY, which the database must
not see) and writes the row. The rules are those of ``exports._plain`` and ``exports._csv_cell``;
tests/governance/test_exports.py runs on PostgreSQL, so it checks both paths agree with them.
"""

from django.db.models import Case as When_
from django.db.models import F, FilteredRelation, Func, Q, QuerySet, TextField, Value, When
from django.db.models.expressions import Combinable

from accounts.models import User
from caselogs import choices as c
from caselogs.services import CASE_INPUT_FIELDS

# What each input field needs: text cells are escaped, choice codes only blanked when empty.
TEXT = frozenset({"reference", "aborted_reason", "reflection"})
LISTS = frozenset({"imaging", "complications"})
BOOLEANS = frozenset(
    {
        "out_of_hours",
        "any_complication",
        "balloon_guide",
        "rescue_therapy",
        "haemorrhage_symptomatic",
        "died_in_hospital",
        "ssnap_entered",
    }
)
NUMBERS = frozenset(
    {
        "passes",
        "age",
        "pre_stroke_mrs",
        "nihss_baseline",
        "aspects",
        "onset_to_arrival_minutes",
        "door_in_door_out_minutes",
        "door_to_imaging_minutes",
        "door_to_puncture_minutes",
        "puncture_to_reperfusion_minutes",
        "procedure_minutes",
        "nihss_24h",
        "mrs_90_days",
    }
)
BLIND = frozenset({"trainee_role", "supervision_mode"})
_TRIGGERS = "'=', '+', '-', '@', chr(9), chr(13)"
_CODE_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"


class _Escaped(Func):
    """Empty as NULL; a leading = + - @ tab or CR gets an apostrophe (``escape_formula``)."""

    template = (
        f"CASE WHEN left(%(expressions)s, 1) IN ({_TRIGGERS}) "
        "THEN '''' || %(expressions)s ELSE NULLIF(%(expressions)s, '') END"
    )
    output_field = TextField()


class _Quoted(Func):
    """Free text in CSV quotes, inner quotes doubled: valid CSV whatever the text holds (a
    reader sees the same value as from Python's csv module, which quotes only when needed)."""

    template = "'\"' || replace(%(expressions)s, '\"', '\"\"') || '\"'"
    output_field = TextField()


class _Line(Func):
    """Cells joined with commas; concat() writes NULL as nothing, as the CSV shows it."""

    function = "concat"
    output_field = TextField()

    def __init__(self, cells: list[Combinable]) -> None:
        separated: list[Combinable] = []
        for cell in cells:
            separated += [Value(","), cell] if separated else [cell]
        super().__init__(*separated)


class _Blank(Func):
    template = "NULLIF(%(expressions)s, '')"
    output_field = TextField()


class _YesNo(Func):
    template = "CASE %(expressions)s WHEN TRUE THEN 'yes' WHEN FALSE THEN 'no' END"
    output_field = TextField()


class _Joined(Func):
    """A JSON list joined with ";". A list of vocabulary codes (which validation guarantees)
    is rewritten from its JSON text: with the code characters removed, its text must be exactly
    ``["", "", ...]`` for its length, which no other list gives. Anything else is unnested,
    correctly but at a sub-query per row. No regular expression: it would cost seconds."""

    template = (
        "CASE WHEN translate(%(expressions)s::text, '" + _CODE_CHARACTERS + "', '') = "
        "CASE jsonb_array_length(%(expressions)s) WHEN 0 THEN '[]' ELSE '[' || "
        "repeat('\"\", ', jsonb_array_length(%(expressions)s) - 1) || '\"\"]' END "
        "THEN NULLIF(translate(%(expressions)s::text, ',[]\" ', ';'), '') "
        "ELSE NULLIF(array_to_string(ARRAY(SELECT jsonb_array_elements_text(%(expressions)s)),"
        " ';'), '') END"
    )
    output_field = TextField()


class _IsoDate(Func):
    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = TextField()


def _derived() -> list:
    """mTICI, successful and excellent reperfusion and first-pass effect, as the model's
    properties derive them: empty when there is no final eTICI (or, for first pass, no passes)."""
    no_grade = Q(final_etici="")
    return [
        When_(
            *[
                When(final_etici=grade, then=Value(mtici))
                for grade, mtici in c.ETICI_TO_MTICI.items()
            ],
            default=Value(None),
        ),
        When_(
            When(no_grade, then=Value(None)),
            When(final_etici__in=c.SUCCESSFUL_REPERFUSION, then=Value("yes")),
            default=Value("no"),
        ),
        When_(
            When(no_grade, then=Value(None)),
            When(final_etici__in=c.EXCELLENT_REPERFUSION, then=Value("yes")),
            default=Value("no"),
        ),
        When_(
            When(no_grade | Q(passes__isnull=True), then=Value(None)),
            When(
                Q(passes=1, final_etici__in=c.EXCELLENT_REPERFUSION) & ~Q(rescue_therapy=True),
                then=Value("yes"),
            ),
            default=Value("no"),
        ),
    ]


def _cell(name: str, exporter: User) -> list[Combinable]:
    if name == "site":
        return [
            _Quoted(_Escaped(F("site__name"))),
            _Quoted(_Escaped(F("site__organisation__name"))),
        ]
    if name == "supervisor":
        return [F("supervisor_id")]
    if name == "performed_on":
        return [_IsoDate(F(name))]
    if name in BLIND:
        hidden = Q(supervisor_id=exporter.pk, status=c.VerificationStatus.SUBMITTED)
        return [
            When_(When(hidden, then=Value(None)), default=_Blank(F(name)), output_field=TextField())
        ]
    if name in TEXT:
        return [_Quoted(_Escaped(F(name)))]
    if name in LISTS:
        return [_Quoted(_Escaped(_Joined(F(name))))]
    if name in BOOLEANS:
        return [_YesNo(F(name))]
    if name in NUMBERS:
        return [F(name)]
    return [_Blank(F(name))]


def case_lines_sql(queryset: QuerySet, exporter: User) -> QuerySet:
    """Each case as (trainee id, supervisor id, the CSV cells between them, the cells after the
    supervisor), in ``exports._case_header`` order and ready for ``iterator(chunk_size=...)``:
    the caller puts the pseudonyms in and ends the line. The supervisor's verified view comes
    from a join rather than a subquery per case."""
    cells: list[Combinable] = [F("phase_on_date")]
    supervisor_at = None
    for name in CASE_INPUT_FIELDS:
        if name == "supervisor":
            supervisor_at = len(cells)
            continue
        cells += _cell(name, exporter)
    cells += [
        *_derived(),
        F("status"),
        F("revision"),
        _Blank(F("verified_view__supervisor_view_of_role")),
        _Blank(F("verified_view__supervisor_view_of_mode")),
    ]
    queryset = queryset.annotate(
        verified_view=FilteredRelation(
            "verifications",
            condition=Q(verifications__revision=F("revision"), verifications__decision="verified"),
        ),
        before_supervisor=_Line(cells[:supervisor_at]),
        after_supervisor=_Line(cells[supervisor_at:]),
    )
    return queryset.values_list(
        "trainee_id", "supervisor_id", "before_supervisor", "after_supervisor"
    )
