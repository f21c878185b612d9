"""API schemas of accounts."""

from __future__ import annotations

from typing import Annotated

import msgspec

from opop_events.accounts.enums import Role
from opop_events.core.types import Email, Id, ShortText

Password = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class Me(msgspec.Struct):
    id: int
    email: str
    name: str
    role: Role
    pesantren_id: int | None
    buyer_id: int | None


class TokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    label: ShortText = ""


class TokenResponse(msgspec.Struct):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    role: Role
    name: ShortText = ""
    pesantren_id: Id | None = None
    buyer_id: Id | None = None


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    old_password: Password
    new_password: Password
