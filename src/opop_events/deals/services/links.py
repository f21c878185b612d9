"""The signed, single-use WhatsApp link a buyer without an account confirms or disputes with."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor
from opop_events.catalog.tables import Buyer
from opop_events.core.dates import as_date, as_datetime, format_date, format_datetime, now_utc
from opop_events.core.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from opop_events.core.i18n import _
from opop_events.core.money import (
    format_rupiah,
)
from opop_events.core.phone import wa_link
from opop_events.db import present, raw, write_transaction
from opop_events.deals import schemas
from opop_events.deals.enums import (
    STATE_LABELS,
    DealAction,
    DealKind,
    DealState,
)
from opop_events.deals.services.current import (
    SELLER_SIDE,
    _Current,
    _current,
    _lines,
    deal_number,
)
from opop_events.deals.services.lifecycle import _transition
from opop_events.deals.services.permissions import _is_seller
from opop_events.deals.services.reading import get_deal
from opop_events.deals.tables import ConfirmLink
from opop_events.settings import get_settings

# -- the WhatsApp confirmation link ------------------------------------------------------------------------


def _sign(nonce: str, deal_id: int) -> str:
    """HMAC of the link's nonce and deal with the server secret; expiry and use live in the link's row."""
    message = f"confirm-link.{nonce}.{deal_id}".encode()
    digest = hmac.new(get_settings().secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


async def create_confirm_link(*, actor: Actor | None, deal_id: int) -> schemas.ConfirmLinkOut:
    """The seller gets a signed, single-use, expiring link for the buyer, and the `wa.me` link that sends it
    with a prefilled Indonesian message. Earlier unused links of the deal stop working."""
    actor = require_actor(actor)
    current = await _current(deal_id)
    if not _is_seller(actor, current):
        # the link acts for the buyer: only the side that waits for the buyer may send it, and Dinas, who
        # verifies, never holds a buyer's proxy
        raise Forbidden(_("Hanya pesantren penjual yang mengirim tautan konfirmasi."))
    change = current.state is DealState.perubahan and current.offer_by == SELLER_SIDE
    if current.state is not DealState.dicatat and not change:
        raise Conflict(
            _(
                "Tautan konfirmasi hanya untuk transaksi berstatus dicatat atau perubahan yang diajukan pesantren "
                "(kini {state})."
            ).format(state=_(STATE_LABELS[current.state]).lower())
        )
    link_revision = current.offer_revision_id if change else current.revision_id
    settings = get_settings()
    nonce = secrets.token_urlsafe(18)
    now = now_utc()
    expires_at = (now + timedelta(hours=settings.link_ttl_hours)).replace(microsecond=0)
    async with write_transaction():
        await ConfirmLink.update({ConfirmLink.used_at: now, ConfirmLink.used_action: "diganti"}).where(
            (ConfirmLink.deal == deal_id) & ConfirmLink.used_at.is_null()
        )
        await ConfirmLink.insert(
            ConfirmLink(deal=deal_id, revision=link_revision, nonce=nonce, expires_at=expires_at,
                        created_by=actor.user_id)
        )
    token = f"{nonce}.{_sign(nonce, deal_id)}"
    url = f"{settings.base_url}/konfirmasi/{token}"
    deal = await get_deal(actor=actor, deal_id=deal_id)
    buyer = present(await Buyer.select(Buyer.whatsapp, Buyer.contact_person).where(Buyer.id == current.buyer_id).first())
    greeting = f"Assalamu'alaikum {buyer['contact_person']}".strip() if buyer["contact_person"] else "Assalamu'alaikum"
    if change and deal.offer is not None:
        message = _(
            "{greeting},\n{pesantren} mengajukan perubahan transaksi {number} dengan {buyer}: dari {old_value} "
            "menjadi {new_value} ({event}).\nMohon setujui atau tolak melalui tautan ini (berlaku sampai "
            "{expires}):\n{url}"
        ).format(
            greeting=greeting,
            pesantren=deal.pesantren.name,
            number=deal.number,
            buyer=deal.buyer.name,
            old_value=format_rupiah(deal.total_rp),
            new_value=format_rupiah(deal.offer.total_rp),
            event=deal.event_name,
            expires=format_datetime(expires_at),
            url=url,
        )
    else:
        message = _(
            "{greeting},\n{pesantren} mencatat transaksi {number} dengan {buyer} senilai {value} pada {date} "
            "({event}).\nMohon konfirmasi atau sanggah melalui tautan ini (berlaku sampai {expires}):\n{url}"
        ).format(
            greeting=greeting,
            pesantren=deal.pesantren.name,
            number=deal.number,
            buyer=deal.buyer.name,
            value=format_rupiah(deal.total_rp),
            date=format_date(deal.deal_date),
            event=deal.event_name,
            expires=format_datetime(expires_at),
            url=url,
        )
    # Without the buyer's number, wa.me opens WhatsApp's contact picker with the message ready.
    whatsapp_url = wa_link(buyer["whatsapp"] or "", message)
    return schemas.ConfirmLinkOut(url=url, whatsapp_url=whatsapp_url, message=message, expires_at=expires_at)


async def _link(token: str) -> tuple[dict[str, Any], _Current]:
    nonce, _sep, signature = token.partition(".")
    if not nonce or not signature or len(token) > 120:
        raise NotFound(_("Tautan konfirmasi tidak sah."))
    row = await ConfirmLink.select().where(ConfirmLink.nonce == nonce).first()
    if row is None:
        raise NotFound(_("Tautan konfirmasi tidak sah."))
    if not hmac.compare_digest(signature, _sign(nonce, row["deal"])):
        raise NotFound(_("Tautan konfirmasi tidak sah."))
    return row, await _current(row["deal"])


def _link_usable(row: dict[str, Any], current: _Current) -> str | None:
    if row["used_at"] is not None:
        return _("Tautan ini sudah dipakai. Minta tautan baru kepada pesantren bila perlu.")
    if as_datetime(row["expires_at"]) <= now_utc():
        return _("Tautan ini sudah kedaluwarsa. Minta tautan baru kepada pesantren.")
    if current.state is DealState.perubahan and current.offer_by == SELLER_SIDE:
        on_table = current.offer_revision_id
    elif current.state is DealState.dicatat:
        on_table = current.revision_id
    else:
        on_table = None
    if on_table != row["revision"]:
        return _("Transaksi sudah berubah sejak tautan dibuat. Minta tautan baru kepada pesantren.")
    return None


async def open_link(*, token: str) -> schemas.PublicDeal:
    """What the buyer sees from the WhatsApp link: this deal only."""
    row, current = await _link(token)
    info = (
        await raw(
            "SELECT ev.name AS event_name, p.name AS pesantren_name, b.name AS buyer_name, r.kind, "
            "r.deal_date FROM deal d JOIN deal_revision r ON r.id = {} "
            "JOIN event ev ON ev.id = d.event JOIN pesantren p ON p.id = d.pesantren JOIN buyer b ON b.id = d.buyer "
            "WHERE d.id = {}",
            row["revision"],
            current.deal_id,
        )
    )[0]
    lines = (await _lines([row["revision"]])).get(row["revision"], [])
    return schemas.PublicDeal(
        number=deal_number(current.deal_id),
        event_name=info["event_name"],
        pesantren_name=info["pesantren_name"],
        buyer_name=info["buyer_name"],
        state=current.state,
        state_label=_(STATE_LABELS[current.state]),
        kind=DealKind(info["kind"]),
        deal_date=as_date(info["deal_date"]),
        lines=lines,
        total_rp=sum(line.value_rp for line in lines),
        expires_at=as_datetime(row["expires_at"]),
        can_act=_link_usable(row, current) is None,
        is_change=current.state is DealState.perubahan,
        agreed_total_rp=(
            sum(line.value_rp for line in (await _lines([current.revision_id])).get(current.revision_id, []))
            if current.state is DealState.perubahan else None
        ),
    )


async def act_on_link(*, token: str, action: DealAction, reason: str = "",
                      caller: Actor | None = None) -> schemas.PublicDeal:
    """Confirm or dispute through the link, once: the link is spent in the same transaction as the change.
    `caller`: whoever is signed in on the device that opened the link — the deal's own pesantren (or any
    account but the buyer's) may not answer for the buyer."""
    if action not in (DealAction.konfirmasi, DealAction.sanggah):
        raise InvalidInput.field("action", _("hanya konfirmasi atau sanggah"))
    if action is DealAction.sanggah and len(reason.strip()) < 3:
        raise InvalidInput.field("reason", _("tuliskan alasan sanggahan (minimal 3 karakter)"))
    async with write_transaction():
        row, current = await _link(token)
        if caller is not None and not (caller.role is Role.buyer and caller.buyer_id == current.buyer_id):
            raise Forbidden(
                _("Tautan ini untuk pembeli. Keluar dari akun Anda, atau minta pembeli membukanya sendiri.")
            )
        problem = _link_usable(row, current)
        if problem:
            raise Gone(problem)
        spent = await ConfirmLink.update(
            {ConfirmLink.used_at: now_utc(), ConfirmLink.used_action: action.value}
        ).where((ConfirmLink.id == row["id"]) & ConfirmLink.used_at.is_null()).returning(ConfirmLink.id)
        if not spent:
            raise Gone(_("Tautan ini sudah dipakai."))
        # The link stands in for the buyer: act with the buyer's rights, recorded as "via tautan".
        buyer_proxy = Actor(user_id=0, email="", name="", role=Role.buyer, buyer_id=current.buyer_id)
        buyer = present(await Buyer.select(Buyer.name).where(Buyer.id == current.buyer_id).first())
        change = current.state is DealState.perubahan
        if change and action is DealAction.sanggah:
            action, to_state = DealAction.tolak_ubah, DealState.dikonfirmasi  # the agreed terms stand
        else:
            to_state = DealState.dikonfirmasi if action is DealAction.konfirmasi else DealState.disanggah
        await _transition(
            actor=None,
            check_actor=buyer_proxy,
            deal_id=current.deal_id,
            action=action,
            to_state=to_state,
            expected_version=current.version,
            reason=reason.strip(),
            actor_label=f"{buyer['name']} (via tautan WhatsApp)",
            accept_offer=change and action is DealAction.konfirmasi,
        )
    return await open_link(token=token)


