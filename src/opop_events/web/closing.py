"""Dinas: closing the books of an event (tutup buku) and reopening them, with the official and late figures."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_role
from opop_events.api import CurrentActor
from opop_events.core.errors import Conflict, InvalidInput
from opop_events.events import services as events
from opop_events.reports import closing, queries
from opop_events.web.forms import FORM_ERROR, field_errors, read_form
from opop_events.web.rendering import page


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
        title="Tutup buku acara",
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
    notice = {"tutup": "Buku acara ditutup; angka resminya tidak berubah lagi.",
              "buka": "Buku acara dibuka kembali; angkanya mengikuti buku besar lagi."}.get(ok or "", "")
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
            raise InvalidInput.field(FORM_ERROR, "pilih tutup buku atau buka kembali")
    except (InvalidInput, Conflict) as exc:
        errors = field_errors(exc, known={"reason"})
        if isinstance(exc, Conflict):
            errors = {FORM_ERROR: exc.detail}
        return await _page(actor, status_code=exc.status, errors=errors, values={"reason": values.text("reason")},
                           failed=slug)
    return Redirect(f"/dinas/tutup-buku?ok={choice}", status_code=303)


HANDLERS = [closing_page, closing_decide]
