"""Catalog API: the role/ownership matrix, validation errors as problem+json, filters and pagination."""

from __future__ import annotations

import pytest

from opop_events.catalog.enums import Certification, Track
from opop_events.core.errors import PROBLEM_MEDIA_TYPE
from tests.factories import auth, make_account, make_buyer, make_pesantren, make_product

ROLES = ("admin", "organizer", "seller_own", "seller_other", "buyer_own", "buyer_other", "anonymous")


async def _world() -> dict:
    """One pesantren with one product and one buyer organisation, and an account for every role; `_own`
    accounts belong to that pesantren or buyer, `_other` accounts to another one."""
    pesantren = await make_pesantren(name="Pesantren Sasaran")
    product = await make_product(pesantren_id=pesantren["id"], name="Produk Sasaran")
    buyer = await make_buyer(name="Pembeli Sasaran")
    accounts = {
        "admin": await make_account("admin"),
        "organizer": await make_account("organizer"),
        "seller_own": await make_account("seller", pesantren_id=pesantren["id"]),
        "seller_other": await make_account("seller"),
        "buyer_own": await make_account("buyer", buyer_id=buyer["id"]),
        "buyer_other": await make_account("buyer"),
        "anonymous": None,
    }
    return {"pesantren": pesantren, "product": product, "buyer": buyer, "accounts": accounts}


def _request(world: dict, resource: str, action: str) -> tuple[str, str, dict | None]:
    pesantren_id, product_id, buyer_id = world["pesantren"]["id"], world["product"]["id"], world["buyer"]["id"]
    return {
        ("pesantren", "list"): ("GET", "/api/v1/pesantren", None),
        ("pesantren", "get"): ("GET", f"/api/v1/pesantren/{pesantren_id}", None),
        ("pesantren", "create"): ("POST", "/api/v1/pesantren", {"name": "Pesantren Baru", "wilayah_code": "3204"}),
        ("pesantren", "update"): ("PATCH", f"/api/v1/pesantren/{pesantren_id}", {"description": "Diubah"}),
        ("buyers", "list"): ("GET", "/api/v1/buyers", None),
        ("buyers", "get"): ("GET", f"/api/v1/buyers/{buyer_id}", None),
        ("buyers", "create"): ("POST", "/api/v1/buyers", {"name": "Pembeli Baru", "buyer_type": "horeka"}),
        ("buyers", "update"): ("PATCH", f"/api/v1/buyers/{buyer_id}", {"city": "Kota Bogor"}),
        ("products", "list"): ("GET", "/api/v1/products", None),
        ("products", "get"): ("GET", f"/api/v1/products/{product_id}", None),
        ("products", "create"): (
            "POST", "/api/v1/products",
            {"pesantren_id": pesantren_id, "name": "Kopi Baru", "category": "minuman", "unit": "kg", "price_rp": 90000},
        ),
        ("products", "update"): ("PATCH", f"/api/v1/products/{product_id}", {"price_rp": 30000}),
    }[(resource, action)]


# expected status per role, in the order of ROLES:
#            admin organizer seller_own seller_other buyer_own buyer_other anonymous
MATRIX = {
    ("pesantren", "list"):   (200, 200, 200, 200, 200, 200, 200),
    ("pesantren", "get"):    (200, 200, 200, 200, 200, 200, 200),
    ("pesantren", "create"): (201, 201, 403, 403, 403, 403, 401),
    ("pesantren", "update"): (200, 403, 200, 403, 403, 403, 401),
    ("buyers", "list"):      (200, 200, 403, 403, 200, 200, 401),
    ("buyers", "get"):       (200, 200, 403, 403, 200, 403, 401),
    ("buyers", "create"):    (201, 201, 403, 403, 403, 403, 401),
    ("buyers", "update"):    (200, 403, 403, 403, 200, 403, 401),
    ("products", "list"):    (200, 200, 200, 200, 200, 200, 200),
    ("products", "get"):     (200, 200, 200, 200, 200, 200, 200),
    ("products", "create"):  (201, 403, 201, 403, 403, 403, 401),
    ("products", "update"):  (200, 403, 200, 403, 403, 403, 401),
}  # fmt: skip


@pytest.mark.parametrize(("resource", "action"), list(MATRIX), ids=[f"{r}-{a}" for r, a in MATRIX])
async def test_catalog_ownership_matrix(client, resource, action):
    """Each role tried against the same rows; one world per (resource, action) keeps the suite fast."""
    world = await _world()
    method, url, body = _request(world, resource, action)

    statuses, problems = {}, set()
    for role in ROLES:
        response = await client.request(method, url, json=body, headers=auth(world["accounts"][role]))
        statuses[role] = response.status_code
        if response.status_code >= 400:
            problems.add((response.headers["content-type"].split(";")[0], response.json()["status"] == response.status_code))

    assert statuses == dict(zip(ROLES, MATRIX[(resource, action)], strict=True))
    assert problems <= {(PROBLEM_MEDIA_TYPE, True)}


async def test_buyer_list_shows_a_buyer_only_itself(client):
    world = await _world()
    account = world["accounts"]["buyer_own"]

    response = await client.get("/api/v1/buyers", headers=account.headers)

    body = response.json()
    assert (body["total"], [b["id"] for b in body["items"]]) == (1, [world["buyer"]["id"]])


async def test_buyer_contact_data_is_not_public(client):
    buyer = await make_buyer(whatsapp="081234567890", email="beli@toko.test", contact_person="Bu Ani")
    seller = await make_account("seller")

    anonymous = await client.get(f"/api/v1/buyers/{buyer['id']}")
    as_seller = await client.get(f"/api/v1/buyers/{buyer['id']}", headers=seller.headers)

    assert (anonymous.status_code, as_seller.status_code) == (401, 403)
    assert "beli@toko.test" not in anonymous.text + as_seller.text


async def test_create_product_returns_whole_product(client):
    seller = await make_account("seller")
    body = {
        "pesantren_id": seller.actor.pesantren_id, "name": "  Kopi Arabika Priangan ", "category": "minuman",
        "unit": "kg", "price_rp": 10**15, "min_order": "2,5", "monthly_capacity": "1000",
        "certifications": ["halal", "pirt"], "description": "Kopi dari lereng gunung",
    }

    response = await client.post("/api/v1/products", json=body, headers=seller.headers)

    assert response.status_code == 201, response.text
    created = response.json()
    pesantren = (await client.get(f"/api/v1/pesantren/{seller.actor.pesantren_id}")).json()
    assert created == {
        "id": created["id"], "pesantren_id": seller.actor.pesantren_id, "pesantren_name": pesantren["name"],
        "wilayah_name": "Kota Bandung", "name": "Kopi Arabika Priangan", "category": "minuman",
        "category_label": created["category_label"], "unit": "kg", "price_rp": 10**15, "min_order": "2.5",
        "monthly_capacity": "1000", "certifications": ["halal", "pirt"], "description": "Kopi dari lereng gunung",
        "active": True,
    }


async def test_create_pesantren_normalises_whatsapp_and_reads_back(client):
    admin = await make_account("admin")

    response = await client.post(
        "/api/v1/pesantren",
        json={"name": "Pesantren Al-Ikhlas", "wilayah_code": "3218", "whatsapp": "0812-3456-7890",
              "nspp": "510032180001", "cohort_year": 2020, "track": "scale_up"},
        headers=admin.headers,
    )

    created = response.json()
    assert response.status_code == 201
    assert (created["wilayah_code"], created["wilayah_name"], created["whatsapp"], created["track"]) == (
        "3218", "Kabupaten Pangandaran", "6281234567890", "scale_up",
    )
    assert (await client.get(f"/api/v1/pesantren/{created['id']}")).json() == created


async def test_create_pesantren_duplicate_nspp_is_409(client):
    admin = await make_account("admin")
    await make_pesantren(nspp="510032730001")

    response = await client.post(
        "/api/v1/pesantren", json={"name": "Lain", "wilayah_code": "3273", "nspp": "510032730001"}, headers=admin.headers
    )

    assert response.status_code == 409
    assert response.json()["errors"] == [{"field": "nspp", "message": "NSPP sudah terdaftar"}]


# -- validation ---------------------------------------------------------------------------------------------

PESANTREN_OK = {"name": "Pesantren Uji", "wilayah_code": "3273"}
PRODUCT_OK = {"name": "Keripik", "category": "makanan", "unit": "kg", "price_rp": 25000}


@pytest.mark.parametrize(
    ("url", "body", "status", "field", "message"),
    [
        ("/api/v1/pesantren", {**PESANTREN_OK, "name": "x" * 201}, 422, "name", "paling panjang 200 karakter"),
        ("/api/v1/pesantren", {**PESANTREN_OK, "name": ""}, 422, "name", "paling sedikit 1 karakter"),
        ("/api/v1/pesantren", {"wilayah_code": "3273"}, 422, "name", "wajib diisi"),
        ("/api/v1/pesantren", {**PESANTREN_OK, "wilayah_code": "9999"}, 422, "wilayah_code", "formatnya tidak sesuai"),
        ("/api/v1/pesantren", {**PESANTREN_OK, "wilayah_code": "3299"}, 422, "wilayah_code",
         "kode kabupaten/kota '3299' tidak dikenal"),
        ("/api/v1/pesantren", {**PESANTREN_OK, "whatsapp": "022-2503271"}, 422, "whatsapp",
         "'022-2503271' bukan nomor seluler; WhatsApp memerlukan nomor HP"),
        ("/api/v1/pesantren", {**PESANTREN_OK, "whatsapp": "bukan nomor"}, 422, "whatsapp",
         "'bukan nomor' bukan nomor telepon yang sah"),
        ("/api/v1/pesantren", {**PESANTREN_OK, "whatsapp": "0" * 33}, 422, "whatsapp", "paling panjang 32 karakter"),
        ("/api/v1/pesantren", {**PESANTREN_OK, "owner": "x"}, 422, "owner", "kolom tidak dikenal"),
        ("/api/v1/pesantren", {**PESANTREN_OK, "cohort_year": "tahun"}, 422, "cohort_year",
         "harus berupa bilangan bulat atau null"),
        ("/api/v1/pesantren", {**PESANTREN_OK, "cohort_year": 1900}, 422, "cohort_year", "paling kecil 2018"),
        ("/api/v1/pesantren", {**PESANTREN_OK, "track": "rocket"}, 422, "track",
         "nilai 'rocket' tidak termasuk pilihan"),
        ("/api/v1/pesantren", {**PESANTREN_OK, "nspp": "12ab"}, 422, "nspp", "formatnya tidak sesuai"),
        ("/api/v1/pesantren", {**PESANTREN_OK, "description": "x" * 2001}, 422, "description",
         "paling panjang 2000 karakter"),
        ("/api/v1/pesantren", [PESANTREN_OK], 422, "body", "harus berupa objek"),
        ("/api/v1/pesantren", "teks", 422, "body", "harus berupa objek"),
        ("/api/v1/buyers", {"name": "B", "buyer_type": "raja"}, 422, "buyer_type", "nilai 'raja' tidak termasuk pilihan"),
        ("/api/v1/buyers", {"name": "B", "buyer_type": "horeka", "email": "tanpa-at"}, 422, "email",
         "alamat email tidak sah"),
        ("/api/v1/buyers", {"name": "B", "buyer_type": "horeka", "email": "a@" + "b" * 253}, 422, "email",
         "paling panjang 254 karakter"),
        ("/api/v1/buyers", {"name": "B", "buyer_type": "horeka", "whatsapp": "0812"}, 422, "whatsapp",
         "'0812' bukan nomor telepon yang sah"),
        ("/api/v1/products", {**PRODUCT_OK, "price_rp": -1}, 422, "price_rp", "paling kecil 0"),
        ("/api/v1/products", {**PRODUCT_OK, "price_rp": 10**15 + 1}, 422, "price_rp", "paling besar 1000000000000000"),
        ("/api/v1/products", {**PRODUCT_OK, "price_rp": 2**64}, 422, "price_rp", "paling besar 1000000000000000"),
        ("/api/v1/products", {**PRODUCT_OK, "price_rp": 25000.5}, 422, "price_rp", "harus berupa bilangan bulat"),
        # Litestar alone would convert the text "25.000" to Rp25; api.strict_body refuses it.
        ("/api/v1/products", {**PRODUCT_OK, "price_rp": "25.000"}, 422, "price_rp", "harus berupa bilangan bulat"),
        ("/api/v1/products", {**PRODUCT_OK, "price_rp": None}, 422, "price_rp", "harus berupa bilangan bulat"),
        ("/api/v1/products", {**PRODUCT_OK, "price_rp": True}, 422, "price_rp", "harus berupa bilangan bulat"),
        ("/api/v1/products", {**PRODUCT_OK, "min_order": "0"}, 422, "min_order", "jumlah harus lebih dari nol"),
        ("/api/v1/products", {**PRODUCT_OK, "min_order": "1.500,5"}, 422, "min_order", "formatnya tidak sesuai"),
        ("/api/v1/products", {**PRODUCT_OK, "category": "senjata"}, 422, "category",
         "nilai 'senjata' tidak termasuk pilihan"),
        ("/api/v1/products", {**PRODUCT_OK, "certifications": ["iso"]}, 422, "certifications[0]",
         "nilai 'iso' tidak termasuk pilihan"),
        ("/api/v1/products", {**PRODUCT_OK, "pesantren_id": 0}, 422, "pesantren_id", "paling kecil 1"),
        ("/api/v1/products", {**PRODUCT_OK, "unit": "u" * 121}, 422, "unit", "paling panjang 120 karakter"),
    ],
)
async def test_create_invalid_input_is_problem_with_field(client, url, body, status, field, message):
    admin = await make_account("admin")
    if url == "/api/v1/products" and isinstance(body, dict):
        body = {"pesantren_id": (await make_pesantren())["id"], **body}

    response = await client.post(url, json=body, headers=admin.headers)

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    problem = response.json()
    assert problem["errors"] == [{"field": field, "message": message}]
    assert (problem["status"], problem["detail"]) == (status, f"{field}: {message}")


async def test_create_product_for_missing_pesantren_is_422(client):
    admin = await make_account("admin")

    response = await client.post("/api/v1/products", json={"pesantren_id": 999_999, **PRODUCT_OK}, headers=admin.headers)

    assert response.json()["errors"] == [{"field": "pesantren_id", "message": "pesantren 999999 tidak ada"}]


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b'{"name": "x", ', "JSON terpotong"), (b"{nope}", "JSON tidak sah"), (b"\xff\xfe", "JSON tidak sah")],
)
async def test_malformed_json_is_400_problem(client, content, expected):
    admin = await make_account("admin")

    response = await client.post(
        "/api/v1/pesantren", content=content, headers={**admin.headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert [e["message"] for e in response.json()["errors"]] == [expected]


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/pesantren/{p}", {"name": "x" * 201}),
        ("/api/v1/pesantren/{p}", {"wilayah_code": "3299"}),
        ("/api/v1/pesantren/{p}", {"whatsapp": "12"}),
        ("/api/v1/pesantren/{p}", {"id": 5}),
        ("/api/v1/products/{x}", {"price_rp": -5}),
        ("/api/v1/products/{x}", {"price_rp": 10**15 + 1}),
        ("/api/v1/products/{x}", {"monthly_capacity": "2000000000"}),
        ("/api/v1/products/{x}", {"active": "ya"}),
        ("/api/v1/buyers/{b}", {"email": "tanpa-at"}),
        ("/api/v1/buyers/{b}", {"name": ""}),
    ],
)
async def test_update_invalid_input_is_422_and_changes_nothing(client, url, body):
    world = await _world()
    admin = world["accounts"]["admin"]
    url = url.format(p=world["pesantren"]["id"], x=world["product"]["id"], b=world["buyer"]["id"])
    before = (await client.get(url, headers=admin.headers)).json()

    response = await client.patch(url, json=body, headers=admin.headers)

    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == list(body)
    assert (await client.get(url, headers=admin.headers)).json() == before


async def test_update_pesantren_by_own_seller(client):
    world = await _world()
    seller = world["accounts"]["seller_own"]

    response = await client.patch(
        f"/api/v1/pesantren/{world['pesantren']['id']}",
        json={"wilayah_code": "3218", "whatsapp": "+62 812 1111 2222", "contact_person": " Ustadz Ali "},
        headers=seller.headers,
    )

    body = response.json()
    assert (body["wilayah_code"], body["whatsapp"], body["contact_person"]) == ("3218", "6281211112222", "Ustadz Ali")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/pesantren/999999", "/api/v1/products/999999", "/api/v1/pesantren/abc", "/api/v1/tidak-ada",
    ],
)
async def test_missing_resources_are_404_problem(client, url):
    response = await client.get(url)

    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)


@pytest.mark.parametrize("resource", ["pesantren", "products", "buyers"])
@pytest.mark.parametrize("bad_id", ["0", "-1", "99999999999999999999999", str(2**53 + 1)])
async def test_out_of_range_ids_are_422_not_500(client, resource, bad_id):
    admin = await make_account("admin")

    response = await client.get(f"/api/v1/{resource}/{bad_id}", headers=admin.headers)
    patched = await client.patch(f"/api/v1/{resource}/{bad_id}", json={}, headers=admin.headers)

    assert (response.status_code, patched.status_code) == (422, 422), response.text
    assert [e["field"] for e in response.json()["errors"]] == [f"path.{resource.removesuffix('s')}_id"]


async def test_missing_buyer_is_404_for_admin(client):
    admin = await make_account("admin")

    response = await client.get("/api/v1/buyers/999999", headers=admin.headers)

    assert response.json()["detail"] == "Pembeli 999999 tidak ditemukan."


# -- filters and pagination ---------------------------------------------------------------------------------


async def test_pesantren_pagination_boundaries(client):
    for n in range(5):
        await make_pesantren(name=f"Pesantren {n}")

    pages = [(await client.get("/api/v1/pesantren", params={"per_page": 2, "page": p})).json() for p in (1, 2, 3, 4)]

    assert [(p["total"], p["page"], p["per_page"]) for p in pages] == [(5, 1, 2), (5, 2, 2), (5, 3, 2), (5, 4, 2)]
    assert [[i["name"] for i in p["items"]] for p in pages] == [
        ["Pesantren 0", "Pesantren 1"], ["Pesantren 2", "Pesantren 3"], ["Pesantren 4"], [],
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": 201}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": 100_001}, "page"),
        ({"page": "satu"}, "page"),
        ({"q": "x" * 101}, "q"),
        ({"wilayah_code": "9999"}, "wilayah_code"),
        ({"track": "rocket"}, "track"),
        ({"cohort_year": 3000}, "cohort_year"),
    ],
)
async def test_pesantren_list_bad_query_is_422(client, params, field):
    response = await client.get("/api/v1/pesantren", params=params)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert [e["field"].removeprefix("query.") for e in response.json()["errors"]] == [field]


async def test_per_page_200_is_allowed(client):
    response = await client.get("/api/v1/products", params={"per_page": 200})

    assert (response.status_code, response.json()["per_page"]) == (200, 200)


async def test_pesantren_filters(client):
    bandung = await make_pesantren(name="Darul Falah Bandung", wilayah_code="3273", track=Track.start_up, cohort_year=2019)
    pangandaran = await make_pesantren(name="Miftahul Huda", wilayah_code="3218", track=Track.scale_up, cohort_year=2020)

    async def ids(**params):
        return [p["id"] for p in (await client.get("/api/v1/pesantren", params=params)).json()["items"]]

    assert await ids(q="falah") == [bandung["id"]]
    assert await ids(wilayah_code="3218") == [pangandaran["id"]]
    assert await ids(track="start_up") == [bandung["id"]]
    assert await ids(cohort_year=2020) == [pangandaran["id"]]
    assert await ids(wilayah_code="3273", track="scale_up") == []


async def test_product_filters(client):
    bandung = await make_pesantren(wilayah_code="3273")
    pangandaran = await make_pesantren(wilayah_code="3218")
    kopi = await make_product(
        pesantren_id=bandung["id"], name="Kopi Halal", category="minuman", certifications=[Certification.halal]
    )
    batik = await make_product(pesantren_id=pangandaran["id"], name="Batik Tulis", category="fesyen")
    admin = await make_account("admin")
    hidden = await make_product(pesantren_id=bandung["id"], name="Kopi Lama", category="minuman")
    await client.patch(f"/api/v1/products/{hidden['id']}", json={"active": False}, headers=admin.headers)

    async def ids(**params):
        body = (await client.get("/api/v1/products", params=params)).json()
        assert body["total"] == len(body["items"])
        return [p["id"] for p in body["items"]]

    assert await ids() == [batik["id"], kopi["id"]]
    assert await ids(q="kopi") == [kopi["id"]]
    assert await ids(category="fesyen") == [batik["id"]]
    assert await ids(certification="halal") == [kopi["id"]]
    assert await ids(wilayah_code="3218") == [batik["id"]]
    assert await ids(pesantren_id=bandung["id"]) == [kopi["id"]]


async def test_buyer_filters_for_organizer(client):
    organizer = await make_account("organizer")
    hotel = await make_buyer(name="Hotel Savoy Homann", buyer_type="horeka")
    await make_buyer(name="Toko Serba Ada", buyer_type="ritel_modern")

    response = await client.get("/api/v1/buyers", params={"buyer_type": "horeka"}, headers=organizer.headers)
    by_name = await client.get("/api/v1/buyers", params={"q": "savoy"}, headers=organizer.headers)

    assert [b["id"] for b in response.json()["items"]] == [hotel["id"]]
    assert [b["id"] for b in by_name.json()["items"]] == [hotel["id"]]
    assert response.json()["items"][0]["buyer_type_label"] == "Hotel/restoran/katering"


async def test_wilayah_list_has_27(client):
    response = await client.get("/api/v1/wilayah")

    body = response.json()
    assert (len(body), body[0]["code"], body[-1]["code"]) == (27, "3201", "3279")
