"""Workbooks built in memory for the import tests (no tests here)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

HEADERS = {
    "Pesantren": ["nama", "kabupaten_kota", "alamat", "whatsapp", "kontak", "nspp"],
    "Pembeli": ["nama", "jenis", "kota", "whatsapp", "kontak"],
    "Produk": ["pesantren", "nama", "kategori", "satuan", "harga", "sertifikasi"],
    "Transaksi": ["tanggal", "pesantren", "pembeli", "jenis", "uraian", "jumlah", "satuan", "harga_satuan", "nilai",
                  "status"],
}
WILAYAH = {"3204": "Kabupaten Bandung", "3273": "Kota Bandung", "3205": "Kabupaten Garut"}


def workbook(sheets: dict[str, list[list[Any]]], *, headers: dict[str, list[str]] | None = None) -> bytes:
    """An xlsx in memory: each sheet gets its header row (HEADERS unless given) and the rows as written."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append((headers or HEADERS).get(name, HEADERS.get(name, [])))
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite(content: bytes, name: str, data: bytes, *, add: dict[str, bytes] | None = None) -> bytes:
    """The same xlsx with part `name` replaced by `data` and the parts in `add` added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, data if item.filename == name else src.read(item.filename))
        for extra, extra_data in (add or {}).items():
            dst.writestr(extra, extra_data)
    return out.getvalue()
