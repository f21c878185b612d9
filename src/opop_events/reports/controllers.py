"""Report downloads: xlsx, pdf and csv of an event or a programme year, now or as of a past moment."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import File

from opop_events.api import PUBLIC, AsOf, CurrentActor, aware, problems
from opop_events.core.i18n import N_
from opop_events.reports import closing, services
from opop_events.reports.request import FORMATS, ReportRequest

Format = Annotated[str, QueryParameter(name="format", pattern=rf"^({'|'.join(FORMATS)})$", description=N_("xlsx, pdf atau csv"))]
DOWNLOAD = problems(401, 403, 404, 422)


def _file(report: services.RenderedReport) -> File:
    return File(
        path=report.path,
        filename=report.filename,
        media_type=report.content_type,
        background=BackgroundTask(report.path.unlink, missing_ok=True),
    )


class ReportController(Controller):
    path = "/api/v1/reports"
    tags = ["Laporan"]

    @get(
        "/events/{slug:str}",
        operation_id="downloadEventReport",
        summary=N_("Laporan resmi acara (xlsx/pdf/csv)"),
        responses=DOWNLOAD,
        response_description=N_("Berkas laporan"),
    )
    async def event_report(self, actor: CurrentActor, slug: FromPath[str], fmt: Format = "xlsx", as_of: AsOf = None) -> File:
        request = ReportRequest.parse(caller=actor, fmt=fmt, slug=slug, as_of=aware(as_of))
        return _file(await services.render_for(request))

    @get(
        "/years/{year:int}",
        operation_id="downloadYearReport",
        summary=N_("Laporan program satu tahun (Dinas)"),
        responses=DOWNLOAD,
        response_description=N_("Berkas laporan"),
    )
    async def year_report(self, actor: CurrentActor, year: FromPath[int], fmt: Format = "xlsx", as_of: AsOf = None) -> File:
        request = ReportRequest.parse(caller=actor, fmt=fmt, year=year, as_of=aware(as_of))
        return _file(await services.render_for(request))


class ClosingController(Controller):
    """Closing the books of an event (tutup buku): the official figure stops moving; late deals are summed apart."""

    path = "/api/v1/events"
    tags = ["Tutup buku"]

    @get("/{slug:str}/closing", operation_id="eventClosing", opt=PUBLIC, summary=N_("Status tutup buku acara"),
         responses=problems(404))
    async def status(self, slug: FromPath[str]) -> closing.ClosingStatus:
        return await closing.status(slug=slug)

    @post("/{slug:str}/closing", operation_id="closeEventBooks", summary=N_("Tutup buku acara (Dinas)"),
          responses=problems(400, 401, 403, 404, 409, 422), status_code=200)
    async def close(self, actor: CurrentActor, slug: FromPath[str], data: JSONBody[closing.ClosingIn]) -> closing.ClosingStatus:
        return await closing.close_books(actor=actor, slug=slug, data=data)

    @post("/{slug:str}/closing/reopen", operation_id="reopenEventBooks", summary=N_("Buka kembali buku acara (Dinas)"),
          responses=problems(400, 401, 403, 404, 409, 422), status_code=200)
    async def reopen(self, actor: CurrentActor, slug: FromPath[str], data: JSONBody[closing.ClosingIn]) -> closing.ClosingStatus:
        return await closing.reopen_books(actor=actor, slug=slug, data=data)


CONTROLLERS: list[Any] = [ReportController, ClosingController]
