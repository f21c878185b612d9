"""Enqueue messages in the caller's write transaction, and the first notifications of the deal ledger.

`enqueue` must run inside `db.write_transaction()`: the row commits with the change or not at all, so a change
that is rolled back sends nothing. The text is rendered here, in the recipient's language, and stored; the
worker (`notifications.delivery`) only sends what is stored.
"""

from __future__ import annotations

import uuid

from opop_events.accounts.tables import User
from opop_events.core.dates import now_utc
from opop_events.core.i18n import _, use_language
from opop_events.core.money import format_rupiah
from opop_events.db import get_engine, raw
from opop_events.settings import get_settings

KIND_DEAL_LOGGED = "deal_logged"
KIND_INTEREST = "interest_registered"


async def enqueue(
    *, kind: str, recipient: str, subject: str, body: str, dedupe_key: str, language: str = "id",
    recipient_user: int | None = None,
) -> bool:
    """Write one e-mail into the outbox in the caller's transaction; False when `dedupe_key` is already there
    (the same change never enqueues twice)."""
    assert get_engine().current_transaction.get() is not None, "enqueue runs inside the change's transaction"
    at = now_utc()
    domain = get_settings().base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    rows = await raw(
        "INSERT INTO outbox_message (kind, channel, recipient, recipient_user, language, subject, body, message_id, "
        "dedupe_key, created_at, next_attempt_at, attempts, last_error) "
        "VALUES ({}, 'email', {}, {}, {}, {}, {}, {}, {}, {}, {}, 0, '') "
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        kind, recipient, recipient_user, language, subject, body, f"<{uuid.uuid4().hex}@{domain}>", dedupe_key,
        at, at,
    )
    return bool(rows)


async def _active_users(*, pesantren_id: int | None = None, buyer_id: int | None = None) -> list[dict[str, object]]:
    query = User.select(User.id, User.email, User.language).where(User.active == True)
    if pesantren_id is not None:
        query = query.where(User.pesantren == pesantren_id)
    else:
        query = query.where(User.buyer == buyer_id)
    return [row for row in await query if row["email"]]


async def deal_logged(*, deal_id: int, number: str, total_rp: int, pesantren_name: str, buyer_id: int) -> None:
    """A pesantren logged a deal: every active user of the buyer organisation is asked to confirm it."""
    link = f"{get_settings().base_url}/transaksi/{deal_id}"
    for user in await _active_users(buyer_id=buyer_id):
        language = str(user["language"] or "id")
        with use_language(language):
            subject = _("Mohon konfirmasi transaksi {number}").format(number=number)
            body = "\n\n".join([
                _("{pesantren} mencatat transaksi {number} dengan nilai {value}.").format(
                    pesantren=pesantren_name, number=number, value=format_rupiah(total_rp)
                ),
                _("Mohon periksa dan konfirmasi transaksi ini:"),
                link,
            ]) + "\n"
        await enqueue(
            kind=KIND_DEAL_LOGGED, recipient=str(user["email"]), subject=subject, body=body, language=language,
            recipient_user=int(str(user["id"])), dedupe_key=f"{KIND_DEAL_LOGGED}:{deal_id}:1:{user['id']}",
        )


async def interest_registered(*, deal_id: int, number: str, buyer_name: str, pesantren_id: int) -> None:
    """A buyer registered interest: every active user of the pesantren is told, with the link to the deal."""
    link = f"{get_settings().base_url}/transaksi/{deal_id}"
    for user in await _active_users(pesantren_id=pesantren_id):
        language = str(user["language"] or "id")
        with use_language(language):
            subject = _("Ada pembeli yang berminat ({number})").format(number=number)
            body = "\n\n".join([
                _("{buyer} mendaftarkan minat beli ({number}).").format(buyer=buyer_name, number=number),
                _("Lihat dan tanggapi minat ini:"),
                link,
            ]) + "\n"
        await enqueue(
            kind=KIND_INTEREST, recipient=str(user["email"]), subject=subject, body=body, language=language,
            recipient_user=int(str(user["id"])), dedupe_key=f"{KIND_INTEREST}:{deal_id}:1:{user['id']}",
        )
