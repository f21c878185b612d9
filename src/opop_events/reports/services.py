"""Rendering official reports: who may, for which scope, as of when; the figures come from `queries`."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor, require_role
from opop_events.core.errors import InvalidInput
from opop_events.events.services import get_event, require_organizer
from opop_events.reports import queries
from opop_events.reports.exporters import EXPORTERS
from opop_events.reports.model import ReportData


@dataclass(frozen=True)
class RenderedReport:
    path: Path
    filename: str
    content_type: str


def _exporter(fmt: str):  # noqa: ANN202 - the registry's entry type is private to it
    if fmt not in EXPORTERS:
        raise InvalidInput.field("format", f"format '{fmt}' tidak dikenal; pilih {', '.join(sorted(EXPORTERS))}")
    return EXPORTERS[fmt]


async def report_data(*, slug: str | None = None, year: int | None = None, as_of: datetime | None = None) -> ReportData:
    if slug is not None:
        event = await get_event(slug=slug)
        return await queries.event_report(event_id=event.id, as_of=as_of)
    if year is None:
        raise InvalidInput.field("year", "isi slug acara atau tahun program")
    return await queries.year_report(year=year, as_of=as_of)


async def render(
    *, data: ReportData, fmt: str, output: Path | None = None
) -> RenderedReport:
    """Render in a worker thread (the deal lines are fetched page by page on this event loop meanwhile)."""
    exporter = _exporter(fmt)
    path = output or Path(tempfile.mkstemp(prefix="opop-report-", suffix=f".{exporter.extension}")[1])

    def write() -> None:
        with path.open("wb") as handle:
            exporter.render(data, handle)

    await asyncio.to_thread(write)
    # The bare media type: Litestar's File response appends "; charset=utf-8" to text types itself.
    media_type = exporter.content_type.split(";")[0].strip()
    return RenderedReport(path=path, filename=exporter.filename(data), content_type=media_type)


async def render_for(
    *, actor: Actor | None, fmt: str, slug: str | None = None, year: int | None = None, as_of: datetime | None = None
) -> RenderedReport:
    """An event report for Dinas staff and the event's organizers; a programme-year report for Dinas staff."""
    actor = require_actor(actor)
    _exporter(fmt)
    if slug is not None:
        await require_organizer(actor, await get_event(slug=slug))
    else:
        require_role(actor, Role.admin)
    return await render(data=await report_data(slug=slug, year=year, as_of=as_of), fmt=fmt)
