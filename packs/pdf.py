"""A review pack as a PDF, drawn on the server with fpdf2 (pure Python: `pip install` is all it
needs). The PDF holds the same sections, figures and tables as the page; charts are on the
page, their numbers are in the tables here."""

from fpdf import FPDF
from fpdf.enums import XPos, YPos

# The built-in PDF fonts cover Latin-1; a few common characters outside it are spelled out.
_REPLACEMENTS = {
    "–": "-",
    "—": "-",
    "→": "->",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "…": "...",
    "≤": "<=",
    "≥": ">=",
    "×": "x",
    "·": "-",
    "\u00a0": " ",
}


def _text(value) -> str:
    text = "—" if value is None else str(value)
    for char, replacement in _REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text.encode("latin-1", "replace").decode("latin-1")


class _PackPDF(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.pack_title = title
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def footer(self):
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.cell(0, 8, _text(f"{self.pack_title} - page {self.page_no()}"), align="C")


def _line(pdf: FPDF, text: str, *, size: int = 10, style: str = "", height: float = 5) -> None:
    pdf.set_font("helvetica", style=style, size=size)
    pdf.multi_cell(0, height, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: FPDF, table) -> None:
    _line(pdf, table.title, size=10, style="B")
    if not table.rows:
        _line(pdf, "None.", size=9)
        pdf.ln(2)
        return
    pdf.set_font("helvetica", size=8)
    with pdf.table(text_align="LEFT", line_height=4.5, first_row_as_headings=True) as grid:
        grid.row([_text(h) for h in table.head])
        for row in table.rows:
            grid.row([_text(cell) for cell in row])
    pdf.ln(3)


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
        _line(pdf, f"- {commitment}")
    for view in sections:
        pdf.add_page()
        _line(pdf, view["section"].title, size=14, style="B", height=8)
        if not view["has_data"]:
            _line(pdf, view["message"])
            continue
        for label, value in view["headline"]:
            _line(pdf, f"{label}: {'—' if value is None else value}", size=10)
        pdf.ln(2)
        for table in view["tables"]:
            _table(pdf, table)
    return bytes(pdf.output())
