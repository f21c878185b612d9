"""Catalog vocabularies: buyer types, product categories, certifications, OPOP tracks (code -> Indonesian label,
marked for the message catalogue; `.label` gives it in the current language)."""

from __future__ import annotations

from enum import StrEnum

from opop_events.core.i18n import N_, _


class BuyerType(StrEnum):
    ritel_modern = "ritel_modern"
    distributor_grosir = "distributor_grosir"
    bumn_bumd = "bumn_bumd"
    horeka = "horeka"
    eksportir = "eksportir"
    e_commerce = "e_commerce"
    instansi_pemerintah = "instansi_pemerintah"
    koperasi = "koperasi"
    lainnya = "lainnya"

    @property
    def label(self) -> str:
        return _(BUYER_TYPE_LABELS[self])


BUYER_TYPE_LABELS = {
    BuyerType.ritel_modern: N_("Ritel modern"),
    BuyerType.distributor_grosir: N_("Distributor/grosir"),
    BuyerType.bumn_bumd: N_("BUMN/BUMD"),
    BuyerType.horeka: N_("Hotel/restoran/katering"),
    BuyerType.eksportir: N_("Eksportir"),
    BuyerType.e_commerce: N_("E-commerce"),
    BuyerType.instansi_pemerintah: N_("Instansi pemerintah"),
    BuyerType.koperasi: N_("Koperasi"),
    BuyerType.lainnya: N_("Lainnya"),
}


class Category(StrEnum):
    makanan = "makanan"
    minuman = "minuman"
    fesyen = "fesyen"
    aksesoris = "aksesoris"
    kriya = "kriya"
    pertanian = "pertanian"
    peternakan = "peternakan"
    perikanan = "perikanan"
    herbal_kosmetik = "herbal_kosmetik"
    jasa = "jasa"
    lainnya = "lainnya"

    @property
    def label(self) -> str:
        return _(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    Category.makanan: N_("Makanan"),
    Category.minuman: N_("Minuman"),
    Category.fesyen: N_("Fesyen"),
    Category.aksesoris: N_("Aksesoris"),
    Category.kriya: N_("Kriya"),
    Category.pertanian: N_("Pertanian/perkebunan"),
    Category.peternakan: N_("Peternakan"),
    Category.perikanan: N_("Perikanan"),
    Category.herbal_kosmetik: N_("Herbal & kosmetik"),
    Category.jasa: N_("Jasa"),
    Category.lainnya: N_("Lainnya"),
}


class Certification(StrEnum):
    halal = "halal"
    bpom = "bpom"
    pirt = "pirt"
    sni = "sni"
    hki = "hki"

    @property
    def label(self) -> str:
        return _(CERTIFICATION_LABELS[self])


CERTIFICATION_LABELS = {
    Certification.halal: N_("Halal"),
    Certification.bpom: N_("BPOM"),
    Certification.pirt: N_("PIRT"),
    Certification.sni: N_("SNI"),
    Certification.hki: N_("Merek/HKI"),
}


class Track(StrEnum):
    start_up = "start_up"
    scale_up = "scale_up"


TRACK_LABELS = {Track.start_up: "Start-up", Track.scale_up: "Scale-up"}


def parse_label(enum: type[StrEnum], labels: dict, text: str) -> StrEnum | None:
    """Match a code or an Indonesian label, ignoring case, spaces and punctuation (for imports and forms)."""

    def norm(value: str) -> str:
        return "".join(ch for ch in value.lower() if ch.isalnum())

    wanted = norm(text)
    for member in enum:
        if wanted in (norm(member.value), norm(labels[member])):
            return member
    return None
