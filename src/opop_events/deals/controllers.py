"""JSON API of the deal ledger and the WhatsApp confirmation link (the event totals: `reports`)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from opop_events.api import AUTH_READ, PUBLIC, AsOf, CurrentActor, PageParam, PerPageParam, aware, problems
from opop_events.core.i18n import N_
from opop_events.core.pagination import Page
from opop_events.deals import schemas, services
from opop_events.deals.enums import DealAction, DealState

WRITE = problems(400, 401, 403, 404, 409, 422)


class DealController(Controller):
    path = "/api/v1/deals"
    tags = [N_("Transaksi")]

    @get("/", operation_id="listDeals", summary=N_("Transaksi yang boleh Anda lihat"), responses=AUTH_READ)
    async def list_deals(
        self,
        actor: CurrentActor,
        event_slug: Annotated[str | None, QueryParameter(max_length=80)] = None,
        deal_state: Annotated[DealState | None, QueryParameter(name="state")] = None,
        pesantren_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        buyer_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        page: PageParam = 1,
        per_page: PerPageParam = 50,
    ) -> Page[schemas.Deal]:
        return await services.list_deals(
            actor=actor, event_slug=event_slug, state=deal_state, pesantren_id=pesantren_id, buyer_id=buyer_id,
            page=page, per_page=per_page,
        )

    @post("/", operation_id="logDeal", summary=N_("Pesantren mencatat transaksi (status dicatat)"), responses=WRITE)
    async def log_deal(self, actor: CurrentActor, data: JSONBody[schemas.DealCreate]) -> schemas.Deal:
        return await services.log_deal(actor=actor, data=data)

    @post("/interests", operation_id="registerInterest", summary=N_("Pembeli mendaftarkan minat beli"), responses=WRITE)
    async def register_interest(self, actor: CurrentActor, data: JSONBody[schemas.InterestCreate]) -> schemas.Deal:
        return await services.register_interest(actor=actor, data=data)

    @get("/follow-up", operation_id="followUp", summary=N_("Transaksi terkonfirmasi tanpa realisasi (Dinas)"), responses=AUTH_READ)
    async def follow_up(
        self,
        actor: CurrentActor,
        days: Annotated[int, QueryParameter(ge=1, le=3650, description=N_("Hari sejak tanggal transaksi"))] = 30,
        event_slug: Annotated[str | None, QueryParameter(max_length=80)] = None,
        as_of: AsOf = None,
    ) -> list[schemas.FollowUp]:
        return await services.follow_up(actor=actor, days=days, event_slug=event_slug, as_of=aware(as_of))

    @get("/{deal_id:int}", operation_id="getDeal", summary=N_("Satu transaksi (kini atau pada waktu as_of)"), responses=AUTH_READ)
    async def get_deal(self, actor: CurrentActor, deal_id: FromPath[int], as_of: AsOf = None) -> schemas.Deal:
        return await services.get_deal(actor=actor, deal_id=deal_id, as_of=aware(as_of))

    @get("/{deal_id:int}/history", operation_id="getDealHistory", summary=N_("Riwayat lengkap transaksi"), responses=AUTH_READ)
    async def history(self, actor: CurrentActor, deal_id: FromPath[int]) -> list[schemas.HistoryEntry]:
        return await services.history(actor=actor, deal_id=deal_id)

    @post("/{deal_id:int}/amend", operation_id="amendDeal", summary=N_("Ubah transaksi (sebelum dikonfirmasi)"), responses=WRITE, status_code=200)
    async def amend(self, actor: CurrentActor, deal_id: FromPath[int], data: JSONBody[schemas.DealAmend]) -> schemas.Deal:
        return await services.amend(actor=actor, deal_id=deal_id, data=data)

    @post("/{deal_id:int}/confirm", operation_id="confirmDeal", summary=N_("Konfirmasi oleh pihak lain"), responses=WRITE, status_code=200)
    async def confirm(self, actor: CurrentActor, deal_id: FromPath[int], data: JSONBody[schemas.Confirm]) -> schemas.Deal:
        return await services.confirm(actor=actor, deal_id=deal_id, data=data)

    @post("/{deal_id:int}/decline-change", operation_id="declineDealChange", summary=N_("Tolak atau tarik perubahan yang diajukan"), responses=WRITE, status_code=200)
    async def decline_change(self, actor: CurrentActor, deal_id: FromPath[int], data: JSONBody[schemas.ReasonIn]) -> schemas.Deal:
        return await services.decline_change(actor=actor, deal_id=deal_id, data=data)

    @post("/{deal_id:int}/dispute", operation_id="disputeDeal", summary=N_("Sanggah (pembeli)"), responses=WRITE, status_code=200)
    async def dispute(self, actor: CurrentActor, deal_id: FromPath[int], data: JSONBody[schemas.ReasonIn]) -> schemas.Deal:
        return await services.dispute(actor=actor, deal_id=deal_id, data=data)

    @post("/{deal_id:int}/verify", operation_id="verifyDeal", summary=N_("Verifikasi Dinas"), responses=WRITE, status_code=200)
    async def verify(self, actor: CurrentActor, deal_id: FromPath[int], data: JSONBody[schemas.VersionIn]) -> schemas.Deal:
        return await services.verify(actor=actor, deal_id=deal_id, data=data)

    @post("/{deal_id:int}/send-back", operation_id="sendBackDeal", summary=N_("Kembalikan dengan alasan (Dinas)"), responses=WRITE, status_code=200)
    async def send_back(self, actor: CurrentActor, deal_id: FromPath[int], data: JSONBody[schemas.ReasonIn]) -> schemas.Deal:
        return await services.send_back(actor=actor, deal_id=deal_id, data=data)

    @post("/{deal_id:int}/cancel", operation_id="cancelDeal", summary=N_("Batalkan dengan alasan"), responses=WRITE, status_code=200)
    async def cancel(self, actor: CurrentActor, deal_id: FromPath[int], data: JSONBody[schemas.ReasonIn]) -> schemas.Deal:
        return await services.cancel(actor=actor, deal_id=deal_id, data=data)

    @get("/{deal_id:int}/realisations", operation_id="listRealisations", summary=N_("Realisasi transaksi"), responses=AUTH_READ)
    async def list_realisations(self, actor: CurrentActor, deal_id: FromPath[int]) -> list[schemas.Realisation]:
        return await services.list_realisations(actor=actor, deal_id=deal_id)

    @post("/{deal_id:int}/realisations", operation_id="recordRealisation", summary=N_("Catat realisasi (Dinas)"), responses=WRITE)
    async def record_realisation(
        self, actor: CurrentActor, deal_id: FromPath[int], data: JSONBody[schemas.RealisationCreate]
    ) -> schemas.Realisation:
        return await services.record_realisation(actor=actor, deal_id=deal_id, data=data)

    @post(
        "/{deal_id:int}/realisations/{realisation_id:int}/void",
        operation_id="voidRealisation",
        summary=N_("Koreksi (batalkan) satu realisasi (Dinas)"),
        responses=WRITE,
    )
    async def void_realisation(
        self, actor: CurrentActor, deal_id: FromPath[int], realisation_id: FromPath[int],
        data: JSONBody[schemas.RealisationVoid],
    ) -> schemas.Realisation:
        return await services.void_realisation(actor=actor, deal_id=deal_id, realisation_id=realisation_id, data=data)

    @post("/{deal_id:int}/confirm-link", operation_id="createConfirmLink", summary=N_("Tautan konfirmasi WhatsApp untuk pembeli"), responses=WRITE)
    async def confirm_link(self, actor: CurrentActor, deal_id: FromPath[int]) -> schemas.ConfirmLinkOut:
        return await services.create_confirm_link(actor=actor, deal_id=deal_id)


class LinkController(Controller):
    """What a buyer without an account reaches from WhatsApp: this one deal, confirm or dispute, nothing else."""

    path = "/api/v1/links"
    tags = [N_("Tautan konfirmasi")]
    security = [{}]

    @get("/{token:str}", operation_id="openLink", opt=PUBLIC, summary=N_("Lihat transaksi dari tautan"), responses=problems(404))
    async def open_link(self, token: FromPath[str]) -> schemas.PublicDeal:
        return await services.open_link(token=token)

    @post("/{token:str}/confirm", operation_id="confirmByLink", opt=PUBLIC, summary=N_("Konfirmasi lewat tautan"), responses=problems(400, 404, 409, 410, 422), status_code=200)
    async def confirm(self, actor: CurrentActor, token: FromPath[str]) -> schemas.PublicDeal:
        return await services.act_on_link(token=token, action=DealAction.konfirmasi, caller=actor)

    @post("/{token:str}/dispute", operation_id="disputeByLink", opt=PUBLIC, summary=N_("Sanggah lewat tautan"), responses=problems(400, 404, 409, 410, 422), status_code=200)
    async def dispute(self, actor: CurrentActor, token: FromPath[str], data: JSONBody[schemas.LinkAction]) -> schemas.PublicDeal:
        return await services.act_on_link(token=token, action=DealAction.sanggah, reason=data.reason, caller=actor)


CONTROLLERS = [DealController, LinkController]
