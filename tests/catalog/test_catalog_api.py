"""Catalog API: the role/ownership matrix, validation errors as problem+json, filters and pagination.

Tables of cases run inside one test each and compare the whole outcome: every test empties the database after
it, which is the dominant cost on PostgreSQL."""

from __future__ import annotations

import pytest

from opop_events.catalog.enums import Certification, Track
from opop_events.core.errors import PROBLEM_MEDIA_TYPE
from tests.factories import auth, make_account, make_buyer, make_pesantren, make_product

AS_NUMBER = " — tulis sebagai angka JSON, tanpa tanda kutip dan tanpa titik ribuan"  # the hint for a number sent as JSON text

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


@pytest.mark.parametrize("resource", ["pesantren", "buyers", "products"])
async def test_catalog_ownership_matrix(client, resource):
    """Each role tried against the same rows, for each action on the resource."""
    world = await _world()

    statuses, problems = {}, set()
    for action in ("list", "get", "create", "update"):
        method, url, body = _request(world, resource, action)
        for role in ROLES:
            response = await client.request(method, url, json=body, headers=auth(world["accounts"][role]))
            statuses[(action, role)] = response.status_code
            if response.status_code >= 400:
                problems.add((response.headers["content-type"], response.json()["status"] == response.status_code))

    assert statuses == {
        (action, role): MATRIX[(resource, action)][i]
        for action in ("list", "get", "create", "update")
        for i, role in enumerate(ROLES)
    }
    assert problems <= {(PROBLEM_MEDIA_TYPE, True)}


async def test_buyer_contact_data_is_not_public(client):
    buyer = await make_buyer(whatsapp="081234567890", email="beli@toko.test", contact_person="Bu Ani")
    await make_buyer(name="Pembeli Lain")
    seller = await make_account("seller")
    own = await make_account("buyer", buyer_id=buyer["id"])

    anonymous = await client.get(f"/api/v1/buyers/{buyer['id']}")
    as_seller = await client.get(f"/api/v1/buyers/{buyer['id']}", headers=seller.headers)
    listed_by_own = (await client.get("/api/v1/buyers", headers=own.headers)).json()

    assert (anonymous.status_code, as_seller.status_code) == (401, 403)
    assert "beli@toko.test" not in anonymous.text + as_seller.text
    assert (listed_by_own["total"], [(b["id"], b["email"]) for b in listed_by_own["items"]]) == (
        1, [(buyer["id"], "beli@toko.test")],
    )


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


def _outcome(response) -> tuple[int, list[dict] | None]:
    """(status, field errors) of a problem response; the content type must be problem+json."""
    if response.status_code < 400:
        return response.status_code, None
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE), response.text
    problem = response.json()
    assert problem["status"] == response.status_code
    if problem.get("errors"):
        assert problem["detail"] == "; ".join(f"{e['field']}: {e['message']}" for e in problem["errors"])
    return response.status_code, problem.get("errors")


def _error(field: str, message: str) -> tuple[int, list[dict]]:
    return 422, [{"field": field, "message": message}]


PESANTREN_OK = {"name": "Pesantren Uji", "wilayah_code": "3273"}
BUYER_OK = {"name": "Pembeli Uji", "buyer_type": "horeka"}
PRODUCT_OK = {"name": "Keripik", "category": "makanan", "unit": "kg", "price_rp": 25000}

CREATE_CASES = {
    # (url, body) -> expected (status, errors)
    ("pesantren", "name too long"): ({**PESANTREN_OK, "name": "x" * 201}, _error("name", "paling panjang 200 karakter")),
    ("pesantren", "name empty"): ({**PESANTREN_OK, "name": ""}, _error("name", "paling sedikit 1 karakter")),
    ("pesantren", "name missing"): ({"wilayah_code": "3273"}, _error("name", "wajib diisi")),
    ("pesantren", "wilayah pattern"): ({**PESANTREN_OK, "wilayah_code": "9999"},
                                       _error("wilayah_code", "formatnya tidak sesuai")),
    ("pesantren", "wilayah unknown"): ({**PESANTREN_OK, "wilayah_code": "3299"},
                                       _error("wilayah_code", "kode kabupaten/kota '3299' tidak dikenal")),
    ("pesantren", "whatsapp landline"): ({**PESANTREN_OK, "whatsapp": "022-2503271"},
                                         _error("whatsapp", "'022-2503271' bukan nomor seluler; WhatsApp memerlukan nomor HP")),
    ("pesantren", "whatsapp text"): ({**PESANTREN_OK, "whatsapp": "bukan nomor"},
                                     _error("whatsapp", "'bukan nomor' bukan nomor telepon yang sah")),
    ("pesantren", "whatsapp long"): ({**PESANTREN_OK, "whatsapp": "0" * 33}, _error("whatsapp", "paling panjang 32 karakter")),
    ("pesantren", "unknown field"): ({**PESANTREN_OK, "owner": "x"}, _error("owner", "kolom tidak dikenal")),
    ("pesantren", "year as text"): ({**PESANTREN_OK, "cohort_year": "tahun"},
                                    _error("cohort_year", "harus berupa bilangan bulat atau null" + AS_NUMBER)),
    ("pesantren", "year too small"): ({**PESANTREN_OK, "cohort_year": 1900}, _error("cohort_year", "paling kecil 2018")),
    ("pesantren", "track unknown"): ({**PESANTREN_OK, "track": "rocket"},
                                     _error("track", "nilai 'rocket' tidak termasuk pilihan")),
    ("pesantren", "nspp letters"): ({**PESANTREN_OK, "nspp": "12ab"}, _error("nspp", "formatnya tidak sesuai")),
    ("pesantren", "description long"): ({**PESANTREN_OK, "description": "x" * 2001},
                                        _error("description", "paling panjang 2000 karakter")),
    ("pesantren", "array body"): ([PESANTREN_OK], _error("body", "harus berupa objek")),
    ("pesantren", "string body"): ("teks", _error("body", "harus berupa objek")),
    ("buyers", "type unknown"): ({**BUYER_OK, "buyer_type": "raja"}, _error("buyer_type", "nilai 'raja' tidak termasuk pilihan")),
    ("buyers", "email without at"): ({**BUYER_OK, "email": "tanpa-at"}, _error("email", "alamat email tidak sah")),
    ("buyers", "email long"): ({**BUYER_OK, "email": "a@" + "b" * 253}, _error("email", "paling panjang 254 karakter")),
    ("buyers", "whatsapp short"): ({**BUYER_OK, "whatsapp": "0812"}, _error("whatsapp", "'0812' bukan nomor telepon yang sah")),
    ("products", "price negative"): ({**PRODUCT_OK, "price_rp": -1}, _error("price_rp", "paling kecil 0")),
    ("products", "price over max"): ({**PRODUCT_OK, "price_rp": 10**15 + 1},
                                     _error("price_rp", "paling besar 1000000000000000")),
    ("products", "price 2**64"): ({**PRODUCT_OK, "price_rp": 2**64}, _error("price_rp", "paling besar 1000000000000000")),
    ("products", "price fraction"): ({**PRODUCT_OK, "price_rp": 25000.5}, _error("price_rp", "harus berupa bilangan bulat")),
    ("products", "price null"): ({**PRODUCT_OK, "price_rp": None}, _error("price_rp", "harus berupa bilangan bulat")),
    ("products", "price as Indonesian text"): ({**PRODUCT_OK, "price_rp": "25.000"},
                                              _error("price_rp", "harus berupa bilangan bulat" + AS_NUMBER)),
    ("products", "price as digit text"): ({**PRODUCT_OK, "price_rp": "25000"},
                                          _error("price_rp", "harus berupa bilangan bulat" + AS_NUMBER)),
    ("products", "price bool"): ({**PRODUCT_OK, "price_rp": True}, _error("price_rp", "harus berupa bilangan bulat")),
    ("products", "min order zero"): ({**PRODUCT_OK, "min_order": "0"}, _error("min_order", "jumlah harus lebih dari nol")),
    ("products", "min order ambiguous"): ({**PRODUCT_OK, "min_order": "1.500,5"}, _error("min_order", "formatnya tidak sesuai")),
    ("products", "category unknown"): ({**PRODUCT_OK, "category": "senjata"},
                                       _error("category", "nilai 'senjata' tidak termasuk pilihan")),
    ("products", "certification unknown"): ({**PRODUCT_OK, "certifications": ["iso"]},
                                            _error("certifications[0]", "nilai 'iso' tidak termasuk pilihan")),
    ("products", "pesantren zero"): ({**PRODUCT_OK, "pesantren_id": 0}, _error("pesantren_id", "paling kecil 1")),
    ("products", "pesantren missing"): ({**PRODUCT_OK, "pesantren_id": 999_999},
                                        _error("pesantren_id", "pesantren 999999 tidak ada")),
    ("products", "unit long"): ({**PRODUCT_OK, "unit": "u" * 121}, _error("unit", "paling panjang 120 karakter")),
    ("products", "price at max"): ({**PRODUCT_OK, "price_rp": 10**15}, (201, None)),
}  # fmt: skip


async def test_create_invalid_input_is_problem_with_field(client):
    admin = await make_account("admin")
    pesantren_id = (await make_pesantren())["id"]

    outcomes = {}
    for (resource, case), (body, _) in CREATE_CASES.items():
        if resource == "products" and isinstance(body, dict):
            body = {"pesantren_id": pesantren_id, **body}
        outcomes[(resource, case)] = _outcome(await client.post(f"/api/v1/{resource}", json=body, headers=admin.headers))

    assert outcomes == {key: expected for key, (_, expected) in CREATE_CASES.items()}


async def test_malformed_json_is_400_problem_naming_body(client):
    admin = await make_account("admin")
    headers = {**admin.headers, "Content-Type": "application/json"}

    outcomes = [
        _outcome(await client.post("/api/v1/pesantren", content=content, headers=headers))
        for content in (b'{"name": "x", ', b"{nope}", b"\xff\xfe")
    ]

    assert outcomes == [
        (400, [{"field": "body", "message": "JSON terpotong"}]),
        (400, [{"field": "body", "message": "JSON tidak sah"}]),
        (400, [{"field": "body", "message": "JSON tidak sah"}]),
    ]


async def test_update_invalid_input_is_422_and_changes_nothing(client):
    world = await _world()
    admin = world["accounts"]["admin"]
    pesantren = f"/api/v1/pesantren/{world['pesantren']['id']}"
    product = f"/api/v1/products/{world['product']['id']}"
    buyer = f"/api/v1/buyers/{world['buyer']['id']}"
    cases = [
        (pesantren, {"name": "x" * 201}, "name", "paling panjang 200 karakter"),
        (pesantren, {"wilayah_code": "3299"}, "wilayah_code", "kode kabupaten/kota '3299' tidak dikenal"),
        (pesantren, {"whatsapp": "12"}, "whatsapp", "'12' bukan nomor telepon yang sah"),
        (pesantren, {"id": 5}, "id", "kolom tidak dikenal"),
        (product, {"price_rp": -5}, "price_rp", "paling kecil 0"),
        (product, {"price_rp": 10**15 + 1}, "price_rp", "paling besar 1000000000000000"),
        (product, {"monthly_capacity": "2000000000"}, "monthly_capacity", "jumlah paling besar 1.000.000.000"),
        (product, {"active": "ya"}, "active", "harus berupa true/false atau null"),
        (buyer, {"email": "tanpa-at"}, "email", "alamat email tidak sah"),
        (buyer, {"name": ""}, "name", "paling sedikit 1 karakter"),
    ]
    before = {url: (await client.get(url, headers=admin.headers)).json() for url in (pesantren, product, buyer)}

    outcomes = [_outcome(await client.patch(url, json=body, headers=admin.headers)) for url, body, _, _ in cases]

    assert outcomes == [_error(field, message) for _, _, field, message in cases]
    assert {url: (await client.get(url, headers=admin.headers)).json() for url in before} == before


async def test_update_pesantren_by_own_seller(client):
    world = await _world()
    seller = world["accounts"]["seller_own"]

    response = await client.patch(
        f"/api/v1/pesantren/{world['pesantren']['id']}",
        json={"whatsapp": "+62 812 1111 2222", "contact_person": " Ustadz Ali "},
        headers=seller.headers,
    )
    # the kabupaten/kota sorts the official figures per region: Dinas's to change, not the seller's
    moved = await client.patch(f"/api/v1/pesantren/{world['pesantren']['id']}", json={"wilayah_code": "3218"},
                               headers=seller.headers)  # fmt: skip
    by_dinas = await client.patch(f"/api/v1/pesantren/{world['pesantren']['id']}", json={"wilayah_code": "3218"},
                                  headers=world["accounts"]["admin"].headers)  # fmt: skip

    body = response.json()
    assert (body["whatsapp"], body["contact_person"]) == ("6281211112222", "Ustadz Ali")
    assert moved.status_code == 403 and "hanya staf Dinas" in moved.json()["detail"]
    assert (by_dinas.status_code, by_dinas.json()["wilayah_code"]) == (200, "3218")


async def test_missing_and_out_of_range_ids_are_4xx_never_500(client):
    admin = await make_account("admin")
    bad_ids = ("0", "-1", "99999999999999999999999", str(2**53 + 1))

    missing = {
        url: _outcome(await client.get(url, headers=admin.headers))[0]
        for url in ("/api/v1/pesantren/999999", "/api/v1/products/999999", "/api/v1/buyers/999999",
                    "/api/v1/pesantren/abc", "/api/v1/tidak-ada")
    }
    out_of_range = {
        (resource, bad_id, method): _outcome(
            await client.request(method, f"/api/v1/{resource}/{bad_id}", json={} if method == "PATCH" else None,
                                 headers=admin.headers)
        )
        for resource in ("pesantren", "products", "buyers")
        for bad_id in bad_ids
        for method in ("GET", "PATCH")
    }

    assert missing == dict.fromkeys(missing, 404)
    beyond_int64 = {key: out_of_range.pop(key) for key in list(out_of_range) if key[1] == "99999999999999999999999"}
    assert out_of_range == {
        (resource, bad_id, method): (422, [{"field": f"path.{resource.removesuffix('s')}_id", "message": message}])
        for resource in ("pesantren", "products", "buyers")
        for bad_id, message in zip(("0", "-1", str(2**53 + 1)),
                                   ("paling kecil 1", "paling kecil 1", "paling besar 2147483647"), strict=True)
        for method in ("GET", "PATCH")
    }
    # beyond 64 bits no row can exist: refused before the driver sees it, as 404 or 422, never 500
    assert {status for status, _ in beyond_int64.values()} <= {404, 422}
    assert len(beyond_int64) == 6


# -- filters and pagination ---------------------------------------------------------------------------------


async def test_pesantren_pagination_boundaries(client):
    for n in range(5):
        await make_pesantren(name=f"Pesantren {n}")

    pages = [(await client.get("/api/v1/pesantren", params={"per_page": 2, "page": p})).json() for p in (1, 2, 3, 4)]
    largest = await client.get("/api/v1/pesantren", params={"per_page": 200})

    assert [(p["total"], p["page"], p["per_page"]) for p in pages] == [(5, 1, 2), (5, 2, 2), (5, 3, 2), (5, 4, 2)]
    assert [[i["name"] for i in p["items"]] for p in pages] == [
        ["Pesantren 0", "Pesantren 1"], ["Pesantren 2", "Pesantren 3"], ["Pesantren 4"], [],
    ]
    assert (largest.status_code, largest.json()["per_page"], len(largest.json()["items"])) == (200, 200, 5)


async def test_list_bad_query_is_422(client):
    cases = {
        ("pesantren", "per_page", 201): "paling besar 200",
        ("products", "per_page", 201): "paling besar 200",
        ("events", "per_page", 201): "paling besar 200",
        ("pesantren", "per_page", 0): "paling kecil 1",
        ("pesantren", "page", 0): "paling kecil 1",
        ("pesantren", "page", 100_001): "paling besar 100000",
        ("pesantren", "page", "satu"): "harus berupa bilangan bulat",
        ("pesantren", "q", "x" * 101): "paling panjang 100 karakter",
        ("pesantren", "wilayah_code", "9999"): "formatnya tidak sesuai",
        ("pesantren", "track", "rocket"): "nilai 'rocket' tidak termasuk pilihan",
        ("pesantren", "cohort_year", 3000): "paling besar 2100",
        ("products", "certification", "iso"): "nilai 'iso' tidak termasuk pilihan",
        ("products", "pesantren_id", 2**60): "paling besar 2147483647",
    }

    outcomes = {
        (resource, name, value): _outcome(await client.get(f"/api/v1/{resource}", params={name: value}))
        for resource, name, value in cases
    }

    assert outcomes == {
        (resource, name, value): (422, [{"field": f"query.{name}", "message": message}])
        for (resource, name, value), message in cases.items()
    }


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


async def test_search_text_is_matched_literally_not_as_a_pattern(client):
    percent = await make_pesantren(name="Koperasi 50% Santri")
    await make_pesantren(name="Koperasi 500 Santri")
    underscore = await make_pesantren(name="Al_Ikhlas")
    await make_pesantren(name="AlxIkhlas")
    backslash = await make_pesantren(name="Pondok A\\B")
    await make_pesantren(name="Pondok AB")

    async def names(q):
        return [p["name"] for p in (await client.get("/api/v1/pesantren", params={"q": q})).json()["items"]]

    assert await names("50%") == [percent["name"]]
    assert await names("l_i") == [underscore["name"]]
    assert await names("a\\b") == [backslash["name"]]
    assert await names("%") == [percent["name"]]
    assert await names("koperasi") == ["Koperasi 50% Santri", "Koperasi 500 Santri"]


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


async def test_buyer_filters_and_wilayah_list(client):
    organizer = await make_account("organizer")
    hotel = await make_buyer(name="Hotel Savoy Homann", buyer_type="horeka")
    await make_buyer(name="Toko Serba Ada", buyer_type="ritel_modern")

    by_type = (await client.get("/api/v1/buyers", params={"buyer_type": "horeka"}, headers=organizer.headers)).json()
    by_name = (await client.get("/api/v1/buyers", params={"q": "savoy"}, headers=organizer.headers)).json()
    wilayah = (await client.get("/api/v1/wilayah")).json()

    assert [b["id"] for b in by_type["items"]] == [hotel["id"]]
    assert [b["id"] for b in by_name["items"]] == [hotel["id"]]
    assert by_type["items"][0]["buyer_type_label"] == "Hotel/restoran/katering"
    assert (len(wilayah), wilayah[0]["code"], wilayah[-1]["code"]) == (27, "3201", "3279")
