"""Dinas KUK pages: the verification queue, follow-up of realisations, report downloads, the Excel import and
closing the books (tutup buku)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, QueryParameter
from litestar.response import File, Redirect, Template

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_role
from opop_events.api import CurrentActor
from opop_events.core.dates import today_wib
from opop_events.core.errors import Conflict, InvalidInput
from opop_events.core.i18n import _
from opop_events.core.pagination import Page, offset
from opop_events.core.types import YEAR_RANGE
from opop_events.deals import services as deals
from opop_events.deals.enums import (
    DealState,
)
from opop_events.deals.rules import review_threshold_rp
from opop_events.events import services as events
from opop_events.reports import closing, queries
from opop_events.reports import services as reports
from opop_events.reports.request import ReportRequest
from opop_events.web.deal_forms import Flag, PageNo
from opop_events.web.deals import EventFilter
from opop_events.web.forms import (
    FORM_ERROR,
    field_errors,
    read_form,
)
from opop_events.web.rendering import page, pager

# -- Dinas: verification queue, follow-up, reports ------------------------------------------------------------------


@get("/dinas/verifikasi", name="dinas-verifikasi", cache=False, include_in_schema=False)
async def verification_queue(request: Request, actor: CurrentActor, halaman: PageNo = 1, ok: Flag = None) -> Template:
    actor = require_role(actor, Role.admin)
    result = await deals.list_deals(actor=actor, state=DealState.dikonfirmasi, page=halaman, per_page=30)
    return page(
        "transaksi/verifikasi.html",
        actor=actor,
        title=_("Antrean verifikasi"),
        section="dinas",
        deals=result.items,
        total=result.total,
        pager=pager(request, result),
        notice=_("Transaksi diverifikasi.") if ok else "",
        review_threshold=review_threshold_rp(),
    )


@get("/dinas/tindak-lanjut", name="dinas-tindak-lanjut", cache=False, include_in_schema=False)
async def follow_up_list(
    request: Request, actor: CurrentActor, hari: Annotated[int, QueryParameter(ge=1, le=3650)] = 30,
    acara: EventFilter = None, halaman: PageNo = 1,
) -> Template:
    """Deals to chase, oldest first, 50 a page, for one event or all; the value still open is summed."""
    actor = require_role(actor, Role.admin)
    days = hari if hari in (30, 60, 90) else 30
    event_choices = [(e.slug, e.name) for e in (await events.list_events(per_page=200)).items]
    event_slug = acara if acara in {slug for slug, _ in event_choices} else None
    items = await deals.follow_up(actor=actor, days=days, event_slug=event_slug)
    per_page = 50
    shown = Page(items=items[offset(halaman, per_page):][:per_page], total=len(items), page=halaman, per_page=per_page)
    return page(
        "transaksi/tindak_lanjut.html",
        actor=actor,
        title=_("Tindak lanjut realisasi"),
        section="dinas",
        items=shown.items,
        total=len(items),
        total_rp=sum(item.deal.total_rp for item in items),
        pager=pager(request, shown, {"hari": days, "acara": event_slug}),
        days=days,
        events=event_choices,
        current_event=event_slug or "",
    )


def _reporter(actor: Actor | None) -> Actor:
    """Who may open the report page: Dinas staff (organizers fetch their events' reports through the API; the
    security table still lists this page as Dinas-only)."""
    return require_role(actor, Role.admin)


async def _report_form(actor: Actor, values: dict[str, Any], *, status_code: int = 200,
                       errors: dict[str, str] | None = None) -> Template:
    found = await events.list_events(per_page=200) if actor.is_admin else await events.list_my_events(
        actor=actor, per_page=200
    )
    years = sorted({e.starts_on.year for e in found.items}, reverse=True) or [today_wib().year]
    values.setdefault("lingkup", "acara")
    values.setdefault("format", "xlsx")
    return page(
        "transaksi/laporan.html",
        actor=actor,
        title=_("Unduh laporan"),
        section="dinas" if actor.is_admin else "acara",
        status_code=status_code,
        event_options=[(e.slug, e.name) for e in found.items],
        year_options=[(y, y) for y in years] if actor.is_admin else [],
        formats=[("xlsx", "Excel (xlsx)"), ("pdf", "PDF"), ("csv", "CSV")],
        values=values,
        errors=errors or {},
    )


Short = Annotated[str | None, QueryParameter(max_length=80)]


@get("/dinas/laporan", name="dinas-laporan", cache=False, include_in_schema=False)
async def report_form(actor: CurrentActor, acara: Short = None) -> Template:
    return await _report_form(_reporter(actor), {"acara": acara} if acara else {})


def _report_errors(exc: InvalidInput, *, by_year: bool) -> dict[str, str]:
    """The request's field errors in this form's fields and words."""
    words = {
        "year": ("tahun", _("pilih tahun program {years}").format(years=YEAR_RANGE)) if by_year
        else ("acara", _("pilih acara")),
        "format": ("format", _("pilih xlsx, pdf atau csv")),
        "as_of": ("per", _("bukan waktu yang sah; contoh 2020-12-09 16:00")),
    }
    errors: dict[str, str] = {}
    for error in exc.errors:
        field, message = words.get(error.field, (FORM_ERROR, error.message))
        errors.setdefault(field, message)
    return errors


@get("/dinas/laporan/unduh", name="dinas-laporan-unduh", cache=False, include_in_schema=False)
async def report_download(
    actor: CurrentActor, lingkup: Short = None, acara: Short = None, tahun: Short = None, format: Short = None,
    per: Short = None,
) -> File | Template:
    """The report file; an organizer gets the reports of the events it organises (`ReportRequest.authorize`)."""
    actor = _reporter(actor)
    values = {"lingkup": lingkup or "acara", "acara": acara or "", "tahun": tahun or "", "format": format or "xlsx",
              "per": per or ""}
    by_year = values["lingkup"] == "tahun"
    try:
        request = ReportRequest.from_text(
            caller=actor, fmt=values["format"], slug="" if by_year else values["acara"],
            year=values["tahun"] if by_year else "", as_of=values["per"],
        )
    except InvalidInput as exc:
        return await _report_form(actor, values, status_code=422, errors=_report_errors(exc, by_year=by_year))
    try:
        report = await reports.render_for(request)
    except InvalidInput as exc:
        return await _report_form(actor, values, status_code=422, errors=field_errors(exc))
    return File(
        path=report.path,
        filename=report.filename,
        media_type=report.content_type,
        background=BackgroundTask(report.path.unlink, missing_ok=True),
    )


# -- Dinas: Excel import -------------------------------------------------------------------------------------


MAX_WORKBOOK_BYTES = 10 * 1024 * 1024


async def _import_page(actor: Actor, *, values: dict[str, Any], status_code: int = 200, result: Any = None,
                       errors: dict[str, str] | None = None, filename: str = "") -> Template:
    found = await events.list_my_events(actor=actor, per_page=200)
    return page(
        "transaksi/impor.html",
        actor=actor,
        title=_("Impor Excel"),
        section="dinas",
        status_code=status_code,
        event_options=[(e.slug, e.name) for e in found.items],
        values=values,
        errors=errors or {},
        result=result,
        filename=filename,
    )


@get("/dinas/impor", name="dinas-impor", cache=False, include_in_schema=False)
async def import_form(actor: CurrentActor) -> Template:
    return await _import_page(require_role(actor, Role.admin), values={"dry_run": "1"})


@post("/dinas/impor", name="dinas-impor-kirim", cache=False, include_in_schema=False, status_code=200,
      request_max_body_size=MAX_WORKBOOK_BYTES + 64 * 1024)
async def import_upload(request: Request, actor: CurrentActor) -> Template:
    """Upload a Dinas workbook into an event; a dry run checks everything and writes nothing."""
    from litestar.datastructures import UploadFile

    from opop_events.importing.service import display_name, import_workbook

    actor = require_role(actor, Role.admin)
    form = await request.form()
    upload = form.get("berkas")
    values = {"event_slug": str(form.get("event_slug", "")), "dry_run": "1" if form.get("dry_run") else ""}
    errors: dict[str, str] = {}
    if not values["event_slug"]:
        errors["event_slug"] = _("pilih acara")
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    if not content:
        errors["berkas"] = _("pilih berkas Excel (.xlsx)")
    elif len(content) > MAX_WORKBOOK_BYTES:
        errors["berkas"] = _("berkas lebih dari 10 MB")
    if errors:
        return await _import_page(actor, values=values, status_code=422, errors=errors)
    assert isinstance(upload, UploadFile)
    try:
        result = await import_workbook(actor=actor, event_slug=values["event_slug"], content=content,
                                       filename=upload.filename or "berkas.xlsx", dry_run=bool(values["dry_run"]))
    except InvalidInput as exc:
        return await _import_page(actor, values=values, status_code=422, errors=field_errors(exc))
    return await _import_page(actor, values=values, status_code=200 if result.ok else 422, result=result,
                              filename=display_name(upload.filename or "berkas.xlsx"))


# -- Dinas: closing the books (tutup buku) ------------------------------------------------------------


async def _rows() -> list[dict[str, Any]]:
    listed = await events.list_events(per_page=200)
    out = []
    for event in listed.items:
        if event.status.value == "draft":
            continue
        scope = queries.Scope(event_id=event.id)
        out.append({
            "event": event,
            "headline": await queries.headline(scope),
            "late": await queries.late_figures(scope),
            "status": await closing.status(slug=event.slug),
        })
    return out


async def _page(actor: Actor, *, status_code: int = 200, notice: str = "", errors: dict[str, str] | None = None,
                values: dict[str, Any] | None = None, failed: str = "") -> Template:
    return page(
        "dinas/tutup_buku.html",
        actor=actor,
        title=_("Tutup buku acara"),
        section="dinas",
        status_code=status_code,
        rows=await _rows(),
        notice=notice,
        errors=errors or {},
        values=values or {},
        failed=failed,
    )


@get("/dinas/tutup-buku", name="dinas-tutup-buku", cache=False, include_in_schema=False)
async def closing_page(actor: CurrentActor, ok: Annotated[str | None, QueryParameter(max_length=8)] = None) -> Template:
    actor = require_role(actor, Role.admin)
    notice = {"tutup": _("Buku acara ditutup; angka resminya tidak berubah lagi."),
              "buka": _("Buku acara dibuka kembali; angkanya mengikuti buku besar lagi.")}.get(ok or "", "")
    return await _page(actor, notice=notice)


@post("/dinas/tutup-buku/{slug:str}", name="dinas-tutup-buku-kirim", cache=False, include_in_schema=False,
      status_code=303)
async def closing_decide(request: Request, actor: CurrentActor, slug: FromPath[str]) -> Redirect | Template:
    actor = require_role(actor, Role.admin)
    values = await read_form(request)
    choice = values.text("aksi")
    data = closing.ClosingIn(reason=values.text("reason"))
    try:
        if choice == closing.CLOSE:
            await closing.close_books(actor=actor, slug=slug, data=data)
        elif choice == closing.REOPEN:
            await closing.reopen_books(actor=actor, slug=slug, data=data)
        else:
            raise InvalidInput.field(FORM_ERROR, _("pilih tutup buku atau buka kembali"))
    except (InvalidInput, Conflict) as exc:
        errors = field_errors(exc, known={"reason"})
        if isinstance(exc, Conflict):
            errors = {FORM_ERROR: exc.detail}
        return await _page(actor, status_code=exc.status, errors=errors, values={"reason": values.text("reason")},
                           failed=slug)
    return Redirect(f"/dinas/tutup-buku?ok={choice}", status_code=303)


HANDLERS = [
    verification_queue, follow_up_list, report_form, report_download, import_form, import_upload, closing_page,
    closing_decide,
]  # fmt: skip
