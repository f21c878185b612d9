"""Catalog tables: wilayah (kabupaten/kota), pesantren, buyers and products."""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Wilayah(Table, tablename="wilayah"):
    """A kabupaten or kota of Jawa Barat, keyed by its BPS code."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    code = Varchar(length=4, unique=True)
    name = Varchar(length=64)
    kind = Varchar(length=9)  # kabupaten | kota


class Pesantren(Table, tablename="pesantren"):
    """A pesantren in the OPOP programme and its business unit (the seller)."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    name = Varchar(length=200, index=True)
    nspp = Varchar(length=20, null=True, default=None, unique=True)
    wilayah = ForeignKey(references=Wilayah, on_delete=OnDelete.restrict, null=False)
    address = Varchar(length=500, default="")
    business_unit = Varchar(length=200, default="")
    cohort_year = Integer(null=True, default=None)
    track = Varchar(length=16, null=True, default=None)
    whatsapp = Varchar(length=16, default="")
    contact_person = Varchar(length=120, default="")
    description = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Buyer(Table, tablename="buyer"):
    """A buying organisation: retailer, distributor, hotel, exporter, state company, ..."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    name = Varchar(length=200, index=True)
    buyer_type = Varchar(length=32)
    city = Varchar(length=120, default="")
    province = Varchar(length=120, default="")
    whatsapp = Varchar(length=16, default="")
    contact_person = Varchar(length=120, default="")
    email = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Product(Table, tablename="product"):
    """A product a pesantren sells; price in integer rupiah, quantities as exact decimal text."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    pesantren = ForeignKey(references=Pesantren, on_delete=OnDelete.restrict, null=False)
    name = Varchar(length=200, index=True)
    category = Varchar(length=32)
    unit = Varchar(length=32)
    price_rp = BigInt()
    min_order = Varchar(length=24, default="1")
    monthly_capacity = Varchar(length=24, null=True, default=None)
    description = Text(default="")
    cert_halal = Boolean(default=False)
    cert_bpom = Boolean(default=False)
    cert_pirt = Boolean(default=False)
    cert_sni = Boolean(default=False)
    cert_hki = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ImportBatch(Table, tablename="import_batch"):
    """One Dinas workbook imported into an event: which content, when, by whom and what it made. An import of
    the same content into the same event is refused unless forced (then it is recorded again, `forced`).

    `event_id` and `actor_id` are plain integers, not foreign keys: the catalog's migrations run before those
    of events and accounts (which depend on catalog), so they cannot reference `event` or `app_user`."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    event_id = Integer()
    content_sha256 = Varchar(length=64)  # the parsed rows, row numbers left out: a re-saved copy is the same
    file_sha256 = Varchar(length=64)  # the bytes, for audit
    filename = Varchar(length=100)
    actor_id = Integer(null=True, default=None)
    actor_label = Varchar(length=200, default="")
    created_pesantren = Integer(default=0)
    created_buyers = Integer(default=0)
    created_products = Integer(default=0)
    created_registrations = Integer(default=0)
    created_deals = Integer(default=0)
    forced = Boolean(default=False)
    imported_at = Timestamptz(default=TimestamptzNow())
