"""Bounded scalar types shared by API schemas (every string and number has limits)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from opop_events.core.i18n import N_
from opop_events.core.money import MAX_LINE_RP

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, msgspec.Meta(max_length=120)]
LongText = Annotated[str, msgspec.Meta(max_length=2000)]
Address = Annotated[str, msgspec.Meta(max_length=500)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Phone = Annotated[str, msgspec.Meta(max_length=32)]
Email = Annotated[str, msgspec.Meta(max_length=254)]
Rupiah = Annotated[int, msgspec.Meta(ge=0, le=MAX_LINE_RP, description=N_("Nilai dalam rupiah (bilangan bulat)"))]
Quantity = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^\d{1,10}([.,]\d{1,3})?$",
        max_length=14,
        description=N_("Jumlah eksak sebagai teks desimal, mis. '12.5'"),
        examples=["12.5"],
    ),
]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
MIN_YEAR, MAX_YEAR = 2018, 2100
"""The programme years: OPOP began in 2018; a year past 2100 is a typing error."""
Year = Annotated[int, msgspec.Meta(ge=MIN_YEAR, le=MAX_YEAR)]
YEAR_RANGE = f"{MIN_YEAR}–{MAX_YEAR}"
Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=3, max_length=80)]
PageNo = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
PerPage = Annotated[int, msgspec.Meta(ge=1, le=200)]
Search = Annotated[str, msgspec.Meta(max_length=100)]
WilayahCode = Annotated[str, msgspec.Meta(pattern=r"^32\d{2}$", description=N_("Kode BPS kabupaten/kota Jawa Barat"))]
Nspp = Annotated[str, msgspec.Meta(pattern=r"^\d{6,20}$", description=N_("Nomor Statistik Pondok Pesantren"))]
