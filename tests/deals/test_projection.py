"""The current-state projection equals a replay of the history, whatever the ledger went through.

Hypothesis draws random sequences of ledger actions (log, register interest, confirm, change / propose /
counter / accept, decline, dispute, cancel, verify, send back, realisations and their corrections, closing and
reopening the books) by random parties; they are played through the API (so through the services) on the real
database. After every sequence:

- `deal_current` and `deal_line_current` hold exactly what the history gives for each deal now (state, version,
  revision, kind, date, total, realised; each current line with its category, value and realised credit);
- every figure read from the projection (headline, the five breakdowns, the per-kind totals) equals the same
  figure read from the history as of now (the exact as-of path);
- nothing is left marked dirty, and `opop-events db rebuild-projection`'s statements give the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from opop_events.core.dates import now_utc
from opop_events.db import raw, write_transaction
from opop_events.deals.projection import rebuild
from opop_events.deals.queries import PART
from opop_events.reports import queries
from tests.deals.conftest import Market
from tests.test_cli import _run

PRICE_RP = 25_000
ACTIONS = ("log", "interest", "amend", "confirm", "counter", "decline", "dispute", "verify", "send-back", "cancel",
           "realise", "void", "close", "reopen")
PARTIES = {"log": ("seller", "other_seller"), "interest": ("buyer",), "amend": ("seller", "buyer"),
           "confirm": ("buyer", "seller"), "counter": ("buyer", "seller"), "decline": ("buyer", "seller"),
           "dispute": ("buyer",), "verify": ("admin",), "send-back": ("admin",), "cancel": ("seller", "buyer", "admin"),
           "realise": ("admin",), "void": ("admin",), "close": ("admin",), "reopen": ("admin",)}
SEQUENCES = 25


@dataclass(frozen=True)
class Step:
    action: str
    role: str
    deal: int  # an index into the deals made so far (modulo their number)
    quantity: int


@st.composite
def steps(draw: st.DrawFn) -> Step:
    action = draw(st.sampled_from(ACTIONS))
    return Step(action=action, role=draw(st.sampled_from(PARTIES[action])), deal=draw(st.integers(0, 50)),
                quantity=draw(st.integers(min_value=1, max_value=400)))


def _sequences() -> list[list[Step]]:
    drawn: list[list[Step]] = []

    @settings(max_examples=SEQUENCES, database=None, derandomize=True, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(steps(), min_size=3, max_size=14))
    def collect(sequence: list[Step]) -> None:
        drawn.append(sequence)

    collect()
    return drawn


def _lines(market: Market, quantity: int, *, second: bool) -> list[dict]:
    lines = [{"product_id": market.product["id"], "quantity": str(quantity), "unit_price_rp": PRICE_RP}]
    if second:  # a second line of another category: the category breakdown and its realised credit
        lines.append({"description": "Kerajinan uji", "category": "kriya", "quantity": "2",
                      "unit_price_rp": 10_000 * quantity, "unit": "buah"})
    return lines


async def _play(client, market: Market, deals: list[int], step: Step) -> None:
    account = getattr(market, step.role)
    if step.action in ("close", "reopen"):
        url = f"/api/v1/events/{market.slug}/closing" + ("/reopen" if step.action == "reopen" else "")
        response = await client.post(url, json={"reason": "uji proyeksi"}, headers=account.headers)
        assert response.status_code in (200, 409), response.text
        return
    if step.action == "log":
        body = market.deal_body(lines=_lines(market, step.quantity, second=step.quantity % 2 == 0))
        if step.role == "other_seller":
            body["buyer_id"] = market.other_buyer.actor.buyer_id
            body["lines"] = [{"description": "Beras uji", "category": "pertanian", "quantity": str(step.quantity),
                              "unit_price_rp": PRICE_RP, "unit": "kg"}]
        response = await client.post("/api/v1/deals", json=body, headers=account.headers)
        assert response.status_code == 201, response.text
        deals.append(response.json()["id"])
        return
    if step.action == "interest":
        body = {"event_slug": market.slug, "pesantren_id": market.seller.actor.pesantren_id,
                "lines": _lines(market, step.quantity, second=False)}
        response = await client.post("/api/v1/deals/interests", json=body, headers=account.headers)
        assert response.status_code == 201, response.text
        deals.append(response.json()["id"])
        return
    if not deals:
        return
    deal_id = deals[step.deal % len(deals)]
    deal = (await client.get(f"/api/v1/deals/{deal_id}", headers=market.admin.headers)).json()
    version = deal["version"]
    reason = {"version": version, "reason": "alasan uji"}
    if step.action == "void":
        listed = (await client.get(f"/api/v1/deals/{deal_id}/realisations", headers=account.headers)).json()
        open_ones = [r for r in listed if r["voids"] is None and not r["voided"]]
        if not open_ones:
            return
        path, body = f"realisations/{open_ones[0]['id']}/void", {"reason": "salah catat"}
    else:
        path, body = {
            "amend": ("amend", {"version": version, "lines": _lines(market, step.quantity, second=True)}),
            "confirm": ("confirm", {"version": version}),
            "counter": ("confirm", {"version": version, "lines": _lines(market, step.quantity, second=False)}),
            "decline": ("decline-change", reason),
            "dispute": ("dispute", reason),
            "verify": ("verify", {"version": version}),
            "send-back": ("send-back", reason),
            "cancel": ("cancel", reason),
            "realise": ("realisations", {"kind": "pembayaran", "realised_on": "2020-12-20",
                                         "amount_rp": 1_000 * step.quantity}),
        }[step.action]
    # a seller who is not the deal's (the other pesantren's deals) is refused: fine, nothing may change then
    response = await client.post(f"/api/v1/deals/{deal_id}/{path}", json=body, headers=account.headers)
    assert response.status_code < 500, response.text


_REPLAY_DEALS = (
    "SELECT d.id AS deal, d.event, d.pesantren, d.buyer, e.state, e.version, e.revision, r.kind, r.deal_date, "
    "(SELECT COALESCE(SUM(l.value_rp), 0) FROM deal_line l WHERE l.revision = e.revision) AS total, "
    "(SELECT COALESCE(SUM(z.amount_rp), 0) FROM realisation z WHERE z.deal = d.id AND z.voids IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id)) AS realised "
    "FROM deal d JOIN deal_event e ON e.deal = d.id "
    "AND e.version = (SELECT MAX(x.version) FROM deal_event x WHERE x.deal = d.id) "
    "JOIN deal_revision r ON r.id = e.revision ORDER BY d.id"
)
_PROJECTED_DEALS = (
    "SELECT deal, event, pesantren, buyer, state, version, revision, kind, deal_date, total_hi, total_lo, "
    "realised_hi, realised_lo FROM deal_current ORDER BY deal"
)
_REPLAY_LINES = (
    "SELECT d.id AS deal, l.position, l.category, l.value_rp, e.state FROM deal d JOIN deal_event e ON e.deal = d.id "
    "AND e.version = (SELECT MAX(x.version) FROM deal_event x WHERE x.deal = d.id) "
    "JOIN deal_line l ON l.revision = e.revision ORDER BY d.id, l.position"
)
_PROJECTED_LINES = (
    "SELECT deal, position, category, value_rp, state, realised_hi, realised_lo FROM deal_line_current "
    "ORDER BY deal, position"
)


async def _projection() -> tuple[list[tuple], list[tuple]]:
    deals = [
        (r["deal"], r["event"], r["pesantren"], r["buyer"], r["state"], r["version"], r["revision"], r["kind"],
         str(r["deal_date"]), r["total_hi"] * PART + r["total_lo"], r["realised_hi"] * PART + r["realised_lo"])
        for r in await raw(_PROJECTED_DEALS)
    ]
    lines = [(r["deal"], r["position"], r["category"], int(r["value_rp"]), r["state"],
              r["realised_hi"] * PART + r["realised_lo"]) for r in await raw(_PROJECTED_LINES)]
    return deals, lines


async def _replay() -> tuple[list[tuple], list[tuple]]:
    deals = [
        (r["deal"], r["event"], r["pesantren"], r["buyer"], r["state"], r["version"], r["revision"], r["kind"],
         str(r["deal_date"]), int(r["total"]), int(r["realised"]))
        for r in await raw(_REPLAY_DEALS)
    ]
    realised = {d[0]: d[10] for d in deals}
    lines = [(r["deal"], r["position"], r["category"], int(r["value_rp"]), r["state"]) for r in await raw(_REPLAY_LINES)]
    # the realised amount is credited to the first line of the deal's main category (that of its largest line)
    credited = []
    for deal in dict.fromkeys(line[0] for line in lines):
        own = [line for line in lines if line[0] == deal]
        main = sorted(own, key=lambda line: (-line[3], line[1]))[0][2]
        first = min(line[1] for line in own if line[2] == main)
        credited += [(*line, realised[deal] if line[1] == first else 0) for line in own]
    return deals, credited


async def _figures(scope: queries.Scope, as_of) -> tuple:
    return (
        await queries.headline(scope, as_of=as_of),
        await queries.kind_totals(scope, as_of=as_of),
        await queries.by_region(scope, as_of=as_of),
        await queries.by_category(scope, as_of=as_of),
        await queries.by_buyer_type(scope, as_of=as_of),
        await queries.by_pesantren(scope, as_of=as_of),
        await queries.by_buyer(scope, as_of=as_of),
        await queries.late_figures(scope, as_of=as_of),
    )


async def test_the_projection_equals_a_replay_of_the_history_after_random_ledgers(client, market: Market):
    deals: list[int] = []
    scope = queries.Scope(event_id=market.event["id"])
    checked_open = 0
    for sequence in _sequences():
        for step in sequence:
            await _play(client, market, deals, step)
        assert await _projection() == await _replay(), sequence
        assert (await raw("SELECT COUNT(*) AS n FROM projection_dirty"))[0]["n"] == 0
        # the figures read from the projection (books open) equal those replayed from the history as of now
        now_figures = await _figures(scope, None)
        assert now_figures == await _figures(scope, now_utc()), sequence
        assert not now_figures[0].confirmed_rp or now_figures[2], "a figure without a breakdown"
        checked_open += not (await queries.closings(scope))
    assert checked_open >= 5, "the books were closed for most of the run: the projection was barely read"
    assert len(deals) >= 20
    before = await _projection()
    async with write_transaction():
        await rebuild()
    assert await _projection() == before


async def test_a_write_around_the_services_falls_back_to_the_history_until_the_projection_is_rebuilt(
    client, market: Market, database_url
):
    body = market.deal_body()
    deal_id = (await client.post("/api/v1/deals", json=body, headers=market.seller.headers)).json()["id"]
    confirmed = await client.post(f"/api/v1/deals/{deal_id}/confirm", json={"version": 1}, headers=market.buyer.headers)
    assert confirmed.status_code == 200, confirmed.text
    totals = await client.get(f"/api/v1/events/{market.slug}/totals")
    assert totals.json()["realised_rp"] == 0 and totals.headers["etag"]

    # a realisation written by hand: the trigger marks the deal dirty; the figures come from the history, exact,
    # and carry no validator (the stamp did not move)
    async with write_transaction():
        await raw("INSERT INTO realisation (deal, kind, realised_on, amount_rp, note, recorded_at) "
                  "VALUES ({}, 'pembayaran', {}, 70000, '', {})", deal_id, date(2020, 12, 20), now_utc())
    by_hand = await client.get(f"/api/v1/events/{market.slug}/totals")
    assert by_hand.json()["realised_rp"] == 70_000 and "etag" not in by_hand.headers
    assert await _projection() != await _replay()

    rebuilt = await _run(["db", "rebuild-projection"], database_url)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.strip() == "Proyeksi dibangun ulang dari riwayat: 1 transaksi."
    assert await _projection() == await _replay()
    after = await client.get(f"/api/v1/events/{market.slug}/totals")
    assert after.json()["realised_rp"] == 70_000 and after.headers["etag"] not in (None, totals.headers["etag"])
