"""JSON API of what the reports layer serves about one event besides its official report: the totals, the
matching funnel, and the printed schedule (agendas, table stewards' sheets, the full grid, badges)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Response

from opop_events.api import AUTH_READ, PUBLIC, AgendaToken, AsOf, CurrentActor, aware, problems
from opop_events.conditional import not_modified, still_fresh, validator_headers
from opop_events.core.i18n import N_
from opop_events.deals.schemas import EventTotals
from opop_events.events.services import get_event
from opop_events.matching.schemas import Funnel
from opop_events.reports import current, funnel, schedule_prints, totals

PRINT = problems(401, 403, 404, 422)
PartyId = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]
Paper = Annotated[
    str, QueryParameter(pattern=r"^(a4|a3)$", description=N_("Ukuran kertas (mendatar): a4 atau a3"))
]


class TotalsController(Controller):
    path = "/api/v1/events"
    tags = ["Transaksi"]

    @get("/{slug:str}/totals", operation_id="eventTotals", opt=PUBLIC, summary=N_("Total transaksi acara (kini atau as_of)"), responses=problems(404, 422))
    async def totals(self, request: Request, slug: FromPath[str], as_of: AsOf = None) -> Response[EventTotals]:
        # current figures carry a validator (ETag): a poller's conditional request costs one small query and a 304
        tag = await current.figures_tag(slug) if as_of is None else None
        if tag is not None and still_fresh(request, tag):
            return not_modified(tag)  # type: ignore[return-value]
        event = await get_event(slug=slug)  # an unknown event answers 404 before a bad as_of's 422
        answer = await totals.event_totals(event=event, as_of=aware(as_of))
        return Response(answer, headers=validator_headers(tag) if tag is not None else {})


class FunnelController(Controller):
    path = "/api/v1/events/{slug:str}"
    tags = ["Pertemuan"]

    @get("/funnel", operation_id="getFunnel", summary=N_("Corong: permintaan → diterima → terjadwal → terlaksana → transaksi"), responses=AUTH_READ)
    async def funnel(self, actor: CurrentActor, slug: FromPath[str]) -> Funnel:
        return await funnel.funnel(actor=actor, slug=slug)


# -- printed schedule ---------------------------------------------------------------------------------------


def _download(printed: schedule_prints.PrintedFile) -> Response[bytes]:
    return Response(
        content=printed.content,
        media_type=printed.media_type,
        headers={"Content-Disposition": f'attachment; filename="{printed.filename}"'},
    )


class PrintController(Controller):
    """The printed schedule: agendas, table stewards' sheets, the full grid and badges."""

    path = "/api/v1/events/{slug:str}"
    tags = ["Pertemuan"]

    @get(
        "/agenda.pdf",
        operation_id="printAgendas",
        media_type="application/pdf",
        responses=problems(401, 403, 404, 409, 422),
        summary=N_("Cetak agenda (peserta: miliknya; penyelenggara: satu peserta, atau semua bila tak disebut)"),
        response_description=N_("Berkas PDF"),
    )
    async def agenda_pdf(
        self, actor: CurrentActor, slug: FromPath[str], buyer_id: PartyId = None, pesantren_id: PartyId = None
    ) -> Response[bytes]:
        printed = await schedule_prints.agenda_pdf(
            actor=actor, slug=slug, buyer_id=buyer_id, pesantren_id=pesantren_id
        )
        return _download(printed)

    @get(
        "/tables.pdf",
        operation_id="printTableSheets",
        media_type="application/pdf",
        responses=PRINT,
        summary=N_("Cetak lembar petugas meja (satu halaman per meja)"),
        response_description=N_("Berkas PDF"),
    )
    async def tables_pdf(self, actor: CurrentActor, slug: FromPath[str]) -> Response[bytes]:
        return _download(await schedule_prints.table_sheets_pdf(actor=actor, slug=slug))

    @get(
        "/grid.pdf",
        operation_id="printScheduleGrid",
        media_type="application/pdf",
        responses=PRINT,
        summary=N_("Cetak jadwal lengkap (slot × meja)"),
        response_description=N_("Berkas PDF"),
    )
    async def grid_pdf(
        self, actor: CurrentActor, slug: FromPath[str], paper: Paper = "a4"
    ) -> Response[bytes]:
        return _download(await schedule_prints.grid_pdf(actor=actor, slug=slug, paper=paper))

    @get(
        "/grid.xlsx",
        operation_id="downloadScheduleGrid",
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        responses=PRINT,
        summary=N_("Unduh jadwal lengkap (Excel)"),
        response_description=N_("Berkas Excel"),
    )
    async def grid_xlsx(self, actor: CurrentActor, slug: FromPath[str]) -> Response[bytes]:
        return _download(await schedule_prints.grid_xlsx(actor=actor, slug=slug))

    @get(
        "/badges.pdf",
        operation_id="printBadges",
        media_type="application/pdf",
        responses=PRINT,
        summary=N_("Cetak tanda peserta dengan kode QR ke agenda"),
        response_description=N_("Berkas PDF"),
    )
    async def badges_pdf(self, actor: CurrentActor, slug: FromPath[str]) -> Response[bytes]:
        return _download(await schedule_prints.badges_pdf(actor=actor, slug=slug))


class PublicAgendaPrintController(Controller):
    """A participant's agenda as a PDF through the signed link on its badge, without an account (the same
    agenda as JSON: `matching.controllers.PublicAgendaController`)."""

    path = "/api/v1/agenda"
    tags = ["Pertemuan"]

    @get(
        "/{token:str}/pdf",
        operation_id="printAgendaByLink",
        opt=PUBLIC,
        media_type="application/pdf",
        responses=problems(404, 422),
        summary=N_("Agenda peserta lewat tautan QR (PDF)"),
        response_description=N_("Berkas PDF"),
    )
    async def agenda_pdf(self, token: AgendaToken) -> Response[bytes]:
        return _download(await schedule_prints.public_agenda_pdf(token=token))


CONTROLLERS: list[Any] = [TotalsController, FunnelController, PrintController, PublicAgendaPrintController]
