"""The printed meeting schedule: participant agendas, table stewards' sheets, the full grid (pdf and xlsx)
and name badges with a QR code to the participant's online agenda.

Pure renderers: plain data in, bytes out, no database and no I/O, so they run in a worker thread and are
tested without an app. The house style of the official report is reused: its fonts (registered once), its
colours and its safe-text paragraphs; Indonesian dates and WIB times from `_format`; the xlsx sheet writer
with its safe text cells. `Halaman x dari y` is counted per participant or table, so each agenda in a
file of all agendas reads on its own.
"""

from __future__ import annotations

import io
import itertools
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
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
    Spacer,
    Table,
    TableStyle,
)

from opop_events.core.phone import format_whatsapp
from opop_events.reports.exporters._format import (
    EN_DASH,
    clean_text,
    format_date,
    format_datetime,
    format_period,
    to_wib,
)
from opop_events.reports.exporters.pdf import FONT, GREEN, GREY, LIGHT, _p, _shorten, register_fonts

ROLE_LABELS = {"buyer": "PEMBELI", "pesantren": "PESANTREN"}
"""What a badge and an agenda call each side (the keys are `Side` values)."""

COUNTERPART_TITLES = {"buyer": "Pesantren", "pesantren": "Pembeli"}
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BADGE_COLOURS = {"buyer": colors.HexColor("#2E6F8E"), "pesantren": GREEN}

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the data ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventHeader:
    name: str
    venue: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class AgendaLine:
    """One meeting of a participant; `whatsapp` is the counterpart's number as E.164 digits (or empty)."""

    starts_at: datetime
    ends_at: datetime
    table: str
    counterpart: str
    whatsapp: str
    status: str


@dataclass(frozen=True, slots=True)
class AgendaData:
    """A participant's agenda. `role` is `buyer` or `pesantren`; `url` (when given) is printed with a QR."""

    event: EventHeader
    participant: str
    role: str
    lines: Sequence[AgendaLine]
    contact: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class GridSlot:
    id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class GridTable:
    id: int
    code: str


@dataclass(frozen=True, slots=True)
class GridMeeting:
    slot_id: int
    table_id: int
    buyer: str
    pesantren: str


@dataclass(frozen=True, slots=True)
class GridData:
    """The schedule as slots × tables. `draft` marks a schedule not yet published (printed as such)."""

    event: EventHeader
    slots: Sequence[GridSlot]
    tables: Sequence[GridTable]
    meetings: Sequence[GridMeeting]
    draft: bool = False

    def cells(self) -> dict[tuple[int, int], GridMeeting]:
        return {(m.slot_id, m.table_id): m for m in self.meetings}

    def days(self) -> list[tuple[date, list[GridSlot]]]:
        """Slots grouped by their WIB day, in time order."""
        grouped: dict[date, list[GridSlot]] = {}
        for slot in sorted(self.slots, key=lambda s: (s.starts_at, s.id)):
            grouped.setdefault(to_wib(aware(slot.starts_at)).date(), []).append(slot)
        return list(grouped.items())


@dataclass(frozen=True, slots=True)
class BadgeData:
    name: str
    organisation: str
    role: str
    event_name: str
    url: str


# --- formats ----------------------------------------------------------------------------------------------


def aware(moment: datetime) -> datetime:
    """Timestamps are stored in UTC; a driver that hands them back naive means UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_day(day: date) -> str:
    """`Rabu, 9 Desember 2020`."""
    return f"{WEEKDAYS[day.weekday()]}, {format_date(day)}"


def format_clock(start: datetime, end: datetime) -> str:
    """`09.20–09.40` in WIB (Indonesian time uses a dot)."""
    return f"{to_wib(aware(start)):%H.%M}{EN_DASH}{to_wib(aware(end)):%H.%M}"


def format_slot(start: datetime, end: datetime) -> str:
    """`09.20–09.40 WIB`."""
    return f"{format_clock(start, end)} WIB"


def _whatsapp(digits: str) -> str:
    return format_whatsapp(digits) if digits else "-"


# --- shared pdf pieces ------------------------------------------------------------------------------------


class _Group(Flowable):
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
        self.canv._opop_group = self.key  # type: ignore[attr-defined]  # saved with the page's state


class _GroupCanvas(Canvas):
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


class _Document(ABC):
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
        venue = _shorten(clean_text(self.event.venue), 120)
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
        parts = [self.title, _shorten(clean_text(self.event.name), 70)]
        if group:
            parts.append(_shorten(clean_text(group), 60))
        if self.printed_at is not None:
            parts.append(f"dicetak {format_datetime(self.printed_at)}")
        number = f"Halaman {page} dari {total}"
        room = right - self.margin - stringWidth(number, FONT, 7) - 6 * mm
        text = " \u00b7 ".join(parts)
        while len(text) > 1 and stringWidth(text, FONT, 7) > room:
            text = _shorten(text, len(text) - 1)
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
            title=clean_text(f"{self.title} \u2014 {self.event.name}"),
            author="opop-events",
            creator="opop-events",
            lang="id-ID",
        )
        frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        story = self.story() or [Paragraph("Tidak ada data untuk dicetak.", self.styles["base"])]
        doc.build(
            story,
            canvasmaker=lambda *a, **k: _GroupCanvas(
                *a, footer=self.footer, per_group=self.numbered_per_group, **k
            ),
        )
        return buffer.getvalue()


def _page_groups(parts: list[list[Flowable]]) -> list[Flowable]:
    """Each part on its own pages."""
    story: list[Flowable] = []
    for index, part in enumerate(parts):
        if index:
            story.append(PageBreak())
        story.extend(part)
    return story


# --- agendas ----------------------------------------------------------------------------------------------


class _Agendas(_Document):
    title = "Agenda Pertemuan"
    qr_size = 30 * mm

    def __init__(self, agendas: Sequence[AgendaData], *, printed_at: datetime | None = None) -> None:
        if not agendas:
            raise ValueError("agenda_pdf needs at least one agenda")
        super().__init__(agendas[0].event, printed_at=printed_at)
        self.agendas = agendas

    def story(self) -> list[Flowable]:
        return _page_groups([self.one(agenda) for agenda in self.agendas])

    def one(self, agenda: AgendaData) -> list[Flowable]:
        s = self.styles
        heading: list[Flowable] = [
            Paragraph(f"AGENDA PERTEMUAN BISNIS \u00b7 {ROLE_LABELS.get(agenda.role, '')}", s["kicker"]),
            Spacer(1, 1.5 * mm),
            _p(agenda.participant, s["title"], limit=200),
        ]
        if agenda.contact:
            heading.append(_p(f"u.p. {agenda.contact}", s["base"], limit=120))
        heading += [
            Spacer(1, 2.5 * mm),
            _p(agenda.event.name, s["event"], limit=200),
            Paragraph(self.event_lines(), s["base"]),
        ]
        if agenda.url:
            qr = Table(
                [
                    [QrFlowable(agenda.url, self.qr_size)],
                    [Paragraph("Pindai untuk agenda terbaru", s["small"])],
                ],
                colWidths=[self.qr_size + 4 * mm],
            )
            qr.setStyle(
                TableStyle(
                    [
                        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ]
                )
            )
            top = Table(
                [[heading, qr]], colWidths=[self.width - self.qr_size - 4 * mm, self.qr_size + 4 * mm]
            )
        else:
            top = Table([[heading]], colWidths=[self.width])
        top.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        story: list[Flowable] = [_Group(agenda.participant), top, Spacer(1, 4 * mm)]
        lines = sorted(agenda.lines, key=lambda line: line.starts_at)
        if not lines:
            story.append(Paragraph("Belum ada pertemuan terjadwal.", s["base"]))
        days: dict[date, list[AgendaLine]] = {}
        for line in lines:
            days.setdefault(to_wib(aware(line.starts_at)).date(), []).append(line)
        counterpart = COUNTERPART_TITLES.get(agenda.role, "Mitra")
        number = 0
        for day, items in days.items():
            story.append(Paragraph(escape(format_day(day)), s["section"]))
            head = ["No", "Waktu", "Meja", counterpart, "WhatsApp", "Status"]
            body = []
            for line in items:
                number += 1
                body.append(
                    [
                        Paragraph(str(number), s["cell_center"]),
                        Paragraph(escape(format_slot(line.starts_at, line.ends_at)), s["cell_bold"]),
                        _p(line.table, s["cell_bold"], limit=16),
                        _p(line.counterpart, s["cell"], limit=200),
                        Paragraph(escape(_whatsapp(line.whatsapp)), s["cell"]),
                        _p(line.status, s["cell"], limit=40),
                    ]
                )
            widths = [9 * mm, 34 * mm, 15 * mm, 0.0, 35 * mm, 24 * mm]
            widths[3] = self.width - sum(widths)
            table = Table([[Paragraph(h, s["head"]) for h in head], *body], colWidths=widths, repeatRows=1)
            table.setStyle(self.table_style(len(body)))
            story.append(table)
        story += [
            Spacer(1, 5 * mm),
            Paragraph(
                "Waktu dalam WIB. Mohon hadir di meja lima menit sebelum pertemuan dimulai. "
                "Bila berhalangan, "
                "kabari mitra Anda lewat WhatsApp dan beri tahu panitia.",
                s["small"],
            ),
        ]
        return story


def agenda_pdf(agendas: Sequence[AgendaData], *, printed_at: datetime | None = None) -> bytes:
    """One or many participants' agendas in one file, each starting on a new page and numbered on its own."""
    return _Agendas(agendas, printed_at=printed_at).render()


# --- table stewards' sheets -------------------------------------------------------------------------------


class _TableSheets(_Document):
    title = "Lembar Meja"

    def __init__(self, grid: GridData, *, printed_at: datetime | None = None) -> None:
        super().__init__(grid.event, printed_at=printed_at)
        self.grid = grid

    def story(self) -> list[Flowable]:
        s, cells = self.styles, self.grid.cells()
        parts = []
        for table in self.grid.tables:
            part: list[Flowable] = [
                _Group(f"Meja {table.code}"),
                Paragraph(
                    "LEMBAR PETUGAS MEJA" + (" \u00b7 USULAN, BELUM TERBIT" if self.grid.draft else ""),
                    s["kicker"],
                ),
                Spacer(1, 1.5 * mm),
                _p(f"Meja {table.code}", s["title"], limit=40),
                Spacer(1, 1.5 * mm),
                _p(self.event.name, s["event"], limit=200),
                Paragraph(self.event_lines(), s["base"]),
            ]
            for day, slots in self.grid.days():
                part.append(Paragraph(escape(format_day(day)), s["section"]))
                body = []
                for slot in slots:
                    meeting = cells.get((slot.id, table.id))
                    body.append(
                        [
                            Paragraph(escape(format_clock(slot.starts_at, slot.ends_at)), s["cell_bold"]),
                            _p(meeting.buyer, s["cell"], limit=200)
                            if meeting
                            else Paragraph("\u2014 kosong", s["small"]),
                            _p(meeting.pesantren, s["cell"], limit=200) if meeting else "",
                            "",
                        ]
                    )
                widths = [24 * mm, 0.0, 0.0, 22 * mm]
                widths[1] = widths[2] = (self.width - widths[0] - widths[3]) / 2
                head = [
                    Paragraph(h, s["head"]) for h in ("Waktu (WIB)", "Pembeli", "Pesantren", "Hadir (\u2713)")
                ]
                table_flow = Table([head, *body], colWidths=widths, repeatRows=1)
                # room to tick and initial by hand
                table_flow.setStyle(
                    self.table_style(
                        len(body),
                        [("TOPPADDING", (0, 1), (-1, -1), 6), ("BOTTOMPADDING", (0, 1), (-1, -1), 6.5)],
                    )
                )
                part.append(table_flow)
            part += [
                Spacer(1, 4 * mm),
                Paragraph(
                    "Centang kolom Hadir bila kedua pihak datang; catat pertemuan tambahan (walk-in) di slot "
                    "kosong lewat panitia.",
                    s["small"],
                ),
            ]
            parts.append(part)
        return _page_groups(parts)


def table_sheets_pdf(grid: GridData, *, printed_at: datetime | None = None) -> bytes:
    """One sheet per table for its steward: every slot with the buyer and pesantren expected there."""
    return _TableSheets(grid, printed_at=printed_at).render()


# --- the grid ---------------------------------------------------------------------------------------------


class _Grid(_Document):
    title = "Jadwal Pertemuan"
    numbered_per_group = False
    pagesize = landscape(A4)
    margin = 10 * mm
    margin_bottom = 15 * mm
    time_width = 26 * mm
    min_column = 40 * mm

    def __init__(
        self, grid: GridData, *, printed_at: datetime | None = None, pagesize: tuple[float, float] | None = None
    ) -> None:
        if pagesize is not None:
            self.pagesize = pagesize
        super().__init__(grid.event, printed_at=printed_at)
        self.grid = grid
        self.styles["grid"] = ParagraphStyle("grid", self.styles["base"], fontSize=7, leading=8.5)
        self.styles["grid_bold"] = ParagraphStyle("grid_bold", self.styles["grid"], fontName=f"{FONT}-Bold")

    def column_groups(self) -> list[Sequence[GridTable]]:
        """Tables split into page-wide groups of about equal size (no group of one leftover table)."""
        tables = list(self.grid.tables)
        fit = max(1, int((self.width - self.time_width) // self.min_column))
        pages = max(1, math.ceil(len(tables) / fit))
        per = math.ceil(len(tables) / pages) if tables else 1
        return [tables[i : i + per] for i in range(0, len(tables), per)] or [[]]

    def story(self) -> list[Flowable]:
        s, cells = self.styles, self.grid.cells()
        groups = self.column_groups()
        parts = []
        for day, slots in self.grid.days():
            for index, tables in enumerate(groups, start=1):
                label = format_day(day)
                if len(groups) > 1 and tables:
                    span = f"{tables[0].code}{EN_DASH}{tables[-1].code}"
                    label += f" \u00b7 Meja {span} (bagian {index} dari {len(groups)})"
                head: list[Any] = [Paragraph("Waktu (WIB)", s["head"])]
                head += [_p(f"Meja {t.code}", s["head_center"], limit=24) for t in tables]
                body = []
                for slot in slots:
                    row: list[Any] = [
                        Paragraph(escape(format_clock(slot.starts_at, slot.ends_at)), s["cell_bold"])
                    ]
                    for table in tables:
                        meeting = cells.get((slot.id, table.id))
                        row.append(self.cell(meeting) if meeting else "")
                    body.append(row)
                column = (self.width - self.time_width) / max(1, len(tables))
                grid = Table(
                    [head, *body], colWidths=[self.time_width] + [column] * len(tables), repeatRows=1
                )
                grid.setStyle(
                    self.table_style(
                        len(body),
                        [("VALIGN", (0, 0), (-1, -1), "TOP"), ("VALIGN", (0, 0), (-1, 0), "MIDDLE")],
                    )
                )
                title = "JADWAL PERTEMUAN BISNIS" + (
                    " \u00b7 USULAN, BELUM TERBIT" if self.grid.draft else ""
                )
                parts.append(
                    [
                        _Group(label),
                        Paragraph(title, s["kicker"]),
                        _p(self.event.name, s["event"], limit=200),
                        Paragraph(self.event_lines(), s["small"]),
                        Paragraph(escape(label), s["section"]),
                        grid,
                        Spacer(1, 2 * mm),
                        Paragraph("Tiap sel: <b>Pembeli</b> / Pesantren.", s["small"]),
                    ]
                )
        return _page_groups(parts)

    def cell(self, meeting: GridMeeting) -> Flowable:
        s = self.styles
        text = (
            f"<b>{escape(_shorten(clean_text(meeting.buyer), 90))}</b><br/>"
            f"{escape(_shorten(clean_text(meeting.pesantren), 90))}"
        )
        return Paragraph(text, s["grid"])


def grid_pdf(
    grid: GridData, *, printed_at: datetime | None = None, pagesize: tuple[float, float] | None = None
) -> bytes:
    """The whole schedule, slots as rows and tables as columns, landscape; many tables split over pages.
    `pagesize` (landscape) overrides A4, e.g. `landscape(A3)` fits up to nine tables a page instead of six."""
    return _Grid(grid, printed_at=printed_at, pagesize=pagesize).render()


def grid_rows(grid: GridData) -> tuple[list[str], list[list[str]]]:
    """The grid as text: header (`Tanggal`, `Waktu (WIB)`, one per table) and one row per slot, each cell
    `Pembeli / Pesantren` or empty. The xlsx writes exactly this."""
    cells = grid.cells()
    header = ["Tanggal", "Waktu (WIB)", *[f"Meja {t.code}" for t in grid.tables]]
    rows = []
    for day, slots in grid.days():
        for slot in slots:
            row = [format_date(day), format_clock(slot.starts_at, slot.ends_at)]
            for table in grid.tables:
                meeting = cells.get((slot.id, table.id))
                row.append(f"{meeting.buyer} / {meeting.pesantren}" if meeting else "")
            rows.append(row)
    return header, rows


def grid_xlsx(grid: GridData, *, printed_at: datetime | None = None) -> bytes:
    """The grid as a workbook: sheet `Jadwal` (slots × tables, header and time columns frozen) and sheet
    `Daftar Pertemuan` (one row per meeting, for filtering). Text cells are written safely (no formulas)."""
    from openpyxl import Workbook

    from opop_events.reports.exporters.tabular import Column, Kind, Sheet
    from opop_events.reports.exporters.xlsx import _SheetWriter

    class Writer(_SheetWriter):
        freeze = "A2"

        def header_cells(self) -> list[Any]:
            self.ws.freeze_panes = self.freeze  # must be set before the first row of a streamed sheet
            return super().header_cells()

    header, rows = grid_rows(grid)
    columns = tuple(Column(f"c{i}", title, Kind.TEXT) for i, title in enumerate(header))
    workbook = Workbook(write_only=True)
    workbook.properties.title = clean_text(f"Jadwal Pertemuan \u2014 {grid.event.name}")
    workbook.properties.creator = "opop-events"
    if printed_at is not None:
        workbook.properties.description = f"Dibuat {format_datetime(printed_at)}"
    sheet_writer = Writer(
        workbook, Sheet("Jadwal", columns, lambda: iter([tuple(r) for r in rows]), filter=False)
    )
    sheet_writer.freeze = "C2"
    sheet_writer.write()

    slots = {slot.id: slot for slot in grid.slots}
    codes = {table.id: table.code for table in grid.tables}
    order = {slot.id: i for i, slot in enumerate(sorted(grid.slots, key=lambda s: (s.starts_at, s.id)))}
    meetings = sorted(grid.meetings, key=lambda m: (order.get(m.slot_id, 0), codes.get(m.table_id, "")))

    def listed() -> Any:
        for m in meetings:
            slot = slots[m.slot_id]
            yield (
                to_wib(aware(slot.starts_at)).date(),
                format_clock(slot.starts_at, slot.ends_at),
                codes[m.table_id],
                m.buyer,
                m.pesantren,
            )

    list_columns = (
        Column("tanggal", "Tanggal", Kind.DATE),
        Column("waktu", "Waktu (WIB)", Kind.TEXT),
        Column("meja", "Meja", Kind.TEXT),
        Column("pembeli", "Pembeli", Kind.TEXT),
        Column("pesantren", "Pesantren", Kind.TEXT),
    )
    Writer(workbook, Sheet("Daftar Pertemuan", list_columns, listed)).write()
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- badges -----------------------------------------------------------------------------------------------

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
    event = _shorten(clean_text(badge.event_name), 120)
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
    canvas.drawString(x + pad, top, ROLE_LABELS.get(badge.role, ""))
    # name and organisation
    canvas.setFillColor(colors.black)
    name = _shorten(clean_text(badge.name), 120)
    size = _fit(name, f"{FONT}-Bold", 15, 10, text_width)
    after = _draw_lines(canvas, name, f"{FONT}-Bold", size, x + pad, top - 7.5 * mm, text_width, 3)
    if badge.organisation and badge.organisation != badge.name:
        canvas.setFillColor(GREY)
        organisation = _shorten(clean_text(badge.organisation), 160)
        _draw_lines(canvas, organisation, FONT, 9, x + pad, after - 1.5 * mm, text_width, 3)
    # QR to the agenda, and the address under it for those without a QR reader
    qr_x, qr_y = x + width - pad - qr_size, y + 9 * mm
    draw_qr(canvas, badge.url, qr_x, qr_y, qr_size)
    canvas.setFillColor(GREY)
    canvas.setFont(FONT, 6)
    canvas.drawCentredString(qr_x + qr_size / 2, qr_y - 2.5 * mm, "Pindai: agenda Anda")
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
    canvas.setTitle("Tanda Peserta")
    canvas.setCreator("opop-events")
    width = (A4[0] - 2 * BADGE_MARGIN) / BADGE_COLUMNS
    height = (A4[1] - 2 * BADGE_MARGIN) / BADGE_ROWS
    per_page = BADGE_COLUMNS * BADGE_ROWS
    if not badges:
        canvas.setFont(FONT, 11)
        canvas.drawString(BADGE_MARGIN, A4[1] - BADGE_MARGIN - 11, "Belum ada peserta terdaftar.")
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


__all__ = [
    "PDF",
    "XLSX",
    "AgendaData",
    "AgendaLine",
    "BadgeData",
    "EventHeader",
    "GridData",
    "GridMeeting",
    "GridSlot",
    "GridTable",
    "agenda_pdf",
    "badges_pdf",
    "format_slot",
    "grid_pdf",
    "grid_rows",
    "grid_xlsx",
    "draw_qr",
    "qr_modules",
    "table_sheets_pdf",
]
