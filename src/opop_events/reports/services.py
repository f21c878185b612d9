"""Rendering official reports for a checked `ReportRequest` (scope, format, moment, who may); the figures come
from `queries`."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path

from opop_events.events.services import get_event
from opop_events.reports import queries
from opop_events.reports.exporters import EXPORTERS
from opop_events.reports.model import ReportData
from opop_events.reports.request import ReportRequest


@dataclass(frozen=True)
class RenderedReport:
    path: Path
    filename: str
    content_type: str


async def report_data(request: ReportRequest) -> ReportData:
    """The figures of the request's scope (it names exactly one of an event and a year) as of its moment."""
    if request.slug is not None:
        event = await get_event(slug=request.slug)
        return await queries.event_report(event_id=event.id, as_of=request.as_of)
    assert request.year is not None
    return await queries.year_report(year=request.year, as_of=request.as_of)


async def render(
    *, data: ReportData, fmt: str, output: Path | None = None
) -> RenderedReport:
    """Render in a worker thread (the deal lines are fetched page by page on this event loop meanwhile); `fmt`
    is one of `EXPORTERS` (a `ReportRequest` checked it)."""
    exporter = EXPORTERS[fmt]
    path = output or Path(tempfile.mkstemp(prefix="opop-report-", suffix=f".{exporter.extension}")[1])

    def write() -> None:
        with path.open("wb") as handle:
            exporter.render(data, handle)

    await asyncio.to_thread(write)
    # The bare media type: Litestar's File response appends "; charset=utf-8" to text types itself.
    media_type = exporter.content_type.split(";")[0].strip()
    return RenderedReport(path=path, filename=exporter.filename(data), content_type=media_type)


async def render_for(request: ReportRequest) -> RenderedReport:
    """The report a page or the API asked for, once the caller may have it (`ReportRequest.authorize`)."""
    await request.authorize()
    return await render(data=await report_data(request), fmt=request.fmt)
