"""Factories: real rows through the real services (no mocks), each returning what tests need to act."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, create_user, issue_api_token

__all__ = ["Account", "auth", "data_tables", "make_account", "make_buyer", "make_event", "make_pesantren", "make_product"]

_counter = itertools.count(1)


def data_tables() -> list[Any]:
    """Every table holding test data, children before parents (wilayah and migrations stay)."""
    from piccolo.conf.apps import Finder
    from piccolo.table import sort_table_classes

    tables = Finder().get_table_classes()
    ordered = sort_table_classes(tables)
    return [t for t in reversed(ordered) if t._meta.tablename not in ("wilayah", "migration")]


@dataclass(frozen=True)
class Account:
    actor: Actor
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def auth(account: Account | None) -> dict[str, str]:
    return account.headers if account else {}


async def make_account(
    role: Role | str, *, pesantren_id: int | None = None, buyer_id: int | None = None, password: str = "rahasia-123"
) -> Account:
    role = Role(role)
    if role is Role.seller and pesantren_id is None:
        pesantren_id = (await make_pesantren())["id"]
    if role is Role.buyer and buyer_id is None:
        buyer_id = (await make_buyer())["id"]
    n = next(_counter)
    actor = await create_user(
        email=f"{role.value}{n}@uji.test",
        password=password,
        role=role,
        name=f"Pengguna {n}",
        pesantren_id=pesantren_id,
        buyer_id=buyer_id,
    )
    return Account(actor=actor, token=await issue_api_token(actor=actor, label="uji"))


async def _admin() -> Actor:
    """The acting admin for catalog/event factories (they record no actor id, so no user row is needed)."""
    return Actor(user_id=0, email="sistem@uji.test", name="Sistem Uji", role=Role.admin)


async def make_pesantren(*, name: str | None = None, wilayah_code: str = "3273", **extra: Any) -> dict[str, Any]:
    from opop_events.catalog import schemas, services

    created = await services.create_pesantren(
        actor=await _admin(),
        data=schemas.PesantrenCreate(
            name=name or f"Pesantren Uji {next(_counter)}",
            wilayah_code=wilayah_code,
            whatsapp=extra.pop("whatsapp", "081234567890"),
            **extra,
        ),
    )
    return {"id": created.id, "name": created.name, "wilayah_code": created.wilayah_code}


async def make_buyer(*, name: str | None = None, buyer_type: str = "ritel_modern", **extra: Any) -> dict[str, Any]:
    from opop_events.catalog import schemas, services
    from opop_events.catalog.enums import BuyerType

    created = await services.create_buyer(
        actor=await _admin(),
        data=schemas.BuyerCreate(
            name=name or f"Pembeli Uji {next(_counter)}", buyer_type=BuyerType(buyer_type), **extra
        ),
    )
    return {"id": created.id, "name": created.name, "buyer_type": created.buyer_type.value}


async def make_product(
    *, pesantren_id: int | None = None, category: str = "makanan", price_rp: int = 25_000, **extra: Any
) -> dict[str, Any]:
    from opop_events.catalog import schemas, services
    from opop_events.catalog.enums import Category

    pesantren_id = pesantren_id or (await make_pesantren())["id"]
    created = await services.create_product(
        actor=await _admin(),
        data=schemas.ProductCreate(
            pesantren_id=pesantren_id,
            name=extra.pop("name", f"Produk Uji {next(_counter)}"),
            category=Category(category),
            unit=extra.pop("unit", "kg"),
            price_rp=price_rp,
            **extra,
        ),
    )
    return {"id": created.id, "pesantren_id": pesantren_id, "price_rp": created.price_rp, "category": category}


async def make_event(
    *, organizer: Account | None = None, status: str = "draft", slug: str | None = None, tables: int = 4,
    slots: int = 6,
) -> dict[str, Any]:
    """An event on 9–10 Dec 2020 with one session of `slots` 20-minute slots and `tables` tables."""
    from opop_events.events import schemas, services
    from opop_events.events.enums import EventStatus
    from opop_events.events.tables import Event, EventOrganizer

    admin = await _admin()
    slug = slug or f"acara-uji-{next(_counter)}"
    event = await services.create_event(
        actor=admin,
        data=schemas.EventCreate(
            slug=slug, name=f"Temu Bisnis Uji {slug}", wilayah_code="3273",
            starts_on=date(2020, 12, 9), ends_on=date(2020, 12, 10), venue="Gedung Uji",
        ),
    )
    if organizer is not None:
        await EventOrganizer.insert(EventOrganizer(event=event.id, user=organizer.actor.user_id))
    if slots:
        await services.create_session(
            actor=admin, slug=slug,
            data=schemas.SessionCreate(
                name="Pagi", day=date(2020, 12, 9), slots=schemas.SlotPlan(start="09:00", minutes=20, count=slots)
            ),
        )
    if tables:
        await services.create_tables(actor=admin, slug=slug, data=schemas.TablesCreate(count=tables))
    if status != EventStatus.draft.value:
        await Event.update({Event.status: status}).where(Event.id == event.id)
    return {"id": event.id, "slug": slug}
