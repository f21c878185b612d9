"""JSON API of the catalog: wilayah, pesantren, buyers, products."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import JSONBody, QueryParameter

from opop_events.api import (
    AUTH_READ,
    PUBLIC,
    READ,
    WRITE,
    CurrentActor,
    IdPath,
    PageParam,
    PerPageParam,
    SearchParam,
)
from opop_events.catalog import schemas, services
from opop_events.catalog.enums import BuyerType, Category, Certification, Track
from opop_events.core.i18n import N_
from opop_events.core.pagination import Page
from opop_events.core.types import MAX_YEAR, MIN_YEAR

WilayahParam = Annotated[str | None, QueryParameter(pattern=r"^32\d{2}$", description=N_("Kode BPS kab/kota"))]


class WilayahController(Controller):
    path = "/api/v1/wilayah"
    tags = ["Katalog"]

    @get("/", operation_id="listWilayah", opt=PUBLIC, summary=N_("27 kabupaten/kota Jawa Barat"), responses=READ)
    async def list_wilayah(self) -> list[schemas.Wilayah]:
        return await services.list_wilayah()


class PesantrenController(Controller):
    path = "/api/v1/pesantren"
    tags = ["Katalog"]

    @get("/", operation_id="listPesantren", opt=PUBLIC, summary=N_("Daftar pesantren (publik)"), responses=READ)
    async def list_pesantren(
        self,
        q: SearchParam = None,
        wilayah_code: WilayahParam = None,
        track: Annotated[Track | None, QueryParameter()] = None,
        cohort_year: Annotated[int | None, QueryParameter(ge=MIN_YEAR, le=MAX_YEAR)] = None,
        page: PageParam = 1,
        per_page: PerPageParam = 50,
    ) -> Page[schemas.Pesantren]:
        return await services.list_pesantren(
            q=q, wilayah_code=wilayah_code, track=track, cohort_year=cohort_year, page=page, per_page=per_page
        )

    @get("/{pesantren_id:int}", operation_id="getPesantren", opt=PUBLIC, summary=N_("Satu pesantren"), responses=READ)
    async def get_pesantren(self, pesantren_id: IdPath) -> schemas.Pesantren:
        return await services.get_pesantren(pesantren_id=pesantren_id)

    @post("/", operation_id="createPesantren", summary=N_("Daftarkan pesantren (admin, penyelenggara)"), responses=WRITE)
    async def create_pesantren(
        self, actor: CurrentActor, data: JSONBody[schemas.PesantrenCreate]
    ) -> schemas.Pesantren:
        return await services.create_pesantren(actor=actor, data=data)

    @patch("/{pesantren_id:int}", operation_id="updatePesantren", summary=N_("Ubah pesantren (admin, pemilik)"), responses=WRITE)
    async def update_pesantren(
        self, actor: CurrentActor, pesantren_id: IdPath, data: JSONBody[schemas.PesantrenUpdate]
    ) -> schemas.Pesantren:
        return await services.update_pesantren(actor=actor, pesantren_id=pesantren_id, data=data)


class BuyerController(Controller):
    path = "/api/v1/buyers"
    tags = ["Katalog"]

    @get("/", operation_id="listBuyers", summary=N_("Daftar pembeli (admin, penyelenggara; pembeli: dirinya)"), responses=AUTH_READ)
    async def list_buyers(
        self,
        actor: CurrentActor,
        q: SearchParam = None,
        buyer_type: Annotated[BuyerType | None, QueryParameter()] = None,
        page: PageParam = 1,
        per_page: PerPageParam = 50,
    ) -> Page[schemas.Buyer]:
        return await services.list_buyers(actor=actor, q=q, buyer_type=buyer_type, page=page, per_page=per_page)

    @get("/{buyer_id:int}", operation_id="getBuyer", summary=N_("Satu pembeli"), responses=AUTH_READ)
    async def get_buyer(self, actor: CurrentActor, buyer_id: IdPath) -> schemas.Buyer:
        return await services.get_buyer(actor=actor, buyer_id=buyer_id)

    @post("/", operation_id="createBuyer", summary=N_("Daftarkan pembeli (admin, penyelenggara)"), responses=WRITE)
    async def create_buyer(self, actor: CurrentActor, data: JSONBody[schemas.BuyerCreate]) -> schemas.Buyer:
        return await services.create_buyer(actor=actor, data=data)

    @patch("/{buyer_id:int}", operation_id="updateBuyer", summary=N_("Ubah pembeli (admin, pemilik)"), responses=WRITE)
    async def update_buyer(
        self, actor: CurrentActor, buyer_id: IdPath, data: JSONBody[schemas.BuyerUpdate]
    ) -> schemas.Buyer:
        return await services.update_buyer(actor=actor, buyer_id=buyer_id, data=data)


class ProductController(Controller):
    path = "/api/v1/products"
    tags = ["Katalog"]

    @get("/", operation_id="listProducts", opt=PUBLIC, summary=N_("Katalog produk (publik, pameran online)"), responses=READ)
    async def list_products(
        self,
        q: SearchParam = None,
        category: Annotated[Category | None, QueryParameter()] = None,
        wilayah_code: WilayahParam = None,
        certification: Annotated[Certification | None, QueryParameter()] = None,
        pesantren_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        page: PageParam = 1,
        per_page: PerPageParam = 50,
    ) -> Page[schemas.Product]:
        return await services.list_products(
            q=q,
            category=category,
            wilayah_code=wilayah_code,
            certification=certification,
            pesantren_id=pesantren_id,
            page=page,
            per_page=per_page,
        )

    @get("/{product_id:int}", operation_id="getProduct", opt=PUBLIC, summary=N_("Satu produk"), responses=READ)
    async def get_product(self, product_id: IdPath) -> schemas.Product:
        return await services.get_product(product_id=product_id)

    @post("/", operation_id="createProduct", summary=N_("Tambah produk (admin, penjual pesantren itu)"), responses=WRITE)
    async def create_product(self, actor: CurrentActor, data: JSONBody[schemas.ProductCreate]) -> schemas.Product:
        return await services.create_product(actor=actor, data=data)

    @patch("/{product_id:int}", operation_id="updateProduct", summary=N_("Ubah produk (admin, pemilik)"), responses=WRITE)
    async def update_product(
        self, actor: CurrentActor, product_id: IdPath, data: JSONBody[schemas.ProductUpdate]
    ) -> schemas.Product:
        return await services.update_product(actor=actor, product_id=product_id, data=data)


CONTROLLERS = [WilayahController, PesantrenController, BuyerController, ProductController]
