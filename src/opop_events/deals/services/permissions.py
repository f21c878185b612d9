"""Who may do what to a deal from which state: the one table the ledger enforces and the pages read."""

from __future__ import annotations

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor
from opop_events.core.errors import Conflict, FieldError, Forbidden
from opop_events.core.i18n import _
from opop_events.deals.enums import (
    AMENDABLE_STATES,
    CANCELLABLE_STATES,
    COUNTED_STATES,
    STATE_LABELS,
    DealAction,
    DealState,
)
from opop_events.deals.queries import deal_number
from opop_events.deals.services.current import BUYER_SIDE, SELLER_SIDE, _Current

# -- rules --------------------------------------------------------------------------------------------------


def _is_seller(actor: Actor, current: _Current) -> bool:
    return actor.role is Role.seller and actor.pesantren_id == current.pesantren_id


def _is_buyer(actor: Actor, current: _Current) -> bool:
    return actor.role is Role.buyer and actor.buyer_id == current.buyer_id


def allowed_actions(actor: Actor, current: _Current) -> list[DealAction]:
    """What `actor` may do to the deal now; the same table `_check` enforces."""
    return [action for action in DealAction if _refusal(actor, current, action) is None]


_ROLE, _STATE = 403, 409


def _side(actor: Actor | None, current: _Current) -> str:
    """Which party of the deal `actor` is: pesantren, pembeli, or "" (neither)."""
    if actor is not None and _is_seller(actor, current):
        return SELLER_SIDE
    if actor is not None and _is_buyer(actor, current):
        return BUYER_SIDE
    return ""


def _refusal(actor: Actor | None, current: _Current, action: DealAction) -> tuple[int, str] | None:
    """None when `actor` may take `action` now; else (403 for who it is, 409 for the state) and the reason.

    The rule behind every party action: terms count only when the side that did not write them accepts them.
    Whoever changes terms the other side has not seen makes an offer (`tawar`, `ajukan_ubah`), never a
    confirmation."""
    state = current.state
    side = _side(actor, current)
    seller, buyer = side == SELLER_SIDE, side == BUYER_SIDE
    admin = actor is not None and actor.is_admin
    label = _(STATE_LABELS[state]).lower()
    if action is DealAction.ubah:
        if state is DealState.minat:
            return (
                None if buyer else (_ROLE, _("Hanya pembeli yang mengajukan minat yang boleh mengubahnya."))
            )
        if state is DealState.perubahan:
            if side and side == current.offer_by:
                return None
            return _ROLE, _("Hanya pihak yang mengajukan perubahan yang boleh mengubah usulannya.")
        if not seller:
            return _ROLE, _("Hanya pesantren penjual yang boleh mengubah transaksi.")
        return (
            None
            if state in AMENDABLE_STATES
            else (_STATE, _("Transaksi yang sudah {label} tidak bisa diubah.").format(label=label))
        )
    if action is DealAction.ajukan_ubah:
        if not side:
            return _ROLE, _("Hanya pesantren penjual atau pembeli yang boleh mengajukan perubahan.")
        if state is DealState.dikonfirmasi:
            return None
        return _STATE, _("Perubahan diajukan untuk transaksi yang sudah dikonfirmasi; ini {label}.").format(
            label=label
        )
    if action in (DealAction.konfirmasi, DealAction.tawar):
        if state is DealState.minat:
            return None if seller else (_ROLE, _("Minat beli dikonfirmasi oleh pesantren penjual."))
        if state is DealState.perubahan:
            if side and side != current.offer_by:
                return None
            return _ROLE, _("Perubahan disetujui oleh pihak lain, bukan oleh yang mengajukannya.")
        if not buyer:
            return _ROLE, _("Transaksi yang dicatat pesantren dikonfirmasi oleh pembelinya.")
        if state is DealState.dicatat and current.action == DealAction.kembalikan.value:
            return _STATE, _(
                "Transaksi ini dikembalikan Dinas; pesantren perlu memperbaikinya dulu sebelum dikonfirmasi lagi."
            )
        return (
            None
            if state is DealState.dicatat
            else (_STATE, _("Transaksi berstatus {label} tidak bisa dikonfirmasi.").format(label=label))
        )
    if action is DealAction.tolak_ubah:
        if not side:
            return _ROLE, _("Hanya pesantren penjual atau pembeli yang boleh menolak atau menarik perubahan.")
        return (
            None
            if state is DealState.perubahan
            else (_STATE, _("Tidak ada perubahan yang menunggu persetujuan."))
        )
    if action is DealAction.sanggah:
        if not buyer:
            return _ROLE, _("Hanya pembeli yang boleh menyanggah transaksi.")
        return (
            None
            if state is DealState.dicatat
            else (_STATE, _("Transaksi berstatus {label} tidak bisa disanggah.").format(label=label))
        )
    if action in (DealAction.verifikasi, DealAction.kembalikan):
        if not admin:
            if action is DealAction.verifikasi:
                return _ROLE, _("Hanya staf Dinas yang boleh memverifikasi transaksi.")
            return _ROLE, _("Hanya staf Dinas yang boleh mengembalikan transaksi.")
        if state is DealState.dikonfirmasi:
            return None
        if state is DealState.perubahan:
            return _STATE, _(
                "Perubahan syarat masih menunggu persetujuan pihak lain; verifikasi setelah diputuskan."
            )
        return _STATE, _(
            "Hanya transaksi terkonfirmasi yang bisa diverifikasi atau dikembalikan; ini {label}."
        ).format(label=label)
    if action is DealAction.batal:
        if not (admin or seller or buyer):
            return _ROLE, _("Anda tidak berhak membatalkan transaksi ini.")
        if state is DealState.dibatalkan:
            return _STATE, _("Transaksi sudah dibatalkan.")
        if admin or state in CANCELLABLE_STATES:
            return None
        return _STATE, _("Transaksi berstatus {label} hanya bisa dibatalkan staf Dinas.").format(label=label)
    if action in (DealAction.realisasi, DealAction.koreksi_realisasi):
        if not admin:
            return _ROLE, _("Hanya staf Dinas yang mencatat realisasi.")
        return (
            None
            if state in COUNTED_STATES
            else (_STATE, _("Realisasi hanya untuk transaksi yang sudah dikonfirmasi."))
        )
    return _ROLE, _("Tindakan ini tidak tersedia.")


def _check(actor: Actor | None, current: _Current, action: DealAction, expected_version: int | None) -> None:
    refusal = _refusal(actor, current, action)
    if refusal is not None:
        status, reason = refusal
        raise Forbidden(reason) if status == _ROLE else Conflict(reason)
    if expected_version is not None and expected_version != current.version:
        raise Conflict(
            _(
                "Transaksi {number} baru saja diubah (versi {version}, Anda melihat versi {seen}). "
                "Muat ulang lalu coba lagi."
            ).format(number=deal_number(current.deal_id), version=current.version, seen=expected_version),
            errors=[
                FieldError(
                    field="version", message=_("versi terbaru {version}").format(version=current.version)
                )
            ],
        )
