"""The half-year report as a PDF (A4 portrait): what it says comes from
reports.selectors.halfyear (HalfYearFacts).

The charts are drawn with reportlab's own graphics (a bar chart and a line chart, vector, in the
Okabe-Ito palette of the dashboard): plotly's static export needs a browser engine (kaleido) that
the platform does not ship. Every chart has its figures in a table beside it, and all text is real
text in DejaVu Sans (lms.pdf), so that it can be searched, read aloud and tested.
"""

from __future__ import annotations

import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from lms.pdf import BOLD, FONT, paragraph
from reports.lib.tables import WITHHELD
from reports.selectors.halfyear import HalfYearFacts

PALETTE = [colors.HexColor(c) for c in ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7")]
INK = colors.HexColor("#1a1a1a")
ACCENT = colors.HexColor("#1a4b8c")
MARGIN = 18 * mm

TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=20, leading=25, textColor=ACCENT)
HEADING = ParagraphStyle(
    "heading", fontName=BOLD, fontSize=13, leading=17, textColor=INK, spaceBefore=10, spaceAfter=4
)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13, textColor=INK)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=8.5, leading=11, textColor=INK)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11, textColor=INK)


def percent(value: float | None) -> str:
    """'87,5 pct.'; "–" when it may not be shown (or nobody was required), as on the dashboard:
    a share is not a count, so "<5" would mislead."""
    # Rounded first: number_format cuts the digits off (64,29 would read 64,2).
    if value is None:
        return WITHHELD
    return f"{formats.number_format(round(value, 1), 1)} pct."


def points(value: float | None) -> str:
    """A change in percentage points, signed: '+2,5 procentpoint'."""
    if value is None:
        return WITHHELD
    sign = "+" if value > 0 else ""
    return _("%(value)s percentage points") % {
        "value": f"{sign}{formats.number_format(round(value, 1), 1)}"
    }


def _table(rows: list[list], widths: list[float]) -> Table:
    data = [[paragraph(str(value), CELL) for value in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#c8c8c8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f8")),
            ]
        )
    )
    return table


def _legend(names: list[str], x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = FONT, 8
    legend.alignment = "right"
    legend.columnMaximum = 6
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, name in enumerate(names)]
    return legend


def _bar_chart(facts: HalfYearFacts, width: float) -> Drawing:
    """Coverage per competence: the previous half-year beside this one."""
    height = 70 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 18 * mm
    chart.width, chart.height = width - 70 * mm, height - 26 * mm
    chart.data = [
        [(k.previous.share if k.previous else None) or 0 for k in facts.key_figures],
        [k.current.share or 0 for k in facts.key_figures],
    ]
    chart.categoryAxis.categoryNames = [
        k.competence if len(k.competence) <= 22 else k.competence[:21] + "…"
        for k in facts.key_figures
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d pct."
    chart.bars[0].fillColor = PALETTE[1]
    chart.bars[1].fillColor = PALETTE[0]
    drawing.add(chart)
    drawing.add(
        _legend([facts.period.previous.label, facts.period.label], width - 2 * mm, height - 10 * mm)
    )
    return drawing


def _line_chart(facts: HalfYearFacts, width: float) -> Drawing | None:
    """Coverage per half-year of the action plan, a line per competence through the half-years
    whose share may be shown (a suppressed one is left out, as on the dashboard)."""
    height = 70 * mm
    series = []
    for item in facts.trend.series:
        shown = [(i, p.share) for i, p in enumerate(item.points) if p.share is not None]
        if shown:
            # A line needs two points: a single one is drawn as its marker.
            series.append((item.competence.name, shown if len(shown) > 1 else shown * 2))
    if not series:
        return None
    labels = [p.label for p in facts.trend.periods]
    drawing = Drawing(width, height)
    chart = LinePlot()
    chart.x, chart.y = 12 * mm, 12 * mm
    chart.width, chart.height = width - 70 * mm, height - 20 * mm
    chart.data = [points for _name, points in series]
    chart.xValueAxis.valueMin, chart.xValueAxis.valueMax = -0.3, len(labels) - 0.7
    chart.xValueAxis.valueSteps = list(range(len(labels)))
    chart.xValueAxis.labelTextFormat = lambda value: labels[round(value)]
    chart.xValueAxis.labels.fontName = FONT
    chart.xValueAxis.labels.fontSize = 7
    chart.yValueAxis.valueMin, chart.yValueAxis.valueMax, chart.yValueAxis.valueStep = 0, 100, 20
    chart.yValueAxis.labels.fontName = FONT
    chart.yValueAxis.labels.fontSize = 7
    chart.yValueAxis.labelTextFormat = "%d pct."
    for index in range(len(series)):
        colour = PALETTE[index % len(PALETTE)]
        chart.lines[index].strokeColor = colour
        chart.lines[index].strokeWidth = 1.5
        chart.lines[index].symbol = makeMarker("FilledCircle", size=4, fillColor=colour)
    drawing.add(chart)
    drawing.add(_legend([name for name, _points in series], width - 2 * mm, height - 10 * mm))
    return drawing


def halfyear_pdf(*, facts: HalfYearFacts, issuer: str) -> bytes:
    """The report as PDF bytes."""
    buffer = io.BytesIO()
    title = _("Half-year report %(period)s") % {"period": facts.period.label}
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{title}: {facts.unit.name}",
        author=issuer,
        creator="Infohus LMS",
        invariant=1,
    )
    width = A4[0] - 2 * MARGIN
    built = timezone.localtime()
    story = [
        paragraph(title, TITLE),
        paragraph(facts.unit.name, HEADING),
        paragraph(
            _("Figures as of %(date)s, computed at %(time)s on %(built)s.")
            % {
                "date": formats.date_format(facts.today, "j. F Y"),
                "time": formats.time_format(built, "H:i"),
                "built": formats.date_format(built, "j. F Y"),
            },
            BODY,
        ),
        paragraph(
            _(
                "Groups of fewer than 5 people are shown as “<5”, and so is any figure that "
                "would give them away."
            ),
            SMALL,
        ),
        paragraph(
            _(
                "A coverage share that is not shown, because its group is smaller than 5 or one "
                "of its counts is hidden, reads “–”."
            ),
            SMALL,
        ),
        paragraph(_("Key figures"), HEADING),
    ]
    if facts.key_figures:
        rows = [
            [
                _("Competence"),
                _("Required"),
                _("Valid"),
                _("Coverage"),
                facts.period.previous.label,
                _("Change"),
            ]
        ]
        for key in facts.key_figures:
            rows.append(
                [
                    key.competence,
                    key.current.required_shown,
                    key.current.valid_shown,
                    percent(key.current.share),
                    percent(key.previous.share if key.previous else None),
                    points(key.change),
                ]
            )
        story.append(_table(rows, [width * f for f in (0.3, 0.12, 0.1, 0.14, 0.14, 0.2)]))
        story += [
            paragraph(
                _("Coverage by competence: %(previous)s and %(current)s")
                % {"previous": facts.period.previous.label, "current": facts.period.label},
                HEADING,
            ),
            _bar_chart(facts, width),
        ]
    else:
        story.append(
            paragraph(
                _("No competence is required of anyone in this area with these filters."), BODY
            )
        )
    if facts.trend.series:
        story.append(paragraph(_("Coverage per half-year of the action plan"), HEADING))
        line_chart = _line_chart(facts, width)
        if line_chart is not None:
            story.append(line_chart)
        story.append(Spacer(1, 3 * mm))
        rows = [[_("Half-year"), *[s.competence.name for s in facts.trend.series]]]
        for index, period in enumerate(facts.trend.periods):
            rows.append(
                [period.label, *[percent(s.points[index].share) for s in facts.trend.series]]
            )
        first = 0.25
        rest = (1 - first) / len(facts.trend.series)
        story.append(_table(rows, [width * first] + [width * rest] * len(facts.trend.series)))
    story.append(paragraph(_("Administrations and institutions not reached"), HEADING))
    if facts.not_reached:
        story.append(
            paragraph(
                _(
                    "No one required to hold a competence holds valid evidence of it, or no "
                    "meeting was held for the unit in the last twelve months."
                ),
                SMALL,
            )
        )
        rows = [[_("Unit"), _("No valid coverage"), _("No meeting in 12 months")]]
        for item in facts.not_reached:
            rows.append(
                [
                    item.unit.name,
                    _("Yes") if item.no_valid_coverage else _("No"),
                    _("Yes") if item.no_meeting else _("No"),
                ]
            )
        story.append(_table(rows, [width * 0.5, width * 0.25, width * 0.25]))
    else:
        story.append(paragraph(_("Every administration and institution was reached."), BODY))
    document.build(story)
    return buffer.getvalue()
