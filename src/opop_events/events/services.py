"""Event rules: who runs which event, its status moves, sessions/slots/tables and registrations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor, require_role
from opop_events.accounts.tables import User
from opop_events.catalog.services import wilayah_id
from opop_events.catalog.tables import Buyer, Pesantren
from opop_events.core.dates import WIB, as_date, now_utc
from opop_events.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from opop_events.core.i18n import _
from opop_events.core.pagination import Page, paginate
from opop_events.db import contains, present, raw, write_transaction
from opop_events.events import schemas
from opop_events.events.enums import (
    EVENT_STATUS_LABELS,
    EVENT_TRANSITIONS,
    EventStatus,
    PartyKind,
    RegistrationStatus,
)
from opop_events.events.tables import (
    Event,
    EventOrganizer,
    EventSession,
    MeetingTable,
    Registration,
    TimeSlot,
)

_EVENT_COLUMNS = (
    *Event.all_columns(exclude=[Event.wilayah, Event.created_at, Event.updated_at]),
    Event.wilayah.code.as_alias("wilayah_code"),
    Event.wilayah.name.as_alias("wilayah_name"),
)


def _event(row: dict[str, Any]) -> schemas.Event:
    # msgspec.Struct() does not convert: the stored text must become the enum (status checks use `is`)
    status = EventStatus(row["status"])
    return schemas.Event(**{**row, "status": status}, status_label=_(EVENT_STATUS_LABELS[status]))


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=WIB)


def _events_newest_first() -> Any:
    return Event.select(*_EVENT_COLUMNS).order_by(Event.starts_on, ascending=False).order_by(Event.id)


async def list_events(*, status: str | None = None, page: int = 1, per_page: int = 50) -> Page[schemas.Event]:
    """Events are public: name, place, dates and status."""
    where = [Event.status == status] if status else []
    return await paginate(_events_newest_first(), Event.count(), where, _event, page=page, per_page=per_page)


async def list_my_events(*, actor: Actor | None, page: int = 1, per_page: int = 50) -> Page[schemas.Event]:
    """The events the caller runs: every event for admin, the assigned ones for an organizer."""
    actor = require_role(actor, Role.admin, Role.organizer)
    where = []
    if actor.role is Role.organizer:
        where.append(Event.id.is_in(EventOrganizer.select(EventOrganizer.event).where(EventOrganizer.user == actor.user_id)))
    return await paginate(_events_newest_first(), Event.count(), where, _event, page=page, per_page=per_page)


async def get_event(*, slug: str) -> schemas.Event:
    row = await Event.select(*_EVENT_COLUMNS).where(Event.slug == slug).first()
    if row is None:
        raise NotFound(_("Acara '{slug}' tidak ditemukan.").format(slug=slug))
    return _event(row)


async def is_organizer(actor: Actor | None, event_id: int) -> bool:
    if actor is None:
        return False
    if actor.is_admin:
        return True
    if actor.role is not Role.organizer:
        return False
    return await EventOrganizer.exists().where(
        (EventOrganizer.event == event_id) & (EventOrganizer.user == actor.user_id)
    )


async def require_organizer(actor: Actor | None, event: schemas.Event) -> Actor:
    """Admin, or an organizer assigned to this event."""
    actor = require_actor(actor)
    if not await is_organizer(actor, event.id):
        raise Forbidden(_("Anda bukan penyelenggara acara '{slug}'.").format(slug=event.slug))
    return actor


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise InvalidInput.field("ends_on", _("tanggal selesai tidak boleh sebelum tanggal mulai"))
    if (ends_on - starts_on).days > 31:
        raise InvalidInput.field("ends_on", _("acara paling lama 31 hari"))


async def create_event(*, actor: Actor | None, data: schemas.EventCreate) -> schemas.Event:
    """Admin or an organizer creates an event; an organizer is assigned to the event it creates."""
    actor = require_role(actor, Role.admin, Role.organizer)
    _check_dates(data.starts_on, data.ends_on)
    region = await wilayah_id(data.wilayah_code)
    async with write_transaction():
        if await Event.exists().where(Event.slug == data.slug):
            raise Conflict(_("Slug acara '{slug}' sudah dipakai.").format(slug=data.slug))
        rows = await Event.insert(
            Event(
                slug=data.slug,
                name=data.name.strip(),
                venue=data.venue.strip(),
                wilayah=region,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                status=EventStatus.draft.value,
                description=data.description,
                request_deadline=_aware(data.request_deadline),
                meeting_quota=data.meeting_quota,
            )
        ).returning(Event.id)
        if actor.role is Role.organizer:
            await EventOrganizer.insert(EventOrganizer(event=rows[0]["id"], user=actor.user_id))
    return await get_event(slug=data.slug)


async def event_header(slug: str) -> dict[str, Any] | None:
    """The event's id, slug, name and status (an `EventStatus`), or None when there is no such event. Reads only."""
    row = await Event.select(Event.id, Event.slug, Event.name, Event.status).where(Event.slug == slug).first()
    return {**row, "status": EventStatus(row["status"])} if row else None


async def event_starts_on(event_id: int) -> date | None:
    """The first day of the event, or None when there is no such event. Reads only."""
    row = await Event.select(Event.starts_on).where(Event.id == event_id).first()
    return as_date(row["starts_on"]) if row else None


async def books_closed(event_id: int) -> bool:
    """Whether Dinas has closed the event's books (its latest closing decision is `tutup`). Read here as plain
    SQL over `event_closing` (the ledger's table) because the event's own rules depend on it."""
    rows = await raw("SELECT action FROM event_closing WHERE event = {} ORDER BY id DESC LIMIT 1", event_id)
    return bool(rows) and rows[0]["action"] == "tutup"


async def update_event(*, actor: Actor | None, slug: str, data: schemas.EventUpdate) -> schemas.Event:
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    values: dict[Any, Any] = {}
    for name in ("name", "venue", "description", "meeting_quota"):
        value = getattr(data, name)
        if value is not None:
            values[getattr(Event, name)] = value.strip() if isinstance(value, str) else value
    if data.wilayah_code is not None:
        values[Event.wilayah] = await wilayah_id(data.wilayah_code)
    starts_on = data.starts_on or event.starts_on
    ends_on = data.ends_on or event.ends_on
    dates_change = (data.starts_on or data.ends_on) and (starts_on, ends_on) != (event.starts_on, event.ends_on)
    if dates_change and await books_closed(event.id):
        raise Conflict(_(
            "Buku acara ini sudah ditutup: tanggalnya menentukan tahun program dalam laporan resmi, jadi tidak "
            "bisa diubah. Minta staf Dinas membuka kembali bukunya bila memang perlu."
        ))
    if data.starts_on or data.ends_on:
        _check_dates(starts_on, ends_on)
        values[Event.starts_on] = starts_on
        values[Event.ends_on] = ends_on
    if data.request_deadline is not None:
        values[Event.request_deadline] = _aware(data.request_deadline)
    if data.status is not None and data.status is not event.status:
        if data.status not in EVENT_TRANSITIONS[event.status]:
            def named(status: EventStatus) -> str:
                return f"'{status.value}' ({_(EVENT_STATUS_LABELS[status])})"

            allowed = ", ".join(named(s) for s in sorted(EVENT_TRANSITIONS[event.status])) or _("tidak ada")
            raise Conflict(
                _("Status acara tidak bisa berubah dari {current} ke {wanted}; yang boleh: {allowed}.").format(
                    current=named(event.status), wanted=named(data.status), allowed=allowed
                ),
            )
        values[Event.status] = data.status.value
    if values:
        values[Event.updated_at] = now_utc()
        async with write_transaction():
            await Event.update(values).where(Event.id == event.id)
    return await get_event(slug=slug)


async def assign_organizer(*, actor: Actor | None, slug: str, user_id: int) -> None:
    require_role(actor, Role.admin)
    event = await get_event(slug=slug)
    user = await User.select(User.role).where(User.id == user_id).first()
    if user is None or user["role"] != Role.organizer.value:
        raise InvalidInput.field("user_id", _("pengguna tidak ada atau bukan penyelenggara"))
    async with write_transaction():
        if not await EventOrganizer.exists().where(
            (EventOrganizer.event == event.id) & (EventOrganizer.user == user_id)
        ):
            await EventOrganizer.insert(EventOrganizer(event=event.id, user=user_id))


# -- sessions and slots -------------------------------------------------------------------------------------


async def list_sessions(*, slug: str) -> list[schemas.Session]:
    event = await get_event(slug=slug)
    sessions = await EventSession.select().where(EventSession.event == event.id).order_by(
        EventSession.day
    ).order_by(EventSession.position).order_by(EventSession.id)
    slots = await TimeSlot.select().where(TimeSlot.session.event == event.id).order_by(TimeSlot.starts_at)
    by_session: dict[int, list[schemas.Slot]] = {}
    for slot in slots:
        by_session.setdefault(slot["session"], []).append(
            schemas.Slot(id=slot["id"], session_id=slot["session"], starts_at=slot["starts_at"], ends_at=slot["ends_at"])
        )
    return [
        schemas.Session(id=s["id"], name=s["name"], day=s["day"], position=s["position"], slots=by_session.get(s["id"], []))
        for s in sessions
    ]


async def _overlapping_slot(event_id: int, starts_at: datetime, ends_at: datetime) -> bool:
    return await TimeSlot.exists().where(
        (TimeSlot.session.event == event_id) & (TimeSlot.starts_at < ends_at) & (TimeSlot.ends_at > starts_at)
    )


async def create_session(*, actor: Actor | None, slug: str, data: schemas.SessionCreate) -> schemas.Session:
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    if not event.starts_on <= data.day <= event.ends_on:
        raise InvalidInput.field("day", _("hari sesi harus di antara tanggal mulai dan selesai acara"))
    planned: list[tuple[datetime, datetime]] = []
    if data.slots:
        hour, minute = (int(part) for part in data.slots.start.replace(".", ":").split(":"))
        start = datetime.combine(data.day, time(hour, minute), tzinfo=WIB)
        for _step in range(data.slots.count):
            end = start + timedelta(minutes=data.slots.minutes)
            if end.date() != data.day:
                raise InvalidInput.field("slots.count", _("slot melewati tengah malam; kurangi jumlah slot"))
            planned.append((start, end))
            start = end + timedelta(minutes=data.slots.gap_minutes)
    async with write_transaction():
        for starts_at, ends_at in planned:
            if await _overlapping_slot(event.id, starts_at, ends_at):
                raise Conflict(_("Slot baru bertabrakan dengan slot yang sudah ada."))
        position = await EventSession.count().where(EventSession.event == event.id)
        rows = await EventSession.insert(
            EventSession(event=event.id, name=data.name.strip(), day=data.day, position=position)
        ).returning(EventSession.id)
        if planned:
            await TimeSlot.insert(
                *[TimeSlot(session=rows[0]["id"], starts_at=s, ends_at=e) for s, e in planned]
            )
    sessions = await list_sessions(slug=slug)
    return next(s for s in sessions if s.id == rows[0]["id"])


async def create_slot(*, actor: Actor | None, slug: str, session_id: int, data: schemas.SlotCreate) -> schemas.Slot:
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    session = await EventSession.select().where(
        (EventSession.id == session_id) & (EventSession.event == event.id)
    ).first()
    if session is None:
        raise NotFound(_("Sesi {session_id} tidak ada di acara ini.").format(session_id=session_id))
    starts_at, ends_at = _aware(data.starts_at), _aware(data.ends_at)
    assert starts_at is not None and ends_at is not None
    if ends_at <= starts_at:
        raise InvalidInput.field("ends_at", _("waktu selesai harus setelah waktu mulai"))
    if starts_at.astimezone(WIB).date() != session["day"]:
        raise InvalidInput.field("starts_at", _("slot harus pada hari sesi"))
    async with write_transaction():
        if await _overlapping_slot(event.id, starts_at, ends_at):
            raise Conflict(_("Slot bertabrakan dengan slot yang sudah ada."))
        rows = await TimeSlot.insert(TimeSlot(session=session_id, starts_at=starts_at, ends_at=ends_at)).returning(
            *TimeSlot.all_columns()
        )
    row = rows[0]
    return schemas.Slot(id=row["id"], session_id=session_id, starts_at=starts_at, ends_at=ends_at)


# -- tables -------------------------------------------------------------------------------------------------


async def list_tables(*, slug: str) -> list[schemas.Table]:
    event = await get_event(slug=slug)
    rows = await MeetingTable.select().where(MeetingTable.event == event.id).order_by(MeetingTable.code)
    return [schemas.Table(id=r["id"], code=r["code"], label=r["label"]) for r in rows]


async def create_tables(*, actor: Actor | None, slug: str, data: schemas.TablesCreate) -> list[schemas.Table]:
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    async with write_transaction():
        existing = await MeetingTable.count().where(MeetingTable.event == event.id)
        if existing + data.count > 500:
            raise InvalidInput.field("count", _("paling banyak 500 meja per acara"))
        width = max(2, len(str(existing + data.count)))
        codes = [f"{data.prefix.upper()}{n:0{width}d}" for n in range(existing + 1, existing + data.count + 1)]
        taken = await MeetingTable.exists().where(
            (MeetingTable.event == event.id) & MeetingTable.code.is_in(codes)
        )
        if taken:
            raise Conflict(_("Kode meja sudah dipakai; gunakan awalan lain."))
        await MeetingTable.insert(*[MeetingTable(event=event.id, code=c, label=f"Meja {c}") for c in codes])
    return await list_tables(slug=slug)


# -- registrations ------------------------------------------------------------------------------------------


async def is_registered(event_id: int, *, buyer_id: int | None = None, pesantren_id: int | None = None) -> bool:
    """Whether the buyer (or else the pesantren) is registered (not cancelled) at the event. Reads only."""
    where = (Registration.event == event_id) & (Registration.status == RegistrationStatus.terdaftar.value)
    where &= (Registration.buyer == buyer_id) if buyer_id else (Registration.pesantren == pesantren_id)
    return await Registration.exists().where(where)


async def registered_buyers(event_id: int) -> list[tuple[int, str]]:
    """(id, name) of the buyers registered at the event, by name. Reads only."""
    rows = await raw(
        "SELECT b.id, b.name FROM registration r JOIN buyer b ON b.id = r.buyer "
        "WHERE r.event = {} AND r.status = {} ORDER BY b.name, b.id",
        event_id, RegistrationStatus.terdaftar.value,
    )
    return [(r["id"], r["name"]) for r in rows]


async def registered_pesantren(event_id: int) -> list[tuple[int, str]]:
    """(id, name) of the pesantren registered at the event, by name. Reads only."""
    rows = await raw(
        "SELECT p.id, p.name FROM registration r JOIN pesantren p ON p.id = r.pesantren "
        "WHERE r.event = {} AND r.status = {} ORDER BY p.name, p.id",
        event_id, RegistrationStatus.terdaftar.value,
    )
    return [(r["id"], r["name"]) for r in rows]


async def events_of_pesantren(pesantren_id: int) -> list[tuple[int, str, str]]:
    """(id, slug, name) of the events the pesantren is registered at that are past their draft, newest first.
    Reads only."""
    rows = await raw(
        "SELECT ev.id, ev.slug, ev.name FROM event ev JOIN registration g ON g.event = ev.id "
        "WHERE g.pesantren = {} AND g.status = {} AND ev.status <> {} ORDER BY ev.starts_on DESC, ev.id DESC",
        pesantren_id, RegistrationStatus.terdaftar.value, EventStatus.draft.value,
    )
    return [(r["id"], r["slug"], r["name"]) for r in rows]


_REG_COLUMNS = (
    *Registration.all_columns(exclude=[Registration.event, Registration.pesantren, Registration.buyer]),
    Registration.event.as_alias("event_id"),
    Registration.pesantren.as_alias("pesantren_id"),
    Registration.buyer.as_alias("buyer_id"),
    Registration.pesantren.name.as_alias("pesantren_name"),
    Registration.buyer.name.as_alias("buyer_name"),
)


def _registration(row: dict[str, Any]) -> schemas.Registration:
    name = row.pop("pesantren_name") or row.pop("buyer_name", None) or ""
    row.pop("buyer_name", None)
    return schemas.Registration(**{**row, "party_kind": PartyKind(row["party_kind"])}, party_name=name)


async def list_registrations(
    *,
    actor: Actor | None,
    slug: str,
    party_kind: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[schemas.Registration]:
    """Organizers see every registration of their event; a seller or buyer only its own.
    `q` matches the participant's name (the check-in list at the door)."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    where = [Registration.event == event.id]
    if not await is_organizer(actor, event.id):
        if actor.role is Role.seller:
            where.append(Registration.pesantren == actor.pesantren_id)
        elif actor.role is Role.buyer:
            where.append(Registration.buyer == actor.buyer_id)
        else:
            raise Forbidden(_("Anda bukan penyelenggara acara '{slug}'.").format(slug=slug))
    if party_kind:
        where.append(Registration.party_kind == party_kind)
    if q:
        where.append(contains(Registration.pesantren.name, q) | contains(Registration.buyer.name, q))
    query = Registration.select(*_REG_COLUMNS).order_by(Registration.id)
    return await paginate(query, Registration.count(), where, _registration, page=page, per_page=per_page)


async def register(*, actor: Actor | None, slug: str, data: schemas.RegistrationCreate) -> schemas.Registration:
    """Organizers register anyone; a seller registers its own pesantren and a buyer its own organisation
    while registration is open."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    if (data.pesantren_id is None) == (data.buyer_id is None):
        raise InvalidInput.field("pesantren_id", _("isi tepat satu: pesantren_id atau buyer_id"))
    organizer = await is_organizer(actor, event.id)
    if not organizer:
        own = (actor.role is Role.seller and data.pesantren_id == actor.pesantren_id and data.pesantren_id) or (
            actor.role is Role.buyer and data.buyer_id == actor.buyer_id and data.buyer_id
        )
        if not own:
            raise Forbidden(_("Anda hanya boleh mendaftarkan organisasi Anda sendiri."))
        if event.status is not EventStatus.open:
            raise Conflict(_("Pendaftaran acara ini sedang tidak dibuka."))
    if event.status is EventStatus.closed:
        raise Conflict(_("Acara sudah selesai."))
    kind = PartyKind.pesantren if data.pesantren_id else PartyKind.buyer
    if kind is PartyKind.pesantren and not await Pesantren.exists().where(Pesantren.id == data.pesantren_id):
        raise InvalidInput.field("pesantren_id", _("pesantren {id} tidak ada").format(id=data.pesantren_id))
    if kind is PartyKind.buyer and not await Buyer.exists().where(Buyer.id == data.buyer_id):
        raise InvalidInput.field("buyer_id", _("pembeli {id} tidak ada").format(id=data.buyer_id))
    party = (Registration.pesantren == data.pesantren_id) if data.pesantren_id else (Registration.buyer == data.buyer_id)
    async with write_transaction():
        if await Registration.exists().where((Registration.event == event.id) & party):
            raise Conflict(_("Peserta ini sudah terdaftar di acara ini."))
        rows = await Registration.insert(
            Registration(event=event.id, party_kind=kind.value, pesantren=data.pesantren_id, buyer=data.buyer_id)
        ).returning(Registration.id)
    row = present(await Registration.select(*_REG_COLUMNS).where(Registration.id == rows[0]["id"]).first())
    return _registration(row)


async def check_in(*, actor: Actor | None, slug: str, registration_id: int) -> schemas.Registration:
    """The organizer marks a participant present at the door (idempotent: the first time stays)."""
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    row = await Registration.select(*_REG_COLUMNS).where(
        (Registration.id == registration_id) & (Registration.event == event.id)
    ).first()
    if row is None:
        raise NotFound(_("Pendaftaran {registration_id} tidak ada di acara ini.").format(registration_id=registration_id))
    if row["checked_in_at"] is None:
        async with write_transaction():
            await Registration.update({Registration.checked_in_at: now_utc()}).where(
                (Registration.id == registration_id) & Registration.checked_in_at.is_null()
            )
        row = present(await Registration.select(*_REG_COLUMNS).where(Registration.id == registration_id).first())
    return _registration(row)
