"""Catalog rules: who may list, create and change pesantren, buyers and products, and how input is cleaned."""

from __future__ import annotations

from typing import Any

from opop_events.catalog import schemas
from opop_events.catalog.enums import (
    BUYER_TYPE_LABELS,
    CATEGORY_LABELS,
    BuyerType,
    Category,
    Certification,
    Track,
)
from opop_events.catalog.tables import Buyer, Pesantren, Product, Wilayah
from opop_events.core.actor import Actor, Role, require_actor, require_role
from opop_events.core.dates import now_utc
from opop_events.core.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from opop_events.core.i18n import _
from opop_events.core.money import MoneyError, parse_quantity, quantity_to_text
from opop_events.core.pagination import Page, paginate
from opop_events.core.phone import PhoneError, normalize_whatsapp
from opop_events.db import contains, present, write_transaction

CERT_COLUMNS = {
    Certification.halal: Product.cert_halal,
    Certification.bpom: Product.cert_bpom,
    Certification.pirt: Product.cert_pirt,
    Certification.sni: Product.cert_sni,
    Certification.hki: Product.cert_hki,
}


# -- wilayah ------------------------------------------------------------------------------------------------


async def list_wilayah() -> list[schemas.Wilayah]:
    rows = await Wilayah.select().order_by(Wilayah.code)
    return [schemas.Wilayah(**row) for row in rows]


async def wilayah_id(code: str, *, field: str = "wilayah_code") -> int:
    row = await Wilayah.select(Wilayah.id).where(Wilayah.code == code).first()
    if row is None:
        raise InvalidInput.field(field, _("kode kabupaten/kota '{code}' tidak dikenal").format(code=code))
    return int(row["id"])


def clean_whatsapp(value: str | None, *, field: str = "whatsapp") -> str | None:
    if value is None:
        return None
    if not value.strip():
        return ""
    try:
        return normalize_whatsapp(value)
    except PhoneError as exc:
        raise InvalidInput.field(field, str(exc)) from exc


def clean_quantity(value: str | None, *, field: str) -> str | None:
    if value is None:
        return None
    try:
        return quantity_to_text(parse_quantity(value))
    except MoneyError as exc:
        raise InvalidInput.field(field, str(exc)) from exc


# -- pesantren ----------------------------------------------------------------------------------------------

_PESANTREN_COLUMNS = (
    *Pesantren.all_columns(exclude=[Pesantren.wilayah]),
    Pesantren.wilayah.as_alias("wilayah_id"),
    Pesantren.wilayah.code.as_alias("wilayah_code"),
    Pesantren.wilayah.name.as_alias("wilayah_name"),
)


def _pesantren(row: dict[str, Any]) -> schemas.Pesantren:
    # msgspec.Struct() does not convert: the stored text must become the enum the schema declares
    return schemas.Pesantren(**{**row, "track": Track(row["track"]) if row["track"] else None})


async def list_pesantren(
    *,
    q: str | None = None,
    wilayah_code: str | None = None,
    track: str | None = None,
    cohort_year: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[schemas.Pesantren]:
    """Pesantren are public (the online exhibition shows them)."""
    where = []
    if q:
        where.append(contains(Pesantren.name, q))
    if wilayah_code:
        where.append(Pesantren.wilayah.code == wilayah_code)
    if track:
        where.append(Pesantren.track == track)
    if cohort_year:
        where.append(Pesantren.cohort_year == cohort_year)
    query = Pesantren.select(*_PESANTREN_COLUMNS).order_by(Pesantren.name).order_by(Pesantren.id)
    return await paginate(query, Pesantren.count(), where, _pesantren, page=page, per_page=per_page)


async def get_pesantren(*, pesantren_id: int) -> schemas.Pesantren:
    row = await Pesantren.select(*_PESANTREN_COLUMNS).where(Pesantren.id == pesantren_id).first()
    if row is None:
        raise NotFound(_("Pesantren {number} tidak ditemukan.").format(number=pesantren_id))
    return _pesantren(row)


async def pesantren_region(pesantren_id: int) -> tuple[str, str, str] | None:
    """(name, wilayah code, wilayah name) of the pesantren, or None when there is none. Reads only."""
    row = await Pesantren.select(
        Pesantren.name, Pesantren.wilayah.code.as_alias("wilayah_code"), Pesantren.wilayah.name.as_alias("wilayah_name")
    ).where(Pesantren.id == pesantren_id).first()
    return (row["name"], row["wilayah_code"], row["wilayah_name"]) if row else None


async def buyer_summary(buyer_id: int) -> tuple[str, str] | None:
    """(name, buyer type) of the buyer, or None when there is none. Reads only."""
    row = await Buyer.select(Buyer.name, Buyer.buyer_type).where(Buyer.id == buyer_id).first()
    return (row["name"], row["buyer_type"]) if row else None


async def _check_nspp_free(nspp: str | None, *, except_id: int | None = None) -> None:
    if not nspp:
        return
    query = Pesantren.exists().where(Pesantren.nspp == nspp)
    if except_id is not None:
        query = query.where(Pesantren.id != except_id)
    if await query:
        raise Conflict(
            _("NSPP {nspp} sudah dipakai pesantren lain.").format(nspp=nspp),
            errors=[FieldError(field="nspp", message=_("NSPP sudah terdaftar"))],
        )


async def create_pesantren(*, actor: Actor | None, data: schemas.PesantrenCreate) -> schemas.Pesantren:
    """Admin and organizers register pesantren."""
    require_role(actor, Role.admin, Role.organizer)
    values = {
        Pesantren.name: data.name.strip(),
        Pesantren.wilayah: await wilayah_id(data.wilayah_code),
        Pesantren.address: data.address.strip(),
        Pesantren.business_unit: data.business_unit.strip(),
        Pesantren.nspp: data.nspp or None,
        Pesantren.cohort_year: data.cohort_year,
        Pesantren.track: data.track.value if data.track else None,
        Pesantren.whatsapp: clean_whatsapp(data.whatsapp),
        Pesantren.contact_person: data.contact_person.strip(),
        Pesantren.description: data.description,
    }
    async with write_transaction():
        await _check_nspp_free(data.nspp)
        row = Pesantren(**{c._meta.name: v for c, v in values.items()})  # type: ignore[arg-type]
        rows = await Pesantren.insert(row).returning(Pesantren.id)
    return await get_pesantren(pesantren_id=rows[0]["id"])


def _check_pesantren_owner(actor: Actor | None, pesantren_id: int) -> Actor:
    actor = require_actor(actor)
    if actor.is_admin or (actor.role is Role.seller and actor.pesantren_id == pesantren_id):
        return actor
    raise Forbidden(_("Anda hanya boleh mengubah data pesantren Anda sendiri."))


async def update_pesantren(
    *, actor: Actor | None, pesantren_id: int, data: schemas.PesantrenUpdate
) -> schemas.Pesantren:
    """Admin, or the seller of this pesantren."""
    _check_pesantren_owner(actor, pesantren_id)
    await get_pesantren(pesantren_id=pesantren_id)
    values: dict[Any, Any] = {}
    for name in ("name", "address", "business_unit", "contact_person", "description", "cohort_year"):
        value = getattr(data, name)
        if value is not None:
            values[getattr(Pesantren, name)] = value.strip() if isinstance(value, str) else value
    if data.wilayah_code is not None:
        new_wilayah = await wilayah_id(data.wilayah_code)
        current = present(await Pesantren.select(Pesantren.wilayah).where(Pesantren.id == pesantren_id).first())
        if new_wilayah != current["wilayah"] and not (actor and actor.is_admin):
            # the kabupaten/kota sorts the official figures per region: Dinas decides it, not one party
            raise Forbidden(_("Kabupaten/kota pesantren menentukan angka resmi per wilayah; hanya staf Dinas yang "
                              "boleh mengubahnya."))
        values[Pesantren.wilayah] = new_wilayah
    if data.track is not None:
        values[Pesantren.track] = data.track.value
    if data.whatsapp is not None:
        values[Pesantren.whatsapp] = clean_whatsapp(data.whatsapp)
    if data.nspp is not None:
        values[Pesantren.nspp] = data.nspp
    if values:
        values[Pesantren.updated_at] = now_utc()
        async with write_transaction():
            await _check_nspp_free(data.nspp, except_id=pesantren_id)
            await Pesantren.update(values).where(Pesantren.id == pesantren_id)
    return await get_pesantren(pesantren_id=pesantren_id)


# -- buyers -------------------------------------------------------------------------------------------------


def _buyer(row: dict[str, Any]) -> schemas.Buyer:
    buyer_type = BuyerType(row["buyer_type"])
    return schemas.Buyer(**{**row, "buyer_type": buyer_type}, buyer_type_label=BUYER_TYPE_LABELS[buyer_type])


async def list_buyers(
    *,
    actor: Actor | None,
    q: str | None = None,
    buyer_type: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[schemas.Buyer]:
    """Buyers' contact details are not public: admin and organizers see all, a buyer only itself."""
    actor = require_role(actor, Role.admin, Role.organizer, Role.buyer)
    where = []
    if actor.role is Role.buyer:
        where.append(Buyer.id == actor.buyer_id)
    if q:
        where.append(contains(Buyer.name, q))
    if buyer_type:
        where.append(Buyer.buyer_type == buyer_type)
    query = Buyer.select().order_by(Buyer.name).order_by(Buyer.id)
    return await paginate(query, Buyer.count(), where, _buyer, page=page, per_page=per_page)


async def get_buyer(*, actor: Actor | None, buyer_id: int) -> schemas.Buyer:
    actor = require_role(actor, Role.admin, Role.organizer, Role.buyer)
    if actor.role is Role.buyer and actor.buyer_id != buyer_id:
        raise Forbidden(_("Anda hanya boleh melihat data pembeli Anda sendiri."))
    row = await Buyer.select().where(Buyer.id == buyer_id).first()
    if row is None:
        raise NotFound(_("Pembeli {number} tidak ditemukan.").format(number=buyer_id))
    return _buyer(row)


async def create_buyer(*, actor: Actor | None, data: schemas.BuyerCreate) -> schemas.Buyer:
    actor = require_role(actor, Role.admin, Role.organizer)
    email = data.email.strip().lower()
    if email and "@" not in email:
        raise InvalidInput.field("email", _("alamat email tidak sah"))
    async with write_transaction():
        rows = await Buyer.insert(
            Buyer(
                name=data.name.strip(),
                buyer_type=data.buyer_type.value,
                city=data.city.strip(),
                province=data.province.strip(),
                whatsapp=clean_whatsapp(data.whatsapp),
                contact_person=data.contact_person.strip(),
                email=email,
            )
        ).returning(Buyer.id)
    return await get_buyer(actor=actor, buyer_id=rows[0]["id"])


async def update_buyer(*, actor: Actor | None, buyer_id: int, data: schemas.BuyerUpdate) -> schemas.Buyer:
    """Admin, or a user of this buyer organisation."""
    actor = require_actor(actor)
    if not (actor.is_admin or (actor.role is Role.buyer and actor.buyer_id == buyer_id)):
        raise Forbidden(_("Anda hanya boleh mengubah data pembeli Anda sendiri."))
    await get_buyer(actor=actor, buyer_id=buyer_id)
    values: dict[Any, Any] = {}
    for name in ("name", "city", "province", "contact_person"):
        value = getattr(data, name)
        if value is not None:
            values[getattr(Buyer, name)] = value.strip()
    if data.buyer_type is not None:
        current = present(await Buyer.select(Buyer.buyer_type).where(Buyer.id == buyer_id).first())
        if data.buyer_type.value != current["buyer_type"] and not actor.is_admin:
            # the buyer type sorts the official figures per buyer type: Dinas decides it, not one party
            raise Forbidden(_("Jenis pembeli menentukan angka resmi per jenis pembeli; hanya staf Dinas yang "
                              "boleh mengubahnya."))
        values[Buyer.buyer_type] = data.buyer_type.value
    if data.whatsapp is not None:
        values[Buyer.whatsapp] = clean_whatsapp(data.whatsapp)
    if data.email is not None:
        if data.email and "@" not in data.email:
            raise InvalidInput.field("email", _("alamat email tidak sah"))
        values[Buyer.email] = data.email.strip().lower()
    if values:
        values[Buyer.updated_at] = now_utc()
        async with write_transaction():
            await Buyer.update(values).where(Buyer.id == buyer_id)
    return await get_buyer(actor=actor, buyer_id=buyer_id)


# -- products -----------------------------------------------------------------------------------------------

_PRODUCT_COLUMNS = (
    *Product.all_columns(exclude=[Product.pesantren]),
    Product.pesantren.as_alias("pesantren_id"),
    Product.pesantren.name.as_alias("pesantren_name"),
    Product.pesantren.wilayah.name.as_alias("wilayah_name"),  # type: ignore[union-attr]
)


def _product(row: dict[str, Any]) -> schemas.Product:
    certs = [cert for cert, column in CERT_COLUMNS.items() if row.pop(column._meta.name)]
    row.pop("created_at", None)
    row.pop("updated_at", None)
    category = Category(row["category"])
    return schemas.Product(
        **{**row, "category": category}, certifications=certs, category_label=CATEGORY_LABELS[category]
    )


async def list_products(
    *,
    q: str | None = None,
    category: str | None = None,
    wilayah_code: str | None = None,
    certification: str | None = None,
    pesantren_id: int | None = None,
    pesantren_in: list[int] | None = None,
    include_inactive: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> Page[schemas.Product]:
    """Products are public: the online exhibition (pameran) lists them. `pesantren_in`: only these pesantren's
    (an event's registered sellers, which the events domain names)."""
    where = []
    if not include_inactive:
        where.append(Product.active == True)
    if q:
        where.append(contains(Product.name, q) | contains(Product.pesantren.name, q))
    if category:
        where.append(Product.category == category)
    if wilayah_code:
        where.append(Product.pesantren.wilayah.code == wilayah_code)  # type: ignore[union-attr]
    if certification:
        where.append(CERT_COLUMNS[Certification(certification)] == True)
    if pesantren_id:
        where.append(Product.pesantren == pesantren_id)
    if pesantren_in is not None:
        where.append(Product.pesantren.is_in(pesantren_in or [0]))  # an empty list matches nothing
    query = Product.select(*_PRODUCT_COLUMNS).order_by(Product.name).order_by(Product.id)
    return await paginate(query, Product.count(), where, _product, page=page, per_page=per_page)


async def get_product(*, product_id: int) -> schemas.Product:
    row = await Product.select(*_PRODUCT_COLUMNS).where(Product.id == product_id).first()
    if row is None:
        raise NotFound(_("Produk {number} tidak ditemukan.").format(number=product_id))
    return _product(row)


async def create_product(*, actor: Actor | None, data: schemas.ProductCreate) -> schemas.Product:
    """Admin, or the seller of the pesantren the product belongs to."""
    _check_pesantren_owner(actor, data.pesantren_id)
    if not await Pesantren.exists().where(Pesantren.id == data.pesantren_id):
        raise InvalidInput.field("pesantren_id", _("pesantren {number} tidak ada").format(number=data.pesantren_id))
    product = Product(
        pesantren=data.pesantren_id,
        name=data.name.strip(),
        category=data.category.value,
        unit=data.unit.strip() or "pcs",
        price_rp=data.price_rp,
        min_order=clean_quantity(data.min_order, field="min_order"),
        monthly_capacity=clean_quantity(data.monthly_capacity, field="monthly_capacity"),
        description=data.description,
        **{column._meta.name: cert in data.certifications for cert, column in CERT_COLUMNS.items()},  # type: ignore[arg-type]
    )
    async with write_transaction():
        rows = await Product.insert(product).returning(Product.id)
    return await get_product(product_id=rows[0]["id"])


async def update_product(*, actor: Actor | None, product_id: int, data: schemas.ProductUpdate) -> schemas.Product:
    current = await get_product(product_id=product_id)
    _check_pesantren_owner(actor, current.pesantren_id)
    values: dict[Any, Any] = {}
    for name in ("name", "unit", "description"):
        value = getattr(data, name)
        if value is not None:
            values[getattr(Product, name)] = value.strip() if name != "description" else value
    if data.category is not None:
        values[Product.category] = data.category.value
    if data.price_rp is not None:
        values[Product.price_rp] = data.price_rp
    if data.active is not None:
        values[Product.active] = data.active
    if data.min_order is not None:
        values[Product.min_order] = clean_quantity(data.min_order, field="min_order")
    if data.monthly_capacity is not None:
        values[Product.monthly_capacity] = clean_quantity(data.monthly_capacity, field="monthly_capacity")
    if data.certifications is not None:
        for cert, column in CERT_COLUMNS.items():
            values[column] = cert in data.certifications
    if values:
        values[Product.updated_at] = now_utc()
        async with write_transaction():
            await Product.update(values).where(Product.id == product_id)
    return await get_product(product_id=product_id)
