"""Closing the books of an event (tutup buku): Dinas fixes the official figure at a moment, and may reopen it.

The official figure of a closed event is the ledger as of its closing moment, read by the same queries as every
other figure (`reports.queries` with the `cut` of `deals.queries`); deals and confirmations after it are summed
apart as late (susulan). Each decision is one `event_closing` row, never edited: who, when, why, and the
official headline read at that moment, so anyone can check later that the figure never moved.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_role
from opop_events.core.dates import as_datetime, now_utc
from opop_events.core.errors import Conflict, InvalidInput
from opop_events.core.i18n import N_, _
from opop_events.db import is_postgres, raw, write_transaction
from opop_events.events.services import books_closed, get_event
from opop_events.reports import queries

CLOSE, REOPEN = "tutup", "buka"


class ClosingIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


class ClosingEntry(msgspec.Struct):
    """One decision on an event's books."""

    action: str  # tutup | buka
    action_label: str
    at: datetime
    by: str
    reason: str
    confirmed_rp: int  # the official headline at that moment (closing) or just before reopening
    deals_confirmed: int


class ClosingStatus(msgspec.Struct):
    event_slug: str
    closed: bool
    closed_at: datetime | None
    history: list[ClosingEntry]


_LABELS = {CLOSE: N_("Tutup buku"), REOPEN: N_("Buku dibuka kembali")}


def _reason(text: str) -> str:
    reason = text.strip()
    if len(reason) < 3:
        raise InvalidInput.field("reason", _("tuliskan alasannya (minimal 3 karakter)"))
    if len(reason) > 1000:
        raise InvalidInput.field("reason", _("paling panjang {count} karakter").format(count=1000))
    return reason


async def status(*, slug: str) -> ClosingStatus:
    """Whether the event's books are closed now, and every closing and reopening so far. Anyone may read it:
    the official figure is public."""
    event = await get_event(slug=slug)
    rows = await raw(
        "SELECT c.action, c.at, c.reason, c.confirmed_rp, c.deals_confirmed, u.name, u.email FROM event_closing c "
        "JOIN app_user u ON u.id = c.actor WHERE c.event = {} ORDER BY c.id",
        event.id,
    )
    history = [
        ClosingEntry(action=r["action"], action_label=_(_LABELS[r["action"]]), at=as_datetime(r["at"]),
                     by=r["name"] or r["email"], reason=r["reason"], confirmed_rp=int(r["confirmed_rp"]),
                     deals_confirmed=int(r["deals_confirmed"]))
        for r in rows
    ]
    closed = bool(history) and history[-1].action == CLOSE
    return ClosingStatus(event_slug=slug, closed=closed, closed_at=history[-1].at if closed else None,
                         history=history)


async def _decide(*, actor: Actor | None, slug: str, action: str, data: ClosingIn) -> ClosingStatus:
    actor = require_role(actor, Role.admin)
    reason = _reason(data.reason)
    event = await get_event(slug=slug)
    if event.status.value == "draft":
        raise Conflict(_("Acara '{slug}' masih draf; belum ada angka untuk ditutup.").format(slug=slug))
    async with write_transaction():
        if is_postgres():
            # Wait for every ledger change being written to commit, and hold new ones (and other closings) until
            # this decision commits: the figure read below is then exactly the books as they stand, and every
            # later change gets a history id above `last_event`. SQLite's single writer does the same already.
            await raw("LOCK TABLE event_closing, deal_event IN SHARE ROW EXCLUSIVE MODE")
        closed = await books_closed(event.id)
        if action == CLOSE and closed:
            raise Conflict(_("Buku acara ini sudah ditutup. Buka kembali dulu bila angkanya memang harus berubah."))
        if action == REOPEN and not closed:
            raise Conflict(_("Buku acara ini belum ditutup."))
        at = now_utc()
        newest = await raw("SELECT COALESCE(MAX(id), 0) AS id FROM deal_event")
        # the official headline at this moment: as of `at` with the books as they stand before this decision
        head = await queries.headline(queries.Scope(event_id=event.id), as_of=at)
        await raw(
            "INSERT INTO event_closing (event, action, at, actor, reason, confirmed_rp, deals_confirmed, last_event) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
            event.id, action, at, actor.user_id, reason, str(head.confirmed_rp), head.deals_confirmed,
            newest[0]["id"],
        )
    return await status(slug=slug)


async def close_books(*, actor: Actor | None, slug: str, data: ClosingIn) -> ClosingStatus:
    """Dinas closes the event's figure: from now on its official headline is the ledger as of this moment."""
    return await _decide(actor=actor, slug=slug, action=CLOSE, data=data)


async def reopen_books(*, actor: Actor | None, slug: str, data: ClosingIn) -> ClosingStatus:
    """Dinas reopens the books, with a reason: the headline follows the ledger again until the next closing."""
    return await _decide(actor=actor, slug=slug, action=REOPEN, data=data)
