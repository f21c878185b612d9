"""What every printed schedule PDF shares: a small platypus document (page size and margins as class
attributes, a footer with the event, the print time and `Halaman x dari y` counted within each page group),
page groups (one participant, one table), and QR codes drawn as vectors.

The house style of the official report is reused from `pdf_parts`: its fonts (registered once), its colours
and its safe-text paragraphs."""

from __future__ import annotations

import io
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    TableStyle,
)

from opop_events.core.i18n import SOURCE_LANGUAGE, _, current_language
from opop_events.reports.exporters._format import clean_text, format_datetime, format_period
from opop_events.reports.exporters.pdf_parts import FONT, GREEN, GREY, LIGHT, register_fonts, shorten
from opop_events.reports.exporters.printing.model import EventHeader


class PageGroup(Flowable):
    """An invisible mark at the top of a page group (one participant, one table): the canvas remembers it, so
    each group's pages are numbered on their own (`Halaman 1 dari 2` for every participant)."""

    _serial = itertools.count()

    def __init__(self, label: str) -> None:
        super().__init__()
        self.key = (next(self._serial), label)  # two participants of the same name stay two groups
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._opop_group = self.key  # type: ignore[attr-defined]  # noqa: SLF001 - our mark, saved with the page's state


class GroupCanvas(Canvas):
    """Holds every page until the end, then draws each footer with the page's number within its group."""

    def __init__(
        self,
        *args: Any,
        footer: Callable[[Canvas, str, int, int], None],
        per_group: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._per_group = per_group
        self._opop_group: tuple[int, str] | None = None
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        totals: dict[int, int] = {}
        numbers: list[tuple[int, int]] = []  # (group index, page within it)
        group, previous = -1, None
        for state in self._pages:
            key = state.get("_opop_group")
            if group < 0 or (self._per_group and key != previous):
                group += 1
            previous = key
            totals[group] = totals.get(group, 0) + 1
            numbers.append((group, totals[group]))
        for state, (index, page) in zip(self._pages, numbers, strict=True):
            self.__dict__.update(state)
            label = state["_opop_group"][1] if state.get("_opop_group") else ""
            self._footer(self, label, page, totals[index])
            super().showPage()
        super().save()


def qr_modules(text: str) -> list[list[bool]]:
    """The dark/light modules of `text` as a QR code, from reportlab's own encoder (level M: 15 % of the code
    may be smudged or torn and it still reads)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    return [[bool(module) for module in row] for row in code.modules]


QR_QUIET_ZONE = 2
"""Light modules around the code; readers want some, and the badge around it is white anyway."""


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """A square QR code of `text`, lower left corner at (x, y), `size` points wide, quiet zone included.

    Drawn as one filled path of horizontal runs: reportlab's `QrCodeWidget` builds a shape object per run and
    encodes twice (once for its bounds), about ten times slower over a sheet of badges."""
    modules = qr_modules(text)
    box = size / (len(modules) + 2 * QR_QUIET_ZONE)
    path = canvas.beginPath()
    for row_index, row in enumerate(modules):
        top = y + size - (row_index + QR_QUIET_ZONE + 1) * box
        column = 0
        for dark, run in itertools.groupby(row):
            count = len(list(run))
            if dark:
                path.rect(x + (column + QR_QUIET_ZONE) * box, top, count * box, box)
            column += count
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


class QrFlowable(Flowable):
    """A QR code in a platypus story."""

    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.text, self.size = text, size
        self.width = self.height = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.text, 0, 0, self.size)


class PrintDocument(ABC):
    """A small platypus document: page size and margins as class attributes, `story()` the content, a footer
    with the event, the print time and the page number within each group."""

    pagesize: tuple[float, float] = A4
    margin = 14 * mm
    margin_bottom = 18 * mm
    title = ""
    numbered_per_group = True
    """`Halaman x dari y` counts within each group (a participant, a table) rather than the whole file."""

    def __init__(self, event: EventHeader, *, printed_at: datetime | None = None) -> None:
        register_fonts()
        self.event = event
        self.printed_at = printed_at
        self.width = self.pagesize[0] - 2 * self.margin
        base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=12.5)
        self.styles = {
            "base": base,
            "small": ParagraphStyle("small", base, fontSize=7.5, leading=9.5, textColor=GREY),
            "kicker": ParagraphStyle(
                "kicker", base, fontName=f"{FONT}-Bold", fontSize=9, leading=11, textColor=GREEN
            ),
            "title": ParagraphStyle("title", base, fontName=f"{FONT}-Bold", fontSize=16, leading=20),
            "event": ParagraphStyle("event", base, fontName=f"{FONT}-Bold", fontSize=11, leading=14),
            "section": ParagraphStyle(
                "section",
                base,
                fontName=f"{FONT}-Bold",
                fontSize=10.5,
                leading=13,
                textColor=GREEN,
                spaceBefore=8,
                spaceAfter=4,
            ),
            "head": ParagraphStyle(
                "head", base, fontName=f"{FONT}-Bold", fontSize=8, leading=10, textColor=colors.white
            ),
            "head_center": ParagraphStyle(
                "head_center",
                base,
                fontName=f"{FONT}-Bold",
                fontSize=8,
                leading=10,
                textColor=colors.white,
                alignment=TA_CENTER,
            ),
            "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5),
            "cell_bold": ParagraphStyle(
                "cell_bold", base, fontName=f"{FONT}-Bold", fontSize=8.5, leading=10.5
            ),
            "cell_center": ParagraphStyle(
                "cell_center", base, fontSize=8.5, leading=10.5, alignment=TA_CENTER
            ),
            "right": ParagraphStyle("right", base, alignment=TA_RIGHT),
        }

    @abstractmethod
    def story(self) -> list[Flowable]:
        """The document's flowables (each kind of document writes its own)."""

    def event_lines(self) -> str:
        """`9–10 Desember 2020 · Gedung Sate, Bandung` (escaped, for a paragraph)."""
        when = format_period(self.event.starts_on, self.event.ends_on)
        venue = shorten(clean_text(self.event.venue), 120)
        return escape(f"{when} \u00b7 {venue}" if venue else when)

    def table_style(self, rows: int, extra: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), FONT, 8.5),
            ("BACKGROUND", (0, 0), (-1, 0), GREEN),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B8C8BB")),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]
        commands += [("BACKGROUND", (0, row), (-1, row), LIGHT) for row in range(2, rows + 1, 2)]
        return TableStyle([*commands, *extra])

    def footer(self, canvas: Canvas, group: str, page: int, total: int) -> None:
        canvas.saveState()
        y = self.margin_bottom - 10 * mm
        right = self.pagesize[0] - self.margin
        canvas.setStrokeColor(colors.lightgrey)
        canvas.line(self.margin, y + 4 * mm, right, y + 4 * mm)
        canvas.setFont(FONT, 7)
        canvas.setFillColor(GREY)
        parts = [_(self.title), shorten(clean_text(self.event.name), 70)]
        if group:
            parts.append(shorten(clean_text(group), 60))
        if self.printed_at is not None:
            parts.append(_("dicetak {moment}").format(moment=format_datetime(self.printed_at)))
        number = _("Halaman {page} dari {total}").format(page=page, total=total)
        room = right - self.margin - stringWidth(number, FONT, 7) - 6 * mm
        text = " \u00b7 ".join(parts)
        while len(text) > 1 and stringWidth(text, FONT, 7) > room:
            text = shorten(text, len(text) - 1)
        canvas.drawString(self.margin, y, text)
        canvas.drawRightString(right, y, number)
        canvas.restoreState()

    def render(self) -> bytes:
        buffer = io.BytesIO()
        doc = BaseDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=self.margin,
            rightMargin=self.margin,
            topMargin=self.margin,
            bottomMargin=self.margin_bottom,
            title=clean_text(f"{_(self.title)} \u2014 {self.event.name}"),
            author="opop-events",
            creator="opop-events",
            lang="id-ID" if current_language() == SOURCE_LANGUAGE else current_language(),
        )
        frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        story = self.story() or [Paragraph(_("Tidak ada data untuk dicetak."), self.styles["base"])]
        doc.build(
            story,
            canvasmaker=lambda *a, **k: GroupCanvas(
                *a, footer=self.footer, per_group=self.numbered_per_group, **k
            ),
        )
        return buffer.getvalue()


def page_groups(parts: list[list[Flowable]]) -> list[Flowable]:
    """Each part on its own pages."""
    story: list[Flowable] = []
    for index, part in enumerate(parts):
        if index:
            story.append(PageBreak())
        story.extend(part)
    return story
