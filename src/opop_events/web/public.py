"""The public online exhibition (pameran): products and pesantren, searchable, with a WhatsApp contact button."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from opop_events.api import CurrentActor
from opop_events.catalog import services as catalog
from opop_events.catalog.enums import (
    CATEGORY_LABELS,
    CERTIFICATION_LABELS,
    TRACK_LABELS,
    Category,
    Certification,
)
from opop_events.catalog.schemas import Pesantren, Product
from opop_events.core.errors import NotFound
from opop_events.core.i18n import _
from opop_events.core.phone import wa_link
from opop_events.settings import get_settings
from opop_events.web.rendering import page, pager

PER_PAGE = 24
Search = Annotated[str | None, QueryParameter(max_length=100)]
Choice = Annotated[str | None, QueryParameter(max_length=40)]
PageNo = Annotated[int, QueryParameter(ge=1, le=100_000)]


def product_message(product: Product) -> str:
    """The WhatsApp text a buyer sends: names the product, so the pesantren knows what is asked about."""
    url = f"{get_settings().base_url}/produk/{product.id}"
    return _(
        "Assalamu'alaikum, saya tertarik dengan produk {product} dari {pesantren} "
        "yang saya lihat di Pameran Online OPOP Jawa Barat ({url}). Apakah masih tersedia?"
    ).format(product=product.name, pesantren=product.pesantren_name, url=url)


def pesantren_message(pesantren: Pesantren) -> str:
    return (
        f"Assalamu'alaikum, saya melihat {pesantren.name} di Pameran Online OPOP Jawa Barat "
        "dan ingin bertanya tentang produknya."
    )


def _choice(value: str | None, allowed: dict) -> str | None:
    # A hand-edited URL with an unknown filter value shows everything instead of an error page.
    return value if value in {str(k) for k in allowed} else None


async def _wilayah_options() -> list[tuple[str, str]]:
    return [(w.code, w.name) for w in await catalog.list_wilayah()]


@get("/", name="pameran", cache=False, include_in_schema=False)
async def exhibition(
    request: Request,
    actor: CurrentActor,
    q: Search = None,
    kategori: Choice = None,
    wilayah: Choice = None,
    sertifikasi: Choice = None,
    halaman: PageNo = 1,
) -> Template:
    category = _choice(kategori, CATEGORY_LABELS)
    certification = _choice(sertifikasi, CERTIFICATION_LABELS)
    region = wilayah if wilayah and wilayah.isdigit() and len(wilayah) == 4 else None
    result = await catalog.list_products(
        q=(q or "").strip() or None,
        category=category,
        wilayah_code=region,
        certification=certification,
        page=halaman,
        per_page=PER_PAGE,
    )
    return page(
        "pameran/home.html",
        actor=actor,
        title=_("Pameran Online Produk Pesantren"),
        section="pameran",
        products=result.items,
        pager=pager(request, result),
        filters={
            "q": q or "",
            "kategori": category or "",
            "wilayah": region or "",
            "sertifikasi": certification or "",
        },
        categories=[(c.value, c.label) for c in Category],
        certifications=[(c.value, c.label) for c in Certification],
        regions=await _wilayah_options(),
    )


@get("/produk/{product_id:int}", name="produk", cache=False, include_in_schema=False)
async def product_page(actor: CurrentActor, product_id: FromPath[int]) -> Template:
    product = await catalog.get_product(product_id=product_id)
    if not product.active:
        raise NotFound(_("Produk {number} tidak ditampilkan.").format(number=product_id))
    pesantren = await catalog.get_pesantren(pesantren_id=product.pesantren_id)
    return page(
        "pameran/product.html",
        actor=actor,
        title=product.name,
        section="pameran",
        product=product,
        pesantren=pesantren,
        wa_url=wa_link(pesantren.whatsapp, product_message(product)) if pesantren.whatsapp else None,
    )


@get("/pesantren", name="pesantren-list", cache=False, include_in_schema=False)
async def pesantren_list(
    request: Request,
    actor: CurrentActor,
    q: Search = None,
    wilayah: Choice = None,
    halaman: PageNo = 1,
) -> Template:
    region = wilayah if wilayah and wilayah.isdigit() and len(wilayah) == 4 else None
    result = await catalog.list_pesantren(
        q=(q or "").strip() or None, wilayah_code=region, page=halaman, per_page=PER_PAGE
    )
    return page(
        "pameran/pesantren_list.html",
        actor=actor,
        title=_("Daftar Pesantren"),
        section="pesantren",
        items=result.items,
        pager=pager(request, result),
        filters={"q": q or "", "wilayah": region or ""},
        regions=await _wilayah_options(),
    )


@get("/pesantren/{pesantren_id:int}", name="pesantren", cache=False, include_in_schema=False)
async def pesantren_page(
    request: Request, actor: CurrentActor, pesantren_id: FromPath[int], halaman: PageNo = 1
) -> Template:
    pesantren = await catalog.get_pesantren(pesantren_id=pesantren_id)
    products = await catalog.list_products(pesantren_id=pesantren_id, page=halaman, per_page=PER_PAGE)
    return page(
        "pameran/pesantren.html",
        actor=actor,
        title=pesantren.name,
        section="pesantren",
        pesantren=pesantren,
        track_label=TRACK_LABELS.get(pesantren.track) if pesantren.track else None,
        products=products.items,
        pager=pager(request, products),
        wa_url=wa_link(pesantren.whatsapp, pesantren_message(pesantren)) if pesantren.whatsapp else None,
    )


HANDLERS = [exhibition, product_page, pesantren_list, pesantren_page]
