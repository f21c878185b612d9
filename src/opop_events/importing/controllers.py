"""JSON API of the Excel import: upload a Dinas workbook into an event (dry run or for real)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import msgspec
from litestar import Controller, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter

from opop_events.api import UPLOAD_BODY_MAX_BYTES, CurrentActor, problems
from opop_events.core.errors import AppError, Conflict, FieldError, InvalidInput
from opop_events.core.i18n import N_, _
from opop_events.importing.parse import DEFAULT_LIMITS
from opop_events.importing.service import ImportResult, display_name, import_workbook


class PayloadTooLarge(AppError):
    status = 413
    title = "Berkas terlalu besar"
    slug = "payload-too-large"


@dataclass
class ImportUpload:
    """The multipart form: one field `file` holding the .xlsx."""

    file: UploadFile


class ImportSummary(msgspec.Struct):
    """What the import wrote (or, with dry_run, would write); totals are integer rupiah per deal state."""

    dry_run: bool
    message: str  # e.g. "Pratinjau rekap.xlsx: …; tidak ada yang disimpan." for a dry run
    created_pesantren: int
    created_buyers: int
    created_products: int
    created_registrations: int
    created_deals: int
    total_rp_by_status: dict[str, int]
    warnings: list[FieldError] = []  # with force=true: what was imported although it looked already imported


def _summary(result: ImportResult, filename: str) -> ImportSummary:
    return ImportSummary(
        dry_run=result.dry_run,
        message=result.headline(filename),
        created_pesantren=result.created_pesantren,
        created_buyers=result.created_buyers,
        created_products=result.created_products,
        created_registrations=result.created_registrations,
        created_deals=result.created_deals,
        total_rp_by_status=result.total_rp_by_status,
        warnings=[FieldError(field=e.field, message=e.message) for e in result.warnings],
    )


class ImportController(Controller):
    path = "/api/v1/events/{slug:str}/imports"
    tags = ["Impor"]

    @post(
        "/",
        operation_id="importWorkbook",
        summary=N_("Impor daftar Dinas (.xlsx) ke acara (admin, penyelenggara acara)"),
        description=N_(
            "Unggah berkas .xlsx (kolom formulir `file`) dengan lembar Pesantren, Pembeli, Produk dan/atau "
            "Transaksi; templat: fixtures/templates/impor_opop.xlsx. Setiap baris Transaksi menjadi satu "
            "transaksi dengan satu baris barang. Semua atau tidak sama sekali: bila ada galat, tidak ada yang "
            "ditulis dan 422 menyebut setiap galat sebagai `Lembar!baris N!kolom`. "
            "`dry_run=true` hanya memeriksa (pratinjau): tidak ada yang disimpan. "
            "Isi berkas yang sudah pernah diimpor ke acara ini, atau baris Transaksi yang sama persis dengan "
            "transaksi acara ini atau dengan baris sebelumnya, ditolak dengan 409; `force=true` tetap "
            "mengimpornya dan menyebutnya di `warnings`."
        ),
        status_code=200,
        responses=problems(400, 401, 403, 404, 409, 413, 422),
        request_max_body_size=UPLOAD_BODY_MAX_BYTES,
    )
    async def import_workbook(
        self,
        actor: CurrentActor,
        slug: FromPath[str],
        data: Annotated[ImportUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        dry_run: Annotated[bool, QueryParameter(description=N_("true: periksa saja, tidak menulis"))] = False,
        force: Annotated[bool, QueryParameter(
            description=N_("true: impor walau isinya sudah pernah diimpor ke acara ini atau ada transaksi ganda"),
        )] = False,
    ) -> ImportSummary:
        upload = data.file
        content = await upload.read(DEFAULT_LIMITS.max_file_bytes + 1)
        if len(content) > DEFAULT_LIMITS.max_file_bytes:
            raise PayloadTooLarge(_("Berkas paling besar {size} MB.").format(
                size=DEFAULT_LIMITS.max_file_bytes // (1024 * 1024)))
        result = await import_workbook(
            actor=actor, event_slug=slug, content=content, filename=upload.filename or "unggahan.xlsx",
            dry_run=dry_run, force=force,
        )
        if result.errors:
            name = display_name(upload.filename or "unggahan.xlsx")
            if result.only_duplicates:
                raise Conflict(
                    _("{name}: {count} galat karena sudah diimpor atau ganda; tidak ada yang ditulis. Kirim lagi "
                      "dengan force=true bila memang ingin mengimpornya.").format(name=name, count=len(result.errors)),
                    errors=[FieldError(field=e.field, message=e.message) for e in result.errors],
                )
            raise InvalidInput(
                _("{name}: {count} galat; tidak ada yang ditulis.").format(name=name, count=len(result.errors)),
                errors=[FieldError(field=e.field, message=e.message) for e in result.errors],
            )
        return _summary(result, display_name(upload.filename or "unggahan.xlsx"))


CONTROLLERS = [ImportController]
