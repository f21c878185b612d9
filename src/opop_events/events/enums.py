"""Event states and registration vocabularies."""

from enum import StrEnum


class EventStatus(StrEnum):
    draft = "draft"
    open = "open"  # registration and meeting requests open
    scheduled = "scheduled"  # meeting schedule published
    live = "live"  # the event is running
    closed = "closed"


EVENT_STATUS_LABELS = {
    EventStatus.draft: "Draf",
    EventStatus.open: "Pendaftaran dibuka",
    EventStatus.scheduled: "Jadwal terbit",
    EventStatus.live: "Berlangsung",
    EventStatus.closed: "Selesai",
}

# Allowed forward moves; `closed` is final.
EVENT_TRANSITIONS = {
    EventStatus.draft: {EventStatus.open},
    EventStatus.open: {EventStatus.scheduled, EventStatus.draft},
    EventStatus.scheduled: {EventStatus.live, EventStatus.open},
    EventStatus.live: {EventStatus.closed},
    EventStatus.closed: set(),
}


class RegistrationStatus(StrEnum):
    terdaftar = "terdaftar"  # registered: takes part in matching and deals
    dibatalkan = "dibatalkan"


class PartyKind(StrEnum):
    pesantren = "pesantren"
    buyer = "buyer"
