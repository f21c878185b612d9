"""Catalog vocabularies: buyer types, product categories, certifications, OPOP tracks (code -> Indonesian label)."""

from __future__ import annotations

from enum import StrEnum


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
        return BUYER_TYPE_LABELS[self]


BUYER_TYPE_LABELS = {
    BuyerType.ritel_modern: "Ritel modern",
    BuyerType.distributor_grosir: "Distributor/grosir",
    BuyerType.bumn_bumd: "BUMN/BUMD",
    BuyerType.horeka: "Hotel/restoran/katering",
    BuyerType.eksportir: "Eksportir",
    BuyerType.e_commerce: "E-commerce",
    BuyerType.instansi_pemerintah: "Instansi pemerintah",
    BuyerType.koperasi: "Koperasi",
    BuyerType.lainnya: "Lainnya",
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
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.makanan: "Makanan",
    Category.minuman: "Minuman",
    Category.fesyen: "Fesyen",
    Category.aksesoris: "Aksesoris",
    Category.kriya: "Kriya",
    Category.pertanian: "Pertanian/perkebunan",
    Category.peternakan: "Peternakan",
    Category.perikanan: "Perikanan",
    Category.herbal_kosmetik: "Herbal & kosmetik",
    Category.jasa: "Jasa",
    Category.lainnya: "Lainnya",
}


class Certification(StrEnum):
    halal = "halal"
    bpom = "bpom"
    pirt = "pirt"
    sni = "sni"
    hki = "hki"

    @property
    def label(self) -> str:
        return CERTIFICATION_LABELS[self]


CERTIFICATION_LABELS = {
    Certification.halal: "Halal",
    Certification.bpom: "BPOM",
    Certification.pirt: "PIRT",
    Certification.sni: "SNI",
    Certification.hki: "Merek/HKI",
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
