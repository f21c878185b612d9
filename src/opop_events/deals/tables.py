"""The deal ledger: append-only. A deal's content lives in revisions (with lines), its path in history events
(one row per change, numbered per deal), its after-event follow-up in realisations. Nothing here is updated in
place except the `used_at` of a confirmation link."""

from __future__ import annotations

from piccolo.columns import BigInt, Bytea, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from opop_events.accounts.tables import User
from opop_events.catalog.tables import Buyer, Pesantren, Product
from opop_events.events.tables import Event


class Deal(Table, tablename="deal"):
    """The identity of a deal: which event, which pesantren sells to which buyer, who started it."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    pesantren = ForeignKey(references=Pesantren, on_delete=OnDelete.restrict, null=False)
    buyer = ForeignKey(references=Buyer, on_delete=OnDelete.restrict, null=False)
    origin = Varchar(length=16)  # pesantren | buyer | impor
    meeting_id = Integer(null=True, default=None)  # the meeting it came from (matching domain)
    created_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class DealRevision(Table, tablename="deal_revision"):
    """One version of what was agreed: kind, date, note and lines. A change makes a new revision."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    deal = ForeignKey(references=Deal, on_delete=OnDelete.restrict, null=False)
    kind = Varchar(length=16)
    deal_date = Date()
    note = Varchar(length=1000, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class DealLine(Table, tablename="deal_line"):
    """A line of a revision; `value_rp` = quantity × unit price, rounded half up to the rupiah."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    revision = ForeignKey(references=DealRevision, on_delete=OnDelete.restrict, null=False)
    position = Integer()
    product = ForeignKey(references=Product, on_delete=OnDelete.restrict, null=True, default=None)
    description = Varchar(length=300)
    category = Varchar(length=32)
    quantity = Varchar(length=24)
    unit = Varchar(length=32)
    unit_price_rp = BigInt()
    value_rp = BigInt()


class DealEvent(Table, tablename="deal_event"):
    """The history of a deal: one row per change, `version` 1, 2, 3… per deal (unique), with the state and
    revision in force after it and snapshots of the deal before and after (JSON)."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    deal = ForeignKey(references=Deal, on_delete=OnDelete.restrict, null=False)
    version = Integer()
    action = Varchar(length=24)
    state = Varchar(length=16)
    revision = ForeignKey(references=DealRevision, on_delete=OnDelete.restrict, null=False)
    actor = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)
    actor_label = Varchar(length=200, default="")
    reason = Varchar(length=1000, default="")
    at = Timestamptz(default=TimestamptzNow())
    before = Text(default="")
    after = Text(default="")
    # In state `perubahan`: the revision one side proposed (`revision` stays the agreed, counted one) and who
    # proposed it (`pesantren` | `pembeli`). Empty in every other state, where `revision` is the offer itself.
    offer = Integer(null=True, default=None)
    offer_by = Varchar(length=16, default="")


class EventClosing(Table, tablename="event_closing"):
    """Closing the books of an event (tutup buku) and reopening them: one row per decision, never edited.

    While an event's latest row is `tutup`, its official figure is the ledger as it stood at that row (history
    rows up to `last_event`, at or before `at`); deals and
    confirmations after it are reported separately as late (susulan). `confirmed_rp` records the official
    headline read at that moment (as text: exact beyond 64 bits), so a later reader can check that the figure never moved."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    action = Varchar(length=8)  # tutup | buka
    at = Timestamptz(default=TimestamptzNow())
    actor = ForeignKey(references=User, on_delete=OnDelete.restrict, null=False)
    reason = Varchar(length=1000, default="")
    confirmed_rp = Varchar(length=40, default="0")  # decimal digits: exact whatever the sum's size
    deals_confirmed = Integer(default=0)
    # the last history row committed when the books were closed: the official figure reads rows up to it (and
    # up to `at`), so a change that was being written at the moment of closing cannot slip in afterwards
    last_event = Integer(default=0)


class Realisation(Table, tablename="realisation"):
    """A payment or delivery after the event against a deal. Corrections add a row that voids an earlier one."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    deal = ForeignKey(references=Deal, on_delete=OnDelete.restrict, null=False)
    kind = Varchar(length=16)  # pembayaran | pengiriman
    realised_on = Date()
    amount_rp = BigInt()
    note = Varchar(length=1000, default="")
    evidence = ForeignKey(references="Attachment", on_delete=OnDelete.restrict, null=True, default=None)
    voids = Integer(null=True, default=None)  # id of the realisation this row cancels
    recorded_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())


class Attachment(Table, tablename="attachment"):
    """Evidence: a photo or PDF of a nota, PO or MoU, stored in the database (so backups hold it)."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    deal = ForeignKey(references=Deal, on_delete=OnDelete.restrict, null=False)
    filename = Varchar(length=200)
    content_type = Varchar(length=64)
    size = Integer()
    sha256 = Varchar(length=64)
    data = Bytea()
    uploaded_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class ConfirmLink(Table, tablename="confirm_link"):
    """A signed, single-use, expiring link a seller sends a buyer over WhatsApp to confirm or dispute."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    deal = ForeignKey(references=Deal, on_delete=OnDelete.restrict, null=False)
    revision = ForeignKey(references=DealRevision, on_delete=OnDelete.restrict, null=False)
    nonce = Varchar(length=32, unique=True)
    expires_at = Timestamptz()
    created_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    used_at = Timestamptz(null=True, default=None)
    used_action = Varchar(length=16, default="")



# -- the current-state projection (deals/projection.py keeps it in the transaction of every ledger change) ------


class DealCurrent(Table, tablename="deal_current"):
    """Each deal as it stands now: its latest history row, the agreed revision's total and the realised amount,
    money in parts (`x / 10^9`, `x % 10^9`) like every sum of the ledger. Derived: rebuilt from the history by
    `opop-events db rebuild-projection`; never the source of an as-of or an official (closed-books) figure."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    deal = ForeignKey(references=Deal, on_delete=OnDelete.restrict, null=False, unique=True)
    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    pesantren = ForeignKey(references=Pesantren, on_delete=OnDelete.restrict, null=False)
    buyer = ForeignKey(references=Buyer, on_delete=OnDelete.restrict, null=False)
    state = Varchar(length=16)
    version = Integer()
    revision = ForeignKey(references=DealRevision, on_delete=OnDelete.restrict, null=False)
    kind = Varchar(length=16)
    deal_date = Date()
    total_hi = BigInt()
    total_lo = BigInt()
    realised_hi = BigInt()
    realised_lo = BigInt()


class DealLineCurrent(Table, tablename="deal_line_current"):
    """Each line of each deal's revision in force now, with the deal's parties and state beside it; a deal's
    realised amount (in parts) sits on the first line of its main category (that of its largest line), zero on
    the others, so the category breakdown adds up to the headline."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    deal = ForeignKey(references=Deal, on_delete=OnDelete.restrict, null=False)
    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    pesantren = ForeignKey(references=Pesantren, on_delete=OnDelete.restrict, null=False)
    buyer = ForeignKey(references=Buyer, on_delete=OnDelete.restrict, null=False)
    state = Varchar(length=16)
    position = Integer()
    category = Varchar(length=32)
    value_rp = BigInt()
    realised_hi = BigInt()
    realised_lo = BigInt()


class LedgerStamp(Table, tablename="ledger_stamp"):
    """Per event, counters raised by every ledger change (and every rebuild of the projection); their sum, with
    the latest closing row, is the validator (ETag) of the live board's and the totals endpoint's figures. A
    change raises the counter of its deal's shard (`deal % 16`, unique with the event), so concurrent writers of
    one event rarely wait on the same row; the sum still grows with every committed change, in any commit order."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    shard = Integer()
    changes = BigInt(default=0)


class ProjectionDirty(Table, tablename="projection_dirty"):
    """Deals whose history changed without the projection being derived again in the same transaction: filled
    by database triggers on every insert into `deal_event`, `deal_line` and `realisation`, emptied by
    `deals/projection.py` as it derives those deals again. Rows left here mean a writer went around the services
    (a bug, a manual fix): the reports then read the history until `opop-events db rebuild-projection`."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    deal = Integer()
