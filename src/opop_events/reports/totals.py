"""An event's totals as a JSON answer (public, now or as of a moment; the API's `/events/{slug}/totals`). The
figures come from `queries`, like every other output."""

from __future__ import annotations

from datetime import datetime

from opop_events.deals import schemas as deal_schemas
from opop_events.events.schemas import Event
from opop_events.reports import queries


async def event_totals(*, event: Event, as_of: datetime | None = None) -> deal_schemas.EventTotals:
    """The event's totals, by kind, with the closing status; while the books are closed the confirmed
    figure is the official one and deals counted later are summed apart (late)."""
    scope = queries.Scope(event_id=event.id)
    head = await queries.headline(scope, as_of=as_of)
    late = await queries.late_figures(scope, as_of=as_of)
    closed = await queries.closings(scope, as_of=as_of)
    return deal_schemas.EventTotals(
        event_slug=event.slug,
        as_of=as_of,
        confirmed_rp=head.confirmed_rp,
        logged_rp=head.logged_rp,
        realised_rp=head.realised_rp,
        by_kind=[deal_schemas.KindTotal(**row) for row in await queries.kind_totals(scope, as_of=as_of)],
        deals_confirmed=head.deals_confirmed,
        deals_logged=head.deals_logged,
        pesantren=head.pesantren,
        buyers=head.buyers,
        closed=bool(closed),
        closed_at=closed[0].closed_at if closed else None,
        official_confirmed_rp=head.confirmed_rp,
        late_confirmed_rp=late.confirmed_rp,
        late_deals=late.deals,
    )
