"""Pages of a pesantren (seller): its profile and its products, through the catalog services."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_role
from opop_events.api import CurrentActor
from opop_events.catalog import schemas
from opop_events.catalog import services as catalog
from opop_events.catalog.enums import TRACK_LABELS, Category, Certification
from opop_events.core.errors import Conflict, Forbidden, InvalidInput
from opop_events.core.i18n import _
from opop_events.core.money import format_quantity
from opop_events.web.forms import (
    FormValues,
    field_errors,
    missing,
    quantity_text,
    raise_all,
    read_form,
    required,
    rupiah_field,
    to_struct,
)
from opop_events.web.rendering import page

Flag = Annotated[str | None, QueryParameter(max_length=4)]
PESANTREN_FIELDS = {
    "name", "wilayah_code", "address", "business_unit", "nspp", "cohort_year", "track", "whatsapp",
    "contact_person", "description",
}  # fmt: skip
PRODUCT_FIELDS = {
    "name", "category", "unit", "price_rp", "min_order", "monthly_capacity", "certifications", "description",
    "active",
}  # fmt: skip


def _seller(actor: Actor | None) -> Actor:
    actor = require_role(actor, Role.seller)
    if actor.pesantren_id is None:  # create_user forbids it; kept for clarity of the type
        raise Forbidden(_("Akun ini tidak terhubung ke pesantren."))
    return actor


async def _choices() -> dict[str, Any]:
    return {
        "categories": [(c.value, c.label) for c in Category],
        "certifications": [(c.value, c.label) for c in Certification],
        "regions": [(w.code, w.name) for w in await catalog.list_wilayah()],
        "tracks": [(t.value, label) for t, label in TRACK_LABELS.items()],
    }


@get("/kelola", name="kelola", cache=False, include_in_schema=False)
async def seller_home(actor: CurrentActor, tersimpan: Flag = None) -> Template:
    actor = _seller(actor)
    pesantren = await catalog.get_pesantren(pesantren_id=actor.pesantren_id)
    products = await catalog.list_products(
        pesantren_id=actor.pesantren_id, include_inactive=True, per_page=200
    )
    return page(
        "kelola/home.html",
        actor=actor,
        title=pesantren.name,
        section="kelola",
        pesantren=pesantren,
        products=products.items,
        total=products.total,
        notice=_("Perubahan tersimpan.") if tersimpan else "",
    )


# -- profile ------------------------------------------------------------------------------------------------


def _pesantren_values(p: schemas.Pesantren) -> dict[str, Any]:
    return {
        "name": p.name, "wilayah_code": p.wilayah_code, "address": p.address, "business_unit": p.business_unit,
        "nspp": p.nspp or "", "cohort_year": p.cohort_year or "", "track": str(p.track) if p.track else "",
        "whatsapp": p.whatsapp, "contact_person": p.contact_person, "description": p.description,
    }  # fmt: skip


@get("/kelola/pesantren", name="kelola-pesantren", cache=False, include_in_schema=False)
async def pesantren_form(actor: CurrentActor) -> Template:
    actor = _seller(actor)
    pesantren = await catalog.get_pesantren(pesantren_id=actor.pesantren_id)
    return page(
        "kelola/pesantren_form.html",
        actor=actor,
        title=_("Ubah profil pesantren"),
        section="kelola",
        values=_pesantren_values(pesantren),
        **await _choices(),
    )


@post(
    "/kelola/pesantren", name="kelola-pesantren-kirim", cache=False, include_in_schema=False, status_code=303
)
async def pesantren_save(request: Request, actor: CurrentActor) -> Redirect | Template:
    actor = _seller(actor)
    values = await read_form(request)
    try:
        required(values, "name", "wilayah_code")
        data = to_struct(
            {
                "name": values.text("name"),
                "wilayah_code": values.text("wilayah_code"),
                "address": values.text("address"),
                "business_unit": values.text("business_unit"),
                "nspp": values.optional("nspp"),
                "cohort_year": values.optional("cohort_year"),
                "track": values.optional("track"),
                "whatsapp": values.text("whatsapp"),
                "contact_person": values.text("contact_person"),
                "description": str(values.get("description", "")).strip(),
            },
            schemas.PesantrenUpdate,
        )
        await catalog.update_pesantren(actor=actor, pesantren_id=actor.pesantren_id, data=data)
    except (InvalidInput, Conflict) as exc:
        return page(
            "kelola/pesantren_form.html",
            actor=actor,
            title=_("Ubah profil pesantren"),
            section="kelola",
            status_code=exc.status,
            values=values,
            errors=field_errors(exc, known=PESANTREN_FIELDS),
            **await _choices(),
        )
    return Redirect("/kelola?tersimpan=1", status_code=303)


# -- products -----------------------------------------------------------------------------------------------


def _product_data(values: FormValues, *, creating: bool) -> dict[str, Any]:
    # Every problem the page can see by itself is reported at once, not one per submit.
    errors = missing(values, "name", "category", "unit")
    price = None
    try:
        price = rupiah_field(values, "price_rp")
    except InvalidInput as exc:
        errors += exc.errors
    raise_all(errors)
    data: dict[str, Any] = {
        "name": values.text("name"),
        "category": values.text("category"),
        "unit": values.text("unit"),
        "price_rp": price,
        "min_order": quantity_text(values, "min_order") or "1",
        "monthly_capacity": quantity_text(values, "monthly_capacity"),
        "certifications": list(values.get("certifications", [])),
        "description": str(values.get("description", "")).strip(),
    }
    if not creating:
        data["active"] = values.get("active") == "1"
    return data


def _product_values(product: schemas.Product) -> dict[str, Any]:
    return {
        "name": product.name,
        "category": str(product.category),
        "unit": product.unit,
        "price_rp": f"{product.price_rp:,}".replace(",", "."),
        "min_order": format_quantity(product.min_order),
        "monthly_capacity": format_quantity(product.monthly_capacity) if product.monthly_capacity else "",
        "certifications": [str(c) for c in product.certifications],
        "description": product.description,
        "active": "1" if product.active else "",
    }


@get("/kelola/produk/baru", name="produk-baru", cache=False, include_in_schema=False)
async def product_new(actor: CurrentActor) -> Template:
    actor = _seller(actor)
    return page(
        "kelola/product_form.html",
        actor=actor,
        title=_("Tambah produk"),
        section="kelola",
        product=None,
        values={"min_order": "1", "certifications": [], "unit": "pcs"},
        **await _choices(),
    )


@post("/kelola/produk/baru", name="produk-baru-kirim", cache=False, include_in_schema=False, status_code=303)
async def product_create(request: Request, actor: CurrentActor) -> Redirect | Template:
    actor = _seller(actor)
    values = await read_form(request, lists=("certifications",))
    try:
        data = _product_data(values, creating=True)
        product = await catalog.create_product(
            actor=actor, data=to_struct({**data, "pesantren_id": actor.pesantren_id}, schemas.ProductCreate)
        )
    except InvalidInput as exc:
        return page(
            "kelola/product_form.html",
            actor=actor,
            title=_("Tambah produk"),
            section="kelola",
            status_code=422,
            product=None,
            values=values,
            errors=field_errors(exc, known=PRODUCT_FIELDS),
            **await _choices(),
        )
    return Redirect(f"/kelola?tersimpan=1#produk-{product.id}", status_code=303)


async def _own_product(actor: Actor, product_id: int) -> schemas.Product:
    product = await catalog.get_product(product_id=product_id)
    if product.pesantren_id != actor.pesantren_id:
        raise Forbidden(_("Anda hanya boleh mengubah produk pesantren Anda sendiri."))
    return product


@get("/kelola/produk/{product_id:int}", name="produk-ubah", cache=False, include_in_schema=False)
async def product_edit(actor: CurrentActor, product_id: FromPath[int]) -> Template:
    actor = _seller(actor)
    product = await _own_product(actor, product_id)
    return page(
        "kelola/product_form.html",
        actor=actor,
        title=_("Ubah produk: {name}").format(name=product.name),
        section="kelola",
        product=product,
        values=_product_values(product),
        **await _choices(),
    )


@post(
    "/kelola/produk/{product_id:int}",
    name="produk-ubah-kirim",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def product_update(
    request: Request, actor: CurrentActor, product_id: FromPath[int]
) -> Redirect | Template:
    actor = _seller(actor)
    values = await read_form(request, lists=("certifications",))
    try:
        data = to_struct(_product_data(values, creating=False), schemas.ProductUpdate)
        # The service checks ownership itself; a seller posting another pesantren's product gets Forbidden.
        await catalog.update_product(actor=actor, product_id=product_id, data=data)
    except InvalidInput as exc:
        product = await _own_product(actor, product_id)
        return page(
            "kelola/product_form.html",
            actor=actor,
            title=_("Ubah produk: {name}").format(name=product.name),
            section="kelola",
            status_code=422,
            product=product,
            values=values,
            errors=field_errors(exc, known=PRODUCT_FIELDS),
            **await _choices(),
        )
    return Redirect(f"/kelola?tersimpan=1#produk-{product_id}", status_code=303)


HANDLERS = [
    seller_home, pesantren_form, pesantren_save, product_new, product_create, product_edit, product_update,
]  # fmt: skip
