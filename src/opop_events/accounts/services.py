"""Accounts: password hashing (argon2), users, sign-in with rate limiting, web sessions and API tokens.

Also the `Actor` every other domain's rules are checked against.
"""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from opop_events.accounts.enums import Role
from opop_events.accounts.tables import ApiToken, LoginAttempt, User, WebSession
from opop_events.catalog.tables import Buyer, Pesantren
from opop_events.core.dates import now_utc
from opop_events.core.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthorized
from opop_events.db import write_transaction

SESSION_LIFETIME = timedelta(days=14)
MIN_PASSWORD_LENGTH = 8
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


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking: a signed-in user with role and the organisation it belongs to."""

    user_id: int
    email: str
    name: str
    role: Role
    pesantren_id: int | None = None
    buyer_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin


def require_actor(actor: Actor | None) -> Actor:
    if actor is None:
        raise Unauthorized("Silakan masuk terlebih dahulu.")
    return actor


def require_role(actor: Actor | None, *roles: Role) -> Actor:
    actor = require_actor(actor)
    if actor.role not in roles:
        raise Forbidden("Peran Anda tidak diizinkan melakukan tindakan ini.")
    return actor


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _actor_from_row(row: dict) -> Actor:
    return Actor(
        user_id=row["id"],
        email=row["email"],
        name=row["name"],
        role=Role(row["role"]),
        pesantren_id=row["pesantren"],
        buyer_id=row["buyer"],
    )


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.field("password", f"kata sandi minimal {MIN_PASSWORD_LENGTH} karakter")
    if len(password) > 128:
        raise InvalidInput.field("password", "kata sandi paling panjang 128 karakter")


async def create_user(
    *,
    email: str,
    password: str,
    role: Role,
    name: str = "",
    pesantren_id: int | None = None,
    buyer_id: int | None = None,
) -> Actor:
    """Create a user. A seller must name its pesantren and a buyer its buyer organisation."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidInput.field("email", "alamat email tidak sah")
    check_password_rules(password)
    if role is Role.seller and pesantren_id is None:
        raise InvalidInput.field("pesantren_id", "akun pesantren wajib terhubung ke satu pesantren")
    if role is Role.buyer and buyer_id is None:
        raise InvalidInput.field("buyer_id", "akun pembeli wajib terhubung ke satu pembeli")
    if role not in (Role.seller,) and pesantren_id is not None:
        raise InvalidInput.field("pesantren_id", "hanya akun pesantren yang terhubung ke pesantren")
    if role not in (Role.buyer,) and buyer_id is not None:
        raise InvalidInput.field("buyer_id", "hanya akun pembeli yang terhubung ke pembeli")
    if pesantren_id is not None and not await Pesantren.exists().where(Pesantren.id == pesantren_id):
        raise InvalidInput.field("pesantren_id", f"pesantren {pesantren_id} tidak ada")
    if buyer_id is not None and not await Buyer.exists().where(Buyer.id == buyer_id):
        raise InvalidInput.field("buyer_id", f"pembeli {buyer_id} tidak ada")
    async with write_transaction():
        if await User.exists().where(User.email == email):
            raise Conflict(f"Email {email} sudah terdaftar.")
        rows = await User.insert(
            User(
                email=email,
                name=name.strip(),
                password_hash=hash_password(password),
                role=role.value,
                pesantren=pesantren_id,
                buyer=buyer_id,
            )
        ).returning(*User.all_columns())
    return _actor_from_row(rows[0])


async def _check_rate_limit(email: str, ip: str, per_minute: int) -> None:
    since = now_utc() - timedelta(minutes=1)
    by_email = await LoginAttempt.count().where(
        (LoginAttempt.email == email) & (LoginAttempt.at >= since) & (LoginAttempt.success == False)  # noqa: E712
    )
    by_ip = (
        await LoginAttempt.count().where(
            (LoginAttempt.ip == ip) & (LoginAttempt.at >= since) & (LoginAttempt.success == False)  # noqa: E712
        )
        if ip
        else 0
    )
    if by_email >= per_minute or by_ip >= per_minute * 3:
        raise TooManyRequests("Terlalu banyak percobaan masuk. Coba lagi dalam satu menit.")


async def authenticate(*, email: str, password: str, ip: str = "", per_minute: int = 10) -> Actor:
    """Check e-mail and password; failed attempts are recorded and rate-limited per e-mail and per IP."""
    email = email.strip().lower()[:254]
    await _check_rate_limit(email, ip, per_minute)
    row = await User.select().where((User.email == email) & (User.active == True)).first()  # noqa: E712
    ok = False
    try:
        ok = _hasher.verify(row["password_hash"] if row else _dummy_hash(), password[:128]) and row is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    async with write_transaction():
        await LoginAttempt.insert(LoginAttempt(email=email, ip=ip[:45], success=ok))
    if not ok or row is None:
        raise Unauthorized("Email atau kata sandi salah.")
    return _actor_from_row(row)


async def change_password(*, actor: Actor, old_password: str, new_password: str) -> None:
    row = await User.select(User.password_hash).where(User.id == actor.user_id).first()
    try:
        _hasher.verify(row["password_hash"], old_password[:128])
    except (VerifyMismatchError, VerificationError, InvalidHashError) as exc:
        raise InvalidInput.field("old_password", "kata sandi lama salah") from exc
    check_password_rules(new_password)
    async with write_transaction():
        await User.update({User.password_hash: hash_password(new_password)}).where(User.id == actor.user_id)
        await WebSession.delete().where(WebSession.user == actor.user_id)


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


_USER_COLUMNS = "u.id, u.email, u.name, u.role, u.pesantren, u.buyer"


async def actor_from_session(token: str) -> Actor | None:
    from opop_events.db import raw

    rows = await raw(
        f'SELECT {_USER_COLUMNS} FROM web_session s JOIN app_user u ON u.id = s."user" '
        "WHERE s.session_hash = {} AND s.expires_at > {} AND u.active",
        _digest(token),
        now_utc(),
    )
    return _actor_from_row(rows[0]) if rows else None


async def actor_from_api_token(token: str) -> Actor | None:
    from opop_events.db import raw

    rows = await raw(
        f'SELECT {_USER_COLUMNS} FROM api_token t JOIN app_user u ON u.id = t."user" '
        "WHERE t.token_hash = {} AND t.revoked_at IS NULL AND u.active",
        _digest(token),
    )
    return _actor_from_row(rows[0]) if rows else None


async def get_user(*, user_id: int) -> Actor:
    row = await User.select().where(User.id == user_id).first()
    if row is None:
        raise NotFound(f"Pengguna {user_id} tidak ditemukan.")
    return _actor_from_row(row)


async def list_users(*, actor: Actor | None) -> list[Actor]:
    require_role(actor, Role.admin)
    return [_actor_from_row(r) for r in await User.select().order_by(User.id)]
