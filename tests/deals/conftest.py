"""A small market for ledger tests: an open event, a registered pesantren with a seller account, a buyer with
an account, a Dinas admin and an organizer of the event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from opop_events.events.tables import Registration
from tests.factories import Account, make_account, make_buyer, make_event, make_pesantren, make_product


@dataclass
class Market:
    event: dict[str, Any]
    seller: Account
    other_seller: Account
    buyer: Account
    other_buyer: Account
    admin: Account
    organizer: Account
    outsider_organizer: Account
    product: dict[str, Any]

    @property
    def slug(self) -> str:
        return self.event["slug"]

    def deal_body(self, **overrides: Any) -> dict[str, Any]:
        body = {
            "event_slug": self.slug,
            "kind": "transaksi",
            "deal_date": "2020-12-09",
            "buyer_id": self.buyer.actor.buyer_id,
            "lines": [{"product_id": self.product["id"], "quantity": "10", "unit_price_rp": 25_000}],
        }
        body.update(overrides)
        return body


@pytest.fixture
async def market() -> Market:
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, status="live")
    pesantren = await make_pesantren(name="Pesantren Al-Ittifaq Uji", wilayah_code="3204")
    other = await make_pesantren(name="Pesantren Lain Uji", wilayah_code="3205")
    for pid in (pesantren["id"], other["id"]):
        await Registration.insert(Registration(event=event["id"], party_kind="pesantren", pesantren=pid))
    seller = await make_account("seller", pesantren_id=pesantren["id"])
    buyer_org = await make_buyer(name="Swalayan Uji", buyer_type="ritel_modern", whatsapp="081298765432")
    buyer = await make_account("buyer", buyer_id=buyer_org["id"])
    return Market(
        event=event,
        seller=seller,
        other_seller=await make_account("seller", pesantren_id=other["id"]),
        buyer=buyer,
        other_buyer=await make_account("buyer"),
        admin=await make_account("admin"),
        organizer=organizer,
        outsider_organizer=await make_account("organizer"),
        product=await make_product(pesantren_id=pesantren["id"], category="makanan", price_rp=25_000, unit="kg"),
    )
