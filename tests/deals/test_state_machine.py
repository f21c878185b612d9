"""The deal state machine under random use: Hypothesis draws sequences of actions by random roles (some with a
stale version), they are played through the API, and after every step the ledger's invariants must hold:

- a state only moves along an allowed transition; a refused action changes nothing;
- each accepted change raises the version by exactly one, and there is one history row per version;
- no action ever answers 5xx;
- the event totals equal SQL sums over the current revisions of the counted deals, and the sums of the lines
  the test itself sent (an independent model): confirmed = the deals both sides agreed to, at the terms they
  agreed (a counter-offer or a proposed change counts only once the other side accepts it);
- while the event's books are closed, the official figure never changes, and deals agreed after closing are
  summed apart as late (susulan); after reopening, the figure follows the ledger again.

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
ACTIONS = ("amend", "confirm", "counter", "decline", "dispute", "verify", "send-back", "cancel", "realise", "close",
           "reopen")
PLANS = 150

# (state before, action, state after) for every change the ledger may accept, whoever asks
ALLOWED = {
    ("minat", "amend", "minat"), ("minat", "confirm", "dikonfirmasi"), ("minat", "cancel", "dibatalkan"),
    ("dicatat", "amend", "dicatat"), ("dicatat", "confirm", "dikonfirmasi"), ("dicatat", "dispute", "disanggah"),
    ("dicatat", "cancel", "dibatalkan"),
    ("disanggah", "amend", "dicatat"), ("disanggah", "cancel", "dibatalkan"),
    ("dikonfirmasi", "verify", "diverifikasi"), ("dikonfirmasi", "send-back", "dicatat"),
    ("dikonfirmasi", "cancel", "dibatalkan"), ("dikonfirmasi", "realise", "dikonfirmasi"),
    ("diverifikasi", "cancel", "dibatalkan"), ("diverifikasi", "realise", "diverifikasi"),
    # counter-offers: changed terms go to the other side; an agreed deal's change waits in `perubahan`
    ("minat", "counter", "dicatat"), ("dicatat", "counter", "minat"),
    ("dikonfirmasi", "amend", "perubahan"), ("perubahan", "amend", "perubahan"),
    ("perubahan", "confirm", "dikonfirmasi"), ("perubahan", "counter", "perubahan"),
    ("perubahan", "decline", "dikonfirmasi"), ("perubahan", "cancel", "dibatalkan"),
    ("perubahan", "realise", "perubahan"),
}
COUNTED = {"dikonfirmasi", "perubahan", "diverifikasi"}
EVENT_ACTIONS = ("close", "reopen")
TURN = "turn"


@dataclass(frozen=True)
class Step:
    role: str
    action: str
    stale: bool
    quantity: int


@dataclass(frozen=True)
class Plan:
    start: str  # "catat" (the seller logs), "minat" (the buyer registers interest), "sepakat" (logged and
    # agreed), "usul" (agreed, then the seller proposes one more unit)
    quantity: int
    steps: tuple[Step, ...]


# The party an action is meant for; a step asks as that party two times in three, else as anyone at all.
PARTY = {"amend": ("seller", "buyer"), "confirm": ("buyer", "seller"), "counter": ("buyer", "seller"),
         "decline": ("buyer", "seller"), "dispute": ("buyer",), "verify": ("admin",), "send-back": ("admin",),
         "cancel": ("seller", "buyer", "admin"), "realise": ("admin",), "close": ("admin",), "reopen": ("admin",)}


@st.composite
def steps(draw: st.DrawFn) -> Step:
    action = draw(st.sampled_from(ACTIONS))
    # one step in three asks as "the party whose move it is" (resolved against the deal when played), one as a
    # party the action is meant for, one as anyone at all
    role = draw(st.sampled_from([TURN, *PARTY[action]]) if draw(st.integers(0, 2)) else st.sampled_from(ROLES))
    stale = draw(st.integers(min_value=0, max_value=5)) == 0  # one step in six uses an old version
    return Step(role=role, action=action, stale=stale, quantity=draw(st.integers(min_value=1, max_value=500)))


plans = st.builds(
    Plan,
    start=st.sampled_from(["catat", "minat", "sepakat", "usul"]),
    quantity=st.integers(min_value=1, max_value=500),
    steps=st.lists(steps(), min_size=2, max_size=12).map(tuple),
)


def _draw_plans() -> list[Plan]:
    drawn: list[Plan] = []

    @settings(max_examples=PLANS, database=None, derandomize=True, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(plans)
    def collect(plan: Plan) -> None:
        drawn.append(plan)

    collect()
    return WALKS + drawn


def _walk(start: str, *moves: tuple[str, int]) -> Plan:
    return Plan(start=start, quantity=7, steps=tuple(Step(role=TURN, action=a, stale=False, quantity=q) for a, q in moves))


WALKS = [
    # the paths of the counter-offers and proposed changes, walked once each before the random plans, so the
    # invariants are checked on them whatever the draw
    _walk("minat", ("counter", 9), ("counter", 8), ("confirm", 0)),
    _walk("sepakat", ("amend", 12), ("counter", 11), ("confirm", 0), ("close", 0), ("amend", 3), ("decline", 0)),
    _walk("catat", ("confirm", 0), ("amend", 5), ("amend", 6), ("confirm", 0), ("reopen", 0)),
]


def _lines(market: Market, quantity: int) -> list[dict]:
    return [{"product_id": market.product["id"], "quantity": str(quantity), "unit_price_rp": PRICE_RP}]


def _request(market: Market, step: Step, version: int) -> tuple[str, dict]:
    v = max(1, version - 1) if step.stale and version > 1 else version
    reason = {"version": v, "reason": "alasan uji"}
    return {
        "amend": ("amend", {"version": v, "lines": _lines(market, step.quantity), "note": "diubah"}),
        "confirm": ("confirm", {"version": v}),
        "counter": ("confirm", {"version": v, "lines": _lines(market, step.quantity)}),
        "decline": ("decline-change", reason),
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
    if plan.start != "minat":
        body = market.deal_body(lines=_lines(market, plan.quantity))
        response = await client.post("/api/v1/deals", json=body, headers=market.seller.headers)
    else:
        body = {"event_slug": market.slug, "pesantren_id": market.seller.actor.pesantren_id,
                "lines": _lines(market, plan.quantity)}
        response = await client.post("/api/v1/deals/interests", json=body, headers=market.buyer.headers)
    assert response.status_code == 201, response.text
    deal_id = response.json()["id"]
    if plan.start in ("sepakat", "usul"):
        agreed = await client.post(f"/api/v1/deals/{deal_id}/confirm", json={"version": 1}, headers=market.buyer.headers)
        assert agreed.status_code == 200, agreed.text
    if plan.start == "usul":
        proposed = await client.post(f"/api/v1/deals/{deal_id}/amend", headers=market.seller.headers,
                                     json={"version": 2, "lines": _lines(market, plan.quantity + 1)})
        assert proposed.status_code == 200, proposed.text
    return deal_id


@dataclass
class Model:
    """What the test expects of one deal, from what it sent: the state, the terms on the table (quantity), who
    proposed them, the agreed quantity (what counts), and a pending proposal of an agreed deal."""

    state: str
    terms: int
    proposer: str  # seller | buyer
    agreed: int | None = None
    offer: int | None = None
    offer_by: str = ""

    @property
    def counted_rp(self) -> int:
        return (self.agreed or 0) * PRICE_RP if self.state in COUNTED else 0


def _expect(model: Model, step: Step, after: str) -> None:
    """Move the model along an accepted step (the API's answer `after` is checked against ALLOWED first)."""
    side = "seller" if step.role == "seller" else "buyer"
    if step.action == "amend":
        if model.state in ("dikonfirmasi", "perubahan"):
            model.offer, model.offer_by = step.quantity, side
        else:
            model.terms, model.proposer = step.quantity, side
    elif step.action in ("confirm", "counter"):
        changed = step.action == "counter" and step.quantity != (model.offer if model.offer else model.terms)
        if model.state == "perubahan":
            if changed:
                model.offer, model.offer_by = step.quantity, side
            else:
                model.terms = model.agreed = model.offer
                model.offer, model.offer_by = None, ""
        elif changed:
            model.terms, model.proposer = step.quantity, side
        else:
            model.agreed = model.terms
    elif step.action == "decline":
        model.offer, model.offer_by = None, ""
    elif step.action == "send-back" or step.action == "cancel":
        model.agreed, model.offer, model.offer_by = None, None, ""
    model.state = after


def _turn(model: Model, action: str) -> str:
    """The party whose move `action` would be on the deal as the model has it."""
    if action in ("confirm", "counter", "decline"):
        if model.state == "perubahan":
            return "buyer" if model.offer_by == "seller" else "seller"
        return "seller" if model.state == "minat" else "buyer"
    if action == "amend":
        if model.state == "perubahan":
            return model.offer_by
        return "buyer" if model.state == "minat" else "seller"
    return PARTY[action][0]


async def _totals(client, market: Market) -> dict:
    return (await client.get(f"/api/v1/events/{market.slug}/totals")).json()


async def test_random_action_sequences_keep_the_ledger_invariants(client, market: Market):
    model: dict[int, Model] = {}
    seen_edges: set[tuple[str, str, str]] = set()
    official: int | None = None  # the official figure while the books are closed
    counted_at_close: set[int] = set()
    for plan in _draw_plans():
        deal_id = await _start(client, market, plan)
        state, version, total, history = await _state(client, market, deal_id)
        first = {"catat": ("dicatat", 1), "minat": ("minat", 1), "sepakat": ("dikonfirmasi", 2),
                 "usul": ("perubahan", 3)}[plan.start]
        assert (state, version, history, total) == (*first, list(range(1, first[1] + 1)), plan.quantity * PRICE_RP)
        deal = model[deal_id] = Model(state=state, terms=plan.quantity,
                                      proposer="buyer" if plan.start == "minat" else "seller",
                                      agreed=plan.quantity if plan.start in ("sepakat", "usul") else None)
        if plan.start == "usul":
            deal.offer, deal.offer_by = plan.quantity + 1, "seller"
        for step in plan.steps:
            if step.action in EVENT_ACTIONS:
                step = Step(role="admin" if step.role == TURN else step.role, action=step.action, stale=step.stale,
                            quantity=step.quantity)
                url = f"/api/v1/events/{market.slug}/closing" + ("/reopen" if step.action == "reopen" else "")
                response = await client.post(url, json={"reason": "uji tutup buku"},
                                             headers=getattr(market, step.role).headers)  # fmt: skip
                assert response.status_code < 500, response.text
                if response.status_code == 200:
                    if step.action == "close":
                        assert official is None, "closed twice"
                        official = sum(m.counted_rp for m in model.values())
                        counted_at_close = {d for d, m in model.items() if m.counted_rp}
                    else:
                        assert official is not None, "reopened an open event"
                        official, counted_at_close = None, set()
                elif step.role == "admin":  # refused only when already closed (close) or not closed (reopen)
                    assert response.status_code == 409, response.text
                    assert (step.action == "close") == (official is not None)
                else:
                    assert response.status_code == 403, response.text
            else:
                if step.role == TURN:
                    step = Step(role=_turn(deal, step.action), action=step.action, stale=step.stale,
                                quantity=step.quantity)
                path, body = _request(market, step, version)
                account = getattr(market, step.role)
                response = await client.post(f"/api/v1/deals/{deal_id}/{path}", json=body, headers=account.headers)
                assert response.status_code < 500, response.text
                after, new_version, new_total, history = await _state(client, market, deal_id)
                where = f"{plan.start} … {state} --{step.action} by {step.role}{' (stale)' if step.stale else ''}--> "
                if response.status_code in (200, 201):
                    edge = (state, "confirm" if step.action == "counter" and after == "dikonfirmasi" else step.action,
                            after)
                    assert edge in ALLOWED, where + after
                    assert new_version == version + 1, where
                    seen_edges.add(edge)
                    _expect(deal, step, after)
                else:
                    assert response.status_code in (403, 409, 422), where + response.text
                    assert (after, new_version) == (state, version), where + "a refused action changed the deal"
                assert history == list(range(1, new_version + 1)), where  # one history row per version, in order
                # the deal shows the agreed terms while a change waits, else the terms on the table
                shown = deal.agreed if deal.state in ("perubahan",) else deal.terms
                assert new_total == shown * PRICE_RP, where
                state, version = after, new_version
            totals = await _totals(client, market)
            live = sum(m.counted_rp for m in model.values())
            if official is None:
                assert (totals["closed"], totals["confirmed_rp"], totals["late_confirmed_rp"]) == (False, live, 0)
            else:
                late = sum(m.counted_rp for d, m in model.items() if m.counted_rp and d not in counted_at_close)
                assert (totals["closed"], totals["confirmed_rp"], totals["late_confirmed_rp"]) == (
                    True, official, late), "the official figure of a closed event moved"

    assert len(seen_edges) >= 12, seen_edges  # the plans really walk the machine, not just bounce off it
    assert {("dikonfirmasi", "amend", "perubahan"), ("perubahan", "confirm", "dikonfirmasi"),
            ("perubahan", "decline", "dikonfirmasi"), ("perubahan", "counter", "perubahan"),
            ("dicatat", "counter", "minat"), ("minat", "counter", "dicatat")} <= seen_edges, seen_edges
    if official is not None:
        await client.post(f"/api/v1/events/{market.slug}/closing/reopen", json={"reason": "uji selesai"},
                          headers=market.admin.headers)  # fmt: skip
    totals = await _totals(client, market)
    ledger = await raw(
        "SELECT e.state, CAST(COALESCE(SUM(l.value_rp), 0) AS BIGINT) AS rp, COUNT(DISTINCT d.id) AS n FROM deal d "
        "JOIN deal_event e ON e.deal = d.id AND e.version = (SELECT MAX(x.version) FROM deal_event x WHERE x.deal = d.id) "
        "JOIN deal_line l ON l.revision = e.revision WHERE d.event = {} GROUP BY e.state",
        market.event["id"],
    )
    by_state = {row["state"]: (row["rp"], row["n"]) for row in ledger}
    sql_confirmed = sum(by_state.get(s, (0, 0))[0] for s in COUNTED)
    model_confirmed = sum(m.counted_rp for m in model.values())
    model_logged = sum(m.terms * PRICE_RP for m in model.values() if m.state == "dicatat")
    assert (totals["confirmed_rp"], totals["logged_rp"]) == (sql_confirmed, by_state.get("dicatat", (0, 0))[0])
    assert (totals["confirmed_rp"], totals["logged_rp"]) == (model_confirmed, model_logged)
    assert totals["deals_confirmed"] == sum(1 for m in model.values() if m.state in COUNTED)
