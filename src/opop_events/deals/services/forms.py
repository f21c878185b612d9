"""What the web forms need: event and buyer choices (once-only creation lives in `idempotency.store`)."""

from __future__ import annotations

from opop_events.db import raw

# -- web forms: choices ---------------------------------------------------------------------------------


async def deal_form_choices(*, pesantren_id: int) -> list[tuple[str, str, list[tuple[int, str]]]]:
    """For the pesantren's "Catat transaksi" form: each event it is registered at and that takes deals (not a
    draft), newest first, as (slug, name, [(buyer id, buyer name) registered at that event]). Reads only."""
    events = await raw(
        "SELECT ev.id, ev.slug, ev.name FROM event ev JOIN registration g ON g.event = ev.id "
        "WHERE g.pesantren = {} AND g.status = 'terdaftar' AND ev.status <> 'draft' "
        "ORDER BY ev.starts_on DESC, ev.id DESC",
        pesantren_id,
    )
    out = []
    for ev in events:
        buyers = await raw(
            "SELECT b.id, b.name FROM buyer b JOIN registration g ON g.buyer = b.id "
            "WHERE g.event = {} AND g.status = 'terdaftar' ORDER BY b.name, b.id",
            ev["id"],
        )
        out.append((ev["slug"], ev["name"], [(b["id"], b["name"]) for b in buyers]))
    return out


async def interest_events(*, pesantren_id: int) -> list[tuple[str, str]]:
    """Events (slug, name) where a buyer may register interest in this pesantren's products. Reads only."""
    return [(slug, name) for slug, name, _ in await deal_form_choices(pesantren_id=pesantren_id)]
