"""Name badges: A4 sheets of eight, each with the event, the side, the name and a QR code to the
participant's own agenda."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from opop_events.core.i18n import _
from opop_events.reports.exporters._format import clean_text
from opop_events.reports.exporters.pdf_parts import FONT, GREEN, GREY, register_fonts, shorten
from opop_events.reports.exporters.printing.document import draw_qr
from opop_events.reports.exporters.printing.model import ROLE_LABELS, BadgeData

BADGE_COLOURS = {"buyer": colors.HexColor("#2E6F8E"), "pesantren": GREEN}
BADGE_COLUMNS, BADGE_ROWS = 2, 4
BADGE_MARGIN = 10 * mm


def _fit(text: str, font: str, largest: float, smallest: float, width: float) -> float:
    """The largest font size from `largest` down to `smallest` at which `text` fits `width` on one line."""
    size = largest
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _draw_lines(
    canvas: Canvas, text: str, font: str, size: float, x: float, y: float, width: float, max_lines: int
) -> float:
    """Draws `text` word-wrapped into at most `max_lines` lines from baseline `y` down; returns the next
    baseline. Words longer than the line are cut; the last line ends with an ellipsis when text is left."""
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if stringWidth(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while stringWidth(line, font, size) > width and len(line) > 1:
            line = line[:-1]
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and stringWidth(last + "\u2026", font, size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "\u2026"
    canvas.setFont(font, size)
    for text_line in lines:
        canvas.drawString(x, y, text_line)
        y -= size * 1.2
    return y


def _badge(canvas: Canvas, badge: BadgeData, x: float, y: float, width: float, height: float) -> None:
    pad = 5 * mm
    qr_size = 30 * mm
    colour = BADGE_COLOURS.get(badge.role, GREEN)
    # cut line
    canvas.setStrokeColor(colors.HexColor("#BBBBBB"))
    canvas.setDash(2, 2)
    canvas.setLineWidth(0.4)
    canvas.rect(x, y, width, height)
    canvas.setDash()
    # event band
    band = 11 * mm
    canvas.setFillColor(colour)
    canvas.rect(x, y + height - band, width, band, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    event = shorten(clean_text(badge.event_name), 120)
    size = _fit(event, f"{FONT}-Bold", 9, 7.5, width - 2 * pad)
    if stringWidth(event, f"{FONT}-Bold", size) <= width - 2 * pad:
        _draw_lines(
            canvas, event, f"{FONT}-Bold", size, x + pad, y + height - band / 2 - size / 3, width - 2 * pad, 1
        )
    else:  # a long event name takes two lines
        _draw_lines(canvas, event, f"{FONT}-Bold", 7, x + pad, y + height - band / 2 + 1, width - 2 * pad, 2)
    # role
    text_width = width - 2 * pad - qr_size - 3 * mm
    top = y + height - band - 8 * mm
    canvas.setFillColor(colour)
    canvas.setFont(f"{FONT}-Bold", 10)
    canvas.drawString(x + pad, top, _(ROLE_LABELS.get(badge.role, "")))
    # name and organisation
    canvas.setFillColor(colors.black)
    name = shorten(clean_text(badge.name), 120)
    size = _fit(name, f"{FONT}-Bold", 15, 10, text_width)
    after = _draw_lines(canvas, name, f"{FONT}-Bold", size, x + pad, top - 7.5 * mm, text_width, 3)
    if badge.organisation and badge.organisation != badge.name:
        canvas.setFillColor(GREY)
        organisation = shorten(clean_text(badge.organisation), 160)
        _draw_lines(canvas, organisation, FONT, 9, x + pad, after - 1.5 * mm, text_width, 3)
    # QR to the agenda, and the address under it for those without a QR reader
    qr_x, qr_y = x + width - pad - qr_size, y + 9 * mm
    draw_qr(canvas, badge.url, qr_x, qr_y, qr_size)
    canvas.setFillColor(GREY)
    canvas.setFont(FONT, 6)
    canvas.drawCentredString(qr_x + qr_size / 2, qr_y - 2.5 * mm, _("Pindai: agenda Anda"))
    url = clean_text(badge.url)
    size = _fit(url, FONT, 6, 4, width - 2 * pad)
    canvas.setFont(FONT, size)
    canvas.drawString(x + pad, y + 3 * mm, url)


def badges_pdf(badges: Sequence[BadgeData]) -> bytes:
    """A4 sheets of eight badges (two columns, four rows, dashed cut lines): event, role, name, organisation
    and a QR code to the participant's own agenda, with its address printed small below."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(_("Tanda Peserta"))
    canvas.setCreator("opop-events")
    width = (A4[0] - 2 * BADGE_MARGIN) / BADGE_COLUMNS
    height = (A4[1] - 2 * BADGE_MARGIN) / BADGE_ROWS
    per_page = BADGE_COLUMNS * BADGE_ROWS
    if not badges:
        canvas.setFont(FONT, 11)
        canvas.drawString(BADGE_MARGIN, A4[1] - BADGE_MARGIN - 11, _("Belum ada peserta terdaftar."))
    for index, badge in enumerate(badges):
        if index and index % per_page == 0:
            canvas.showPage()
        place = index % per_page
        column, row = place % BADGE_COLUMNS, place // BADGE_COLUMNS
        x = BADGE_MARGIN + column * width
        y = A4[1] - BADGE_MARGIN - (row + 1) * height
        _badge(canvas, badge, x, y, width, height)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
