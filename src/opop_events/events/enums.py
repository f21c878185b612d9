"""Event states and registration vocabularies."""

from enum import StrEnum

from opop_events.core.i18n import N_


class EventStatus(StrEnum):
    draft = "draft"
    open = "open"  # registration and meeting requests open
    scheduled = "scheduled"  # meeting schedule published
    live = "live"  # the event is running
    closed = "closed"


EVENT_STATUS_LABELS = {  # marked for the catalogue: show as _(EVENT_STATUS_LABELS[s])
    EventStatus.draft: N_("Draf"),
    EventStatus.open: N_("Pendaftaran dibuka"),
    EventStatus.scheduled: N_("Jadwal terbit"),
    EventStatus.live: N_("Berlangsung"),
    EventStatus.closed: N_("Selesai"),
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
