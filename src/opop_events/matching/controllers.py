"""JSON API of matching: requests, availability, the scheduler, the meeting grid, walk-ins, attendance,
outcomes and agendas (the funnel and the printed schedule: `reports.event_controllers`)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from opop_events.api import AUTH_READ, PUBLIC, AgendaToken, CurrentActor, problems
from opop_events.core.i18n import N_
from opop_events.matching import schemas, services
from opop_events.matching.enums import RequestStatus

WRITE = problems(400, 401, 403, 404, 409, 422)


class EventMatchingController(Controller):
    path = "/api/v1/events/{slug:str}"
    tags = [N_("Pertemuan")]

    @get("/requests", operation_id="listMeetingRequests", summary=N_("Permintaan pertemuan"), responses=AUTH_READ)
    async def list_requests(
        self,
        actor: CurrentActor,
        slug: FromPath[str],
        request_status: Annotated[RequestStatus | None, QueryParameter(name="status")] = None,
    ) -> list[schemas.MeetingRequest]:
        return await services.list_requests(actor=actor, slug=slug, status=request_status)

    @post("/requests", operation_id="createMeetingRequest", summary=N_("Minta pertemuan"), responses=WRITE)
    async def create_request(
        self, actor: CurrentActor, slug: FromPath[str], data: JSONBody[schemas.RequestCreate]
    ) -> schemas.MeetingRequest:
        return await services.create_request(actor=actor, slug=slug, data=data)

    @put("/availability", operation_id="setAvailability", summary=N_("Slot yang tidak bisa (ganti seluruhnya)"), responses=WRITE)
    async def set_availability(
        self, actor: CurrentActor, slug: FromPath[str], data: JSONBody[schemas.AvailabilityIn]
    ) -> schemas.Availability:
        return await services.set_availability(actor=actor, slug=slug, data=data)

    @post("/schedule", operation_id="runScheduler", summary=N_("Jalankan penjadwal (hasil berupa usulan)"), responses=WRITE, status_code=200)
    async def run_scheduler(
        self, actor: CurrentActor, slug: FromPath[str], data: JSONBody[schemas.ScheduleRunIn]
    ) -> schemas.ScheduleResult:
        return await services.run_scheduler(actor=actor, slug=slug, data=data)

    @post("/schedule/publish", operation_id="publishSchedule", summary=N_("Terbitkan jadwal"), responses=WRITE, status_code=200)
    async def publish(self, actor: CurrentActor, slug: FromPath[str]) -> list[schemas.Meeting]:
        return await services.publish(actor=actor, slug=slug)

    @get("/meetings", operation_id="listMeetings", summary=N_("Pertemuan (penyelenggara: semua)"), responses=AUTH_READ)
    async def list_meetings(self, actor: CurrentActor, slug: FromPath[str]) -> list[schemas.Meeting]:
        return await services.list_meetings(actor=actor, slug=slug)

    @post("/meetings/walk-in", operation_id="addWalkIn", summary=N_("Tambah pertemuan langsung di slot kosong"), responses=WRITE)
    async def walk_in(self, actor: CurrentActor, slug: FromPath[str], data: JSONBody[schemas.WalkIn]) -> schemas.Meeting:
        return await services.walk_in(actor=actor, slug=slug, data=data)

    @get("/agenda", operation_id="getAgenda", summary=N_("Agenda peserta"), responses=AUTH_READ)
    async def agenda(
        self,
        actor: CurrentActor,
        slug: FromPath[str],
        buyer_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        pesantren_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    ) -> schemas.Agenda:
        return await services.agenda(actor=actor, slug=slug, buyer_id=buyer_id, pesantren_id=pesantren_id)


class RequestController(Controller):
    path = "/api/v1/requests"
    tags = [N_("Pertemuan")]

    @post("/{request_id:int}/answer", operation_id="answerMeetingRequest", summary=N_("Terima atau tolak"), responses=WRITE, status_code=200)
    async def answer(
        self, actor: CurrentActor, request_id: FromPath[int], data: JSONBody[schemas.RequestAnswer]
    ) -> schemas.MeetingRequest:
        return await services.answer_request(actor=actor, request_id=request_id, data=data)

    @post("/{request_id:int}/cancel", operation_id="cancelMeetingRequest", summary=N_("Batalkan permintaan"), responses=WRITE, status_code=200)
    async def cancel(self, actor: CurrentActor, request_id: FromPath[int]) -> schemas.MeetingRequest:
        return await services.cancel_request(actor=actor, request_id=request_id)


class MeetingController(Controller):
    path = "/api/v1/meetings"
    tags = [N_("Pertemuan")]

    @post("/{meeting_id:int}/move", operation_id="moveMeeting", summary=N_("Pindah atau kunci pertemuan"), responses=WRITE, status_code=200)
    async def move(self, actor: CurrentActor, meeting_id: FromPath[int], data: JSONBody[schemas.MeetingMove]) -> schemas.Meeting:
        return await services.move_meeting(actor=actor, meeting_id=meeting_id, data=data)

    @post("/{meeting_id:int}/attendance", operation_id="markAttendance", summary=N_("Catat hadir / tidak hadir"), responses=WRITE, status_code=200)
    async def attendance(
        self, actor: CurrentActor, meeting_id: FromPath[int], data: JSONBody[schemas.Attendance]
    ) -> schemas.Meeting:
        return await services.mark_attendance(actor=actor, meeting_id=meeting_id, data=data)

    @post("/{meeting_id:int}/outcome", operation_id="rateMeeting", summary=N_("Nilai hasil pertemuan"), responses=WRITE, status_code=200)
    async def outcome(self, actor: CurrentActor, meeting_id: FromPath[int], data: JSONBody[schemas.OutcomeIn]) -> schemas.OutcomeOut:
        return await services.rate_meeting(actor=actor, meeting_id=meeting_id, data=data)


class PublicAgendaController(Controller):
    """A participant's agenda through the signed link on its badge, without an account (its PDF:
    `reports.event_controllers`)."""

    path = "/api/v1/agenda"
    tags = [N_("Pertemuan")]

    @get(
        "/{token:str}",
        operation_id="getAgendaByLink",
        opt=PUBLIC,
        summary=N_("Agenda peserta lewat tautan QR"),
        responses=problems(404, 422),
    )
    async def agenda(self, token: AgendaToken) -> schemas.Agenda:
        return await services.public_agenda(token=token)


CONTROLLERS = [
    EventMatchingController,
    RequestController,
    MeetingController,
    PublicAgendaController,
]
