"""Dinas (admin) pages: the home with its links and figures, and user accounts."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from opop_events.accounts import services as accounts
from opop_events.accounts.enums import ROLE_LABELS, Role
from opop_events.accounts.services import Actor, require_role
from opop_events.api import CurrentActor
from opop_events.catalog import services as catalog
from opop_events.core.errors import Conflict, InvalidInput
from opop_events.core.i18n import _
from opop_events.events import services as events
from opop_events.web.forms import field_errors, read_form, required
from opop_events.web.rendering import page

USER_FIELDS = {"email", "name", "role", "password", "pesantren_id", "buyer_id"}


@get("/dinas", name="dinas", cache=False, include_in_schema=False)
async def admin_home(actor: CurrentActor) -> Template:
    actor = require_role(actor, Role.admin)
    figures = {
        _("Pesantren"): (await catalog.list_pesantren(per_page=1)).total,
        _("Produk aktif"): (await catalog.list_products(per_page=1)).total,
        _("Pembeli"): (await catalog.list_buyers(actor=actor, per_page=1)).total,
        _("Acara"): (await events.list_events(per_page=1)).total,
    }
    return page("dinas/home.html", actor=actor, title=_("Beranda Dinas KUK"), section="dinas", figures=figures)


async def _organisations(actor: Actor) -> dict[str, Any]:
    # One select each; a few hundred options is a small page for the desk staff who use it.
    pesantren = await catalog.list_pesantren(per_page=200)
    rest = pesantren.items
    page_no = 1
    while len(rest) < pesantren.total:
        page_no += 1
        rest += (await catalog.list_pesantren(per_page=200, page=page_no)).items
    buyers = await catalog.list_buyers(actor=actor, per_page=200)
    more = buyers.items
    page_no = 1
    while len(more) < buyers.total:
        page_no += 1
        more += (await catalog.list_buyers(actor=actor, per_page=200, page=page_no)).items
    return {
        "roles": [(r.value, _(ROLE_LABELS[r])) for r in Role],
        "pesantren_options": [(p.id, f"{p.name} ({p.wilayah_name})") for p in rest],
        "buyer_options": [(b.id, b.name) for b in more],
        "pesantren_names": {p.id: p.name for p in rest},
        "buyer_names": {b.id: b.name for b in more},
    }


async def _users_page(actor: Actor, **context: Any) -> Template:
    users = await accounts.list_users(actor=actor)
    return page(
        "dinas/users.html",
        actor=actor,
        title=_("Pengguna"),
        section="dinas",
        users=users,
        **(await _organisations(actor)),
        **context,
    )


@get("/dinas/pengguna", name="dinas-pengguna", cache=False, include_in_schema=False)
async def users_page(
    actor: CurrentActor, dibuat: Annotated[str | None, QueryParameter(max_length=254)] = None
) -> Template:
    actor = require_role(actor, Role.admin)
    notice = _("Akun {email} berhasil dibuat.").format(email=dibuat) if dibuat else ""
    return await _users_page(actor, notice=notice, values={"role": Role.seller.value})


@post("/dinas/pengguna", name="dinas-pengguna-kirim", cache=False, include_in_schema=False, status_code=303)
async def user_create(request: Request, actor: CurrentActor) -> Redirect | Template:
    actor = require_role(actor, Role.admin)
    values = await read_form(request)
    try:
        required(values, "email", "role", "password")
        role = Role(values.text("role")) if values.text("role") in {r.value for r in Role} else None
        if role is None:
            raise InvalidInput.field("role", _("pilih peran"))
        ids: dict[str, int | None] = {}
        for name in ("pesantren_id", "buyer_id"):
            text = values.text(name)
            if text and not text.isdigit():
                raise InvalidInput.field(name, _("pilih dari daftar"))
            ids[name] = int(text) if text else None
        created = await accounts.create_user(
            email=values.text("email"),
            password=str(values.get("password", "")),
            role=role,
            name=values.text("name"),
            # Only the organisation that fits the role is sent; the other select may hold a stale choice.
            pesantren_id=ids["pesantren_id"] if role is Role.seller else None,
            buyer_id=ids["buyer_id"] if role is Role.buyer else None,
        )
    except (InvalidInput, Conflict) as exc:
        errors = field_errors(exc, known=USER_FIELDS)
        if isinstance(exc, Conflict):
            errors = {"email": _("email ini sudah terdaftar")}
        values.pop("password", None)
        return await _users_page(actor, status_code=exc.status, values=values, errors=errors)
    return Redirect(f"/dinas/pengguna?{urlencode({'dibuat': created.email})}", status_code=303)


HANDLERS = [admin_home, users_page, user_create]
