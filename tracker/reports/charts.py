"""The reports' charts: what a chart shows (`Chart`: kind, title, axes with their units,
labels and series), drawn as SVG on the server by pygal in a colour-blind-safe palette (Okabe
and Ito's) for the pages, and drawn again from the same description in the printable PDF. The
pages show them as images beside the same figures in a table, so nothing depends on seeing the
colours."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import pygal
from pygal.style import Style

# pygal appends an import hook for its optional map plugins (pygal.maps.*) that has no
# find_spec: every import that no other finder resolves (an optional module that is not
# installed, as fontTools tries for the PDFs) then raises an ImportWarning. The reports draw no
# maps, so the hook goes.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

# Okabe-Ito, in an order where neighbours differ in lightness as well as hue.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=PALETTE,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=12,
)


def _line_style(count: int) -> Style:
    """Lines: the palette for all but the last series, which is the reference line (dashed)
    and black."""
    return Style(**{**STYLE.to_dict(), "colors": (*PALETTE[: count - 1], "#000000")})


# No script from anywhere: the chart is a still image.
BASE = {
    "js": [],
    "disable_xml_declaration": True,
    "style": STYLE,
    "width": 900,
    "height": 500,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 4,
    "margin_bottom": 28,
    "print_values": False,
    "show_minor_x_labels": True,
    "truncate_legend": -1,
    "truncate_label": -1,
}


Series = Sequence[tuple[str, Sequence[float | None]]]


@dataclass(frozen=True)
class Chart:
    """A chart: `kind` is "bar", "hbar" (horizontal bars), "stacked" or "line"; the series
    named in `dashed` are reference lines."""

    kind: str
    title: str
    x_title: str
    y_title: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    dashed: tuple[str, ...] = ()

    def svg(self) -> str:
        """The chart as an SVG document (no script, no external reference)."""
        if self.kind == "line":
            chart = pygal.Line(
                title=self.title,
                x_title=self.x_title,
                y_title=self.y_title,
                show_dots=False,
                stroke_style={"width": 3},
                **{**BASE, "style": _line_style(len(self.series))},
            )
            chart.x_labels_major_every = max(len(self.labels) // 12, 1)
            chart.show_minor_x_labels = len(self.labels) <= 12
        else:
            kind = {"bar": pygal.Bar, "hbar": pygal.HorizontalBar, "stacked": pygal.StackedBar}
            chart = kind[self.kind](
                title=self.title, x_title=self.x_title, y_title=self.y_title, **BASE
            )
        chart.x_labels = list(self.labels)
        for name, values in self.series:
            if self.kind == "line":
                style = {"width": 3, "dasharray": "8, 6"} if name in self.dashed else {"width": 3}
                chart.add(name, list(values), stroke_style=style)
            else:
                chart.add(name, list(values))
        return chart.render(is_unicode=True)


def _chart(kind: str, title: str, x_title: str, y_title: str, labels, series, dashed=()):
    return Chart(
        kind,
        title,
        x_title,
        y_title,
        tuple(labels),
        tuple((name, tuple(values)) for name, values in series),
        tuple(dashed),
    )


def bars(
    title: str,
    x_title: str,
    y_title: str,
    labels: Sequence[str],
    series: Series,
    horizontal: bool = False,
) -> Chart:
    """A bar chart of one or more series over `labels`."""
    return _chart("hbar" if horizontal else "bar", title, x_title, y_title, labels, series)


def stacked(title: str, x_title: str, y_title: str, labels: Sequence[str], series: Series) -> Chart:
    """Stacked bars: the parts of a whole over `labels`."""
    return _chart("stacked", title, x_title, y_title, labels, series)


def lines(
    title: str,
    x_title: str,
    y_title: str,
    labels: Sequence[str],
    series: Series,
    dashed: Sequence[str] = (),
) -> Chart:
    """Lines over `labels`; the series named in `dashed` are drawn dashed (a reference line,
    told apart by its stroke as well as its colour)."""
    return _chart("line", title, x_title, y_title, labels, series, dashed)
