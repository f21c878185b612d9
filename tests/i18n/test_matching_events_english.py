"""Matching and events speak the caller's language: an organizer who asks for English (`Accept-Language: en`)
reads the scheduler's refusals, the event's status and the scheduler's explanations in English; without it,
Bahasa Indonesia as before."""

from __future__ import annotations

import pytest

from opop_events.core.i18n import use_language
from opop_events.matching.scheduler import ProblemError, solve
from tests.factories import make_account, make_event

ENGLISH = {"Accept-Language": "en"}


async def test_an_organizer_reads_the_schedulers_refusal_in_english(client):
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, status="open", tables=2, slots=2)
    url = f"/api/v1/events/{event['slug']}/schedule"

    english = await client.post(url, json={"time_limit": 1}, headers={**organizer.headers, **ENGLISH})
    indonesian = await client.post(url, json={"time_limit": 1}, headers=organizer.headers)

    assert english.status_code == indonesian.status_code == 409
    assert english.json()["detail"] == "No meeting request has been accepted yet."
    assert indonesian.json()["detail"] == "Belum ada permintaan pertemuan yang diterima."


async def test_an_organizer_reads_the_event_status_and_a_refused_status_move_in_english(client):
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, status="open")
    url = f"/api/v1/events/{event['slug']}"

    shown = await client.get(url, headers=ENGLISH)
    refused = await client.patch(url, json={"status": "closed"}, headers={**organizer.headers, **ENGLISH})

    assert shown.json()["status_label"] == "Registration open"
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith(
        "The event status cannot change from 'open' (Registration open) to 'closed' (Finished); allowed:"
    )
    assert (await client.get(url)).json()["status_label"] == "Pendaftaran dibuka"


def test_the_schedulers_explanations_follow_the_language() -> None:
    problem = {
        "slots": [{"id": "1"}, {"id": "2"}],
        "tables": ["M01"],
        "participants": [{"id": "a", "unavailable": ["1", "2"]}, {"id": "b"}],
        "meetings": [{"id": "m1", "participants": ["a", "b"]}],
    }
    with use_language("en"):
        english = solve(problem, time_limit=1)["unscheduled"]
        with pytest.raises(ProblemError) as refused:
            solve({**problem, "tables": []}, time_limit=1)
    indonesian = solve(problem, time_limit=1)["unscheduled"]

    assert english == [{"id": "m1", "reason": "participant a is not available in any slot of the schedule"}]
    assert indonesian == [{"id": "m1", "reason": "peserta a tidak tersedia di semua slot jadwal"}]
    assert str(refused.value) == "tables: at least one table"
