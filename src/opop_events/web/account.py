"""Signing in and out, changing the password, and each role's home page."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from opop_events.accounts import limiter
from opop_events.accounts import services as accounts
from opop_events.accounts.enums import Role
from opop_events.accounts.services import SESSION_LIFETIME, Actor, require_actor
from opop_events.api import SESSION_COOKIE, CurrentActor
from opop_events.core import i18n
from opop_events.core.errors import InvalidInput, TooManyRequests, Unauthorized
from opop_events.core.i18n import _
from opop_events.languages import LANGUAGE_COOKIE
from opop_events.settings import get_settings
from opop_events.web.errors import safe_next
from opop_events.web.forms import FORM_ERROR, field_errors, read_form
from opop_events.web.rendering import page

ROLE_HOMES = {
    Role.admin: "/dinas",
    Role.organizer: "/acara",
    Role.seller: "/kelola",
    Role.buyer: "/",
}
NextParam = Annotated[str | None, QueryParameter(max_length=500)]


def role_home(actor: Actor) -> str:
    return ROLE_HOMES[actor.role]


def session_cookie(token: str) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure,
    )


async def known_device_cookie(actor: Actor) -> Cookie:
    """Marks this browser as one the user signed in from: the sign-in limiter lets it past its delays
    (`opop_events.accounts.limiter`). Sent to the sign-in page only."""
    return Cookie(
        key=limiter.KNOWN_DEVICE_COOKIE,
        value=await accounts.known_device_cookie_value(actor=actor),
        path="/masuk",
        max_age=int(limiter.KNOWN_DEVICE_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure,
    )


@get("/masuk", name="masuk", cache=False, include_in_schema=False)
async def login_form(actor: CurrentActor, next: NextParam = None) -> Template | Redirect:
    if actor is not None:
        return Redirect(safe_next(next) or role_home(actor), status_code=303)
    return page(
        "akun/login.html", actor=None, title=_("Masuk"), values={"email": "", "next": safe_next(next) or ""}
    )


@post("/masuk", name="masuk-kirim", cache=False, include_in_schema=False, status_code=303)
async def login(request: Request) -> Response | Template:
    values = await read_form(request)
    target = safe_next(values.text("next"))
    try:
        if not values.text("email") or not values.get("password"):
            raise InvalidInput.field(FORM_ERROR, _("Isi email dan kata sandi."))
        settings = get_settings()
        actor = await accounts.authenticate(
            email=values.text("email"),
            password=str(values.get("password", "")),
            ip=limiter.request_address(request, settings.trusted_proxies),
            known_device=request.cookies.get(limiter.KNOWN_DEVICE_COOKIE, ""),
            settings=settings,
        )
    except (Unauthorized, TooManyRequests, InvalidInput) as exc:
        status = 422 if isinstance(exc, InvalidInput) else exc.status
        shown = page(
            "akun/login.html",
            actor=None,
            title=_("Masuk"),
            status_code=status,
            errors={FORM_ERROR: exc.errors[0].message if exc.errors else exc.detail},
            values={"email": values.text("email"), "next": target or ""},
        )
        if isinstance(exc, TooManyRequests):
            shown.headers["Retry-After"] = str(exc.retry_after)
        return shown
    token = await accounts.start_session(actor=actor)
    return Redirect(
        target or role_home(actor), status_code=303,
        cookies=[session_cookie(token), await known_device_cookie(actor)],
    )


@post("/keluar", name="keluar", cache=False, include_in_schema=False, status_code=303)
async def logout(request: Request) -> Redirect:
    token = request.cookies.get(SESSION_COOKIE)
    if token and len(token) <= 200:
        await accounts.end_session(token=token)
    response = Redirect("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@post("/bahasa", name="bahasa", cache=False, include_in_schema=False, status_code=303)
async def choose_language(request: Request, actor: CurrentActor) -> Redirect:
    """The language menu in every page's footer: saved on the account when signed in, and in a cookie for the
    pages before signing in. An unknown choice changes nothing."""
    values = await read_form(request)
    language = i18n.normalise(values.text("language"))
    response = Redirect(safe_next(values.text("next")) or "/", status_code=303)
    if language is None:
        return response
    if actor is not None:
        await accounts.set_language(actor=actor, language=language)
    response.set_cookie(
        key=LANGUAGE_COOKIE,
        value=language,
        path="/",
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure,
    )
    return response


@get("/beranda", name="beranda", cache=False, include_in_schema=False)
async def home(actor: CurrentActor) -> Redirect:
    return Redirect(role_home(require_actor(actor)), status_code=303)


@get("/akun/sandi", name="sandi", cache=False, include_in_schema=False)
async def password_form(
    actor: CurrentActor, berhasil: Annotated[int | None, QueryParameter(ge=0, le=1)] = None
) -> Template:
    actor = require_actor(actor)
    notice = _("Kata sandi berhasil diganti.") if berhasil else ""
    return page("akun/password.html", actor=actor, title=_("Ganti kata sandi"), section="akun", notice=notice)


@post("/akun/sandi", name="sandi-kirim", cache=False, include_in_schema=False, status_code=303)
async def change_password(request: Request, actor: CurrentActor) -> Response | Template:
    actor = require_actor(actor)
    values = await read_form(request)
    new_password = str(values.get("new_password", ""))
    try:
        if new_password != values.get("confirm_password", ""):
            raise InvalidInput.field("confirm_password", _("ulangan kata sandi baru tidak sama"))
        await accounts.change_password(
            actor=actor, old_password=str(values.get("old_password", "")), new_password=new_password
        )
    except InvalidInput as exc:
        errors = field_errors(exc, known={"old_password", "new_password", "confirm_password"})
        if "password" in {e.field for e in exc.errors}:
            errors["new_password"] = next(e.message for e in exc.errors if e.field == "password")
            errors.pop("_form", None)
        return page(
            "akun/password.html",
            actor=actor,
            title=_("Ganti kata sandi"),
            section="akun",
            status_code=422,
            errors=errors,
        )
    # Changing the password ends every session and API token of the user (other devices too); this browser gets a
    # fresh session, and a fresh known-device cookie (the old one was signed over the old password hash).
    token = await accounts.start_session(actor=actor)
    return Redirect(
        "/akun/sandi?berhasil=1", status_code=303, cookies=[session_cookie(token), await known_device_cookie(actor)]
    )


HANDLERS = [login_form, login, logout, choose_language, home, password_form, change_password]
