"""The weekly improvement report as a PDF (fpdf2), with the same SVG charts as the web page.

The Chinese font is embedded (subset), so the file reads the same on any machine: a
bundled assets/fonts/wqy-microhei.ttc, else Debian's fonts-wqy-microhei, or the file named
by LINLI_REPORT_FONT. Its face 0, WenQuanYi Micro Hei, also covers Hangul and Latin.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from server.reports import figures
from server.reports.charts import FONT
from server.services.weekly_report import WeeklyReport
from server.web.i18n import Translator

FONT_ENV = "LINLI_REPORT_FONT"
FONT_CANDIDATES = (
    Path(__file__).resolve().parents[2] / "assets" / "fonts" / "wqy-microhei.ttc",
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
FAMILY = FONT.split(",")[0]  # the name the charts' SVG asks for
CHART_WIDTH_MM = 120


class ReportFontMissing(RuntimeError):
    pass


def find_font() -> Path:
    override = os.environ.get(FONT_ENV)
    paths = [Path(override)] if override else list(FONT_CANDIDATES)
    for path in paths:
        if path.is_file():
            return path
    raise ReportFontMissing(
        f"no Chinese font for the PDF (looked at {', '.join(map(str, paths))}); install the "
        f"Debian package fonts-wqy-microhei (`make deps` does) or set {FONT_ENV}")


def weekly_pdf(report: WeeklyReport, t: Translator, *, zone: str, scope_text: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font(FAMILY, fname=str(find_font()))
    pdf.set_title(t("reports.weekly.heading", week=report.week.label))
    pdf.set_creator("Linli")
    pdf.add_page()
    week = report.week

    def heading(text: str, size: int = 14) -> None:
        pdf.ln(3)
        pdf.set_font(FAMILY, size=size)
        pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, size=10)

    def line(text: str) -> None:
        pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")

    def chart(svg: str) -> None:
        pdf.image(io.BytesIO(svg.encode("utf-8")), x=pdf.l_margin, w=CHART_WIDTH_MM)

    heading(t("reports.weekly.heading", week=week.label), 18)
    line(t("reports.weekly.range", start=week.start.date().isoformat(),
           end=week.last_day.isoformat(), zone=zone))
    line(scope_text)

    heading(t("reports.weekly.summary"))
    line(t("reports.weekly.ratings", count=report.ratings, average=f"{report.average:.2f}")
         if report.average is not None else t("reports.weekly.no_ratings"))

    heading(t("reports.weekly.lowest"))
    if report.lowest:
        chart(figures.stars_chart(report.lowest, t, lambda key: figures.type_name(t, key)))
        table(pdf, [t("reports.satisfaction.type"), t("reports.average"), t("reports.count"),
                    t("reports.low")],
              [[figures.type_name(t, g.key), f"{g.average:.2f}", str(g.count), str(g.low)]
               for g in report.lowest])
    else:
        line(t("reports.weekly.no_ratings"))

    heading(t("reports.weekly.comments"))
    if report.quick_comments:
        chart(figures.quick_comments_chart(report.quick_comments, t))
    if not report.comments:
        line(t("reports.weekly.no_comments"))
    for comment in report.comments:
        words = "、".join(comment.quick_comments)
        said = " ".join(part for part in (words, comment.text or "") if part)
        line(f"{'★' * comment.stars}{'☆' * (5 - comment.stars)}  "
             f"{figures.type_name(t, comment.service_type)}: {said}")

    heading(t("reports.weekly.overdue"))
    if report.overdue:
        table(pdf, [t("points.resident"), t("reports.satisfaction.type"),
                    t("reports.weekly.received"), t("reports.weekly.due"),
                    t("reports.weekly.closed"), t("reports.weekly.late")],
              [[item.resident_name or "—", figures.type_name(t, item.request_type),
                _local(item.received_at, week), _local(item.due_at, week),
                _local(item.closed_at, week) if item.closed_at else t("reports.weekly.still_open"),
                t("reports.weekly.hours", hours=item.hours_late)] for item in report.overdue])
    else:
        line(t("reports.weekly.no_overdue"))

    heading(t("reports.weekly.answers"))
    answers = report.answers
    if answers.alarms:
        chart(figures.answers_chart(answers, t))
        line(answers_line(answers, t))
    else:
        line(t("reports.weekly.no_alarms"))

    pdf.ln(4)
    pdf.set_font(FAMILY, size=8)
    line(t("reports.weekly.explain"))
    line(t("reports.weekly.made_at", time=report.made_at.astimezone(week.start.tzinfo)
           .strftime("%Y-%m-%d %H:%M")))
    return bytes(pdf.output())


def answers_line(answers, t: Translator) -> str:  # type: ignore[no-untyped-def]
    def seconds(value: float | None) -> str:
        return "—" if value is None else t("reports.weekly.seconds", seconds=f"{value:.0f}")

    return t("reports.weekly.answers_line", alarms=answers.alarms, answered=answers.answered,
             median=seconds(answers.median_seconds), p95=seconds(answers.p95_seconds))


def table(pdf: FPDF, header: list[str], rows: list[list[str]]) -> None:
    pdf.set_font(FAMILY, size=9)
    with pdf.table(headings_style=FontFace(emphasis=None, fill_color=(230, 236, 244)),
                   line_height=5.5, first_row_as_headings=True) as grid:
        for values in [header, *rows]:
            cells = grid.row()
            for value in values:
                cells.cell(value)
    pdf.set_font(FAMILY, size=10)


def _local(moment, week) -> str:  # type: ignore[no-untyped-def]
    return moment.astimezone(week.start.tzinfo).strftime("%m-%d %H:%M")
