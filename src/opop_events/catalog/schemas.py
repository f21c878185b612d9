"""API schemas of the catalog: wilayah, pesantren, buyers, products."""

from __future__ import annotations

from datetime import datetime

import msgspec

from opop_events.catalog.enums import BuyerType, Category, Certification, Track
from opop_events.core.types import (
    Address,
    Email,
    Id,
    LongText,
    Name,
    Nspp,
    Phone,
    Quantity,
    Rupiah,
    ShortText,
    WilayahCode,
    Year,
)


class Wilayah(msgspec.Struct):
    id: int
    code: str
    name: str
    kind: str


class Pesantren(msgspec.Struct):
    id: int
    name: str
    nspp: str | None
    wilayah_id: int
    wilayah_code: str
    wilayah_name: str
    address: str
    business_unit: str
    cohort_year: int | None
    track: Track | None
    whatsapp: str
    contact_person: str
    description: str
    created_at: datetime
    updated_at: datetime


class PesantrenCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    wilayah_code: WilayahCode
    address: Address = ""
    business_unit: ShortText = ""
    nspp: Nspp | None = None
    cohort_year: Year | None = None
    track: Track | None = None
    whatsapp: Phone = ""
    contact_person: ShortText = ""
    description: LongText = ""


class PesantrenUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    wilayah_code: WilayahCode | None = None
    address: Address | None = None
    business_unit: ShortText | None = None
    nspp: Nspp | None = None
    cohort_year: Year | None = None
    track: Track | None = None
    whatsapp: Phone | None = None
    contact_person: ShortText | None = None
    description: LongText | None = None


class Buyer(msgspec.Struct):
    id: int
    name: str
    buyer_type: BuyerType
    buyer_type_label: str
    city: str
    province: str
    whatsapp: str
    contact_person: str
    email: str
    created_at: datetime
    updated_at: datetime


class BuyerCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    buyer_type: BuyerType
    city: ShortText = ""
    province: ShortText = "Jawa Barat"
    whatsapp: Phone = ""
    contact_person: ShortText = ""
    email: Email = ""


class BuyerUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    buyer_type: BuyerType | None = None
    city: ShortText | None = None
    province: ShortText | None = None
    whatsapp: Phone | None = None
    contact_person: ShortText | None = None
    email: Email | None = None


class Product(msgspec.Struct):
    id: int
    pesantren_id: int
    pesantren_name: str
    wilayah_name: str
    name: str
    category: Category
    category_label: str
    unit: str
    price_rp: int
    min_order: str
    monthly_capacity: str | None
    certifications: list[Certification]
    description: str
    active: bool


class ProductCreate(msgspec.Struct, forbid_unknown_fields=True):
    pesantren_id: Id
    name: Name
    category: Category
    unit: ShortText
    price_rp: Rupiah
    min_order: Quantity = "1"
    monthly_capacity: Quantity | None = None
    certifications: list[Certification] = msgspec.field(default_factory=list)
    description: LongText = ""


class ProductUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    category: Category | None = None
    unit: ShortText | None = None
    price_rp: Rupiah | None = None
    min_order: Quantity | None = None
    monthly_capacity: Quantity | None = None
    certifications: list[Certification] | None = None
    description: LongText | None = None
    active: bool | None = None
