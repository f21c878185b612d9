"""Deal kinds, states, actions and the transition table the ledger enforces."""

from __future__ import annotations

from enum import StrEnum


class DealKind(StrEnum):
    transaksi = "transaksi"  # on-the-spot sale
    kontrak = "kontrak"  # purchase order or contract
    komitmen = "komitmen"  # MoU / letter of intent


KIND_LABELS = {DealKind.transaksi: "Transaksi langsung", DealKind.kontrak: "Kontrak/PO", DealKind.komitmen: "Komitmen (MoU/LoI)"}


class DealState(StrEnum):
    minat = "minat"  # a buyer's registered interest, not yet a deal
    dicatat = "dicatat"  # logged by one side
    dikonfirmasi = "dikonfirmasi"  # the other side agreed
    diverifikasi = "diverifikasi"  # verified by Dinas staff
    disanggah = "disanggah"  # disputed by the other side
    dibatalkan = "dibatalkan"  # cancelled


STATE_LABELS = {
    DealState.minat: "Minat beli",
    DealState.dicatat: "Dicatat",
    DealState.dikonfirmasi: "Dikonfirmasi",
    DealState.diverifikasi: "Diverifikasi",
    DealState.disanggah: "Disanggah",
    DealState.dibatalkan: "Dibatalkan",
}

COUNTED_STATES = frozenset({DealState.dikonfirmasi, DealState.diverifikasi})
"""States whose value counts toward the headline total."""

LOGGED_STATES = frozenset({DealState.dicatat})
"""Logged by one side, not yet agreed: reported separately."""

AMENDABLE_STATES = frozenset({DealState.minat, DealState.dicatat, DealState.disanggah})
CANCELLABLE_STATES = frozenset({DealState.minat, DealState.dicatat, DealState.disanggah, DealState.dikonfirmasi})


class DealAction(StrEnum):
    minat = "minat"  # buyer registers interest
    catat = "catat"  # seller (or import) logs a deal
    ubah = "ubah"  # amend lines/kind/date
    konfirmasi = "konfirmasi"  # the other side agrees
    sanggah = "sanggah"  # the other side disputes
    verifikasi = "verifikasi"  # Dinas verifies
    kembalikan = "kembalikan"  # Dinas sends back with a reason
    batal = "batal"  # cancelled
    realisasi = "realisasi"  # a realisation was recorded (state unchanged)
    koreksi_realisasi = "koreksi_realisasi"  # a realisation was voided (state unchanged)


ACTION_LABELS = {
    DealAction.minat: "Minat beli didaftarkan",
    DealAction.catat: "Transaksi dicatat",
    DealAction.ubah: "Transaksi diubah",
    DealAction.konfirmasi: "Dikonfirmasi",
    DealAction.sanggah: "Disanggah",
    DealAction.verifikasi: "Diverifikasi Dinas",
    DealAction.kembalikan: "Dikembalikan Dinas",
    DealAction.batal: "Dibatalkan",
    DealAction.realisasi: "Realisasi dicatat",
    DealAction.koreksi_realisasi: "Realisasi dikoreksi",
}


class Origin(StrEnum):
    pesantren = "pesantren"
    buyer = "buyer"
    impor = "impor"


class RealisationKind(StrEnum):
    pembayaran = "pembayaran"
    pengiriman = "pengiriman"
