"""Charts as SVG, drawn with matplotlib: the same picture in the browser and in the PDF."""

import io
import textwrap
from collections.abc import Iterable
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on a server
# Fixed ids and no timestamp: the same figures draw the same bytes, on the page and in the PDF.
matplotlib.rcParams["svg.hashsalt"] = "irtraining"

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen, above)

from phases.cusum import LOWER, UPPER, CusumCurve  # noqa: E402  (kept below with pyplot)

NAVY = "#1d3a5f"


def _svg(figure: Any) -> str:
    """A standalone SVG document. matplotlib styles its shapes with style attributes, which a
    strict CSP refuses inside an HTML page, so pages show it as an <img> from its own URL; the
    PDF (WeasyPrint, no CSP) can embed it directly."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return buffer.getvalue()


def _figure_size(narrow: bool, height: float, narrow_width: float = 3.6) -> tuple[float, float]:
    # A phone shows the narrow drawing near its natural size, so its text stays readable; the
    # wide one fills a desktop page and the PDF.
    return (narrow_width if narrow else 7.5), height


def _font_size(narrow: bool) -> int:
    return 12 if narrow else 10


def _footnote(figure: Any, text: str, narrow: bool) -> None:
    figure.text(
        0.01,
        -0.02,
        textwrap.fill(text, 60 if narrow else 100),
        fontsize=9,
        color="#444444",
        va="top",
    )


def cusum_chart_svg(
    curve: CusumCurve, *, title: str, failure_kinds: Iterable[str] = (), narrow: bool = False
) -> str:
    """The curve in segments: each crossing is marked, and the next segment restarts from zero
    (DOMAIN.md, "Scope and restart"). The footnote names every failure kind counted."""
    p = curve.parameters
    with plt.rc_context(
        {"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": _font_size(narrow)}
    ):
        figure, axes = plt.subplots(figsize=_figure_size(narrow, 3.4 if narrow else 3.8, 3.0))
        start = 0
        for end in [x.case for x in curve.crossings] + [len(curve.values)]:
            if end > start:
                axes.plot(
                    range(start, end + 1),
                    [0.0] + curve.values[start:end],
                    color=NAVY,
                    linewidth=1.6,
                    label="CUSUM" if start == 0 else None,
                )
            start = end
        if not curve.values:
            axes.plot([0], [0.0], color=NAVY, linewidth=1.6, label="CUSUM")
        axes.axhline(
            -p.h0,
            color="#2e7d32",
            linestyle="--",
            linewidth=1,
            label=f"lower limit, acceptable ({-p.h0:.2f})",
        )
        axes.axhline(
            p.h1,
            color="#c62828",
            linestyle="--",
            linewidth=1,
            label=f"upper limit, unacceptable ({p.h1:.2f})",
        )
        axes.axhline(0, color="#999999", linewidth=0.6)
        for limit, marker, colour, label in (
            (LOWER, "v", "#2e7d32", "crossed the lower limit"),
            (UPPER, "^", "#c62828", "crossed the upper limit"),
        ):
            cases = [x.case for x in curve.crossings if x.limit == limit]
            if cases:
                axes.plot(
                    cases,
                    [curve.values[case - 1] for case in cases],
                    linestyle="none",
                    marker=marker,
                    markersize=8,
                    color=colour,
                    label=label,
                )
        for index, case in enumerate(curve.restarts):
            axes.axvline(
                case - 1,
                color="#777777",
                linestyle=":",
                linewidth=1,
                label="restart from zero" if index == 0 else None,
            )
        axes.set_xlabel(
            textwrap.fill(
                "Thrombectomies as primary operator in this phase, in order", 30 if narrow else 80
            )
        )
        axes.set_ylabel("Cumulative sum")
        axes.set_title(title, fontsize=11, loc="left")
        footnote = (
            f"p0 {p.p0:.0%}, p1 {p.p1:.0%}, alpha {p.alpha}, beta {p.beta}. "
            "A failure is any of: " + "; ".join(failure_kinds) + "."
        )
        if narrow:  # under the chart, the explanation closing the legend
            axes.legend(
                loc="upper left",
                bbox_to_anchor=(-0.3, -0.3),
                fontsize=11,
                frameon=False,
                title=textwrap.fill(footnote, 36),
                title_fontsize=11,
                alignment="left",
            )
        else:  # outside the axes, where no curve can run under it
            axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
            _footnote(figure, footnote, narrow)
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure)


def _percent_label(axes: Any, row: dict, index: int, size: int) -> None:
    """The observed figure in a column of its own past the 100% end of the axis, where no bar
    and no standard's mark (at most 100%) can run under it."""
    axes.text(
        103, index, f"{row['observed']}%", va="center", ha="left", fontsize=size, clip_on=False
    )


def indicators_chart_svg(rows: list[dict], *, narrow: bool = False) -> str:
    """Observed percentages as bars, each standard's figure as a marker: the report's summary."""
    plotted = [r for r in rows if r["observed"] is not None]
    with plt.rc_context(
        {"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": _font_size(narrow)}
    ):
        figure, axes = plt.subplots(
            figsize=_figure_size(narrow, 0.8 + (0.8 if narrow else 0.5) * max(len(plotted), 1), 1.9)
        )
        labels = [textwrap.fill(r["label"], 14 if narrow else 40) for r in plotted]
        values = [r["observed"] for r in plotted]
        colours = [
            "#2e7d32"
            if r["judgement"] == "met"
            else "#c62828"
            if r["judgement"] == "not met"
            else "#607d8b"
            for r in plotted
        ]
        axes.barh(labels, values, color=colours, height=0.55)
        for index, row in enumerate(plotted):
            if row.get("target") is not None:
                # Not clipped: a 100% standard sits on the axis end and shows whole.
                axes.plot(
                    [row["target"]],
                    [index],
                    marker="|",
                    markersize=18,
                    markeredgewidth=2,
                    color="#212b32",
                    clip_on=False,
                )
            _percent_label(axes, row, index, _font_size(narrow))
        axes.set_xlim(0, 100)
        axes.invert_yaxis()
        axes.set_xlabel(
            textwrap.fill(
                "% (bar: observed; black mark: the standard's figure)", 24 if narrow else 80
            )
        )
        axes.set_xticks([0, 50, 100] if narrow else range(0, 101, 20))
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure)


def times_chart_svg(intervals: list[dict], times: list[dict], *, narrow: bool = False) -> str:
    """Each recorded interval as its median (dot) and interquartile range (bar), with the time
    standard's median target (mark) where one is set on that interval."""
    plotted = [i for i in intervals if i["median"] is not None]
    targets = {
        row["key"]: row["target"]
        for row in times
        if row.get("measure") == "median" and row.get("target") is not None
    }
    with plt.rc_context(
        {"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": _font_size(narrow)}
    ):
        figure, axes = plt.subplots(
            figsize=_figure_size(narrow, 0.9 + (0.8 if narrow else 0.5) * max(len(plotted), 1), 2.0)
        )
        for index, interval in enumerate(plotted):
            axes.plot(
                [interval["q1"], interval["q3"]],
                [index, index],
                color=NAVY,
                linewidth=6,
                alpha=0.35,
                solid_capstyle="butt",
            )
            axes.plot([interval["median"]], [index], marker="o", color=NAVY, markersize=7)
            axes.text(
                interval["q3"],
                index,
                f"  {interval['median']:g} (n {interval['n']})",
                va="center",
                fontsize=_font_size(narrow),
            )
            target = targets.get(interval["field"])
            if target is not None:
                axes.plot(
                    [target], [index], marker="|", markersize=18, markeredgewidth=2, color="#c62828"
                )
        axes.set_yticks(
            range(len(plotted)),
            [textwrap.fill(str(i["label"]).capitalize(), 14 if narrow else 40) for i in plotted],
        )
        axes.set_xlim(left=0)
        axes.margins(x=0.45 if narrow else 0.12)
        axes.invert_yaxis()
        axes.set_xlabel(
            textwrap.fill(
                "Minutes (dot: median; bar: interquartile range; red mark: the standard)",
                24 if narrow else 80,
            )
        )
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure)
