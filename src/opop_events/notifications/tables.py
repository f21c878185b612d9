"""The outbox: one row per message to one recipient, written in the transaction of the change it tells about."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from opop_events.accounts.tables import User


class OutboxMessage(Table, tablename="outbox_message"):
    """A message waiting to be sent, sent (`sent_at`) or given up on (`failed_at`, `last_error`)."""

    kind = Varchar(length=40)
    channel = Varchar(length=16, default="email")
    recipient = Varchar(length=254)
    recipient_user = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    language = Varchar(length=8, default="id")
    subject = Varchar(length=300)
    body = Text()
    # The Message-ID header: the same on every attempt, so a re-send after a crash can be dropped as a copy.
    message_id = Varchar(length=200, unique=True)
    # Unique: the same change for the same recipient never enqueues twice.
    dedupe_key = Varchar(length=200, unique=True)
    created_at = Timestamptz()
    next_attempt_at = Timestamptz(index=True)
    attempts = Integer(default=0)
    sent_at = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
