"""The one form layer: form fields read into the API's schemas, every wrong field named by its input."""

from __future__ import annotations

from datetime import date

from opop_events.core.money import parse_rupiah
from opop_events.deals import schemas
from opop_events.web.forms import FormValues, id_quantity, parse_form

LINES = {
    "convert": {"quantity": id_quantity, "unit_price_rp": parse_rupiah},
    "choices": {"product_id": "pilih dari daftar"},
    "ignore": ("unit",),
}


def _deal(**fields: str) -> FormValues:
    return FormValues({"event_slug": "acara-uji", "kind": "transaksi", "deal_date": "2020-12-09", "note": "",
                       "buyer_id": "7", **fields})


def test_rows_prices_and_quantities_are_read_as_people_type_them():
    values = _deal(**{"lines[0].product_id": "12", "lines[0].quantity": "1.500", "lines[1].unit": "kg",
                      "lines[2].description": "Kerupuk", "lines[2].category": "makanan",
                      "lines[2].quantity": "2,5", "lines[2].unit_price_rp": "Rp 25.000"})

    data, errors = parse_form(schemas.DealCreate, values, lists={"lines": 3}, **LINES)

    assert errors == {}
    assert data is not None and (data.buyer_id, data.deal_date, data.note) == (7, date(2020, 12, 9), "")
    assert [(line.product_id, line.quantity, line.unit_price_rp) for line in data.lines] == [
        (12, "1500", None), (None, "2.5", 25_000)
    ]


def test_every_wrong_field_is_named_by_its_form_input():
    values = _deal(deal_date="kemarin", kind="", **{
        "lines[0].product_id": "sabun", "lines[0].quantity": "1",
        "lines[1].quantity": "", "lines[1].unit_price_rp": "1,5 juta", "lines[1].description": "x" * 301,
    })

    data, errors = parse_form(schemas.DealCreate, values, lists={"lines": 2}, **LINES)

    assert data is None
    assert errors == {
        "kind": "wajib diisi",
        "deal_date": "bukan tanggal (YYYY-MM-DD) yang sah",
        "lines[0].product_id": "pilih dari daftar",
        "lines[1].quantity": "wajib diisi",
        "lines[1].unit_price_rp": "'1,5 juta' bukan nilai rupiah yang sah; tulis angka bulat seperti 1.500.000 "
                                  "atau Rp 1.500.000",
        "lines[1].description": "paling panjang 300 karakter",
    }


def test_only_the_named_fields_are_read_and_the_page_rules_win():
    values = FormValues({"version": "3", "kind": "", "note": "", "pesantren_id": "9"})

    data, errors = parse_form(schemas.DealAmend, values, fields=("kind", "note"), given={"version": 3},
                              required=("kind",), found={"kind": "pilih jenis"})
    cleared, none = parse_form(schemas.DealAmend, FormValues({"note": ""}), fields=("note",), given={"version": 3})

    assert (data, errors) == (None, {"kind": "pilih jenis"})
    assert none == {} and cleared is not None and cleared.note == ""  # an emptied note is cleared, not kept
