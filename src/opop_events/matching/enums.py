"""Matching vocabularies: request priorities and states, meeting states and outcomes."""

from __future__ import annotations

from enum import StrEnum


class Priority(StrEnum):
    wajib = "wajib"
    penting = "penting"
    opsional = "opsional"


PRIORITY_WEIGHT = {Priority.wajib: 3, Priority.penting: 2, Priority.opsional: 1}
"""What the scheduler gets: a higher number is more important."""

PRIORITY_LABELS = {Priority.wajib: "Wajib", Priority.penting: "Penting", Priority.opsional: "Opsional"}


class RequestStatus(StrEnum):
    menunggu = "menunggu"  # pending
    diterima = "diterima"  # accepted: goes to the scheduler
    ditolak = "ditolak"  # declined
    dibatalkan = "dibatalkan"  # withdrawn by the requester
    kedaluwarsa = "kedaluwarsa"  # pending past the organizer's deadline (derived on read)


REQUEST_STATUS_LABELS = {
    RequestStatus.menunggu: "Menunggu jawaban",
    RequestStatus.diterima: "Diterima",
    RequestStatus.ditolak: "Ditolak",
    RequestStatus.dibatalkan: "Dibatalkan",
    RequestStatus.kedaluwarsa: "Kedaluwarsa",
}


class MeetingStatus(StrEnum):
    usulan = "usulan"  # placed by a scheduler run, not yet published
    terjadwal = "terjadwal"  # published
    belum_terjadwal = "belum_terjadwal"  # accepted but no slot found (kept, never dropped)
    hadir = "hadir"  # held
    tidak_hadir = "tidak_hadir"  # no-show
    dibatalkan = "dibatalkan"


MEETING_STATUS_LABELS = {
    MeetingStatus.usulan: "Usulan jadwal",
    MeetingStatus.terjadwal: "Terjadwal",
    MeetingStatus.belum_terjadwal: "Belum dapat slot",
    MeetingStatus.hadir: "Terlaksana",
    MeetingStatus.tidak_hadir: "Tidak hadir",
    MeetingStatus.dibatalkan: "Dibatalkan",
}


class Outcome(StrEnum):
    tidak_berlanjut = "tidak_berlanjut"
    perlu_tindak_lanjut = "perlu_tindak_lanjut"
    potensi_kerja_sama = "potensi_kerja_sama"
    sepakat = "sepakat"


OUTCOME_LABELS = {
    Outcome.tidak_berlanjut: "Tidak berlanjut",
    Outcome.perlu_tindak_lanjut: "Perlu tindak lanjut",
    Outcome.potensi_kerja_sama: "Potensi kerja sama",
    Outcome.sepakat: "Sepakat",
}


class Side(StrEnum):
    buyer = "buyer"
    pesantren = "pesantren"
