"""Public pages outside the signed-in site: the live event board for a projector and the buyer's confirmation
link from WhatsApp (which shows that one deal and nothing else)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from opop_events.api import CurrentActor
from opop_events.conditional import not_modified, still_fresh, validator_headers
from opop_events.core.dates import now_utc
from opop_events.core.errors import Forbidden, Gone, InvalidInput, NotFound
from opop_events.core.i18n import _
from opop_events.deals import services as deals
from opop_events.deals.enums import KIND_LABELS, DealAction, DealKind, DealState
from opop_events.events import services as events
from opop_events.reports import current, queries
from opop_events.web.forms import field_errors, read_form

REFRESH_SECONDS = 5


# -- live board ------------------------------------------------------------------------------------------


async def _figures(slug: str) -> dict[str, Any]:
    event = await events.get_event(slug=slug)
    scope = queries.Scope(event_id=event.id)
    headline = await queries.headline(scope)
    closings = await queries.closings(scope)
    return {
        "event": event,
        "headline": headline,
        "late": await queries.late_figures(scope),
        "closing": closings[0] if closings else None,
        "kinds": [(KIND_LABELS[k], headline.confirmed_by_kind[k.value]) for k in DealKind],
        "updated": now_utc(),
        "refresh": REFRESH_SECONDS,
    }


@get("/papan/{slug:str}", name="papan", cache=False, include_in_schema=False)
async def board(slug: FromPath[str]) -> Template:
    return Template(template_name="papan/board.html", context=await _figures(slug))


@get("/papan/{slug:str}/angka", name="papan-angka", cache=False, include_in_schema=False)
async def board_figures(request: Request, slug: FromPath[str]) -> Template | Response[bytes]:
    """The figures alone, fetched every few seconds by htmx and swapped in place. With the validator of the
    figures (ETag): while nothing changed, the browser's conditional request costs one small query and a 304."""
    tag = await current.figures_tag(slug)
    if still_fresh(request, tag):
        return not_modified(tag)  # type: ignore[arg-type]
    return Template(template_name="papan/_figures.html", context=await _figures(slug), headers=validator_headers(tag))


# -- the signed confirmation link --------------------------------------------------------------------------


def _why_not(deal: Any) -> str:
    if deal.state not in (DealState.dicatat, DealState.perubahan):
        return _("Transaksi ini sudah berstatus {state}; tautan ini tidak bisa dipakai lagi.").format(
            state=deal.state_label.lower()
        )
    if deal.expires_at <= now_utc():
        return _("Tautan ini sudah kedaluwarsa. Minta tautan baru kepada pesantren.")
    return _(
        "Tautan ini sudah dipakai atau diganti dengan tautan yang lebih baru. Minta tautan baru kepada pesantren."
    )


def _gone(status: int, detail: str, deal: Any = None) -> Template:
    titles = {404: _("Tautan tidak ditemukan"), 403: _("Tautan ini untuk pembeli")}
    title = titles.get(status, _("Tautan tidak berlaku lagi"))
    return Template(
        template_name="konfirmasi/gone.html",
        context={"title": title, "detail": detail, "deal": deal, "status": status},
        status_code=status,
    )


def _link_page(token: str, deal: Any, *, status_code: int = 200, errors: dict[str, str] | None = None,
               done: str = "", values: dict[str, Any] | None = None) -> Template:
    return Template(
        template_name="konfirmasi/link.html",
        context={
            "title": _("Konfirmasi transaksi {number}").format(number=deal.number),
            "token": token,
            "deal": deal,
            "kind_label": _(KIND_LABELS[deal.kind]),
            "errors": errors or {},
            "values": values or {},
            "done": done,
        },
        status_code=status_code,
    )


@get("/konfirmasi/{token:str}", name="konfirmasi", cache=False, include_in_schema=False)
async def link_page(token: FromPath[str]) -> Template:
    try:
        deal = await deals.open_link(token=token)
    except NotFound:
        return _gone(404, _("Tautan ini tidak dikenal. Periksa apakah tautannya tersalin utuh, atau minta tautan "
                            "baru kepada pesantren."))
    if not deal.can_act:
        return _gone(410, _why_not(deal), deal)
    return _link_page(token, deal)


@post("/konfirmasi/{token:str}", name="konfirmasi-kirim", cache=False, include_in_schema=False, status_code=200)
async def link_act(request: Request, actor: CurrentActor, token: FromPath[str]) -> Template:
    values = await read_form(request)
    choice = values.text("aksi")
    action = DealAction.konfirmasi if choice == "konfirmasi" else DealAction.sanggah if choice == "sanggah" else None
    try:
        if action is None:
            raise InvalidInput.field("aksi", _("pilih Konfirmasi atau Sanggah"))
        deal = await deals.act_on_link(token=token, action=action, reason=values.text("reason"), caller=actor)
    except Forbidden as exc:
        return _gone(403, exc.detail)
    except NotFound:
        return _gone(404, _("Tautan ini tidak dikenal. Minta tautan baru kepada pesantren."))
    except Gone as exc:
        return _gone(410, exc.detail)
    except InvalidInput as exc:
        try:
            deal = await deals.open_link(token=token)
        except NotFound:
            return _gone(404, _("Tautan ini tidak dikenal. Minta tautan baru kepada pesantren."))
        return _link_page(token, deal, status_code=422, errors=field_errors(exc), values=values)
    return _link_page(token, deal, done=action.value)


HANDLERS = [board, board_figures, link_page, link_act]
