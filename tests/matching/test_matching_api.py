"""Matching through the API: requests, availability, scheduling, review, publishing, walk-ins, outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from opop_events.core.dates import now_utc
from opop_events.events.tables import Event, Registration
from tests.factories import Account, make_account, make_buyer, make_event, make_pesantren, make_product


@dataclass
class Fair:
    slug: str
    event_id: int
    organizer: Account
    buyers: list[Account]
    sellers: list[Account]
    outsider: Account


@pytest.fixture
async def fair() -> Fair:
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, status="open", tables=2, slots=4)
    buyers, sellers = [], []
    for i in range(3):
        buyer_org = await make_buyer(name=f"Pembeli Temu {i}", whatsapp=f"08129876543{i}")
        buyers.append(await make_account("buyer", buyer_id=buyer_org["id"]))
        pesantren = await make_pesantren(name=f"Pesantren Temu {i}")
        await make_product(pesantren_id=pesantren["id"])
        sellers.append(await make_account("seller", pesantren_id=pesantren["id"]))
        await Registration.insert(
            Registration(event=event["id"], party_kind="buyer", buyer=buyer_org["id"]),
            Registration(event=event["id"], party_kind="pesantren", pesantren=pesantren["id"]),
        )
    return Fair(slug=event["slug"], event_id=event["id"], organizer=organizer, buyers=buyers, sellers=sellers,
                outsider=await make_account("organizer"))


async def _request(client, fair: Fair, b: int, s: int, priority: str = "penting") -> dict:
    response = await client.post(
        f"/api/v1/events/{fair.slug}/requests",
        json={"pesantren_id": fair.sellers[s].actor.pesantren_id, "message": "Ingin bertemu", "priority": priority},
        headers=fair.buyers[b].headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _accept(client, fair: Fair, request: dict, s: int) -> None:
    response = await client.post(f"/api/v1/requests/{request['id']}/answer", json={"accept": True}, headers=fair.sellers[s].headers)
    assert response.status_code == 200, response.text


async def test_request_accept_decline_and_who_may_answer(client, fair):
    request = await _request(client, fair, 0, 0)
    assert (request["status"], request["requested_by"]) == ("menunggu", "buyer")
    not_theirs = await client.post(f"/api/v1/requests/{request['id']}/answer", json={"accept": True}, headers=fair.sellers[1].headers)
    assert not_theirs.status_code == 403
    own_side = await client.post(f"/api/v1/requests/{request['id']}/answer", json={"accept": True}, headers=fair.buyers[0].headers)
    assert own_side.status_code == 403
    declined = await client.post(f"/api/v1/requests/{request['id']}/answer", json={"accept": False, "note": "Belum perlu"}, headers=fair.sellers[0].headers)
    assert declined.json()["status"] == "ditolak"
    again = await client.post(f"/api/v1/requests/{request['id']}/answer", json={"accept": True}, headers=fair.sellers[0].headers)
    assert again.status_code == 409


async def test_duplicate_request_and_quota_are_refused(client, fair):
    await _request(client, fair, 0, 0)
    dup = await client.post(f"/api/v1/events/{fair.slug}/requests", json={"pesantren_id": fair.sellers[0].actor.pesantren_id}, headers=fair.buyers[0].headers)
    assert dup.status_code == 409
    await Event.update({Event.meeting_quota: 2}).where(Event.id == fair.event_id)
    await _request(client, fair, 0, 1)
    over = await client.post(f"/api/v1/events/{fair.slug}/requests", json={"pesantren_id": fair.sellers[2].actor.pesantren_id}, headers=fair.buyers[0].headers)
    assert over.status_code == 409
    assert "kuota 2" in over.json()["detail"]


async def test_pending_request_expires_at_deadline(client, fair):
    request = await _request(client, fair, 0, 0)
    await Event.update({Event.request_deadline: now_utc() - timedelta(minutes=1)}).where(Event.id == fair.event_id)
    listed = (await client.get(f"/api/v1/events/{fair.slug}/requests", headers=fair.sellers[0].headers)).json()
    assert [r["status"] for r in listed] == ["kedaluwarsa"]
    late = await client.post(f"/api/v1/requests/{request['id']}/answer", json={"accept": True}, headers=fair.sellers[0].headers)
    assert late.status_code == 409
    new = await client.post(f"/api/v1/events/{fair.slug}/requests", json={"pesantren_id": fair.sellers[1].actor.pesantren_id}, headers=fair.buyers[0].headers)
    assert new.status_code == 409


async def test_participants_see_only_their_requests(client, fair):
    await _request(client, fair, 0, 0)
    await _request(client, fair, 1, 1)
    mine = (await client.get(f"/api/v1/events/{fair.slug}/requests", headers=fair.buyers[0].headers)).json()
    assert [(r["buyer_name"], r["pesantren_name"]) for r in mine] == [("Pembeli Temu 0", "Pesantren Temu 0")]
    assert len((await client.get(f"/api/v1/events/{fair.slug}/requests", headers=fair.organizer.headers)).json()) == 2
    assert (await client.get(f"/api/v1/events/{fair.slug}/requests", headers=fair.outsider.headers)).status_code == 403


async def _schedule_everyone(client, fair: Fair) -> list[dict]:
    for b in range(3):
        for s in range(3):
            await _accept(client, fair, await _request(client, fair, b, s), s)
    result = await client.post(f"/api/v1/events/{fair.slug}/schedule", json={"time_limit": 5}, headers=fair.organizer.headers)
    assert result.status_code == 200, result.text
    return result.json()


def _assert_conflict_free(meetings: list[dict]) -> None:
    placed = [m for m in meetings if m["slot_id"]]
    for key in ("buyer_id", "pesantren_id", "table_id"):
        pairs = [(m["slot_id"], m[key]) for m in placed]
        assert len(pairs) == len(set(pairs)), key


async def test_scheduler_places_what_fits_and_keeps_the_rest_with_reasons(client, fair):
    # 9 accepted meetings, 4 slots × 2 tables = 8 places: one cannot be held.
    result = await _schedule_everyone(client, fair)
    assert (result["requested"], result["scheduled"]) == (9, 8)
    assert len(result["unscheduled"]) == 1 and result["unscheduled"][0]["unscheduled_reason"]
    meetings = (await client.get(f"/api/v1/events/{fair.slug}/meetings", headers=fair.organizer.headers)).json()
    assert len(meetings) == 9
    _assert_conflict_free(meetings)
    # Participants see nothing until it is published.
    assert (await client.get(f"/api/v1/events/{fair.slug}/meetings", headers=fair.buyers[0].headers)).json() == []


async def test_unavailable_slots_are_respected(client, fair):
    slots = (await client.get(f"/api/v1/events/{fair.slug}/sessions")).json()[0]["slots"]
    blocked = [slots[0]["id"], slots[1]["id"]]
    response = await client.put(f"/api/v1/events/{fair.slug}/availability", json={"unavailable_slot_ids": blocked}, headers=fair.buyers[0].headers)
    assert response.status_code == 200
    await _schedule_everyone(client, fair)
    meetings = (await client.get(f"/api/v1/events/{fair.slug}/meetings", headers=fair.organizer.headers)).json()
    assert all(m["slot_id"] not in blocked for m in meetings if m["buyer_id"] == fair.buyers[0].actor.buyer_id)


async def test_move_refuses_clashes_and_publish_shows_agendas(client, fair):
    await _schedule_everyone(client, fair)
    meetings = (await client.get(f"/api/v1/events/{fair.slug}/meetings", headers=fair.organizer.headers)).json()
    placed = [m for m in meetings if m["slot_id"]]
    a = placed[0]
    clash = next(m for m in placed if m["slot_id"] != a["slot_id"] and m["buyer_id"] == a["buyer_id"])
    refused = await client.post(f"/api/v1/meetings/{a['id']}/move", json={"slot_id": clash["slot_id"]}, headers=fair.organizer.headers)
    assert refused.status_code == 409
    assert "sudah punya pertemuan lain" in refused.json()["detail"] or "meja" in refused.json()["detail"].lower()
    assert (await client.post(f"/api/v1/meetings/{a['id']}/move", json={"slot_id": a["slot_id"]}, headers=fair.sellers[0].headers)).status_code == 403
    published = await client.post(f"/api/v1/events/{fair.slug}/schedule/publish", headers=fair.organizer.headers)
    assert published.status_code == 200
    assert {m["status"] for m in published.json()} == {"terjadwal", "belum_terjadwal"}
    assert (await client.get(f"/api/v1/events/{fair.slug}")).json()["status"] == "scheduled"
    agenda = (await client.get(f"/api/v1/events/{fair.slug}/agenda", headers=fair.buyers[0].headers)).json()
    assert agenda["participant"] == "Pembeli Temu 0"
    times = [item["starts_at"] for item in agenda["items"]]
    assert times == sorted(times) and all(item["counterpart_whatsapp"] for item in agenda["items"])
    rerun = await client.post(f"/api/v1/events/{fair.slug}/schedule", json={"time_limit": 2}, headers=fair.organizer.headers)
    assert rerun.status_code == 409


async def test_walk_in_attendance_outcome_and_deal_from_meeting(client, fair):
    await _schedule_everyone(client, fair)
    await client.post(f"/api/v1/events/{fair.slug}/schedule/publish", headers=fair.organizer.headers)
    meetings = (await client.get(f"/api/v1/events/{fair.slug}/meetings", headers=fair.organizer.headers)).json()
    waiting = next(m for m in meetings if m["status"] == "belum_terjadwal")
    full = await client.post(
        f"/api/v1/events/{fair.slug}/meetings/walk-in",
        json={"buyer_id": waiting["buyer_id"], "pesantren_id": waiting["pesantren_id"]},
        headers=fair.organizer.headers,
    )
    assert full.status_code == 409  # every slot of the (past) event is taken or over
    meeting = next(m for m in meetings if m["status"] == "terjadwal")
    held = await client.post(f"/api/v1/meetings/{meeting['id']}/attendance", json={"held": True}, headers=fair.organizer.headers)
    assert held.json()["status"] == "hadir"
    seller = next(s for s in fair.sellers if s.actor.pesantren_id == meeting["pesantren_id"])
    rated = await client.post(f"/api/v1/meetings/{meeting['id']}/outcome", json={"outcome": "sepakat"}, headers=seller.headers)
    assert rated.status_code == 200, rated.text
    hint = rated.json()["log_deal"]
    assert hint == {"event_slug": fair.slug, "meeting_id": meeting["id"], "buyer_id": meeting["buyer_id"], "pesantren_id": meeting["pesantren_id"]}
    product = (await client.get(f"/api/v1/products?pesantren_id={meeting['pesantren_id']}")).json()["items"][0]
    await Event.update({Event.status: "live"}).where(Event.id == fair.event_id)
    deal = await client.post(
        "/api/v1/deals",
        json={"event_slug": fair.slug, "kind": "kontrak", "deal_date": "2020-12-09", "buyer_id": hint["buyer_id"],
              "meeting_id": hint["meeting_id"], "lines": [{"product_id": product["id"], "quantity": "3"}]},
        headers=seller.headers,
    )
    assert deal.status_code == 201, deal.text
    assert deal.json()["meeting_id"] == meeting["id"]
    other_buyer = next(b for b in fair.buyers if b.actor.buyer_id != meeting["buyer_id"])
    wrong = await client.post(
        "/api/v1/deals",
        json={"event_slug": fair.slug, "kind": "kontrak", "deal_date": "2020-12-09", "buyer_id": other_buyer.actor.buyer_id,
              "meeting_id": hint["meeting_id"], "lines": [{"product_id": product["id"], "quantity": "3"}]},
        headers=seller.headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "meeting_id"
    funnel_totals = (await client.get(f"/api/v1/events/{fair.slug}/funnel", headers=fair.organizer.headers)).json()
    assert funnel_totals == {"requests": 9, "accepted": 9, "scheduled": 8, "held": 1, "deals": 1, "confirmed_rp": 0}
