"""A deal as it stands: its current history row, its lines, whose move it is."""

from __future__ import annotations

from dataclasses import dataclass

from opop_events.catalog.enums import Category
from opop_events.core.errors import NotFound
from opop_events.core.i18n import _
from opop_events.db import raw
from opop_events.deals import schemas
from opop_events.deals.enums import (
    STATE_HINTS,
    DealAction,
    DealState,
    Origin,
)
from opop_events.deals.queries import deal_number as deal_number  # re-exported for the services
from opop_events.deals.tables import DealLine

# -- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Current:
    deal_id: int
    event_id: int
    pesantren_id: int
    buyer_id: int
    origin: Origin
    state: DealState
    version: int
    revision_id: int
    offer_revision_id: int | None = None  # state `perubahan`: the proposed terms
    offer_by: str = ""  # state `perubahan`: pesantren | pembeli
    action: str = ""  # the action of the current history row (`kembalikan`: Dinas sent it back)


SELLER_SIDE, BUYER_SIDE = "pesantren", "pembeli"


def awaiting(current: _Current) -> str:
    """Whose move it is: the side that has not yet seen (or accepted) the terms on the table."""
    if current.state is DealState.minat:
        return SELLER_SIDE
    if current.state is DealState.dicatat:
        # sent back by Dinas: the pesantren corrects it before the buyer is asked again
        return SELLER_SIDE if current.action == DealAction.kembalikan.value else BUYER_SIDE
    if current.state is DealState.disanggah:
        return SELLER_SIDE
    if current.state is DealState.perubahan:
        return BUYER_SIDE if current.offer_by == SELLER_SIDE else SELLER_SIDE
    if current.state is DealState.dikonfirmasi:
        return "dinas"
    return ""


def hint(current: _Current) -> str:
    """What the state means for whoever reads a list (STATE_HINTS), with Dinas's send-back named."""
    if current.state is DealState.dicatat and current.action == DealAction.kembalikan.value:
        return _("dikembalikan Dinas; menunggu pesantren memperbaikinya")
    return _(STATE_HINTS[current.state])


async def _current(deal_id: int) -> _Current:
    rows = await raw(
        "SELECT d.id, d.event, d.pesantren, d.buyer, d.origin, e.state, e.version, e.revision, e.offer, e.offer_by, "
        "e.action "
        "FROM deal d JOIN deal_event e ON e.deal = d.id WHERE d.id = {} ORDER BY e.version DESC LIMIT 1",
        deal_id,
    )
    if not rows:
        raise NotFound(_("Transaksi {number} tidak ditemukan.").format(number=deal_number(deal_id)))
    r = rows[0]
    return _Current(
        deal_id=r["id"],
        event_id=r["event"],
        pesantren_id=r["pesantren"],
        buyer_id=r["buyer"],
        origin=Origin(r["origin"]),
        state=DealState(r["state"]),
        version=r["version"],
        revision_id=r["revision"],
        offer_revision_id=r["offer"],
        offer_by=r["offer_by"] or "",
        action=r["action"],
    )


async def _lines(revision_ids: list[int]) -> dict[int, list[schemas.Line]]:
    if not revision_ids:
        return {}
    rows = await DealLine.select().where(DealLine.revision.is_in(revision_ids)).order_by(DealLine.position)
    out: dict[int, list[schemas.Line]] = {}
    for r in rows:
        out.setdefault(r["revision"], []).append(
            schemas.Line(
                position=r["position"],
                product_id=r["product"],
                description=r["description"],
                category=Category(r["category"]),
                quantity=r["quantity"],
                unit=r["unit"],
                unit_price_rp=r["unit_price_rp"],
                value_rp=r["value_rp"],
            )
        )
    return out
