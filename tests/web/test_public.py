"""The public exhibition (pameran): catalog, filters, product and pesantren pages, the WhatsApp link."""

from __future__ import annotations

from urllib.parse import quote

from tests.factories import make_account, make_pesantren, make_product


async def test_exhibition_home_lists_products_in_indonesian(client):
    await make_product(name="Keripik Singkong Pedas", price_rp=15_000)

    response = await client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="id">' in response.text
    assert "Pameran Online Produk Pesantren" in response.text
    assert "Keripik Singkong Pedas" in response.text
    assert "Rp15.000" in response.text
    assert "1 produk" in response.text


async def test_exhibition_filters_by_category_region_and_certification(client):
    bogor = await make_pesantren(wilayah_code="3201")
    bandung = await make_pesantren(wilayah_code="3273")
    await make_product(
        pesantren_id=bogor["id"], name="Kopi Bogor", category="minuman", certifications=["halal"]
    )
    await make_product(pesantren_id=bandung["id"], name="Kopi Bandung", category="minuman")
    await make_product(
        pesantren_id=bandung["id"], name="Batik Bandung", category="fesyen", certifications=["hki"]
    )

    def names(html: str) -> set[str]:
        return {n for n in ("Kopi Bogor", "Kopi Bandung", "Batik Bandung") if n in html}

    assert names((await client.get("/?kategori=minuman")).text) == {"Kopi Bogor", "Kopi Bandung"}
    assert names((await client.get("/?wilayah=3273")).text) == {"Kopi Bandung", "Batik Bandung"}
    assert names((await client.get("/?sertifikasi=halal")).text) == {"Kopi Bogor"}
    assert names((await client.get("/?q=batik")).text) == {"Batik Bandung"}
    assert names((await client.get("/?kategori=minuman&wilayah=3273")).text) == {"Kopi Bandung"}


async def test_exhibition_ignores_unknown_filter_values(client):
    await make_product(name="Madu Hutan")

    response = await client.get("/?kategori=bukan-kategori&sertifikasi=xyz&wilayah=abc")

    assert response.status_code == 200
    assert "Madu Hutan" in response.text


async def test_exhibition_paginates_24_a_page(client):
    pesantren = await make_pesantren()
    for n in range(26):
        await make_product(pesantren_id=pesantren["id"], name=f"Produk Halaman {n:02d}")

    first = await client.get("/?kategori=makanan")
    second = await client.get("/?kategori=makanan&halaman=2")

    assert "Halaman 1 dari 2" in first.text
    assert 'href="/?kategori=makanan&amp;halaman=2"' in first.text
    assert first.text.count('class="card"') == 24
    assert second.text.count('class="card"') == 2


async def test_bad_page_number_shows_html_error_page(client):
    response = await client.get("/?halaman=abc")

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Permintaan tidak sah" in response.text


async def test_product_page_has_whatsapp_link_with_encoded_product_name(client):
    pesantren = await make_pesantren(name="Pesantren Al-Falah", whatsapp="0812-3456-7890")
    product = await make_product(pesantren_id=pesantren["id"], name="Kopi & Gula Aren 250 g", price_rp=45_000)

    response = await client.get(f"/produk/{product['id']}")

    assert response.status_code == 200
    assert "Hubungi via WhatsApp" in response.text
    assert "Rp45.000" in response.text
    assert "https://wa.me/6281234567890?text=" in response.text
    assert quote("Kopi & Gula Aren 250 g", safe="") in response.text
    assert quote("Pesantren Al-Falah", safe="") in response.text


async def test_product_page_without_whatsapp_number_says_so(client):
    pesantren = await make_pesantren(whatsapp="")
    product = await make_product(pesantren_id=pesantren["id"])

    response = await client.get(f"/produk/{product['id']}")

    assert "wa.me" not in response.text
    assert "Nomor WhatsApp pesantren ini belum tersedia." in response.text


async def test_unknown_product_is_an_html_404(client):
    response = await client.get("/produk/999999")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Produk 999999 tidak ditemukan." in response.text


async def test_pesantren_pages_list_and_show_products(client):
    pesantren = await make_pesantren(name="Pesantren Darul Ulum", wilayah_code="3201")
    await make_product(pesantren_id=pesantren["id"], name="Sabun Sereh")

    listing = await client.get("/pesantren?wilayah=3201")
    detail = await client.get(f"/pesantren/{pesantren['id']}")

    assert listing.status_code == 200
    assert "Pesantren Darul Ulum" in listing.text
    assert "1 pesantren" in listing.text
    assert detail.status_code == 200
    assert "Sabun Sereh" in detail.text
    assert "Produk (1)" in detail.text


async def test_public_pages_show_no_buyer_contact_details(client):
    account = await make_account("buyer")
    from opop_events.catalog.tables import Buyer

    await Buyer.update({Buyer.whatsapp: "6281299998888", Buyer.email: "rahasia@pembeli.test"}).where(
        Buyer.id == account.actor.buyer_id
    )
    product = await make_product()

    pages = [await client.get(url) for url in ("/", f"/produk/{product['id']}", "/pesantren")]

    for page in pages:
        assert "6281299998888" not in page.text
        assert "rahasia@pembeli.test" not in page.text


async def test_static_files_are_served_with_caching(client):
    css = await client.get("/static/app.css")
    htmx = await client.get("/static/htmx.min.js")

    assert css.status_code == 200
    assert "max-age=86400" in css.headers["cache-control"]
    assert htmx.status_code == 200
    assert htmx.text.startswith("var htmx=")
