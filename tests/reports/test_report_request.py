"""ReportRequest: the scope, format and moment of a report checked once for the page, the API and the CLI."""

from __future__ import annotations

import pytest

from opop_events.core.errors import InvalidInput
from opop_events.reports.request import COMMAND_LINE, ReportRequest


def _errors(**kwargs: str) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        ReportRequest.from_text(caller=COMMAND_LINE, **kwargs)
    return {e.field: e.message for e in caught.value.errors}


def test_a_year_a_format_and_a_local_moment_are_read_once():
    request = ReportRequest.from_text(caller=COMMAND_LINE, fmt="csv", year="2020", as_of="2020-12-09 16:00")

    assert (request.slug, request.year, request.fmt) == (None, 2020, "csv")
    assert request.as_of is not None and request.as_of.utcoffset().total_seconds() == 7 * 3600


def test_every_wrong_part_is_named():
    assert _errors(fmt="docx", year="2017", as_of="kemarin") == {
        "year": "tahun program 2018–2100",
        "format": "format 'docx' tidak dikenal; pilih csv, pdf, xlsx",
        "as_of": "bukan waktu yang sah; contoh 2020-12-09 16:00",
    }
    assert _errors(fmt="pdf") == {"year": "isi slug acara atau tahun program"}
    assert _errors(fmt="pdf", year="dua ribu") == {"year": "tahun program 2018–2100"}


async def test_the_command_line_may_fetch_any_report_and_nobody_signed_out_may():
    await ReportRequest.parse(caller=COMMAND_LINE, fmt="xlsx", year=2020).authorize()

    assert not await ReportRequest.parse(caller=None, fmt="xlsx", year=2020).allowed()
