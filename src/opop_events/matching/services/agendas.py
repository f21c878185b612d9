"""Agendas and the meeting a deal came from (the funnel is served by `reports.funnel`)."""

from __future__ import annotations

from opop_events.accounts.services import Actor, require_actor
from opop_events.catalog.tables import Buyer, Pesantren
from opop_events.core.errors import InvalidInput
from opop_events.core.i18n import _
from opop_events.events.services import get_event
from opop_events.matching import schemas
from opop_events.matching.enums import (
    MEETING_STATUS_LABELS,
    MeetingStatus,
)
from opop_events.matching.services.common import _PUBLISHED_SQL, _dt
from opop_events.matching.services.meetings import _meeting_rows, _party
from opop_events.matching.tables import (
    Meeting,
)


async def agenda(*, actor: Actor | None, slug: str, buyer_id: int | None = None, pesantren_id: int | None = None) -> schemas.Agenda:
    """A participant's published meetings in time order, with table, counterpart and counterpart's WhatsApp."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    buyer_id, pesantren_id = await _party(actor, event.id, buyer_id, pesantren_id)
    column, value = ("m.buyer", buyer_id) if buyer_id else ("m.pesantren", pesantren_id)
    rows = await _meeting_rows(
        f"m.event = {{}} AND {column} = {{}} AND m.status IN {_PUBLISHED_SQL}", [event.id, value]
    )
    name = (await Buyer.select(Buyer.name).where(Buyer.id == buyer_id).first() if buyer_id else
            await Pesantren.select(Pesantren.name).where(Pesantren.id == pesantren_id).first())
    return schemas.Agenda(
        event_slug=slug,
        event_name=event.name,
        participant=name["name"] if name else "",
        items=[
            schemas.AgendaItem(
                meeting_id=r["id"], starts_at=_dt(r["starts_at"]), ends_at=_dt(r["ends_at"]), table_code=r["table_code"],
                counterpart=r["pesantren_name"] if buyer_id else r["buyer_name"],
                counterpart_whatsapp=r["pesantren_whatsapp"] if buyer_id else r["buyer_whatsapp"],
                status=MeetingStatus(r["status"]), status_label=_(MEETING_STATUS_LABELS[MeetingStatus(r["status"])]),
            )
            for r in rows
        ],
    )


async def check_meeting_for_deal(*, meeting_id: int, event_id: int, pesantren_id: int, buyer_id: int) -> None:
    """A deal may name the meeting it came from only if that meeting is of the same event and pair."""
    row = await Meeting.select().where(Meeting.id == meeting_id).first()
    if row is None or (row["event"], row["pesantren"], row["buyer"]) != (event_id, pesantren_id, buyer_id):
        raise InvalidInput.field("meeting_id", _("pertemuan tidak ada atau bukan antara pesantren dan pembeli ini"))
