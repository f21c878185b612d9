"""Matching vocabularies: request priorities and states, meeting states and outcomes."""

from __future__ import annotations

from enum import StrEnum

from opop_events.core.i18n import N_


class Priority(StrEnum):
    wajib = "wajib"
    penting = "penting"
    opsional = "opsional"


PRIORITY_WEIGHT = {Priority.wajib: 3, Priority.penting: 2, Priority.opsional: 1}
"""What the scheduler gets: a higher number is more important."""

PRIORITY_LABELS = {Priority.wajib: N_("Wajib"), Priority.penting: N_("Penting"), Priority.opsional: N_("Opsional")}


class RequestStatus(StrEnum):
    menunggu = "menunggu"  # pending
    diterima = "diterima"  # accepted: goes to the scheduler
    ditolak = "ditolak"  # declined
    dibatalkan = "dibatalkan"  # withdrawn by the requester
    kedaluwarsa = "kedaluwarsa"  # pending past the organizer's deadline (derived on read)


REQUEST_STATUS_LABELS = {
    RequestStatus.menunggu: N_("Menunggu jawaban"),
    RequestStatus.diterima: N_("Diterima"),
    RequestStatus.ditolak: N_("Ditolak"),
    RequestStatus.dibatalkan: N_("Dibatalkan"),
    RequestStatus.kedaluwarsa: N_("Kedaluwarsa"),
}


class MeetingStatus(StrEnum):
    usulan = "usulan"  # placed by a scheduler run, not yet published
    terjadwal = "terjadwal"  # published
    belum_terjadwal = "belum_terjadwal"  # accepted but no slot found (kept, never dropped)
    hadir = "hadir"  # held
    tidak_hadir = "tidak_hadir"  # no-show
    dibatalkan = "dibatalkan"


MEETING_STATUS_LABELS = {
    MeetingStatus.usulan: N_("Usulan jadwal"),
    MeetingStatus.terjadwal: N_("Terjadwal"),
    MeetingStatus.belum_terjadwal: N_("Belum dapat slot"),
    MeetingStatus.hadir: N_("Terlaksana"),
    MeetingStatus.tidak_hadir: N_("Tidak hadir"),
    MeetingStatus.dibatalkan: N_("Dibatalkan"),
}


class Outcome(StrEnum):
    tidak_berlanjut = "tidak_berlanjut"
    perlu_tindak_lanjut = "perlu_tindak_lanjut"
    potensi_kerja_sama = "potensi_kerja_sama"
    sepakat = "sepakat"


OUTCOME_LABELS = {
    Outcome.tidak_berlanjut: N_("Tidak berlanjut"),
    Outcome.perlu_tindak_lanjut: N_("Perlu tindak lanjut"),
    Outcome.potensi_kerja_sama: N_("Potensi kerja sama"),
    Outcome.sepakat: N_("Sepakat"),
}


class Side(StrEnum):
    buyer = "buyer"
    pesantren = "pesantren"
