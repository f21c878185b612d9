"""Who is asking: the signed-in caller every domain's permission rules are written against.

It lives on the ground floor because every domain needs it (the catalog checks who may edit a pesantren, the
ledger who may confirm a deal); `accounts` makes actors (signing in, tokens, sessions) and re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from opop_events.core.errors import Forbidden, Unauthorized
from opop_events.core.i18n import SOURCE_LANGUAGE, _


class Role(StrEnum):
    admin = "admin"  # Dinas KUK staff
    organizer = "organizer"  # runs the events it is assigned to
    seller = "seller"  # one pesantren
    buyer = "buyer"  # one buyer organisation


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in user with role, the organisation it belongs to and the language it reads."""

    user_id: int
    email: str
    name: str
    role: Role
    pesantren_id: int | None = None
    buyer_id: int | None = None
    language: str = SOURCE_LANGUAGE

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def recorded_user_id(self) -> int | None:
        """The user a written row names: None for a side acting without an account (`user_id` 0: the buyer
        through a WhatsApp link, the demo's pesantren and buyers of 2020)."""
        return self.user_id or None


def require_actor(actor: Actor | None) -> Actor:
    if actor is None:
        raise Unauthorized(_("Silakan masuk terlebih dahulu."))
    return actor


def require_role(actor: Actor | None, *roles: Role) -> Actor:
    actor = require_actor(actor)
    if actor.role not in roles:
        raise Forbidden(_("Peran Anda tidak diizinkan melakukan tindakan ini."))
    return actor
