"""The current moment, with one seam: inside `at(moment)` the clock reads that moment instead of the wall clock.

Every service that stamps the ledger takes the time from here (through `core.dates.now_utc` and `today_wib`),
so the demo can write its 2020 history through the same services as a user would. Not for tests of our own
code: they set up real rows at real times.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

_FIXED: ContextVar[datetime | None] = ContextVar("opop_clock_fixed", default=None)


def now() -> datetime:
    """This moment (aware, UTC), or the one `at` fixed for the current context."""
    fixed = _FIXED.get()
    return fixed if fixed is not None else datetime.now(UTC)


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Within the block, `now()` is `moment` (an aware datetime) in this context and the tasks it starts."""
    if moment.tzinfo is None:
        raise ValueError("clock.at needs an aware datetime")
    token = _FIXED.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _FIXED.reset(token)
