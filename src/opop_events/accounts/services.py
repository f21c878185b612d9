"""Accounts: password hashing (argon2) and policy, users, sign-in under the limiter, web sessions and API tokens.

Also the `Actor` every other domain's rules are checked against.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import secrets
from dataclasses import replace as dataclasses_replace
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from opop_events.accounts import limiter
from opop_events.accounts.enums import Role
from opop_events.accounts.passwords import DEMO_PASSWORD, check_password
from opop_events.accounts.tables import ApiToken, User, WebSession
from opop_events.catalog.tables import Buyer, Pesantren
from opop_events.core.actor import Actor as Actor  # re-exported: callers know the actor from accounts
from opop_events.core.actor import require_actor as require_actor
from opop_events.core.actor import require_role as require_role
from opop_events.core.dates import now_utc
from opop_events.core.errors import Conflict, InvalidInput, NotFound, TooManyRequests, Unauthorized
from opop_events.core.i18n import LANGUAGES, SOURCE_LANGUAGE, _
from opop_events.db import present, raw, write_transaction
from opop_events.settings import Settings, get_settings

SESSION_LIFETIME = timedelta(days=14)
# OPOP_PASSWORD_HASH=fast lowers argon2's cost for the test suite only; production keeps the library defaults.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if os.environ.get("OPOP_PASSWORD_HASH") == "fast"
    else PasswordHasher()
)


@functools.cache
def _dummy_hash() -> str:
    """A valid hash to verify unknown e-mails against, so both paths take the same time (made on first use:
    hashing costs about a second of CPU, which every CLI command would otherwise pay at import)."""
    return _hasher.hash("opop-events-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _actor_from_row(row: dict[str, Any]) -> Actor:
    return Actor(
        user_id=row["id"],
        email=row["email"],
        name=row["name"],
        role=Role(row["role"]),
        pesantren_id=row["pesantren"],
        buyer_id=row["buyer"],
        language=row.get("language") or SOURCE_LANGUAGE,
    )


def check_password_rules(password: str, *, email: str = "", name: str = "") -> None:
    """The password policy (`opop_events.accounts.passwords`): a 422 naming why a password is refused."""
    check_password(password, email=email, name=name)


async def _check_password_off_loop(password: str, *, email: str, name: str) -> None:
    """The policy in a worker thread: zxcvbn may take a good fraction of a second of CPU on a long password."""
    await asyncio.to_thread(check_password_rules, password, email=email, name=name)


async def create_user(
    *,
    email: str,
    password: str,
    role: Role,
    name: str = "",
    pesantren_id: int | None = None,
    buyer_id: int | None = None,
    enforce_policy: bool = True,
) -> Actor:
    """Create a user. A seller must name its pesantren and a buyer its buyer organisation. `enforce_policy=False`
    is for the demo loader only, whose accounts have the published demo password (see `passwords`)."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidInput.field("email", _("alamat email tidak sah"))
    if enforce_policy:
        await _check_password_off_loop(password, email=email, name=name)
    if role is Role.seller and pesantren_id is None:
        raise InvalidInput.field("pesantren_id", _("akun pesantren wajib terhubung ke satu pesantren"))
    if role is Role.buyer and buyer_id is None:
        raise InvalidInput.field("buyer_id", _("akun pembeli wajib terhubung ke satu pembeli"))
    if role not in (Role.seller,) and pesantren_id is not None:
        raise InvalidInput.field("pesantren_id", _("hanya akun pesantren yang terhubung ke pesantren"))
    if role not in (Role.buyer,) and buyer_id is not None:
        raise InvalidInput.field("buyer_id", _("hanya akun pembeli yang terhubung ke pembeli"))
    if pesantren_id is not None and not await Pesantren.exists().where(Pesantren.id == pesantren_id):
        raise InvalidInput.field("pesantren_id", _("pesantren {number} tidak ada").format(number=pesantren_id))
    if buyer_id is not None and not await Buyer.exists().where(Buyer.id == buyer_id):
        raise InvalidInput.field("buyer_id", _("pembeli {number} tidak ada").format(number=buyer_id))
    async with write_transaction():
        if await User.exists().where(User.email == email):
            raise Conflict(_("Email {email} sudah terdaftar.").format(email=email))
        rows = await User.insert(
            User(
                email=email,
                name=name.strip(),
                password_hash=hash_password(password),
                role=role.value,
                pesantren=pesantren_id,
                buyer=buyer_id,
                password_vetted=enforce_policy,
            )
        ).returning(*User.all_columns())
    return _actor_from_row(rows[0])


async def authenticate(
    *, email: str, password: str, ip: str = "", known_device: str = "", settings: Settings | None = None
) -> Actor:
    """Check e-mail and password under the sign-in limiter (`opop_events.accounts.limiter`): every attempt is
    recorded in a transaction of its own; `known_device` is the cookie a successful sign-in left in this client."""
    settings = settings or get_settings()
    email = email.strip().lower()[:254]
    ip = ip[:45]
    row = await User.select().where((User.email == email) & (User.active == True)).first()
    trusted = row is not None and (
        limiter.known_device_valid(
            known_device, secret=settings.secret_key, user_id=row["id"], password_hash=row["password_hash"]
        )
        or (bool(ip) and ip in await limiter.recent_success_addresses(email))
    )
    attempt = await limiter.begin(email=email, ip=ip, trusted=trusted)
    try:
        await limiter.check(attempt, settings=settings)
    except TooManyRequests:
        await limiter.finish(attempt, limiter.REFUSED)
        raise
    ok = False
    try:
        ok = _hasher.verify(row["password_hash"] if row else _dummy_hash(), password[:128]) and row is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    await limiter.finish(attempt, limiter.SUCCEEDED if ok else limiter.FAILED)
    if not ok or row is None:
        raise Unauthorized(_("Email atau kata sandi salah."))
    return _actor_from_row(row)


async def known_device_cookie_value(*, actor: Actor, settings: Settings | None = None) -> str:
    """The value of the known-device cookie for this user (valid until the password changes or 180 days)."""
    settings = settings or get_settings()
    row = await User.select(User.password_hash).where(User.id == actor.user_id).first()
    return limiter.known_device_value(
        secret=settings.secret_key, user_id=actor.user_id, password_hash=row["password_hash"] if row else ""
    )


async def change_password(*, actor: Actor, old_password: str, new_password: str) -> None:
    """Set a new password and end every web session and API token of the user, the caller's own included: a
    web page that changes the password starts a fresh session for its browser afterwards."""
    row = present(await User.select(User.password_hash).where(User.id == actor.user_id).first())
    try:
        _hasher.verify(row["password_hash"], old_password[:128])
    except (VerifyMismatchError, VerificationError, InvalidHashError) as exc:
        raise InvalidInput.field("old_password", "kata sandi lama salah") from exc
    await _check_password_off_loop(new_password, email=actor.email, name=actor.name)
    await _replace_password(actor.user_id, new_password)


async def _replace_password(user_id: int, password: str) -> None:
    """The new hash, and every web session and API token of the user ended, in one transaction."""
    async with write_transaction():
        await User.update({User.password_hash: hash_password(password), User.password_vetted: True}).where(
            User.id == user_id
        )
        await WebSession.delete().where(WebSession.user == user_id)
        await ApiToken.update({ApiToken.revoked_at: now_utc()}).where(
            (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
        )


async def start_session(*, actor: Actor) -> str:
    """Create a web session; returns the random cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        await WebSession.insert(
            WebSession(user=actor.user_id, session_hash=_digest(token), expires_at=now_utc() + SESSION_LIFETIME)
        )
    return token


async def end_session(*, token: str) -> None:
    async with write_transaction():
        await WebSession.delete().where(WebSession.session_hash == _digest(token))


async def issue_api_token(*, actor: Actor, label: str = "") -> str:
    token = "opop_" + secrets.token_urlsafe(32)
    async with write_transaction():
        await ApiToken.insert(ApiToken(user=actor.user_id, token_hash=_digest(token), label=label[:120]))
    return token


async def revoke_api_token(*, actor: Actor, token: str) -> None:
    async with write_transaction():
        await ApiToken.update({ApiToken.revoked_at: now_utc()}).where(
            (ApiToken.token_hash == _digest(token)) & (ApiToken.user == actor.user_id)
        )


_USER_COLUMNS = "u.id, u.email, u.name, u.role, u.pesantren, u.buyer, u.language"


async def actor_from_session(token: str) -> Actor | None:
    rows = await raw(
        f'SELECT {_USER_COLUMNS} FROM web_session s JOIN app_user u ON u.id = s."user" '
        "WHERE s.session_hash = {} AND s.expires_at > {} AND u.active",
        _digest(token),
        now_utc(),
    )
    return _actor_from_row(rows[0]) if rows else None


async def actor_from_api_token(token: str) -> Actor | None:
    rows = await raw(
        f'SELECT {_USER_COLUMNS} FROM api_token t JOIN app_user u ON u.id = t."user" '
        "WHERE t.token_hash = {} AND t.revoked_at IS NULL AND u.active",
        _digest(token),
    )
    return _actor_from_row(rows[0]) if rows else None


async def get_user(*, user_id: int) -> Actor:
    row = await User.select().where(User.id == user_id).first()
    if row is None:
        raise NotFound(_("Pengguna {number} tidak ditemukan.").format(number=user_id))
    return _actor_from_row(row)


async def list_users(*, actor: Actor | None) -> list[Actor]:
    require_role(actor, Role.admin)
    return [_actor_from_row(r) for r in await User.select().order_by(User.id)]


async def demo_password_in_use() -> list[str]:
    """E-mails of active accounts whose password is still the published demo password. Only accounts whose
    password was not set through the policy are verified (one argon2 verification costs about 0.1 s): the demo
    loader's, and on the first production start after an upgrade every older account, once; an account found
    clean is marked so (`password_vetted`) unless its password changed meanwhile."""
    rows = await User.select(User.id, User.email, User.password_hash).where(
        (User.active == True) & (User.password_vetted == False)
    )
    found: list[dict[str, Any]] = []
    clean: list[dict[str, Any]] = []
    for row in rows:
        matches: bool
        try:
            matches = await asyncio.to_thread(_hasher.verify, row["password_hash"], DEMO_PASSWORD)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            matches = False
        (found if matches else clean).append(row)
    if clean:
        async with write_transaction():
            for row in clean:
                await User.update({User.password_vetted: True}).where(
                    (User.id == row["id"]) & (User.password_hash == row["password_hash"])
                )
    return sorted(r["email"] for r in found)


async def demo_password_refusal() -> str | None:
    """Why a production server must not start (a message in the current language), or None: an account still has the demo
    password that the README publishes."""
    emails = await demo_password_in_use()
    if not emails:
        return None
    return _(
        "mode produksi (OPOP_ENV=production) tidak mau berjalan: akun {emails} masih memakai kata sandi demo "
        "{password}, yang tertulis di README. Ganti kata sandinya dengan "
        "'opop-events users set-password --email {email}' (atau jalankan tanpa OPOP_ENV=production)."
    ).format(emails=", ".join(emails), password=DEMO_PASSWORD, email=emails[0])


async def set_password(*, email: str, password: str) -> Actor:
    """Set a user's password from the command line (no old password), under the policy; ends every session and
    token of the user."""
    row = await User.select().where(User.email == email.strip().lower()).first()
    if row is None:
        raise NotFound(_("Pengguna dengan email {email} tidak ditemukan.").format(email=email.strip().lower()))
    actor = _actor_from_row(row)
    await _check_password_off_loop(password, email=actor.email, name=actor.name)
    await _replace_password(actor.user_id, password)
    return actor


class DemoPasswordInUse(RuntimeError):
    """A production server is starting while an account still has the demo password."""


async def refuse_demo_passwords() -> None:
    """The application's startup check in production (`serve` makes it first, with a one-line message)."""
    refusal = await demo_password_refusal()
    if refusal:
        raise DemoPasswordInUse(refusal[0].upper() + refusal[1:])


async def set_language(*, actor: Actor, language: str) -> Actor:
    """Save the language `actor` reads pages, e-mails and exports in (one of `core.i18n.LANGUAGES`)."""
    if language not in LANGUAGES:
        raise InvalidInput.field(
            "language", _("Bahasa tidak dikenal: pilih salah satu dari {choices}.").format(choices=", ".join(LANGUAGES))
        )
    async with write_transaction():
        await User.update({User.language: language}).where(User.id == actor.user_id)
    return dataclasses_replace(actor, language=language)
