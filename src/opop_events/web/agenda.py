"""The agenda a badge's QR code (and the printed agenda's link) opens: `/agenda/{token}`, a public page for a
phone. The signed token is the authority, as for the API's `/api/v1/agenda/{token}`; both read the same service
(`matching.services.public_agenda`). A tampered or unknown token is the usual 404 page."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import get
from litestar.params import FromPath
from litestar.response import Template

from opop_events.core.dates import WIB
from opop_events.core.i18n import _
from opop_events.core.phone import wa_link
from opop_events.events import services as events
from opop_events.matching import schemas
from opop_events.matching import services as matching
from opop_events.web.rendering import format_clock

AGENDA_PATH = "/agenda"
"""Where `matching.services.agenda_url` points (`{OPOP_BASE_URL}/agenda/{token}`)."""


def pdf_url(token: str) -> str:
    """The same agenda as a PDF, through the token-authorised API route."""
    return f"/api/v1/agenda/{token}/pdf"


def _message(agenda: schemas.Agenda, item: schemas.AgendaItem) -> str:
    when = " " + _("pukul {time} WIB").format(time=format_clock(item.starts_at)) if item.starts_at else ""
    table = _(" di meja {table}").format(table=item.table_code) if item.table_code else ""
    return _("Assalamu'alaikum, saya dari {participant}. Kita dijadwalkan bertemu di {event}{when}{table}.").format(
        participant=agenda.participant, event=agenda.event_name, when=when, table=table
    )


def _by_day(items: list[schemas.AgendaItem]) -> list[tuple[date | None, list[schemas.AgendaItem]]]:
    """The meetings in time order, grouped by their WIB day; any without a time yet come last."""
    timed = sorted(
        (i for i in items if i.starts_at), key=lambda i: (i.starts_at, i.table_code or "", i.meeting_id)
    )
    days: dict[date | None, list[schemas.AgendaItem]] = {}
    for item in timed:
        assert item.starts_at is not None
        days.setdefault(item.starts_at.astimezone(WIB).date(), []).append(item)
    untimed = [i for i in items if not i.starts_at]
    if untimed:
        days[None] = untimed
    return list(days.items())


@get(f"{AGENDA_PATH}/{{token:str}}", name="agenda-peserta", cache=False, include_in_schema=False)
async def participant_agenda(token: FromPath[str]) -> Template:
    agenda = await matching.public_agenda(token=token)
    event = await events.get_event(slug=agenda.event_slug)
    context: dict[str, Any] = {
        "title": f"Agenda {agenda.participant}",
        "agenda": agenda,
        "event": event,
        "days": _by_day(agenda.items),
        "wa": {
            i.meeting_id: wa_link(i.counterpart_whatsapp, _message(agenda, i))
            for i in agenda.items
            if i.counterpart_whatsapp
        },
        "pdf_url": pdf_url(token),
    }
    return Template(template_name="agenda/peserta.html", context=context)


HANDLERS = [participant_agenda]
