"""Events API: ownership by organizers, status moves, sessions and slots (WIB), tables, registrations, check-in.

Tables of cases run inside one test each and compare the whole outcome: every test empties the database after
it, which is the dominant cost on PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from opop_events.core.dates import WIB
from opop_events.core.errors import PROBLEM_MEDIA_TYPE
from opop_events.events.enums import EVENT_STATUS_LABELS, EVENT_TRANSITIONS, EventStatus
from tests.factories import auth, make_account, make_buyer, make_event, make_pesantren

AS_NUMBER = " — tulis sebagai angka JSON, tanpa tanda kutip dan tanpa titik ribuan"  # the hint for a number sent as JSON text

EVENT_BODY = {
    "slug": "temu-bisnis-uji-2020", "name": "Temu Bisnis Uji", "wilayah_code": "3273",
    "starts_on": "2020-12-09", "ends_on": "2020-12-10", "venue": "Pusdai",
}


def _outcome(response) -> tuple[int, list[dict] | None]:
    """(status, field errors) of a problem response; the content type must be problem+json."""
    if response.status_code < 400:
        return response.status_code, None
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE), response.text
    return response.status_code, response.json().get("errors")


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    return response.json()


async def test_organizer_creates_event_and_is_assigned(client):
    organizer = await make_account("organizer")

    created = await client.post("/api/v1/events", json=EVENT_BODY, headers=organizer.headers)
    changed = await client.patch(
        "/api/v1/events/temu-bisnis-uji-2020", json={"name": "Temu Bisnis Baru"}, headers=organizer.headers
    )

    assert created.status_code == 201, created.text
    assert {k: v for k, v in created.json().items() if k != "id"} == {
        "slug": "temu-bisnis-uji-2020", "name": "Temu Bisnis Uji", "venue": "Pusdai", "wilayah_code": "3273",
        "wilayah_name": "Kota Bandung", "starts_on": "2020-12-09", "ends_on": "2020-12-10", "status": "draft",
        "status_label": "Draf", "description": "", "request_deadline": None, "meeting_quota": 12,
    }
    assert (changed.status_code, changed.json()["name"]) == (200, "Temu Bisnis Baru")


async def test_create_event_by_role(client):
    callers = {role: await make_account(role) for role in ("admin", "organizer", "seller", "buyer")}
    callers["anonymous"] = None

    statuses = {
        name: (
            await client.post("/api/v1/events", json={**EVENT_BODY, "slug": f"acara-{name}"}, headers=auth(caller))
        ).status_code
        for name, caller in callers.items()
    }

    assert statuses == {"admin": 201, "organizer": 201, "seller": 403, "buyer": 403, "anonymous": 401}


async def test_event_write_access_by_role(client):
    owner = await make_account("organizer")
    callers = {
        "owner": owner,
        "other_organizer": await make_account("organizer"),
        "admin": await make_account("admin"),
        "seller": await make_account("seller"),
        "buyer": await make_account("buyer"),
        "anonymous": None,
    }
    event = await make_event(organizer=owner, slots=0, tables=0)
    slug = event["slug"]

    statuses = {}
    for name, caller in callers.items():
        statuses[name] = (
            (await client.patch(f"/api/v1/events/{slug}", json={"venue": name}, headers=auth(caller))).status_code,
            (
                await client.post(
                    f"/api/v1/events/{slug}/sessions", json={"name": name, "day": "2020-12-10"}, headers=auth(caller)
                )
            ).status_code,
            (await client.post(f"/api/v1/events/{slug}/tables", json={"count": 1}, headers=auth(caller))).status_code,
        )

    assert statuses == {
        "owner": (200, 201, 201),
        "other_organizer": (403, 403, 403),
        "admin": (200, 201, 201),
        "seller": (403, 403, 403),
        "buyer": (403, 403, 403),
        "anonymous": (401, 401, 401),
    }


async def test_other_organizer_403_message(client):
    event = await make_event(organizer=await make_account("organizer"), slots=0, tables=0)
    other = await make_account("organizer")

    response = await client.patch(f"/api/v1/events/{event['slug']}", json={"name": "Rebut"}, headers=other.headers)

    assert _problem(response, 403)["detail"] == f"Anda bukan penyelenggara acara '{event['slug']}'."


async def test_admin_assigns_organizer_who_may_then_edit(client):
    admin = await make_account("admin")
    organizer = await make_account("organizer")
    event = await make_event(slots=0, tables=0)

    before = await client.patch(f"/api/v1/events/{event['slug']}", json={"venue": "A"}, headers=organizer.headers)
    assigned = await client.post(
        f"/api/v1/events/{event['slug']}/organizers", json={"user_id": organizer.actor.user_id}, headers=admin.headers
    )
    again = await client.post(
        f"/api/v1/events/{event['slug']}/organizers", json={"user_id": organizer.actor.user_id}, headers=admin.headers
    )
    after = await client.patch(f"/api/v1/events/{event['slug']}", json={"venue": "B"}, headers=organizer.headers)

    assert (before.status_code, assigned.status_code, again.status_code, after.status_code) == (403, 204, 204, 200)


async def test_assign_organizer_refuses_non_organizer_and_non_admin(client):
    admin = await make_account("admin")
    organizer = await make_account("organizer")
    seller = await make_account("seller")
    event = await make_event(organizer=organizer, slots=0, tables=0)
    url = f"/api/v1/events/{event['slug']}/organizers"

    wrong_user = await client.post(url, json={"user_id": seller.actor.user_id}, headers=admin.headers)
    by_organizer = await client.post(url, json={"user_id": organizer.actor.user_id}, headers=organizer.headers)

    assert _problem(wrong_user, 422)["errors"] == [
        {"field": "user_id", "message": "pengguna tidak ada atau bukan penyelenggara"}
    ]
    assert by_organizer.status_code == 403


async def test_duplicate_slug_is_409(client):
    admin = await make_account("admin")
    await client.post("/api/v1/events", json=EVENT_BODY, headers=admin.headers)

    response = await client.post("/api/v1/events", json=EVENT_BODY, headers=admin.headers)

    assert _problem(response, 409)["detail"] == "Slug acara 'temu-bisnis-uji-2020' sudah dipakai."


async def test_create_event_invalid_input(client):
    admin = await make_account("admin")
    cases = [
        ({"ends_on": "2020-12-08"}, "ends_on", "tanggal selesai tidak boleh sebelum tanggal mulai"),
        ({"ends_on": "2021-02-01"}, "ends_on", "acara paling lama 31 hari"),
        ({"slug": "Bukan Slug"}, "slug", "formatnya tidak sesuai"),
        ({"slug": "ab"}, "slug", "paling sedikit 3 karakter"),
        ({"starts_on": "2020-02-30"}, "starts_on", "bukan tanggal (YYYY-MM-DD) yang sah"),
        ({"wilayah_code": "3299"}, "wilayah_code", "kode kabupaten/kota '3299' tidak dikenal"),
        ({"meeting_quota": 49}, "meeting_quota", "paling besar 48"),
        ({"status": "open"}, "status", "kolom tidak dikenal"),
        ({"name": "x" * 201}, "name", "paling panjang 200 karakter"),
    ]

    outcomes = [
        _outcome(await client.post("/api/v1/events", json={**EVENT_BODY, **change}, headers=admin.headers))
        for change, _, _ in cases
    ]

    assert outcomes == [(422, [{"field": field, "message": message}]) for _, field, message in cases]


async def test_status_transitions_allowed_and_refused(client):
    organizer = await make_account("organizer")
    moves = [(a, b) for a in EventStatus for b in EventStatus if a is not b]

    outcomes = {}
    for start, target in moves:
        event = await make_event(organizer=organizer, status=start.value, slots=0, tables=0)
        response = await client.patch(
            f"/api/v1/events/{event['slug']}", json={"status": target.value}, headers=organizer.headers
        )
        outcomes[(start.value, target.value)] = (
            response.status_code, response.json()["status"] if response.status_code == 200 else response.json()["detail"]
        )

    def expected(start: EventStatus, target: EventStatus) -> tuple[int, str]:
        if target in EVENT_TRANSITIONS[start]:
            return 200, target.value
        def named(status: EventStatus) -> str:
            return f"'{status.value}' ({EVENT_STATUS_LABELS[status]})"

        allowed = ", ".join(named(s) for s in sorted(EVENT_TRANSITIONS[start])) or "tidak ada"
        return 409, f"Status acara tidak bisa berubah dari {named(start)} ke {named(target)}; yang boleh: {allowed}."

    assert outcomes == {(a.value, b.value): expected(a, b) for a, b in moves}
    assert outcomes[("draft", "open")] == (200, "open")
    assert outcomes[("closed", "draft")] == (
        409, "Status acara tidak bisa berubah dari 'closed' (Selesai) ke 'draft' (Draf); yang boleh: tidak ada."
    )
    assert outcomes[("scheduled", "draft")] == (
        409,
        "Status acara tidak bisa berubah dari 'scheduled' (Jadwal terbit) ke 'draft' (Draf); yang boleh: "
        "'live' (Berlangsung), 'open' (Pendaftaran dibuka).",
    )


async def test_status_same_value_is_a_no_op(client):
    admin = await make_account("admin")
    event = await make_event(status="closed", slots=0, tables=0)

    response = await client.patch(f"/api/v1/events/{event['slug']}", json={"status": "closed"}, headers=admin.headers)

    assert (response.status_code, response.json()["status"]) == (200, "closed")


async def test_events_are_public_and_filter_by_status(client):
    draft = await make_event(slots=0, tables=0)
    opened = await make_event(status="open", slots=0, tables=0)

    everything = (await client.get("/api/v1/events")).json()
    only_open = (await client.get("/api/v1/events", params={"status": "open"})).json()
    one = await client.get(f"/api/v1/events/{draft['slug']}")
    missing = await client.get("/api/v1/events/tidak-ada")

    assert (everything["total"], [e["slug"] for e in only_open["items"]]) == (2, [opened["slug"]])
    assert (one.status_code, one.json()["status_label"]) == (200, "Draf")
    assert _problem(missing, 404)["detail"] == "Acara 'tidak-ada' tidak ditemukan."


# -- sessions, slots and tables -----------------------------------------------------------------------------


async def test_session_generates_slots_in_wib(client):
    admin = await make_account("admin")
    event = await make_event(slots=0, tables=0)

    response = await client.post(
        f"/api/v1/events/{event['slug']}/sessions",
        json={"name": "Siang", "day": "2020-12-09", "slots": {"start": "13.00", "minutes": 20, "count": 4,
                                                              "gap_minutes": 5}},
        headers=admin.headers,
    )

    assert response.status_code == 201, response.text
    session = response.json()
    starts = [datetime.fromisoformat(s["starts_at"]).astimezone(WIB).strftime("%H:%M") for s in session["slots"]]
    ends = [datetime.fromisoformat(s["ends_at"]).astimezone(WIB).strftime("%H:%M") for s in session["slots"]]
    assert (session["name"], session["day"], session["position"], len(session["slots"])) == ("Siang", "2020-12-09", 0, 4)
    assert (starts, ends) == (["13:00", "13:25", "13:50", "14:15"], ["13:20", "13:45", "14:10", "14:35"])
    listed = (await client.get(f"/api/v1/events/{event['slug']}/sessions")).json()
    assert listed == [session]


async def test_session_slots_stored_as_utc_instants(client):
    event = await make_event(slots=3)

    sessions = (await client.get(f"/api/v1/events/{event['slug']}/sessions")).json()

    first = datetime.fromisoformat(sessions[0]["slots"][0]["starts_at"])
    assert first.astimezone(WIB) == datetime(2020, 12, 9, 9, 0, tzinfo=WIB)
    assert len(sessions[0]["slots"]) == 3


async def test_overlapping_session_is_409_and_creates_nothing(client):
    admin = await make_account("admin")
    event = await make_event(slots=6)  # 09:00-11:00 on 9 Dec

    response = await client.post(
        f"/api/v1/events/{event['slug']}/sessions",
        json={"name": "Tabrakan", "day": "2020-12-09", "slots": {"start": "10:30", "minutes": 30, "count": 2}},
        headers=admin.headers,
    )

    assert _problem(response, 409)["detail"] == "Slot baru bertabrakan dengan slot yang sudah ada."
    assert [s["name"] for s in (await client.get(f"/api/v1/events/{event['slug']}/sessions")).json()] == ["Pagi"]


async def test_create_slot_overlap_and_day_rules(client):
    admin = await make_account("admin")
    event = await make_event(slots=6)
    session_id = (await client.get(f"/api/v1/events/{event['slug']}/sessions")).json()[0]["id"]
    url = f"/api/v1/events/{event['slug']}/sessions/{session_id}/slots"

    ok = await client.post(url, json={"starts_at": "2020-12-09T11:00:00", "ends_at": "2020-12-09T11:20:00"},
                           headers=admin.headers)
    overlap = await client.post(url, json={"starts_at": "2020-12-09T10:50:00+07:00",
                                           "ends_at": "2020-12-09T11:10:00+07:00"}, headers=admin.headers)
    other_day = await client.post(url, json={"starts_at": "2020-12-10T09:00:00", "ends_at": "2020-12-10T09:20:00"},
                                  headers=admin.headers)
    utc_other_day = await client.post(url, json={"starts_at": "2020-12-09T18:00:00Z",
                                                 "ends_at": "2020-12-09T18:20:00Z"}, headers=admin.headers)
    backwards = await client.post(url, json={"starts_at": "2020-12-09T15:00:00", "ends_at": "2020-12-09T14:00:00"},
                                  headers=admin.headers)
    missing = await client.post(f"/api/v1/events/{event['slug']}/sessions/999999/slots",
                                json={"starts_at": "2020-12-09T15:00:00", "ends_at": "2020-12-09T15:20:00"},
                                headers=admin.headers)

    assert ok.status_code == 201, ok.text
    assert datetime.fromisoformat(ok.json()["starts_at"]) == datetime(2020, 12, 9, 11, 0, tzinfo=WIB)
    assert _problem(overlap, 409)["detail"] == "Slot bertabrakan dengan slot yang sudah ada."
    assert _problem(other_day, 422)["errors"] == [{"field": "starts_at", "message": "slot harus pada hari sesi"}]
    assert _problem(utc_other_day, 422)["errors"] == [{"field": "starts_at", "message": "slot harus pada hari sesi"}]
    assert _problem(backwards, 422)["errors"] == [
        {"field": "ends_at", "message": "waktu selesai harus setelah waktu mulai"}
    ]
    assert missing.status_code == 404


async def test_create_session_invalid(client):
    admin = await make_account("admin")
    event = await make_event(slots=0, tables=0)
    cases = [
        ({"name": "Malam", "day": "2020-12-11"}, "day", "hari sesi harus di antara tanggal mulai dan selesai acara"),
        ({"name": "Malam", "day": "2020-12-09", "slots": {"start": "23:00", "minutes": 30, "count": 3}},
         "slots.count", "slot melewati tengah malam; kurangi jumlah slot"),
        ({"name": "Pagi", "day": "2020-12-09", "slots": {"start": "25:00", "minutes": 20, "count": 3}},
         "slots.start", "formatnya tidak sesuai"),
        ({"name": "Pagi", "day": "2020-12-09", "slots": {"start": "09:00", "minutes": 4, "count": 3}},
         "slots.minutes", "paling kecil 5"),
        ({"name": "Pagi", "day": "2020-12-09", "slots": {"start": "09:00", "minutes": 20, "count": 49}},
         "slots.count", "paling besar 48"),
        ({"name": "Pagi", "day": "2020-12-09", "slots": {"start": "09:00", "minutes": 20}},
         "slots.count", "wajib diisi"),
        ({"name": "Pagi", "day": "2020-12-09", "slots": {"start": "09:00", "minutes": 20, "count": 2, "x": 1}},
         "slots.x", "kolom tidak dikenal"),
    ]

    outcomes = [
        _outcome(await client.post(f"/api/v1/events/{event['slug']}/sessions", json=body, headers=admin.headers))
        for body, _, _ in cases
    ]

    assert outcomes == [(422, [{"field": field, "message": message}]) for _, field, message in cases]
    assert (await client.get(f"/api/v1/events/{event['slug']}/sessions")).json() == []


async def test_tables_numbered_after_existing(client):
    admin = await make_account("admin")
    event = await make_event(slots=0, tables=3)

    added = await client.post(f"/api/v1/events/{event['slug']}/tables", json={"count": 8}, headers=admin.headers)
    listed = await client.get(f"/api/v1/events/{event['slug']}/tables")

    assert added.status_code == 201
    assert [t["code"] for t in listed.json()] == [f"M{n:02d}" for n in range(1, 12)]
    assert listed.json()[0]["label"] == "Meja M01"


async def test_tables_bounded_at_500(client):
    admin = await make_account("admin")
    event = await make_event(slots=0, tables=0)
    url = f"/api/v1/events/{event['slug']}/tables"

    first = await client.post(url, json={"count": 500}, headers=admin.headers)
    more = await client.post(url, json={"count": 1}, headers=admin.headers)
    too_many = await client.post(url, json={"count": 501}, headers=admin.headers)

    assert first.status_code == 201
    assert [first.json()[0]["code"], first.json()[-1]["code"]] == ["M001", "M500"]
    assert _problem(more, 422)["errors"] == [{"field": "count", "message": "paling banyak 500 meja per acara"}]
    assert _problem(too_many, 422)["errors"] == [{"field": "count", "message": "paling besar 500"}]


# -- registrations ------------------------------------------------------------------------------------------


async def test_seller_registers_own_pesantren_only_when_open(client):
    seller = await make_account("seller")
    events = {status.value: await make_event(status=status.value, slots=0, tables=0) for status in EventStatus}

    outcomes = {}
    for status, event in events.items():
        response = await client.post(
            f"/api/v1/events/{event['slug']}/registrations",
            json={"pesantren_id": seller.actor.pesantren_id},
            headers=seller.headers,
        )
        body = response.json()
        outcomes[status] = (
            (response.status_code, body["detail"]) if response.status_code >= 400
            else (response.status_code, body["party_kind"], body["pesantren_id"], body["status"], body["checked_in_at"])
        )

    closed = "Pendaftaran acara ini sedang tidak dibuka."
    assert outcomes == {
        "draft": (409, closed),
        "open": (201, "pesantren", seller.actor.pesantren_id, "terdaftar", None),
        "scheduled": (409, closed),
        "live": (409, closed),
        "closed": (409, closed),
    }


async def test_registration_ownership(client):
    seller = await make_account("seller")
    buyer = await make_account("buyer")
    other_pesantren = await make_pesantren()
    other_buyer = await make_buyer()
    event = await make_event(status="open", slots=0, tables=0)
    url = f"/api/v1/events/{event['slug']}/registrations"

    statuses = {
        "seller_other_pesantren": (await client.post(url, json={"pesantren_id": other_pesantren["id"]},
                                                     headers=seller.headers)).status_code,
        "seller_as_buyer": (await client.post(url, json={"buyer_id": buyer.actor.buyer_id},
                                              headers=seller.headers)).status_code,
        "buyer_other": (await client.post(url, json={"buyer_id": other_buyer["id"]}, headers=buyer.headers)).status_code,
        "buyer_own": (await client.post(url, json={"buyer_id": buyer.actor.buyer_id}, headers=buyer.headers)).status_code,
        "anonymous": (await client.post(url, json={"pesantren_id": other_pesantren["id"]})).status_code,
        "seller_own": (await client.post(url, json={"pesantren_id": seller.actor.pesantren_id},
                                         headers=seller.headers)).status_code,
        "seller_own_again": (await client.post(url, json={"pesantren_id": seller.actor.pesantren_id},
                                               headers=seller.headers)).status_code,
    }

    assert statuses == {
        "seller_other_pesantren": 403, "seller_as_buyer": 403, "buyer_other": 403, "buyer_own": 201,
        "anonymous": 401, "seller_own": 201, "seller_own_again": 409,
    }


async def test_organizer_registers_anyone_even_before_open(client):
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, slots=0, tables=0)
    pesantren = await make_pesantren(name="Pesantren Tamu")
    buyer = await make_buyer(name="Pembeli Tamu")
    url = f"/api/v1/events/{event['slug']}/registrations"

    first = await client.post(url, json={"pesantren_id": pesantren["id"]}, headers=organizer.headers)
    second = await client.post(url, json={"buyer_id": buyer["id"]}, headers=organizer.headers)
    duplicate = await client.post(url, json={"buyer_id": buyer["id"]}, headers=organizer.headers)

    assert [(r.status_code, r.json()["party_name"]) for r in (first, second)] == [
        (201, "Pesantren Tamu"), (201, "Pembeli Tamu"),
    ]
    assert _problem(duplicate, 409)["detail"] == "Peserta ini sudah terdaftar di acara ini."


async def test_register_invalid(client):
    admin = await make_account("admin")
    event = await make_event(status="open", slots=0, tables=0)
    cases = [
        ({}, "pesantren_id", "isi tepat satu: pesantren_id atau buyer_id"),
        ({"pesantren_id": 1, "buyer_id": 1}, "pesantren_id", "isi tepat satu: pesantren_id atau buyer_id"),
        ({"pesantren_id": 999_999}, "pesantren_id", "pesantren 999999 tidak ada"),
        ({"buyer_id": 999_999}, "buyer_id", "pembeli 999999 tidak ada"),
        ({"buyer_id": 0}, "buyer_id", "paling kecil 1"),
        ({"buyer_id": "1"}, "buyer_id", "harus berupa bilangan bulat atau null" + AS_NUMBER),
    ]

    outcomes = [
        _outcome(await client.post(f"/api/v1/events/{event['slug']}/registrations", json=body, headers=admin.headers))
        for body, _, _ in cases
    ]

    assert outcomes == [(422, [{"field": field, "message": message}]) for _, field, message in cases]


async def test_register_on_closed_event_is_409_even_for_admin(client):
    admin = await make_account("admin")
    event = await make_event(status="closed", slots=0, tables=0)

    response = await client.post(
        f"/api/v1/events/{event['slug']}/registrations", json={"pesantren_id": (await make_pesantren())["id"]},
        headers=admin.headers,
    )

    assert _problem(response, 409)["detail"] == "Acara sudah selesai."


async def test_registration_list_visibility_per_role(client):
    organizer = await make_account("organizer")
    seller = await make_account("seller")
    buyer = await make_account("buyer")
    event = await make_event(organizer=organizer, status="open", slots=0, tables=0)
    url = f"/api/v1/events/{event['slug']}/registrations"
    for body in ({"pesantren_id": seller.actor.pesantren_id}, {"buyer_id": buyer.actor.buyer_id},
                 {"pesantren_id": (await make_pesantren())["id"]}, {"buyer_id": (await make_buyer())["id"]}):
        assert (await client.post(url, json=body, headers=organizer.headers)).status_code == 201
    callers = {
        "organizer": organizer, "admin": await make_account("admin"), "other_organizer": await make_account("organizer"),
        "seller": seller, "buyer": buyer, "anonymous": None,
    }

    seen = {}
    for name, caller in callers.items():
        response = await client.get(url, headers=auth(caller))
        seen[name] = response.json()["total"] if response.status_code == 200 else response.status_code
    only_pesantren = (await client.get(url, params={"party_kind": "pesantren"}, headers=organizer.headers)).json()

    assert seen == {"organizer": 4, "admin": 4, "other_organizer": 403, "seller": 1, "buyer": 1, "anonymous": 401}
    assert {r["party_kind"] for r in only_pesantren["items"]} == {"pesantren"}


async def test_check_in_is_idempotent(client):
    organizer = await make_account("organizer")
    seller = await make_account("seller")
    event = await make_event(organizer=organizer, status="live", slots=0, tables=0)
    registration = (
        await client.post(
            f"/api/v1/events/{event['slug']}/registrations", json={"pesantren_id": seller.actor.pesantren_id},
            headers=organizer.headers,
        )
    ).json()
    url = f"/api/v1/events/{event['slug']}/registrations/{registration['id']}/check-in"

    first = await client.post(url, headers=organizer.headers)
    second = await client.post(url, headers=organizer.headers)
    by_seller = await client.post(url, headers=seller.headers)
    missing = await client.post(f"/api/v1/events/{event['slug']}/registrations/999999/check-in",
                                headers=organizer.headers)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["checked_in_at"] is not None
    assert second.json() == first.json()
    assert (by_seller.status_code, missing.status_code) == (403, 404)


async def test_check_in_registration_of_another_event_is_404(client):
    admin = await make_account("admin")
    first = await make_event(status="open", slots=0, tables=0)
    second = await make_event(status="open", slots=0, tables=0)
    registration = (
        await client.post(
            f"/api/v1/events/{first['slug']}/registrations", json={"pesantren_id": (await make_pesantren())["id"]},
            headers=admin.headers,
        )
    ).json()

    response = await client.post(
        f"/api/v1/events/{second['slug']}/registrations/{registration['id']}/check-in", headers=admin.headers
    )

    assert _problem(response, 404)["detail"] == f"Pendaftaran {registration['id']} tidak ada di acara ini."
