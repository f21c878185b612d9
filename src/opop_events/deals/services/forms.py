"""What the web forms need: event and buyer choices (once-only creation lives in `idempotency.store`)."""

from __future__ import annotations

from opop_events.events.services import events_of_pesantren, registered_buyers

# -- web forms: choices ---------------------------------------------------------------------------------


async def deal_form_choices(*, pesantren_id: int) -> list[tuple[str, str, list[tuple[int, str]]]]:
    """For the pesantren's "Catat transaksi" form: each event it is registered at and that takes deals (not a
    draft), newest first, as (slug, name, [(buyer id, buyer name) registered at that event]). Reads only."""
    return [
        (slug, name, await registered_buyers(event_id))
        for event_id, slug, name in await events_of_pesantren(pesantren_id)
    ]


async def interest_events(*, pesantren_id: int) -> list[tuple[str, str]]:
    """Events (slug, name) where a buyer may register interest in this pesantren's products. Reads only."""
    return [(slug, name) for slug, name, _ in await deal_form_choices(pesantren_id=pesantren_id)]
