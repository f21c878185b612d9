"""API schemas of the deal ledger."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from opop_events.catalog.enums import BuyerType, Category
from opop_events.core.i18n import N_
from opop_events.core.types import Id, Name, Phone, Quantity, Rupiah, ShortText, Slug
from opop_events.deals.enums import DealAction, DealKind, DealState, Origin, RealisationKind

Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=1000, description=N_("Alasan (wajib)"))]
Version = Annotated[int, msgspec.Meta(ge=1, le=1_000_000, description=N_("Versi yang Anda lihat (cek bentrok)"))]
Note = Annotated[str, msgspec.Meta(max_length=1000)]


class LineIn(msgspec.Struct, forbid_unknown_fields=True):
    """A deal line: a product of the pesantren or a free description with a category."""

    quantity: Quantity
    unit_price_rp: Rupiah | None = None
    product_id: Id | None = None
    description: Annotated[str, msgspec.Meta(max_length=300)] = ""
    category: Category | None = None
    unit: ShortText = ""


Lines = Annotated[list[LineIn], msgspec.Meta(min_length=1, max_length=100)]


class NewBuyer(msgspec.Struct, forbid_unknown_fields=True):
    """A buyer not yet in the catalog, added while logging the deal."""

    name: Name
    buyer_type: BuyerType
    whatsapp: Phone = ""
    contact_person: ShortText = ""
    city: ShortText = ""


class DealCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A pesantren logs a deal it closed (state `dicatat`); admin may log for a pesantren."""

    event_slug: Slug
    kind: DealKind
    deal_date: date
    lines: Lines
    buyer_id: Id | None = None
    new_buyer: NewBuyer | None = None
    pesantren_id: Id | None = None
    meeting_id: Id | None = None
    note: Note = ""


class InterestCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A buyer registers interest (minat beli) in products of one pesantren."""

    event_slug: Slug
    pesantren_id: Id
    lines: Lines
    kind: DealKind = DealKind.kontrak
    deal_date: date | None = None
    meeting_id: Id | None = None
    note: Note = ""


class DealAmend(msgspec.Struct, forbid_unknown_fields=True):
    version: Version
    kind: DealKind | None = None
    deal_date: date | None = None
    lines: Lines | None = None
    note: Note | None = None


class Confirm(msgspec.Struct, forbid_unknown_fields=True):
    """Agree to the deal. The pesantren confirming a buyer's interest may adjust the lines first."""

    version: Version
    lines: Lines | None = None
    kind: DealKind | None = None


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    version: Version
    reason: Reason


class VersionIn(msgspec.Struct, forbid_unknown_fields=True):
    version: Version


class LinkAction(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class RealisationCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: RealisationKind
    realised_on: date
    amount_rp: Rupiah
    note: Note = ""


class RealisationVoid(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class Party(msgspec.Struct):
    id: int
    name: str


class PesantrenRef(Party):
    wilayah_code: str
    wilayah_name: str


class BuyerRef(Party):
    buyer_type: BuyerType
    buyer_type_label: str


class Line(msgspec.Struct):
    position: int
    product_id: int | None
    description: str
    category: Category
    quantity: str
    unit: str
    unit_price_rp: int
    value_rp: int


class Realisation(msgspec.Struct):
    id: int
    kind: RealisationKind
    realised_on: date
    amount_rp: int
    note: str
    voids: int | None
    voided: bool
    recorded_at: datetime


class Offer(msgspec.Struct):
    """Changed terms one side proposed for an agreed deal (state `perubahan`), not yet accepted by the other:
    the deal's own `lines` and `total_rp` are still the agreed, counted terms."""

    by: str  # pesantren | pembeli
    kind: DealKind
    deal_date: date
    note: str
    lines: list[Line]
    total_rp: int


class Deal(msgspec.Struct):
    id: int
    number: str
    event_slug: str
    event_name: str
    pesantren: PesantrenRef
    buyer: BuyerRef
    origin: Origin
    state: DealState
    state_label: str
    version: int
    kind: DealKind
    deal_date: date
    note: str
    lines: list[Line]
    total_rp: int
    realised_rp: int
    meeting_id: int | None
    created_at: datetime
    changed_at: datetime
    allowed_actions: list[DealAction] = []
    state_hint: str = ""
    offer: Offer | None = None
    awaiting: str = ""  # whose move it is: pesantren | pembeli | dinas | "" (nobody)
    needs_review: bool = False  # the total reaches OPOP_REVIEW_THRESHOLD_RP: Dinas takes a second look


class HistoryEntry(msgspec.Struct):
    version: int
    action: DealAction
    action_label: str
    state: DealState
    actor: str
    reason: str
    at: datetime
    before: dict | None
    after: dict | None


class ConfirmLinkOut(msgspec.Struct):
    url: str
    whatsapp_url: str
    message: str
    expires_at: datetime


class PublicDeal(msgspec.Struct):
    """What a confirmation link shows: the deal, nothing else of the system."""

    number: str
    event_name: str
    pesantren_name: str
    buyer_name: str
    state: DealState
    state_label: str
    kind: DealKind
    deal_date: date
    lines: list[Line]
    total_rp: int
    expires_at: datetime
    can_act: bool
    is_change: bool = False  # a proposed change of an agreed deal: `lines` are the proposal
    agreed_total_rp: int | None = None  # with `is_change`: the agreed value that counts until accepted


class KindTotal(msgspec.Struct):
    kind: DealKind
    confirmed_rp: int
    logged_rp: int
    deals_confirmed: int
    deals_logged: int


class EventTotals(msgspec.Struct):
    """The event's figures. While its books are closed (`closed`), `confirmed_rp` is the official figure as of
    `closed_at` and does not move; deals counted after closing are in `late_confirmed_rp` (susulan)."""

    event_slug: str
    as_of: datetime | None
    confirmed_rp: int
    logged_rp: int
    realised_rp: int
    by_kind: list[KindTotal]
    deals_confirmed: int
    deals_logged: int
    pesantren: int
    buyers: int
    closed: bool = False
    closed_at: datetime | None = None
    official_confirmed_rp: int = 0
    late_confirmed_rp: int = 0
    late_deals: int = 0


class FollowUp(msgspec.Struct):
    deal: Deal
    days_since: int
