"""Accounts: users, API tokens, web sessions and login attempts (for rate limiting)."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from opop_events.catalog.tables import Buyer, Pesantren


class User(Table, tablename="app_user"):
    """A person who signs in; a seller belongs to one pesantren, a buyer to one buyer organisation."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    email = Varchar(length=254, unique=True)
    name = Varchar(length=120, default="")
    password_hash = Varchar(length=255)
    role = Varchar(length=16)
    pesantren = ForeignKey(references=Pesantren, on_delete=OnDelete.restrict, null=True, default=None)
    buyer = ForeignKey(references=Buyer, on_delete=OnDelete.restrict, null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # True once the password is known not to be the published demo password: set through the password policy, or
    # verified by a production start. False for the demo loader's accounts and for accounts from before the policy.
    password_vetted = Boolean(default=False)
    # The language pages, e-mails, exports and API messages speak to this user (`core.i18n.LANGUAGES`).
    language = Varchar(length=8, default="id")


class ApiToken(Table, tablename="api_token"):
    """A bearer token for scripts; only its SHA-256 is stored."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False)
    token_hash = Varchar(length=64, unique=True)
    label = Varchar(length=120, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class WebSession(Table, tablename="web_session"):
    """A signed-in browser; the cookie carries a random id whose SHA-256 is stored here."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False)
    session_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class LoginAttempt(Table, tablename="login_attempt"):
    """One failed or successful sign-in, kept so every worker process shares the rate limit (`limiter`);
    `trusted`: made from a known device or from the account's last successful address."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    email = Varchar(length=254, index=True)
    ip = Varchar(length=45, default="", index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    success = Boolean(default=False)
    trusted = Boolean(default=False)
