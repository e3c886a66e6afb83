"""The charts (issue 13, items 16, 17 and 22): a percentage never runs over the standard's mark;
phones get a narrow drawing whose text stays readable; the CUSUM chart marks each crossing and
restart and names every failure kind counted."""

import re

import pytest

from governance.charts import cusum_chart_svg, indicators_chart_svg, times_chart_svg
from phases.criteria import FAILURE_KINDS
from phases.cusum import CusumParameters, cusum_curve

TEXT = re.compile(r'<text [^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>')
ANY_TEXT = re.compile(r"<text [^>]*>([^<]*)</text>")


def _texts(svg):
    """Text placed with x and y (the labels), with its position."""
    return [(float(x), float(y), text) for x, y, text in TEXT.findall(svg)]


def _marks(svg):
    """The standards' marks: the marker drawn once per row at the standard's figure."""
    uses = re.findall(r'<use xlink:href="#(m[0-9a-f]+)" x="([\d.]+)" y="([\d.]+)"', svg)
    by_marker = {}
    for marker, x, y in uses:
        by_marker.setdefault(marker, []).append((float(x), float(y)))
    # The tick markers share one x (the y axis) or one y (the x axis); the standards' do not.
    return next(
        points
        for points in by_marker.values()
        if len({x for x, _ in points}) > 1 and len({y for _, y in points}) > 1
    )


ROWS = [
    {"label": "Entered in SSNAP", "observed": 99.2, "target": 100.0, "judgement": "not met"},
    {"label": "Successful reperfusion", "observed": 99.2, "target": 90.0, "judgement": "met"},
    {"label": "90-day mRS 0-2", "observed": 52.0, "target": 55.0, "judgement": "not met"},
]


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_a_percentage_never_runs_over_the_standards_mark(narrow):
    svg = indicators_chart_svg(ROWS, narrow=narrow)
    labels = [(x, y) for x, y, text in _texts(svg) if text.endswith("%") and text[0].isdigit()]
    marks = _marks(svg)
    assert len(labels) == len(marks) == 3
    for mark_x, mark_y in marks:
        label_x, _ = min(labels, key=lambda label: abs(label[1] - mark_y))
        assert label_x >= mark_x + 3, "a label starts on or before its row's standard mark"


def _smallest_text_on_a_phone(svg) -> float:
    """The smallest text, in CSS px, when the drawing is shown 340 px wide (a 375 px phone's
    column): the SVG is sized in points, 4/3 px each, and scaled down to fit."""
    width = re.search(r'<svg [^>]*width="([\d.]+)pt"', svg)
    assert width, "the drawing has no width"
    width_px = float(width.group(1)) * 4 / 3
    smallest = min(float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg))
    return smallest * min(1.0, 340 / width_px)


def test_a_phone_gets_a_narrow_drawing_whose_text_stays_readable():
    curve = cusum_curve([True] * 4 + [False] * 9, CusumParameters())
    times = [
        {
            "field": "door_to_puncture_minutes",
            "label": "door to groin puncture",
            "n": 12,
            "median": 72.5,
            "q1": 60.0,
            "q3": 90.0,
        }
    ]
    for draw in (
        lambda narrow: indicators_chart_svg(ROWS, narrow=narrow),
        lambda narrow: times_chart_svg(times, [], narrow=narrow),
        lambda narrow: cusum_chart_svg(
            curve, title="Learning curve", failure_kinds=FAILURE_KINDS, narrow=narrow
        ),
    ):
        assert _smallest_text_on_a_phone(draw(False)) < 7  # what the auditor could not read
        assert _smallest_text_on_a_phone(draw(True)) >= 9


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_the_cusum_chart_marks_crossings_and_restarts_and_names_every_failure_kind(narrow):
    curve = cusum_curve(
        [True] * 4 + [False] * 9 + [False], CusumParameters(p0=0.10, p1=0.25, alpha=0.05, beta=0.20)
    )
    svg = cusum_chart_svg(curve, title="Learning curve", failure_kinds=FAILURE_KINDS, narrow=narrow)
    words = " ".join(" ".join(ANY_TEXT.findall(svg)).split())

    for label in (
        "crossed the upper limit",
        "crossed the lower limit",
        "restart from zero",
        "lower limit, acceptable (-1.42)",
        "upper limit, unacceptable (2.52)",
    ):
        assert label in words
    for kind in FAILURE_KINDS:
        assert kind in words, f"the legend does not name {kind!r}"
    assert "symptomatic intracranial haemorrhage" in words
