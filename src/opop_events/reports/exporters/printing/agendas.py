"""Participants' agendas as a PDF: one or many in a file, each on its own pages and numbered on its own,
with a QR code to the participant's online agenda."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from opop_events.core.i18n import N_, _
from opop_events.core.phone import format_whatsapp
from opop_events.reports.exporters._format import to_wib
from opop_events.reports.exporters.pdf_parts import safe_paragraph
from opop_events.reports.exporters.printing.document import PageGroup, PrintDocument, QrFlowable, page_groups
from opop_events.reports.exporters.printing.model import (
    COUNTERPART_TITLES,
    ROLE_LABELS,
    AgendaData,
    AgendaLine,
    aware,
    format_day,
    format_slot,
)


def _whatsapp(digits: str) -> str:
    return format_whatsapp(digits) if digits else "-"



class _Agendas(PrintDocument):
    title = N_("Agenda Pertemuan")
    qr_size = 30 * mm

    def __init__(self, agendas: Sequence[AgendaData], *, printed_at: datetime | None = None) -> None:
        if not agendas:
            raise ValueError("agenda_pdf needs at least one agenda")
        super().__init__(agendas[0].event, printed_at=printed_at)
        self.agendas = agendas

    def story(self) -> list[Flowable]:
        return page_groups([self.one(agenda) for agenda in self.agendas])

    def one(self, agenda: AgendaData) -> list[Flowable]:
        s = self.styles
        heading: list[Flowable] = [
            Paragraph(_("AGENDA PERTEMUAN BISNIS · {role}").format(role=_(ROLE_LABELS.get(agenda.role, ""))), s["kicker"]),
            Spacer(1, 1.5 * mm),
            safe_paragraph(agenda.participant, s["title"], limit=200),
        ]
        if agenda.contact:
            heading.append(safe_paragraph(_("u.p. {name}").format(name=agenda.contact), s["base"], limit=120))
        heading += [
            Spacer(1, 2.5 * mm),
            safe_paragraph(agenda.event.name, s["event"], limit=200),
            Paragraph(self.event_lines(), s["base"]),
        ]
        if agenda.url:
            qr = Table(
                [
                    [QrFlowable(agenda.url, self.qr_size)],
                    [Paragraph(_("Pindai untuk agenda terbaru"), s["small"])],
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
        story: list[Flowable] = [PageGroup(agenda.participant), top, Spacer(1, 4 * mm)]
        lines = sorted(agenda.lines, key=lambda line: line.starts_at)
        if not lines:
            story.append(Paragraph(_("Belum ada pertemuan terjadwal."), s["base"]))
        days: dict[date, list[AgendaLine]] = {}
        for line in lines:
            days.setdefault(to_wib(aware(line.starts_at)).date(), []).append(line)
        counterpart = _(COUNTERPART_TITLES.get(agenda.role, N_("Mitra")))
        number = 0
        for day, items in days.items():
            story.append(Paragraph(escape(format_day(day)), s["section"]))
            head = [_("No"), _("Waktu"), _("Meja"), counterpart, "WhatsApp", _("Status")]
            body = []
            for line in items:
                number += 1
                body.append(
                    [
                        Paragraph(str(number), s["cell_center"]),
                        Paragraph(escape(format_slot(line.starts_at, line.ends_at)), s["cell_bold"]),
                        safe_paragraph(line.table, s["cell_bold"], limit=16),
                        safe_paragraph(line.counterpart, s["cell"], limit=200),
                        Paragraph(escape(_whatsapp(line.whatsapp)), s["cell"]),
                        safe_paragraph(line.status, s["cell"], limit=40),
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
                _(
                    "Waktu dalam WIB. Mohon hadir di meja lima menit sebelum pertemuan dimulai. "
                    "Bila berhalangan, "
                    "kabari mitra Anda lewat WhatsApp dan beri tahu panitia."
                ),
                s["small"],
            ),
        ]
        return story


def agenda_pdf(agendas: Sequence[AgendaData], *, printed_at: datetime | None = None) -> bytes:
    """One or many participants' agendas in one file, each starting on a new page and numbered on its own."""
    return _Agendas(agendas, printed_at=printed_at).render()
