"""The doctor's summary as a one-page A4 PDF (fpdf2 for the page, matplotlib for the chart; both imported only
when drawing). The font is the DejaVu Sans that matplotlib ships, so any European letters print."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from bot.core.replies import DoctorSummary, SummarySection

FONT_SIZES = (10.0, 9.0, 8.0, 7.0)  # the largest that keeps the page to one sheet is used
MARGIN = 14.0  # mm
CHART_HEIGHT = 52.0  # mm
BLUE = "#3b6ea5"


def summary_from_dict(data: dict[str, Any]) -> DoctorSummary:
    """Rebuild a summary from its JSON form (as the outbox keeps it)."""
    sections = tuple(SummarySection(s["heading"], tuple(s["lines"])) for s in data["sections"])
    return DoctorSummary(data["filename"], data["title"], data["intro"], sections, tuple(data["weeks"]),
                         tuple(data["per_week"]), tuple((str(p), int(n)) for p, n in data["parts"]),
                         data["chart_weeks"], data["chart_parts"], data["footer"])


def summary_pdf(summary: DoctorSummary) -> bytes:
    """The summary on one A4 page: title, who made it, the chart, then each section."""
    chart = _chart_png(summary)
    for size in FONT_SIZES:
        pdf = _page(summary, chart, size)
        if pdf.page_no() == 1 or size == FONT_SIZES[-1]:
            return bytes(pdf.output())
    raise AssertionError("unreachable")


def _page(summary: DoctorSummary, chart: bytes, size: float) -> Any:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, MARGIN)
    fonts = _font_folder()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_title(summary.title)
    pdf.set_creator("CrampBot")
    pdf.add_page()
    width = pdf.w - 2 * MARGIN
    pdf.set_font("DejaVu", "B", size + 6)
    pdf.multi_cell(width, (size + 6) * 0.5, summary.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("DejaVu", "", size - 1)
    pdf.multi_cell(width, (size - 1) * 0.45, summary.intro, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.image(io.BytesIO(chart), w=width, h=CHART_HEIGHT)
    pdf.ln(2)
    for section in summary.sections:
        pdf.set_font("DejaVu", "B", size + 1)
        pdf.multi_cell(width, (size + 1) * 0.5, section.heading, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", size)
        for line in section.lines:
            pdf.multi_cell(width, size * 0.45, line, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    pdf.set_font("DejaVu", "", size - 2)
    pdf.multi_cell(width, (size - 2) * 0.45, summary.footer, align="L", new_x="LMARGIN", new_y="NEXT")
    return pdf


def _font_folder() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _chart_png(summary: DoctorSummary) -> bytes:
    """Two bar charts side by side: cramps per week (12 weeks) and by time of day."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (weeks, parts) = plt.subplots(1, 2, figsize=(7.2, 2.4), dpi=150, gridspec_kw={"width_ratios": [3, 1.3]})
    try:
        positions = range(len(summary.weeks))
        weeks.bar(positions, summary.per_week, color=BLUE)
        weeks.set_xticks(list(positions)[::2], [summary.weeks[i] for i in positions][::2], fontsize=7)
        weeks.set_title(summary.chart_weeks, fontsize=9)
        parts.bar([p for p, _ in summary.parts], [n for _, n in summary.parts], color=BLUE)
        parts.set_title(summary.chart_parts, fontsize=9)
        parts.tick_params(axis="x", labelsize=6, labelrotation=30)
        for axes in (weeks, parts):
            axes.yaxis.get_major_locator().set_params(integer=True)
            axes.tick_params(axis="y", labelsize=7)
            axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(figure)
