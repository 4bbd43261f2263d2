"""The printable program report of one cohort, for accreditors: every report's summary, chart
and table for that cohort, generated with fpdf2 as the certificates are. The charts are drawn
from the same `Chart` descriptions the pages' SVG images come from, with fpdf2's own lines,
rectangles and text (its SVG import does not read the style sheets the SVG charts use)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos
from fpdf.enums import YPos

from tracker.certificates.pdf import FONT_FILES
from tracker.certificates.pdf import font_directory
from tracker.certificates.pdf import latin1_text
from tracker.progress.text import day
from tracker.reports.catalogue import REPORTS
from tracker.reports.charts import PALETTE
from tracker.reports.charts import Chart
from tracker.reports.queries import ReportFilters

FONT = "report"
CHART_HEIGHT = 72.0
MAX_COLUMNS = 7  # wider tables are printed turned (a row per column) when they are short


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _nice_step(top: float) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about five ticks to `top`."""
    if top <= 0:
        return 1.0
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:g}"


class ReportPdf:
    """An A4 portrait document with headings, paragraphs, charts and tables."""

    def __init__(self, title: str) -> None:
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_margins(15, 15, 15)
        pdf.set_auto_page_break(True, margin=15)
        pdf.set_title(title)
        pdf.set_creator("KAP Certification Tracker")
        fonts = font_directory()
        self.unicode = fonts is not None
        if fonts is not None:
            for style, name in FONT_FILES.items():
                pdf.add_font(FONT, style, str(fonts / name))
        self.pdf = pdf
        pdf.add_page()

    def _text(self, value: str) -> str:
        return value if self.unicode else latin1_text(value)

    def font(self, size: float, bold: bool = False) -> None:
        """Choose the text font."""
        self.pdf.set_font(FONT if self.unicode else "Helvetica", "B" if bold else "", size)

    @property
    def width(self) -> float:
        return self.pdf.w - self.pdf.l_margin - self.pdf.r_margin

    def heading(self, text: str, size: float = 14) -> None:
        """A bold heading, kept with at least a chart's height of what follows."""
        if self.pdf.get_y() + CHART_HEIGHT + 30 > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()
        self.font(size, bold=True)
        self.pdf.multi_cell(
            self.width, size * 0.5, self._text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.pdf.ln(1.5)

    def paragraph(self, text: str, size: float = 10) -> None:
        """A paragraph of running text."""
        self.font(size)
        self.pdf.multi_cell(self.width, 5, self._text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1.5)

    # -- charts ---------------------------------------------------------------------------------

    def chart(self, chart: Chart) -> None:
        """Draw `chart`: title, axes with their titles and ticks, bars or lines, a legend."""
        pdf = self.pdf
        if pdf.get_y() + CHART_HEIGHT + 15 > pdf.h - pdf.b_margin:
            pdf.add_page()
        x0, y0 = pdf.l_margin, pdf.get_y()
        self.font(10, bold=True)
        pdf.set_xy(x0, y0)
        pdf.cell(self.width, 5, self._text(chart.title), align="C")
        left, top = x0 + 16, y0 + 11
        plot_w, plot_h = self.width - 18, CHART_HEIGHT - 30
        values = [v for _, series in chart.series for v in series if v is not None]
        if chart.kind == "stacked":
            sums = [
                sum(series[i] or 0 for _, series in chart.series) for i in range(len(chart.labels))
            ]
            values = sums or [0]
        peak = max(values, default=0) or 1
        step = _nice_step(peak)
        top_value = step * math.ceil(peak / step)
        scale = plot_h / top_value
        self.font(7)
        pdf.set_draw_color(200, 200, 200)
        pdf.set_line_width(0.1)
        tick = 0.0
        while tick <= top_value + 1e-9:
            y = top + plot_h - tick * scale
            pdf.line(left, y, left + plot_w, y)
            pdf.set_xy(left - 15, y - 2)
            pdf.cell(14, 4, _number(tick), align="R")
            tick += step
        pdf.set_draw_color(60, 60, 60)
        pdf.set_line_width(0.3)
        pdf.line(left, top, left, top + plot_h)
        pdf.line(left, top + plot_h, left + plot_w, top + plot_h)
        count = max(len(chart.labels), 1)
        slot = plot_w / count
        if chart.kind == "line":
            self._lines(chart, left, top, plot_h, slot, scale)
        else:
            self._bars(chart, left, top, plot_h, slot, scale)
        every = max(math.ceil(count / 16), 1)
        self.font(7)
        pdf.set_text_color(0, 0, 0)
        for i, label in enumerate(chart.labels):
            if i % every == 0:
                pdf.set_xy(left + i * slot, top + plot_h + 1)
                pdf.cell(slot * every, 4, self._text(label[:18]), align="C" if every == 1 else "L")
        # Horizontal bars are printed upright: the category axis is then the x axis.
        x_title, y_title = chart.x_title, chart.y_title
        if chart.kind == "hbar":
            x_title, y_title = y_title, x_title
        self.font(8)
        pdf.set_xy(left, top + plot_h + 6)
        pdf.cell(plot_w, 4, self._text(x_title), align="C")
        # The y axis's title above it, written across (turned text reads badly in print).
        pdf.set_xy(x0, top - 4.5)
        pdf.cell(plot_w, 4, self._text(y_title[:80]), align="L")
        self._legend(chart, left, top + plot_h + 12)
        pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_fill_color(255, 255, 255)
        pdf.set_y(top + plot_h + 20)

    def _colour(self, chart: Chart, index: int) -> tuple[int, int, int]:
        if chart.kind == "line" and index == len(chart.series) - 1 and chart.dashed:
            return (0, 0, 0)
        return _rgb(PALETTE[index % len(PALETTE)])

    def _bars(self, chart: Chart, left, top, plot_h, slot, scale) -> None:
        pdf = self.pdf
        groups = len(chart.series) if chart.kind != "stacked" else 1
        width = slot * 0.8 / max(groups, 1)
        for i in range(len(chart.labels)):
            base = 0.0
            for s, (_, series) in enumerate(chart.series):
                value = series[i] if i < len(series) else None
                if value is None:
                    continue
                pdf.set_fill_color(*self._colour(chart, s))
                height = value * scale
                x = left + i * slot + slot * 0.1 + (0 if chart.kind == "stacked" else s * width)
                y = top + plot_h - base - height
                if height > 0:
                    pdf.rect(x, y, width, height, style="F")
                if chart.kind == "stacked":
                    base += height

    def _lines(self, chart: Chart, left, top, plot_h, slot, scale) -> None:
        pdf = self.pdf
        pdf.set_line_width(0.6)
        for s, (name, series) in enumerate(chart.series):
            pdf.set_draw_color(*self._colour(chart, s))
            if name in chart.dashed:
                pdf.set_dash_pattern(dash=1.5, gap=1.2)
            points = [
                (left + i * slot + slot / 2, top + plot_h - v * scale)
                for i, v in enumerate(series)
                if v is not None
            ]
            for a, b in itertools.pairwise(points):
                pdf.line(a[0], a[1], b[0], b[1])
            pdf.set_dash_pattern()
        pdf.set_line_width(0.3)

    def _legend(self, chart: Chart, x: float, y: float) -> None:
        pdf = self.pdf
        self.font(7.5)
        for s, (name, _) in enumerate(chart.series):
            pdf.set_fill_color(*self._colour(chart, s))
            pdf.rect(x, y + 0.8, 3, 2.4, style="F")
            label = self._text(name + (" (dashed)" if name in chart.dashed else ""))
            pdf.set_xy(x + 4, y)
            pdf.cell(pdf.get_string_width(label) + 2, 4, label)
            x += pdf.get_string_width(label) + 9

    # -- tables ---------------------------------------------------------------------------------

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """The figures as a table; a wide and short one printed turned."""
        cells = [[("—" if v is None else str(v)) for v in row] for row in rows]
        if not cells:
            self.paragraph("No figures for this cohort.")
            return
        if len(header) > MAX_COLUMNS and len(cells) <= 6:
            header, cells = (
                ["", *[row[0] for row in cells]],
                [[header[c], *[row[c] for row in cells]] for c in range(1, len(header))],
            )
        self.font(7.5)
        with self.pdf.table(
            width=self.width,
            line_height=4,
            text_align="LEFT",
            first_row_as_headings=True,
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            heading = table.row()
            for text in header:
                heading.cell(self._text(str(text)))
            for line in cells:
                row = table.row()
                for text in line:
                    row.cell(self._text(text))
        self.pdf.ln(3)

    def output(self) -> bytes:
        """The document as PDF bytes."""
        return bytes(self.pdf.output())


def program_report(
    cohort_name: str, program_name: str, cohort_id: int, today: date, now: datetime
) -> bytes:
    """The program report of a cohort as PDF bytes: every report's summary, chart and table."""
    doc = ReportPdf(f"Program report: {cohort_name}")
    doc.heading(f"Program report: cohort {cohort_name}", size=18)
    doc.paragraph(
        f"{program_name}. Figures of {day(today)}, from the tracker's records: each section has "
        "a summary, a chart and the figures it is drawn from."
    )
    filters = ReportFilters(cohort_id=cohort_id)
    for report in REPORTS.values():
        built = report.build(filters, today, now)
        doc.heading(report.title)
        doc.paragraph(built.summary)
        doc.chart(built.chart())
        if built.note:
            doc.paragraph(built.note, size=8)
        doc.table(built.header, built.rows)
    return doc.output()
