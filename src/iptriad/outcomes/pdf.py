"""The outcome report as a PDF for a board or a funder, drawn with ReportLab (docs/decisions/0041-pdf-reports.md).

It prints the dashboard's `Figures` (iptriad.outcomes.presentation), so the PDF, the page and the CSV give the same
values: the headline rates with their formulas and sources, the counts (under 5: "fewer than 5"), the breakdown,
the charts (the page's bar layout, drawn with ReportLab's shapes), the definitions, the decisions and the metrics
version. Text from the database (organisation, therapist and group names) is escaped before it reaches ReportLab's
paragraph markup.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from iptriad.outcomes.charts import BarChart, in_parts
from iptriad.outcomes.presentation import Figures, figures
from iptriad.outcomes.report import OutcomeReport

MARGIN = 18 * mm
FONT, BOLD = "Helvetica", "Helvetica-Bold"
SHORT = 7  # characters that fit any column of the tables unwrapped ("100.0%", "12,345")
BARS_PER_CHART = 20  # a chart of 20 bars is about 560 pt high: it fits on a page below its title
INK = colors.HexColor("#1d1d1d")
RULE = colors.HexColor("#999999")

_styles = getSampleStyleSheet()
TITLE = ParagraphStyle("OutcomeTitle", parent=_styles["Title"], alignment=0, fontSize=18, spaceAfter=4)
HEADING = ParagraphStyle("OutcomeHeading", parent=_styles["Heading2"], fontSize=12, spaceBefore=8, spaceAfter=4)
BODY = ParagraphStyle("OutcomeBody", parent=_styles["BodyText"], fontSize=9, leading=11.5)
SMALL = ParagraphStyle("OutcomeSmall", parent=BODY, fontSize=7.5, leading=9.5)
CELL = ParagraphStyle("OutcomeCell", parent=BODY, fontSize=8, leading=10)
CELL_BOLD = ParagraphStyle("OutcomeCellBold", parent=CELL, fontName=BOLD)
TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _cell(text: str) -> Paragraph | str:
    """A number or a rate as plain text (laid out ten times faster); words, which may need to wrap, as a paragraph."""
    return text if len(text) <= SHORT else _p(text, CELL)


def _table(rows: list[list[Paragraph | str]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TABLE_STYLE)
    return table


def chart_drawing(chart: BarChart) -> Drawing:
    """The page's bar chart with ReportLab's shapes: its layout is top-down (SVG), a PDF's bottom-up."""
    drawing = Drawing(chart.width, chart.height)

    def y(top_down: float) -> float:
        return chart.height - top_down

    drawing.add(Line(chart.plot_left, y(chart.plot_top), chart.plot_left, y(chart.plot_bottom), strokeColor=INK))
    for tick in chart.ticks:
        drawing.add(
            Line(tick.x, y(chart.plot_top), tick.x, y(chart.plot_bottom), strokeColor=RULE, strokeDashArray=[2, 2])
        )
        drawing.add(
            String(tick.x, y(chart.plot_bottom + 14), tick.label, fontName=FONT, fontSize=8, textAnchor="middle")
        )
    for bar in chart.bars:
        drawing.add(String(chart.label_right, y(bar.text_y), bar.label, fontName=FONT, fontSize=9, textAnchor="end"))
        if bar.shown:
            rect = Rect(chart.plot_left, y(bar.y + chart.bar_height), bar.width, chart.bar_height)
            # Set after construction: the stubs type Rect's keyword arguments wrongly (a TypedDict not Unpack-ed).
            rect.fillColor, rect.strokeColor = INK, None
            drawing.add(rect)
        value_font = BOLD if bar.shown else FONT
        drawing.add(String(bar.text_x, y(bar.text_y), bar.value, fontName=value_font, fontSize=9, fillColor=INK))
    return drawing


def _chart(chart: BarChart) -> Flowable:
    return KeepTogether([_p(chart.title, CELL_BOLD), chart_drawing(chart), Spacer(1, 4 * mm)])


def _headline(shown: Figures, width: float) -> Table:
    head = ("Figure", "Value", "Counts", "Formula and source")
    rows: list[list[Paragraph | str]] = [[_p(text, CELL_BOLD) for text in head]]
    for tile in shown.tiles:
        formula = Paragraph(
            f"{escape(tile.formula)}<br/><font size='7'>{escape(tile.source)}</font>"
            + (f"<br/><font size='7'>{escape(tile.note)}</font>" if tile.note else ""),
            CELL,
        )
        counts = _p(f"{tile.numerator} of {tile.denominator}", CELL)
        rows.append([_p(tile.label, CELL), _p(tile.value, CELL_BOLD), counts, formula])
    return _table(rows, [width * 0.24, width * 0.1, width * 0.2, width * 0.46])


def _counts(shown: Figures, width: float) -> Table:
    rows: list[list[Paragraph | str]] = [[_p(text, CELL_BOLD) for text in ("Count", "Number", "Definition")]]
    rows += [[_p(line.label, CELL), _cell(line.value), _p(line.definition, CELL)] for line in shown.counts]
    return _table(rows, [width * 0.3, width * 0.13, width * 0.57])


def _breakdown(shown: Figures, width: float) -> Table:
    columns = len(shown.breakdown_columns)
    label_width = width * 0.2
    rows: list[list[Paragraph | str]] = [[_p(text, CELL_BOLD) for text in [shown.by or "", *shown.breakdown_columns]]]
    rows += [[_p(line.label, CELL), *(_cell(cell) for cell in line.cells)] for line in shown.breakdown]
    return _table(rows, [label_width] + [(width - label_width) / columns] * columns)


def _story(shown: Figures, width: float, programme: str | None) -> list[Flowable]:
    generated = timezone.localtime(shown.generated_at)
    story: list[Flowable] = [
        _p("Outcome report", TITLE),
        *([_p(f"Programme: {programme}")] if programme else []),
        _p(f"Organisations: {', '.join(shown.organisations)}"),
        _p(f"Period: courses and group places that ended from {shown.period}"),
        _p(f"Broken down by: {shown.by or 'nothing (everyone together)'}"),
        _p(f"Generated at {generated:%Y-%m-%d %H:%M} ({generated:%Z}); metrics version {shown.metrics_version}"),
        _p(f"Every count under 5 is shown as '{shown.suppressed_text}', and a rate built on one is not shown.", SMALL),
        _p("Headline figures", HEADING),
        _headline(shown, width),
        Spacer(1, 4 * mm),
    ]
    story += [_chart(part) for chart in shown.charts for part in in_parts(chart, BARS_PER_CHART)]
    quality = shown.quality
    story += [
        _p("Data quality", HEADING),
        _p(
            f"Paired scores: {quality.paired.value} ({quality.paired.numerator} of {quality.finished} finished). "
            f"Missing end score: {quality.missing_end_score}. Sessions missed: {quality.missed_sessions}."
        ),
        _p("Counts", HEADING),
        _counts(shown, width),
    ]
    if shown.by is not None:
        story += [_p(f"By {shown.by.lower()}", HEADING), _breakdown(shown, width)]
        if not shown.breakdown:
            story.append(_p("No course or group place ended in the period."))
    story += [_p("Definitions", HEADING)]
    story += [_p(f"{line.label}: {line.definition}", SMALL) for line in shown.definitions]
    story += [_p("Decisions where the reference is silent", HEADING)]
    story += [_p(f"{number}. {decision}", SMALL) for number, decision in enumerate(shown.decisions, start=1)]
    return story


def render_report_pdf(report: OutcomeReport, *, programme: str | None = None) -> bytes:
    """The report as the bytes of a PDF (A4); a programme's names the programme above its organisations."""
    shown = figures(report)
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title="Outcome report",
        author="iptriad",
        creator="iptriad",
        subject=f"{programme or ', '.join(shown.organisations)}: {shown.period}",
    )

    def footer(canvas: Canvas, _document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.drawString(MARGIN, 10 * mm, f"iptriad outcome report · metrics version {shown.metrics_version}")
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"Page {canvas.getPageNumber()}")
        canvas.restoreState()

    document.build(_story(shown, document.width, programme), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
