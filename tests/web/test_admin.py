"""Dinas (admin) pages: the home with figures and links, user accounts."""

from __future__ import annotations

from opop_events.accounts import services as accounts
from tests.factories import make_account, make_pesantren, make_product
from tests.web.conftest import post_form, sign_in


async def test_admin_home_shows_figures_and_links(client):
    admin = await make_account("admin")
    await make_product()
    await sign_in(client, admin)

    response = await client.get("/dinas")

    assert response.status_code == 200
    assert "Beranda Dinas KUK" in response.text
    assert "<strong>1</strong> produk aktif" in response.text
    assert 'href="/dinas/pengguna"' in response.text
    assert 'href="/acara"' in response.text


async def test_admin_home_is_for_admins_only(client):
    organizer = await make_account("organizer")
    await sign_in(client, organizer)

    assert (await client.get("/dinas")).status_code == 403
    assert (await client.get("/dinas/pengguna")).status_code == 403


async def test_admin_creates_a_seller_account_that_can_sign_in(client):
    admin = await make_account("admin")
    pesantren = await make_pesantren(name="Pesantren Baru")
    await sign_in(client, admin)

    response = await post_form(
        client,
        "/dinas/pengguna",
        {
            "email": "Penjual@Pesantren.test",
            "name": "Ustadz Ahmad",
            "role": "seller",
            "password": "awal-kebun-12345",
            "pesantren_id": str(pesantren["id"]),
            "buyer_id": "",
        },
    )
    listing = await client.get(response.headers["location"])

    assert response.status_code == 303
    assert "Akun penjual@pesantren.test berhasil dibuat." in listing.text
    assert (
        "<td>penjual@pesantren.test</td><td>Ustadz Ahmad</td><td>Pesantren</td><td>Pesantren Baru</td>"
        in listing.text
    )
    actor = await accounts.authenticate(email="penjual@pesantren.test", password="awal-kebun-12345")
    assert (actor.role.value, actor.pesantren_id, actor.name) == ("seller", pesantren["id"], "Ustadz Ahmad")


async def test_user_form_errors_are_next_to_fields(client):
    admin = await make_account("admin")
    await sign_in(client, admin)

    no_pesantren = await post_form(
        client, "/dinas/pengguna", {"email": "x@y.test", "role": "seller", "password": "awal-kebun-12345"}
    )
    taken = await post_form(
        client, "/dinas/pengguna", {"email": admin.actor.email, "role": "organizer", "password": "awal-kebun-12345"}
    )

    assert no_pesantren.status_code == 422
    assert 'id="pesantren_id-galat">akun pesantren wajib terhubung ke satu pesantren' in no_pesantren.text
    assert taken.status_code == 409
    assert 'id="email-galat">email ini sudah terdaftar' in taken.text
