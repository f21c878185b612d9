"""Figures and dates read as the reader's language writes them; Indonesian stays exactly as it was."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from opop_events.core.dates import format_date, format_datetime, format_period
from opop_events.core.i18n import use_language
from opop_events.core.money import format_number, format_quantity, format_rupiah, format_rupiah_compact


def test_indonesian_forms_are_unchanged() -> None:
    assert format_rupiah(21_000_000_000) == "Rp21.000.000.000"
    assert format_rupiah_compact(136_500_000_000) == "Rp136,5 miliar"
    assert format_quantity(Decimal("1234.5")) == "1.234,5"
    assert format_date(date(2020, 12, 9)) == "9 Desember 2020"
    assert format_datetime(datetime(2020, 12, 9, 9, 0, tzinfo=UTC)) == "9 Desember 2020 16.00 WIB"


def test_english_forms() -> None:
    with use_language("en"):
        assert format_rupiah(21_000_000_000) == "Rp21,000,000,000"
        assert format_rupiah(-2_500_000) == "-Rp2,500,000"
        assert format_number(1_500_000) == "1,500,000"
        assert format_rupiah_compact(136_500_000_000) == "Rp136.5 billion"
        assert format_rupiah_compact(42_100_000_000, short=True) == "Rp42.1 bn"
        assert format_quantity(Decimal("1234.5")) == "1,234.5"
        assert format_date(date(2020, 12, 9)) == "9 December 2020"
        assert format_datetime(datetime(2020, 12, 9, 9, 0, tzinfo=UTC)) == "9 December 2020 16:00 WIB"
        assert format_period(date(2020, 11, 30), date(2020, 12, 2)) == "30 November – 2 December 2020"
