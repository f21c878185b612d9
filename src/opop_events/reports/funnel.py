"""The event's funnel as a service (requests → accepted → scheduled → held → deals): the reports layer reads
matching and deals, so the figure is served from here rather than from `matching.services`."""

from __future__ import annotations

from opop_events.accounts.services import Actor, require_actor
from opop_events.events.services import get_event, require_organizer
from opop_events.matching import schemas
from opop_events.reports.queries import Scope
from opop_events.reports.queries import funnel as funnel_query


async def funnel(*, actor: Actor | None, slug: str) -> schemas.Funnel:
    """The event's funnel for organizers and Dinas (figures from the reports' aggregation layer). Reads only."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    return schemas.Funnel(**await funnel_query(Scope(event_id=event.id)))
