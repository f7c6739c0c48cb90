"""A review pack as a PDF, drawn on the server with fpdf2 (pure Python: `pip install` is all it
needs). The PDF holds the same sections, figures, charts and tables as the page.

Text is set in DejaVu Sans (shipped in packs/fonts with its licence, cut down to the Latin,
Greek, Cyrillic and symbol ranges), embedded as a Unicode font, so names like "Zoë", "Łódź" or
"€" print as written. Charts are the page's own chart geometry (prodops.core.charts) drawn
with fpdf2's lines and rectangles, so the PDF and the page show the same bars."""

import itertools
import logging
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

# fpdf2 subsets the embedded font with fontTools on every PDF, which logs each step at INFO.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "dejavu"
# The chart colours of static/css/panels.css (c0…c7), as RGB.
PALETTE = {
    "c0": (47, 91, 211),
    "c1": (29, 122, 70),
    "c2": (163, 90, 0),
    "c3": (122, 63, 184),
    "c4": (15, 125, 140),
    "c5": (180, 35, 24),
    "c6": (106, 115, 133),
    "c7": (168, 178, 195),
}
REF_TONES = {"warn": (163, 90, 0), "danger": (180, 35, 24)}
INK, GRID, MUTED = (20, 24, 33), (220, 224, 232), (90, 98, 112)
# A chart's SVG units to millimetres: 480 units across become 150 mm.
CHART_SCALE = 150 / 480


def _text(value) -> str:
    """Every character prints with the embedded font; only a missing value becomes a dash."""
    return "—" if value is None else str(value)


class _PackPDF(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.pack_title = title
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 8, f"{self.pack_title} · page {self.page_no()}", align="C")
        self.set_text_color(*INK)


def _line(pdf: FPDF, text: str, *, size: int = 10, style: str = "", height: float = 5) -> None:
    pdf.set_font(FONT, style=style, size=size)
    pdf.multi_cell(0, height, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: FPDF, table) -> None:
    _line(pdf, table.title, size=10, style="B")
    if not table.rows:
        _line(pdf, "None.", size=9)
        pdf.ln(2)
        return
    pdf.set_font(FONT, size=8)
    with pdf.table(text_align="LEFT", line_height=4.5, first_row_as_headings=True) as grid:
        grid.row([_text(h) for h in table.head])
        for row in table.rows:
            grid.row([_text(cell) for cell in row])
    pdf.ln(3)


def _chart(pdf: FPDF, chart) -> None:
    """Draw one prodops.core.charts.Chart at the current position: title, grid and y ticks,
    bars, lines and dots, reference lines, axes, x labels and units."""
    height = chart.height * CHART_SCALE + 8
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
    _line(pdf, chart.title, size=9, style="B", height=5)
    ox, oy = pdf.l_margin, pdf.get_y()

    def x(v) -> float:
        return ox + float(v) * CHART_SCALE

    def y(v) -> float:
        return oy + float(v) * CHART_SCALE

    def label(at_x, at_y, text, *, align="C", size=6, colour=MUTED):
        pdf.set_font(FONT, size=size)
        pdf.set_text_color(*colour)
        width = pdf.get_string_width(text)
        left = {"C": at_x - width / 2, "R": at_x - width, "L": at_x}[align]
        pdf.text(left, at_y + size * 0.35 / 2, text)
        pdf.set_text_color(*INK)

    pdf.set_line_width(0.1)
    pdf.set_draw_color(*GRID)
    for tick_y, text in chart.y_ticks:
        pdf.line(x(chart.left), y(tick_y), x(chart.right), y(tick_y))
        label(x(chart.y_tick_label_x), y(tick_y), text, align="R")
    for r in chart.rects:
        pdf.set_fill_color(*PALETTE.get(r["css"], PALETTE["c0"]))
        if r["h"] > 0:
            pdf.rect(x(r["x"]), y(r["y"]), r["w"] * CHART_SCALE, r["h"] * CHART_SCALE, style="F")
    for line in chart.lines:
        colour = PALETTE.get(line.get("css", "c0").split()[0], PALETTE["c0"])
        pdf.set_draw_color(*colour)
        pdf.set_line_width(0.4)
        points = [tuple(float(n) for n in p.split(",")) for p in line["points"].split()]
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            pdf.line(x(x1), y(y1), x(x2), y(y2))
    pdf.set_fill_color(*PALETTE["c0"])
    for dot in chart.dots:
        pdf.circle(x(dot["x"]), y(dot["y"]), 0.8, style="F")
    pdf.set_line_width(0.3)
    for mark in chart.marks:
        pdf.set_draw_color(*MUTED)
        pdf.line(x(mark["x"]), y(chart.top), x(mark["x"]), y(chart.bottom))
    for ref in chart.refs:
        colour = REF_TONES.get(ref["tone"], MUTED)
        pdf.set_draw_color(*colour)
        with pdf.local_context(dash_pattern={"dash": 1.2, "gap": 0.8}):
            pdf.line(x(chart.left), y(ref["y"]), x(chart.right), y(ref["y"]))
        label(x(chart.right), y(ref["y"]) - 1.5, ref["label"], align="R", colour=colour)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.2)
    pdf.line(x(chart.left), y(chart.top), x(chart.left), y(chart.bottom))
    pdf.line(x(chart.left), y(chart.bottom), x(chart.right), y(chart.bottom))
    for tick_x, text in chart.x_ticks:
        label(x(tick_x), y(chart.x_tick_label_y), text)
    label(x(chart.middle_x), y(chart.x_label_y), chart.x_unit, size=7)
    label(x(4), y(chart.y_unit_y), chart.y_unit, align="L", size=7)
    if chart.is_empty:
        label(x(chart.middle_x), y(chart.middle_y), chart.empty_text, size=8)
    pdf.set_draw_color(*INK)
    pdf.set_y(oy + chart.height * CHART_SCALE + 3)


def pack_pdf(
    *,
    title: str,
    subtitle: str,
    write_up: list[tuple[str, str]],
    sections: list[dict],
    commitments: list[str],
) -> bytes:
    """`write_up` is (heading, text) pairs; `sections` as selectors.section_views gives them."""
    pdf = _PackPDF(title)
    pdf.add_page()
    _line(pdf, title, size=18, style="B", height=9)
    _line(pdf, subtitle, size=10)
    pdf.ln(3)
    for heading, text in write_up:
        _line(pdf, heading, size=13, style="B", height=7)
        _line(pdf, text or "Not written yet.")
        pdf.ln(2)
    _line(pdf, "Next-quarter commitments", size=13, style="B", height=7)
    for commitment in commitments or ["None yet."]:
        _line(pdf, f"• {commitment}")
    for view in sections:
        pdf.add_page()
        _line(pdf, view["section"].title, size=14, style="B", height=8)
        if not view["has_data"]:
            _line(pdf, view["message"])
            continue
        for label, value in view["headline"]:
            _line(pdf, f"{label}: {_text(value)}", size=10)
        pdf.ln(2)
        for chart in view.get("charts", []):
            _chart(pdf, chart)
        for table in view["tables"]:
            _table(pdf, table)
    return bytes(pdf.output())
