"""Pesantren (seller) pages: profile, product list, add and edit, and the ownership check."""

from __future__ import annotations

from opop_events.catalog import services as catalog
from tests.factories import make_account, make_product
from tests.web.conftest import post_form, sign_in

PRODUCT = {
    "name": "Dodol Garut Wijen",
    "category": "makanan",
    "price_rp": "Rp 27.500",
    "unit": "pak",
    "min_order": "10",
    "monthly_capacity": "1.500",  # id-ID grouping: fifteen hundred
    "certifications": ["halal", "pirt"],
    "description": "Dodol wijen khas Garut, 250 g.",
}


async def test_seller_home_shows_profile_and_products(client):
    seller = await make_account("seller")
    await make_product(pesantren_id=seller.actor.pesantren_id, name="Sambal Roa", price_rp=35_000)
    await sign_in(client, seller)

    response = await client.get("/kelola")

    assert response.status_code == 200
    assert "Produk saya (1)" in response.text
    assert "Sambal Roa" in response.text
    assert "Rp35.000 / kg" in response.text


async def test_seller_adds_a_product_typed_the_indonesian_way(client):
    seller = await make_account("seller")
    await sign_in(client, seller)

    response = await post_form(client, "/kelola/produk/baru", PRODUCT)

    assert response.status_code == 303
    products = (await catalog.list_products(pesantren_id=seller.actor.pesantren_id)).items
    assert [
        (p.name, p.price_rp, p.unit, p.min_order, p.monthly_capacity, [c.value for c in p.certifications])
        for p in products
    ] == [("Dodol Garut Wijen", 27_500, "pak", "10", "1500", ["halal", "pirt"])]
    assert f"#produk-{products[0].id}" in response.headers["location"]


async def test_product_form_shows_every_error_next_to_its_field_and_keeps_values(client):
    seller = await make_account("seller")
    await sign_in(client, seller)

    response = await post_form(client, "/kelola/produk/baru", {**PRODUCT, "price_rp": "1,5 juta", "name": ""})

    assert response.status_code == 422
    assert '<p class="error" id="name-galat">wajib diisi</p>' in response.text
    assert 'id="price_rp-galat">&#39;1,5 juta&#39; bukan nilai rupiah yang sah' in response.text
    assert 'value="Dodol Garut Wijen"' not in response.text
    assert 'value="pak"' in response.text
    assert 'value="halal" checked' in response.text


async def test_product_price_error_comes_from_the_rupiah_parser(client):
    seller = await make_account("seller")
    await sign_in(client, seller)

    response = await post_form(client, "/kelola/produk/baru", {**PRODUCT, "price_rp": "1,5 juta"})

    assert response.status_code == 422
    assert 'id="price_rp-galat">&#39;1,5 juta&#39; bukan nilai rupiah yang sah' in response.text
    assert (
        'id="f-price_rp" name="price_rp" type="text" value="1,5 juta" required aria-describedby="price_rp-galat price_rp-ket" aria-invalid="true"'
        in response.text
    )


async def test_seller_edits_own_product_and_hides_it(client):
    seller = await make_account("seller")
    product = await make_product(pesantren_id=seller.actor.pesantren_id, name="Teh Hijau")
    await sign_in(client, seller)
    form_page = await client.get(f"/kelola/produk/{product['id']}")

    response = await post_form(
        client,
        f"/kelola/produk/{product['id']}",
        {**PRODUCT, "name": "Teh Hijau Premium", "price_rp": "30000"},
    )

    assert form_page.status_code == 200
    assert 'value="Teh Hijau"' in form_page.text
    assert response.status_code == 303
    updated = await catalog.get_product(product_id=product["id"])
    assert (updated.name, updated.price_rp, updated.active) == ("Teh Hijau Premium", 30_000, False)


async def test_seller_cannot_open_or_post_another_pesantrens_product(client):
    seller = await make_account("seller")
    other = await make_product(name="Produk Orang Lain")
    await sign_in(client, seller)

    opened = await client.get(f"/kelola/produk/{other['id']}")
    posted = await post_form(
        client,
        f"/kelola/produk/{other['id']}",
        {**PRODUCT, "name": "Diambil alih"},
        form_page="/kelola/produk/baru",
    )

    assert opened.status_code == 403
    assert "Tidak diizinkan" in opened.text
    assert posted.status_code == 403
    assert posted.headers["content-type"].startswith("text/html")
    assert (await catalog.get_product(product_id=other["id"])).name == "Produk Orang Lain"


async def test_other_roles_cannot_use_seller_pages(client):
    buyer = await make_account("buyer")
    await sign_in(client, buyer)

    response = await client.get("/kelola")

    assert response.status_code == 403
    assert "Peran Anda tidak diizinkan" in response.text


async def test_seller_edits_profile_with_whatsapp_check(client):
    seller = await make_account("seller")
    await sign_in(client, seller)
    form = {
        "name": "Pesantren Al-Hikmah", "wilayah_code": "3273", "whatsapp": "0812 9876 5432",
        "business_unit": "Kopontren Al-Hikmah", "cohort_year": "2020", "track": "scale_up",
    }  # fmt: skip

    bad = await post_form(client, "/kelola/pesantren", {**form, "whatsapp": "021-123"})
    good = await post_form(client, "/kelola/pesantren", form)

    assert bad.status_code == 422
    assert 'id="whatsapp-galat">' in bad.text
    assert good.status_code == 303
    saved = await catalog.get_pesantren(pesantren_id=seller.actor.pesantren_id)
    assert (saved.name, saved.wilayah_code, saved.whatsapp, saved.cohort_year, saved.track.value) == (
        "Pesantren Al-Hikmah",
        "3273",  # the kabupaten/kota stays Dinas's to change
        "6281298765432",
        2020,
        "scale_up",
    )


async def test_product_quantities_read_the_id_id_way(client):
    seller = await make_account("seller")
    await sign_in(client, seller)

    await post_form(
        client, "/kelola/produk/baru", {**PRODUCT, "min_order": "2,5", "monthly_capacity": "12.000"}
    )

    [product] = (await catalog.list_products(pesantren_id=seller.actor.pesantren_id)).items
    assert (product.min_order, product.monthly_capacity) == ("2.5", "12000")
    form_page = await client.get(f"/kelola/produk/{product.id}")
    assert 'value="2,5"' in form_page.text
    assert 'value="12.000"' in form_page.text
