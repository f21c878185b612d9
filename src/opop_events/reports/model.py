"""The report data model: the figures of one official report, database-free, fed to every exporter."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from opop_events.core.i18n import N_

DEAL_KINDS = ("transaksi", "kontrak", "komitmen")
"""Every key of `Headline.confirmed_by_kind`, in display order."""

DEAL_LINE_STATES = ("dicatat", "dikonfirmasi", "perubahan", "diverifikasi", "disanggah", "dibatalkan")
"""The states a deal line in a report may have (a `minat` is an interest, never a deal line)."""

CONFIRMED_STATES = frozenset({"dikonfirmasi", "perubahan", "diverifikasi"})
"""States that count toward the headline (`confirmed_rp`)."""

LOGGED_STATES = frozenset({"dicatat"})
"""States shown as logged by one side only (`logged_rp`)."""

DEFAULT_SIGNATORY_TITLE = N_("Kepala Dinas Koperasi dan Usaha Kecil Provinsi Jawa Barat")
"""Marked; the pdf prints it translated."""


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    """One row of a breakdown (per region, category, buyer type, pesantren or buyer).

    `key` is a stable code (BPS code `3273`, category `makanan`, buyer type `ritel_modern`, a pesantren id);
    `label` the Indonesian display name. `confirmed_rp` counts dikonfirmasi + diverifikasi, `logged_rp`
    counts dicatat; `pesantren` and `buyers` are distinct counts within the row (not additive across rows).
    """

    key: str
    label: str
    deals: int
    confirmed_rp: int
    logged_rp: int
    realised_rp: int
    pesantren: int
    buyers: int


@dataclass(frozen=True, slots=True)
class Headline:
    """The headline figures of a report; `confirmed_rp` is the published total (e.g. Rp21 miliar)."""

    confirmed_rp: int
    logged_rp: int
    confirmed_by_kind: dict[str, int]
    realised_rp: int
    deals_confirmed: int
    deals_logged: int
    deals_total: int
    pesantren: int
    buyers: int
    meetings_held: int

    def __post_init__(self) -> None:
        if set(self.confirmed_by_kind) != set(DEAL_KINDS):
            raise ValueError(f"confirmed_by_kind needs exactly the keys {DEAL_KINDS}")

    @property
    def realisation_rate_bp(self) -> int:
        """Realised as a share of confirmed, in basis points (10000 = 100 %), rounded down; 0 if none."""
        return self.realised_rp * 10000 // self.confirmed_rp if self.confirmed_rp else 0

    @property
    def value_per_meeting_rp(self) -> int:
        """Confirmed rupiah per meeting held, rounded down; 0 when no meeting was held."""
        return self.confirmed_rp // self.meetings_held if self.meetings_held else 0


@dataclass(frozen=True, slots=True)
class DealLineRow:
    """One deal line as it appears in the deal list; `quantity` is exact decimal text (`12.5`)."""

    deal_no: str
    deal_date: date
    state: str
    kind: str
    pesantren: str
    kabupaten_kota: str
    buyer: str
    buyer_type: str
    category: str
    description: str
    quantity: str
    unit: str
    unit_price_rp: int
    value_rp: int
    late: bool = False  # a late deal (susulan): counted after its event's books were closed


@dataclass(frozen=True, slots=True)
class LateFigures:
    """Deals counted after their event's books were closed (susulan setelah tutup buku): summed apart, never
    part of the official headline."""

    confirmed_rp: int = 0
    deals: int = 0


@dataclass(frozen=True, slots=True)
class ClosingRecord:
    """One event of the report whose books are closed: when, by whom and why (tutup buku)."""

    event_name: str
    closed_at: datetime
    closed_by: str
    reason: str
    confirmed_rp: int


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything one report shows. Built by `reports.queries`; rendered by `reports.exporters`.

    `deal_lines` is a factory: each call yields every deal line afresh (all states), so an exporter can
    stream them without the report holding them in memory. Datetimes must be timezone-aware; they are
    shown in WIB.
    """

    title: str
    scope: Literal["event", "year"]
    subject: str
    venue: str | None
    period_start: date
    period_end: date
    as_of: datetime | None
    generated_at: datetime
    headline: Headline
    by_region: list[BreakdownRow]
    by_category: list[BreakdownRow]
    by_buyer_type: list[BreakdownRow]
    by_pesantren: list[BreakdownRow]
    by_buyer: list[BreakdownRow]
    deal_lines: Callable[[], Iterable[DealLineRow]] = field(repr=False)
    signatory_title: str = DEFAULT_SIGNATORY_TITLE
    signatory_name: str | None = None
    late: LateFigures = field(default_factory=LateFigures)
    closings: list[ClosingRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.scope not in ("event", "year"):
            raise ValueError(f"scope must be 'event' or 'year', not {self.scope!r}")
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        for name in ("as_of", "generated_at"):
            moment = getattr(self, name)
            if moment is not None and moment.utcoffset() is None:
                # a naive datetime is ambiguous between UTC and WIB; a published report must not guess
                raise ValueError(f"{name} must be timezone-aware")

    @property
    def breakdowns(self) -> dict[str, list[BreakdownRow]]:
        """The five breakdowns by their short names, in report order."""
        return {
            "region": self.by_region,
            "category": self.by_category,
            "buyer_type": self.by_buyer_type,
            "pesantren": self.by_pesantren,
            "buyer": self.by_buyer,
        }

    def inconsistencies(self) -> list[str]:
        """Where a breakdown's rupiah totals differ from the headline (empty when the report adds up).

        Every breakdown partitions the deal lines, so each must sum to the headline to the rupiah;
        the aggregation layer's tests call this on every report they build.
        """
        problems: list[str] = []
        h = self.headline
        if sum(h.confirmed_by_kind.values()) != h.confirmed_rp:
            problems.append("confirmed_by_kind does not sum to confirmed_rp")
        for name, rows in self.breakdowns.items():
            for attr, expected in (
                ("confirmed_rp", h.confirmed_rp),
                ("logged_rp", h.logged_rp),
                ("realised_rp", h.realised_rp),
            ):
                total = sum(getattr(row, attr) for row in rows)
                if total != expected:
                    problems.append(f"by_{name}.{attr} sums to {total}, headline has {expected}")
        return problems
