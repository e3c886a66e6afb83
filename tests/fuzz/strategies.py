"""Hostile input for the fuzz tests: the values a careless or malicious client can send.

Every form field gets, at random, its valid value, a hostile value, or nothing at all; extra fields
are added; and sometimes the body is not a form at all. Starting from valid data matters: a form
whose every field is garbage stops at the first validation, while one bad field among good ones
reaches the cross-field rules and the services behind them.
"""

import csv
import io
from datetime import date

from hypothesis import strategies as st

MISSING = object()  # the field is left out of the request

# Text: any Unicode a browser can send (UTF-8, so no lone surrogates), control characters
# included; then the characters that have broken parsers before.
any_text = st.text(st.characters(codec="utf-8"), max_size=40)
control_text = st.text(
    st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\u2029\ufeff\u200b\u202e"),
    min_size=1,
    max_size=8,
)
tricky_text = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\r\n",
        "'; DROP TABLE caselogs_case; --",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "{{ settings.SECRET_KEY }}",
        "{% debug %}",
        "${jndi:ldap://x/a}",
        "../../../../etc/passwd",
        "%00",
        "%s%s%s%n",
        '=HYPERLINK("http://x")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "-2+3",
        "NHS 943 476 5919",
        "ﬀ",
        "Ω",
        "🧠🩸",
        "\u0301\u0301\u0301",
        "İ",
        "ß",
        "\U0010ffff",
        "null",
        "None",
        "true",
        "[]",
        "{}",
    ]
)
huge_text = st.builds(
    lambda chunk, times: (chunk or "A") * times,
    st.text(st.characters(codec="utf-8"), max_size=3),
    st.integers(1_000, 400_000),
)

# Numbers: out of every range, in every notation Python or a locale might accept.
numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "NaN",
            "nan",
            "inf",
            "-Infinity",
            "1e999999999",
            "-1e-999999999",
            "1E+2147483648",
            "0x10",
            "1_000",
            "--1",
            "+",
            "-",
            ".",
            "1,5",
            "1.5.5",
            "١٢٣",
            "½",
            "²",
            "٣",
            "0" * 300 + "1",
            "9" * 300,
            "2147483648",
            "-2147483649",
            "9223372036854775808",
            "32768",
            "-32769",
            "0.00000000000000000000001",
            "1e-7",
            " 1 ",
        ]
    ),
)

# Dates: real ones at the ends of the calendar, impossible ones, and near misses.
dates = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(
        lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"
    ),
    st.sampled_from(
        [
            "2026-02-30",
            "2025-02-29",
            "0000-00-00",
            "2026-13-01",
            "2026-00-10",
            "99999-01-01",
            "31/12/99999",
            "2026/01/01",
            "1/1/1",
            "-0001-01-01",
            "2026-1-1",
            "\x002026-01-01",
            "２０２６-01-01",
            "2026-01-01T25:61:61",
            "2026-W01-1",
            "today",
            "0",
            "-1",
            "9999-12-31",
            "0001-01-01",
            "1900-02-29",
            "2000-02-29",
        ]
    ),
    st.from_regex(r"\A[0-9]{1,6}[-/.][0-9]{1,3}[-/.][0-9]{1,6}\Z"),
)

ids = st.one_of(
    st.integers(-(2**63), 2**64).map(str), st.sampled_from(["0", "-1", "1.0", "1e3", "ab"])
)

_scalar = st.one_of(any_text, control_text, tricky_text, numbers, dates, ids)
# One value in ten is huge: enough to meet the size limits, few enough to keep the run short.
hostile_scalar = st.integers(0, 9).flatmap(lambda n: huge_text if n == 9 else _scalar)
hostile_value = st.one_of(hostile_scalar, st.lists(_scalar, min_size=0, max_size=4))

field_names = st.one_of(
    st.sampled_from(
        [
            "id",
            "pk",
            "trainee",
            "signer",
            "created_by",
            "status",
            "is_superuser",
            "is_staff",
            "submit",
            "another",
            "next",
            "page",
            "decision",
            "csrfmiddlewaretoken",
            "file",
            "criteria-TOTAL_FORMS",
            "form-0-id",
            "user",
            "actor",
            "organisation",
            "submission_token",
        ]
    ),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=20),
)


def form_data(valid: dict, *, choices: dict | None = None):
    """A form submission: each field valid, hostile, one of its other choices, or missing; plus
    extra fields."""
    choices = choices or {}

    def field(name, value):
        options = [st.just(value), hostile_value, hostile_scalar, st.just(MISSING)]
        if name in choices:
            options.append(st.sampled_from(choices[name]))
        return st.one_of(*options)

    fields = st.fixed_dictionaries({name: field(name, value) for name, value in valid.items()})
    extra = st.dictionaries(field_names, hostile_value, max_size=3)
    return st.builds(
        lambda given, more: {**more, **{k: v for k, v in given.items() if v is not MISSING}},
        fields,
        extra,
    )


# A body that is not a form: random bytes under a form's content type, or a multipart body whose
# boundary is wrong, or a content type no view reads.
raw_bodies = st.tuples(
    st.binary(max_size=3000),
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/x-www-form-urlencoded; charset=no-such-codec",
            "multipart/form-data; boundary=BoUnDaRy",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "application/json",
            "text/plain",
        ]
    ),
)


def submissions(valid: dict, *, choices: dict | None = None):
    """Mostly forms built from the valid data; one in five a raw body."""
    forms = form_data(valid, choices=choices).map(lambda data: ("form", data))
    raw = raw_bodies.map(lambda body: ("raw", body))
    return st.integers(0, 4).flatmap(lambda n: raw if n == 4 else forms)


def queries(valid: dict, *, choices: dict | None = None):
    """Query strings for a GET: the form data only (a GET has no body)."""
    return form_data(valid, choices=choices).map(lambda data: ("query", data))


# The values that most often break a field, tried one field at a time on otherwise valid data, so
# every field meets each of them whatever the random run picks.
CLASSIC_BAD = ("ab", "a\x00b", "9" * 25)


def one_bad_field_at_a_time(valid: dict):
    yield {}
    for name in valid:
        for bad in CLASSIC_BAD:
            yield {**valid, name: bad}


# --- CSV files ------------------------------------------------------------------------------------

formula_cells = st.sampled_from(
    [
        "=1+1",
        "=cmd|' /C calc'!A0",
        "+SUM(A1:A2)",
        "-2+3",
        "@SUM(1)",
        "\t=1",
        "\r=1",
        '=HYPERLINK("http://example.org","x")',
        '=IMPORTXML("http://x","//a")',
    ]
)
csv_cell = st.one_of(
    _scalar,
    formula_cells,
    st.just(""),
    st.integers(0, 9).flatmap(lambda n: huge_text if n == 9 else st.just("x")),
)
encodings = st.sampled_from(
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "mac_roman"]
)


def _csv_text(header, rows, delimiter, line_end):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def csv_files(columns: list[str], good_rows: list[dict]):
    """CSV uploads: a real header with good and hostile rows, in any encoding and dialect; a
    header with thousands of columns; or random bytes."""
    header = st.one_of(
        st.just(columns),
        st.permutations(columns),
        st.lists(st.sampled_from(columns) | any_text, max_size=40),
        st.builds(lambda n: columns + [f"extra{i}" for i in range(n)], st.integers(1, 5000)),
    )

    def rows_for(names):
        good = [[row.get(name, "") for name in names] for row in good_rows]
        hostile_row = st.lists(csv_cell, min_size=0, max_size=len(names) + 3)
        return st.lists(
            st.one_of(hostile_row, *([st.sampled_from(good)] if good else [])), max_size=6
        )

    document = header.flatmap(
        lambda names: st.tuples(
            st.just(names),
            rows_for(names),
            st.sampled_from([",", ";", "\t", "|"]),
            st.sampled_from(["\r\n", "\n", "\r"]),
            encodings,
        )
    ).map(lambda t: _encode(_csv_text(t[0], t[1], t[2], t[3]), t[4]))
    return st.one_of(document, st.binary(max_size=5000), bad_quoting(columns))


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


def bad_quoting(columns):
    return st.builds(
        lambda tail: (",".join(columns) + "\r\n" + tail).encode("utf-8", errors="replace"),
        st.sampled_from(['"unterminated,row', '"a""b,"c', 'a,"b"c"', "\x00,\x00", '"' * 1001])
        | any_text,
    )
