"""Charts as SVG, drawn with matplotlib: the same picture in the browser and in the PDF."""

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server
# Fixed ids and no timestamp: the same figures draw the same bytes, on the page and in the PDF.
matplotlib.rcParams["svg.hashsalt"] = "irtraining"

import matplotlib.pyplot as plt  # noqa: E402

from phases.cusum import CusumCurve  # noqa: E402

NAVY = "#1d3a5f"


def _svg(figure) -> str:
    """A standalone SVG document. matplotlib styles its shapes with style attributes, which a
    strict CSP refuses inside an HTML page, so pages show it as an <img> from its own URL; the
    PDF (WeasyPrint, no CSP) can embed it directly."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return buffer.getvalue()


def cusum_chart_svg(curve: CusumCurve, *, title: str) -> str:
    p = curve.parameters
    with plt.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9}):
        figure, axes = plt.subplots(figsize=(7.5, 3.6))
        cases = list(range(1, len(curve.values) + 1))
        axes.plot([0] + cases, [0.0] + curve.values, color=NAVY, linewidth=1.6, label="CUSUM")
        axes.axhline(-p.h0, color="#2e7d32", linestyle="--", linewidth=1,
                     label=f"acceptable ({-p.h0:.2f})")
        axes.axhline(p.h1, color="#c62828", linestyle="--", linewidth=1,
                     label=f"unacceptable ({p.h1:.2f})")
        axes.axhline(0, color="#999999", linewidth=0.6)
        axes.set_xlabel("Thrombectomies as primary operator, in order")
        axes.set_ylabel("Cumulative sum")
        axes.set_title(title, fontsize=10, loc="left")
        # Outside the axes, where no curve can run under it.
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        figure.text(0.01, -0.04, f"p0 {p.p0:.0%}, p1 {p.p1:.0%}, alpha {p.alpha}, beta {p.beta}; "
                    "failure: final eTICI below 2b50 or a major complication",
                    fontsize=7, color="#555555")
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure)


def indicators_chart_svg(rows: list[dict]) -> str:
    """Observed percentages as bars, each standard's figure as a marker: the report's summary."""
    plotted = [r for r in rows if r["observed"] is not None]
    with plt.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9}):
        figure, axes = plt.subplots(figsize=(7.5, 0.5 + 0.45 * max(len(plotted), 1)))
        labels = [r["label"] for r in plotted]
        values = [r["observed"] for r in plotted]
        colours = ["#2e7d32" if r["judgement"] == "met" else "#c62828" if r["judgement"] == "not met"
                   else "#607d8b" for r in plotted]
        axes.barh(labels, values, color=colours, height=0.55)
        for index, row in enumerate(plotted):
            if row.get("target") is not None:
                axes.plot([row["target"]], [index], marker="|", markersize=16, color="#212b32")
            axes.text(min(row["observed"] + 1, 96), index, f"{row['observed']}%", va="center", fontsize=8)
        axes.set_xlim(0, 100)
        axes.invert_yaxis()
        axes.set_xlabel("% (bar: observed; mark: the standard's figure)")
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure)


def times_chart_svg(intervals: list[dict], times: list[dict]) -> str:
    """Each recorded interval as its median (dot) and interquartile range (bar), with the time
    standard's median target (mark) where one is set on that interval."""
    plotted = [i for i in intervals if i["median"] is not None]
    targets = {row["key"]: row["target"] for row in times
               if row.get("measure") == "median" and row.get("target") is not None}
    with plt.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9}):
        figure, axes = plt.subplots(figsize=(7.5, 0.6 + 0.45 * max(len(plotted), 1)))
        for index, interval in enumerate(plotted):
            axes.plot([interval["q1"], interval["q3"]], [index, index], color=NAVY, linewidth=5,
                      alpha=0.35, solid_capstyle="butt")
            axes.plot([interval["median"]], [index], marker="o", color=NAVY, markersize=6)
            axes.text(interval["q3"], index, f"  {interval['median']:g} (n {interval['n']})",
                      va="center", fontsize=8)
            target = targets.get(interval["field"])
            if target is not None:
                axes.plot([target], [index], marker="|", markersize=16, color="#c62828")
        axes.set_yticks(range(len(plotted)), [str(i["label"]).capitalize() for i in plotted])
        axes.set_xlim(left=0)
        axes.invert_yaxis()
        axes.set_xlabel("Minutes (dot: median; bar: interquartile range; red mark: the standard)")
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure)
