"""The deal state machine under random use: Hypothesis draws sequences of actions by random roles (some with a
stale version), they are played through the API, and after every step the ledger's invariants must hold:

- a state only moves along an allowed transition; a refused action changes nothing;
- each accepted change raises the version by exactly one, and there is one history row per version;
- no action ever answers 5xx;
- the event totals equal SQL sums over the current revisions of the counted deals, and the sums of the lines
  the test itself sent (an independent model).

Plans are drawn once, derandomized (the same every run), and played in one database, so the test takes seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from opop_events.db import raw
from tests.deals.conftest import Market

PRICE_RP = 25_000
ROLES = ("seller", "buyer", "admin", "organizer", "other_seller", "other_buyer")
ACTIONS = ("amend", "confirm", "dispute", "verify", "send-back", "cancel", "realise")
PLANS = 20

# (state before, action, state after) for every change the ledger may accept, whoever asks
ALLOWED = {
    ("minat", "amend", "minat"), ("minat", "confirm", "dikonfirmasi"), ("minat", "cancel", "dibatalkan"),
    ("dicatat", "amend", "dicatat"), ("dicatat", "confirm", "dikonfirmasi"), ("dicatat", "dispute", "disanggah"),
    ("dicatat", "cancel", "dibatalkan"),
    ("disanggah", "amend", "dicatat"), ("disanggah", "cancel", "dibatalkan"),
    ("dikonfirmasi", "verify", "diverifikasi"), ("dikonfirmasi", "send-back", "dicatat"),
    ("dikonfirmasi", "cancel", "dibatalkan"), ("dikonfirmasi", "realise", "dikonfirmasi"),
    ("diverifikasi", "cancel", "dibatalkan"), ("diverifikasi", "realise", "diverifikasi"),
}
COUNTED = {"dikonfirmasi", "diverifikasi"}


@dataclass(frozen=True)
class Step:
    role: str
    action: str
    stale: bool
    quantity: int


@dataclass(frozen=True)
class Plan:
    start: str  # "catat" (the seller logs) or "minat" (the buyer registers interest)
    quantity: int
    steps: tuple[Step, ...]


# The party an action is meant for; a step asks as that party two times in three, else as anyone at all.
PARTY = {"amend": ("seller", "buyer"), "confirm": ("buyer", "seller"), "dispute": ("buyer",), "verify": ("admin",),
         "send-back": ("admin",), "cancel": ("seller", "buyer", "admin"), "realise": ("admin",)}


@st.composite
def steps(draw: st.DrawFn) -> Step:
    action = draw(st.sampled_from(ACTIONS))
    role = draw(st.sampled_from(PARTY[action]) if draw(st.integers(0, 2)) else st.sampled_from(ROLES))
    stale = draw(st.integers(min_value=0, max_value=5)) == 0  # one step in six uses an old version
    return Step(role=role, action=action, stale=stale, quantity=draw(st.integers(min_value=1, max_value=500)))


plans = st.builds(
    Plan,
    start=st.sampled_from(["catat", "catat", "minat"]),
    quantity=st.integers(min_value=1, max_value=500),
    steps=st.lists(steps(), min_size=1, max_size=10).map(tuple),
)


def _draw_plans() -> list[Plan]:
    drawn: list[Plan] = []

    @settings(max_examples=PLANS, database=None, derandomize=True, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(plans)
    def collect(plan: Plan) -> None:
        drawn.append(plan)

    collect()
    return drawn


def _lines(market: Market, quantity: int) -> list[dict]:
    return [{"product_id": market.product["id"], "quantity": str(quantity), "unit_price_rp": PRICE_RP}]


def _request(market: Market, step: Step, version: int) -> tuple[str, dict]:
    v = max(1, version - 1) if step.stale and version > 1 else version
    reason = {"version": v, "reason": "alasan uji"}
    return {
        "amend": ("amend", {"version": v, "lines": _lines(market, step.quantity), "note": "diubah"}),
        "confirm": ("confirm", {"version": v}),
        "dispute": ("dispute", reason),
        "verify": ("verify", {"version": v}),
        "send-back": ("send-back", reason),
        "cancel": ("cancel", reason),
        "realise": ("realisations", {"kind": "pembayaran", "realised_on": "2020-12-20", "amount_rp": 1_000}),
    }[step.action]


async def _state(client, market: Market, deal_id: int) -> tuple[str, int, int, list[int]]:
    deal = (await client.get(f"/api/v1/deals/{deal_id}", headers=market.admin.headers)).json()
    history = (await client.get(f"/api/v1/deals/{deal_id}/history", headers=market.admin.headers)).json()
    return deal["state"], deal["version"], deal["total_rp"], [h["version"] for h in history]


async def _start(client, market: Market, plan: Plan) -> int:
    if plan.start == "catat":
        body = market.deal_body(lines=_lines(market, plan.quantity))
        response = await client.post("/api/v1/deals", json=body, headers=market.seller.headers)
    else:
        body = {"event_slug": market.slug, "pesantren_id": market.seller.actor.pesantren_id,
                "lines": _lines(market, plan.quantity)}
        response = await client.post("/api/v1/deals/interests", json=body, headers=market.buyer.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_random_action_sequences_keep_the_ledger_invariants(client, market: Market):
    model: dict[int, tuple[str, int]] = {}  # deal -> (state, value the test expects from the lines it sent)
    seen_edges: set[tuple[str, str, str]] = set()
    for plan in _draw_plans():
        deal_id = await _start(client, market, plan)
        state, version, total, history = await _state(client, market, deal_id)
        assert (state, version, history, total) == (
            "dicatat" if plan.start == "catat" else "minat", 1, [1], plan.quantity * PRICE_RP
        )
        value = plan.quantity * PRICE_RP
        for step in plan.steps:
            path, body = _request(market, step, version)
            account = getattr(market, step.role)
            response = await client.post(f"/api/v1/deals/{deal_id}/{path}", json=body, headers=account.headers)
            assert response.status_code < 500, response.text
            after, new_version, new_total, history = await _state(client, market, deal_id)
            where = f"{plan.start} … {state} --{step.action} by {step.role}{' (stale)' if step.stale else ''}--> "
            if response.status_code in (200, 201):
                assert (state, step.action, after) in ALLOWED, where + after
                assert new_version == version + 1, where
                seen_edges.add((state, step.action, after))
                if step.action == "amend":
                    value = step.quantity * PRICE_RP
            else:
                assert response.status_code in (403, 409, 422), where + response.text
                assert (after, new_version) == (state, version), where + "a refused action changed the deal"
            assert history == list(range(1, new_version + 1)), where  # one history row per version, in order
            assert new_total == value, where
            state, version = after, new_version
        model[deal_id] = (state, value)

    assert len(seen_edges) >= 8, seen_edges  # the plans really walk the machine, not just bounce off it
    totals = (await client.get(f"/api/v1/events/{market.slug}/totals")).json()
    ledger = await raw(
        "SELECT e.state, CAST(COALESCE(SUM(l.value_rp), 0) AS BIGINT) AS rp, COUNT(DISTINCT d.id) AS n FROM deal d "
        "JOIN deal_event e ON e.deal = d.id AND e.version = (SELECT MAX(x.version) FROM deal_event x WHERE x.deal = d.id) "
        "JOIN deal_line l ON l.revision = e.revision WHERE d.event = {} GROUP BY e.state",
        market.event["id"],
    )
    by_state = {row["state"]: (row["rp"], row["n"]) for row in ledger}
    sql_confirmed = sum(by_state.get(s, (0, 0))[0] for s in COUNTED)
    model_confirmed = sum(v for s, v in model.values() if s in COUNTED)
    model_logged = sum(v for s, v in model.values() if s == "dicatat")
    assert (totals["confirmed_rp"], totals["logged_rp"]) == (sql_confirmed, by_state.get("dicatat", (0, 0))[0])
    assert (totals["confirmed_rp"], totals["logged_rp"]) == (model_confirmed, model_logged)
    assert totals["deals_confirmed"] == sum(1 for s, _ in model.values() if s in COUNTED)
