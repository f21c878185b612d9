"""A new deal's later history in one go, for the demo loader (its 2020 event): the bulk entry point of confirm,
dispute, verify and cancel when the terms never change.

Each step passes the same permission table (`_check`) and is written by the same writer (`_append_event`) as
those services, stamped by the clock (`core.clock.at`). What it saves is reading back: the deal is read once,
and its snapshots, which differ from step to step only by state, are made here (`_snapshot`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from opop_events.accounts.services import Actor
from opop_events.core import clock
from opop_events.db import write_transaction
from opop_events.deals import schemas
from opop_events.deals.enums import DealAction, DealState
from opop_events.deals.services.current import _current
from opop_events.deals.services.permissions import _check
from opop_events.deals.services.revisions import _append_event, _snapshot

_TO_STATE = {
    DealAction.konfirmasi: DealState.dikonfirmasi,
    DealAction.sanggah: DealState.disanggah,
    DealAction.verifikasi: DealState.diverifikasi,
    DealAction.batal: DealState.dibatalkan,
}


@dataclass(frozen=True)
class Step:
    """One change of state: who did it, when, and why (a dispute's or a cancellation's reason)."""

    action: DealAction
    actor: Actor
    at: datetime
    reason: str = ""


async def replay(*, deal: schemas.Deal, steps: list[Step]) -> int:
    """Apply `steps` to `deal` (as `log_deal` or `register_interest` returned it) in order; returns the last
    version. Refused like the single services: a step the table does not allow raises, and nothing is written
    past the enclosing transaction."""
    async with write_transaction():
        current = await _current(deal.id)
        for step in steps:
            _check(step.actor, current, step.action, current.version)
            to_state = _TO_STATE[step.action]
            with clock.at(step.at):
                await _append_event(
                    deal_id=deal.id, version=current.version + 1, action=step.action, state=to_state,
                    revision_id=current.revision_id, actor=step.actor, reason=step.reason,
                    before=_snapshot(current.state, deal.kind.value, deal.deal_date, deal.note, deal.lines),
                    after=_snapshot(to_state, deal.kind.value, deal.deal_date, deal.note, deal.lines),
                )
            current = dataclasses.replace(current, state=to_state, version=current.version + 1,
                                          action=step.action.value)
    return current.version
