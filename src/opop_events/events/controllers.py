"""JSON API of events: events, organizers, sessions and slots, tables, registrations and check-in."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from opop_events.api import AUTH_READ, PUBLIC, READ, WRITE, CurrentActor, IdPath, PageParam, PerPageParam
from opop_events.core.i18n import N_
from opop_events.core.pagination import Page
from opop_events.events import schemas, services
from opop_events.events.enums import EventStatus, PartyKind


class EventController(Controller):
    path = "/api/v1/events"
    tags = [N_("Acara")]

    @get("/", operation_id="listEvents", opt=PUBLIC, summary=N_("Daftar acara (publik)"), responses=READ)
    async def list_events(
        self,
        status: Annotated[EventStatus | None, QueryParameter()] = None,
        page: PageParam = 1,
        per_page: PerPageParam = 50,
    ) -> Page[schemas.Event]:
        return await services.list_events(status=status, page=page, per_page=per_page)

    @post("/", operation_id="createEvent", summary=N_("Buat acara (admin, penyelenggara)"), responses=WRITE)
    async def create_event(self, actor: CurrentActor, data: JSONBody[schemas.EventCreate]) -> schemas.Event:
        return await services.create_event(actor=actor, data=data)

    @get("/{slug:str}", operation_id="getEvent", opt=PUBLIC, summary=N_("Satu acara"), responses=READ)
    async def get_event(self, slug: FromPath[str]) -> schemas.Event:
        return await services.get_event(slug=slug)

    @patch("/{slug:str}", operation_id="updateEvent", summary=N_("Ubah acara atau statusnya"), responses=WRITE)
    async def update_event(
        self, actor: CurrentActor, slug: FromPath[str], data: JSONBody[schemas.EventUpdate]
    ) -> schemas.Event:
        return await services.update_event(actor=actor, slug=slug, data=data)

    @post(
        "/{slug:str}/organizers",
        operation_id="assignOrganizer",
        summary=N_("Tugaskan penyelenggara (admin)"),
        responses=WRITE,
        status_code=204,
    )
    async def assign_organizer(
        self, actor: CurrentActor, slug: FromPath[str], data: JSONBody[schemas.OrganizerAssign]
    ) -> None:
        await services.assign_organizer(actor=actor, slug=slug, user_id=data.user_id)

    @get("/{slug:str}/sessions", operation_id="listSessions", opt=PUBLIC, summary=N_("Sesi dan slot waktu"), responses=READ)
    async def list_sessions(self, slug: FromPath[str]) -> list[schemas.Session]:
        return await services.list_sessions(slug=slug)

    @post("/{slug:str}/sessions", operation_id="createSession", summary=N_("Tambah sesi (dengan slot)"), responses=WRITE)
    async def create_session(
        self, actor: CurrentActor, slug: FromPath[str], data: JSONBody[schemas.SessionCreate]
    ) -> schemas.Session:
        return await services.create_session(actor=actor, slug=slug, data=data)

    @post(
        "/{slug:str}/sessions/{session_id:int}/slots",
        operation_id="createSlot",
        summary=N_("Tambah satu slot"),
        responses=WRITE,
    )
    async def create_slot(
        self,
        actor: CurrentActor,
        slug: FromPath[str],
        session_id: IdPath,
        data: JSONBody[schemas.SlotCreate],
    ) -> schemas.Slot:
        return await services.create_slot(actor=actor, slug=slug, session_id=session_id, data=data)

    @get("/{slug:str}/tables", operation_id="listTables", opt=PUBLIC, summary=N_("Meja pertemuan"), responses=READ)
    async def list_tables(self, slug: FromPath[str]) -> list[schemas.Table]:
        return await services.list_tables(slug=slug)

    @post("/{slug:str}/tables", operation_id="createTables", summary=N_("Tambah meja bernomor"), responses=WRITE)
    async def create_tables(
        self, actor: CurrentActor, slug: FromPath[str], data: JSONBody[schemas.TablesCreate]
    ) -> list[schemas.Table]:
        return await services.create_tables(actor=actor, slug=slug, data=data)

    @get(
        "/{slug:str}/registrations",
        operation_id="listRegistrations",
        summary=N_("Pendaftaran (penyelenggara: semua; peserta: miliknya)"),
        responses=AUTH_READ,
    )
    async def list_registrations(
        self,
        actor: CurrentActor,
        slug: FromPath[str],
        party_kind: Annotated[PartyKind | None, QueryParameter()] = None,
        page: PageParam = 1,
        per_page: PerPageParam = 50,
    ) -> Page[schemas.Registration]:
        return await services.list_registrations(
            actor=actor, slug=slug, party_kind=party_kind, page=page, per_page=per_page
        )

    @post("/{slug:str}/registrations", operation_id="register", summary=N_("Daftarkan peserta"), responses=WRITE)
    async def register(
        self, actor: CurrentActor, slug: FromPath[str], data: JSONBody[schemas.RegistrationCreate]
    ) -> schemas.Registration:
        return await services.register(actor=actor, slug=slug, data=data)

    @post(
        "/{slug:str}/registrations/{registration_id:int}/check-in",
        operation_id="checkIn",
        summary=N_("Catat kehadiran di pintu"),
        responses=WRITE,
        status_code=200,
    )
    async def check_in(
        self, actor: CurrentActor, slug: FromPath[str], registration_id: IdPath
    ) -> schemas.Registration:
        return await services.check_in(actor=actor, slug=slug, registration_id=registration_id)


CONTROLLERS = [EventController]
