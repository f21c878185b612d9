"""The deal ledger's rules: who may do what from which state, exact money, append-only history, versions.

Every change writes a history row (`deal_event`) numbered per deal; a unique (deal, version) index makes two
concurrent changes to one deal unable to both win. Content changes write a new revision with its lines;
nothing that counted toward a figure is updated or deleted.

A package split by concept; callers import from here:

- `current` — a deal as it stands (its current history row, lines, whose move it is) and `deal_number`;
- `permissions` — who may do what from which state (`allowed_actions`, the one table the ledger enforces);
- `reading` — one deal, the lists each role may see, the history;
- `revisions` — the row writers: clean lines (caps, exact values), revisions, snapshots, history rows;
- `creating` — a new deal: logged by the pesantren (or Dinas for it), or a buyer's interest;
- `lifecycle` — counter-offers, proposed changes, confirmation, dispute, verification, cancellation;
- `realisations` — payments and deliveries after the event, the follow-up list;
- `links` — the signed WhatsApp confirmation link;
- `importing` — imported deals with the history a hand-logged deal would have;
- `forms` — choices for the web forms (their once-only creation is `idempotency.store.create_once`).
"""

from opop_events.deals.queries import deal_number
from opop_events.deals.services.creating import log_deal, register_interest
from opop_events.deals.services.current import BUYER_SIDE, SELLER_SIDE, awaiting
from opop_events.deals.services.forms import deal_form_choices, interest_events
from opop_events.deals.services.importing import ImportedDeal, ImportedLine, import_deal, import_deals
from opop_events.deals.services.lifecycle import (
    amend,
    cancel,
    confirm,
    decline_change,
    dispute,
    send_back,
    verify,
)
from opop_events.deals.services.links import act_on_link, create_confirm_link, open_link
from opop_events.deals.services.permissions import allowed_actions
from opop_events.deals.services.reading import get_deal, history, list_deals
from opop_events.deals.services.realisations import (
    follow_up,
    list_realisations,
    record_realisation,
    void_realisation,
)

__all__ = [
    "BUYER_SIDE", "SELLER_SIDE", "ImportedDeal", "ImportedLine", "act_on_link", "allowed_actions", "amend",
    "awaiting", "cancel", "confirm", "create_confirm_link", "deal_form_choices", "deal_number",
    "decline_change", "dispute", "follow_up", "get_deal", "history", "import_deal", "import_deals",
    "interest_events", "list_deals", "list_realisations", "log_deal", "open_link", "record_realisation",
    "register_interest", "send_back", "verify", "void_realisation",
]
