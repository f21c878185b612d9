"""Deal kinds, states, actions and the transition table the ledger enforces; labels are marked `N_` and
translated where they are shown."""

from __future__ import annotations

from enum import StrEnum

from opop_events.core.i18n import N_


class DealKind(StrEnum):
    transaksi = "transaksi"  # on-the-spot sale
    kontrak = "kontrak"  # purchase order or contract
    komitmen = "komitmen"  # MoU / letter of intent


KIND_LABELS = {
    DealKind.transaksi: N_("Transaksi langsung"),
    DealKind.kontrak: N_("Kontrak/PO"),
    DealKind.komitmen: N_("Komitmen (MoU/LoI)"),
}


class DealState(StrEnum):
    minat = "minat"  # the buyer's terms (an interest or a buyer's counter-offer), awaiting the pesantren
    dicatat = "dicatat"  # the pesantren's terms (logged or counter-offered), awaiting the buyer
    dikonfirmasi = "dikonfirmasi"  # the other side agreed
    perubahan = "perubahan"  # agreed; one side proposed changed terms the other has not accepted yet
    diverifikasi = "diverifikasi"  # verified by Dinas staff
    disanggah = "disanggah"  # disputed by the other side
    dibatalkan = "dibatalkan"  # cancelled


STATE_LABELS = {
    DealState.minat: N_("Minat beli"),
    DealState.dicatat: N_("Dicatat"),
    DealState.dikonfirmasi: N_("Dikonfirmasi"),
    DealState.perubahan: N_("Perubahan diajukan"),
    DealState.diverifikasi: N_("Diverifikasi"),
    DealState.disanggah: N_("Disanggah"),
    DealState.dibatalkan: N_("Dibatalkan"),
}

STATE_HINTS = {
    DealState.minat: N_("menunggu pesantren menyetujui syarat pembeli"),
    DealState.dicatat: N_("menunggu pembeli menyetujui syarat pesantren"),
    DealState.dikonfirmasi: N_("disetujui kedua pihak"),
    DealState.perubahan: N_(
        "disetujui kedua pihak; perubahan syarat menunggu pihak lain (yang dihitung: syarat lama)"
    ),
    DealState.diverifikasi: N_("disetujui kedua pihak dan diperiksa Dinas"),
    DealState.disanggah: N_("pembeli menyanggah; menunggu pesantren"),
    DealState.dibatalkan: N_("tidak berlaku"),
}
"""What each state means for whoever reads a list: who must act next, and what counts."""

COUNTED_STATES = frozenset({DealState.dikonfirmasi, DealState.perubahan, DealState.diverifikasi})
"""States whose value counts toward the headline total. In `perubahan` the terms both sides agreed (the
history row's revision) still count; the proposed terms (its `offer`) count only once the other side accepts."""

LOGGED_STATES = frozenset({DealState.dicatat})
"""Logged by one side, not yet agreed: reported separately."""

AMENDABLE_STATES = frozenset({DealState.minat, DealState.dicatat, DealState.disanggah})
CANCELLABLE_STATES = frozenset(
    {DealState.minat, DealState.dicatat, DealState.disanggah, DealState.dikonfirmasi, DealState.perubahan}
)
REPORTED_STATES = frozenset(DealState) - {DealState.minat}
"""States a deal line of a report may have (a `minat` is the buyer's proposal, not yet a deal)."""


class DealAction(StrEnum):
    minat = "minat"  # buyer registers interest
    catat = "catat"  # seller (or import) logs a deal
    ubah = "ubah"  # amend lines/kind/date
    konfirmasi = "konfirmasi"  # the other side agrees
    sanggah = "sanggah"  # the other side disputes
    verifikasi = "verifikasi"  # Dinas verifies
    kembalikan = "kembalikan"  # Dinas sends back with a reason
    batal = "batal"  # cancelled
    tawar = (
        "tawar"  # a counter-offer: confirming with changed terms turns them into an offer to the other side
    )
    ajukan_ubah = "ajukan_ubah"  # one side proposes changed terms for an agreed deal
    tolak_ubah = "tolak_ubah"  # the proposed change is declined (or withdrawn); the agreed terms stand
    realisasi = "realisasi"  # a realisation was recorded (state unchanged)
    koreksi_realisasi = "koreksi_realisasi"  # a realisation was voided (state unchanged)


ACTION_LABELS = {
    DealAction.minat: N_("Minat beli didaftarkan"),
    DealAction.catat: N_("Transaksi dicatat"),
    DealAction.ubah: N_("Transaksi diubah"),
    DealAction.konfirmasi: N_("Dikonfirmasi"),
    DealAction.sanggah: N_("Disanggah"),
    DealAction.verifikasi: N_("Diverifikasi Dinas"),
    DealAction.kembalikan: N_("Dikembalikan Dinas"),
    DealAction.batal: N_("Dibatalkan"),
    DealAction.tawar: N_("Penawaran balik"),
    DealAction.ajukan_ubah: N_("Perubahan diajukan"),
    DealAction.tolak_ubah: N_("Perubahan ditolak"),
    DealAction.realisasi: N_("Realisasi dicatat"),
    DealAction.koreksi_realisasi: N_("Realisasi dikoreksi"),
}


class Origin(StrEnum):
    pesantren = "pesantren"
    buyer = "buyer"
    impor = "impor"


class RealisationKind(StrEnum):
    pembayaran = "pembayaran"
    pengiriman = "pengiriman"
