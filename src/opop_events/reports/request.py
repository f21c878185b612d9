"""One report request — scope (an event's slug or a programme year), format, moment, caller — checked once for
every door (the Dinas page, the API, the command line), and the one rule of who may fetch it.

Who may: a programme-year report is for Dinas staff (admin); an event report for Dinas staff and the event's
own organizers. The command line is run by the server's operator, who may fetch any report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor, require_role
from opop_events.core.dates import parse_local_datetime
from opop_events.core.errors import AppError, FieldError, InvalidInput
from opop_events.core.i18n import _
from opop_events.core.types import MAX_YEAR, MIN_YEAR, YEAR_RANGE
from opop_events.events.services import get_event, require_organizer
from opop_events.reports.exporters import EXPORTERS

FORMATS = tuple(EXPORTERS)
"""The report formats, in the order the pages offer them: xlsx, pdf, csv."""


class Operator:
    """The caller at the server's command line (`opop-events report`): may fetch every report."""


COMMAND_LINE = Operator()
Caller = Actor | Operator | None


@dataclass(frozen=True)
class ReportRequest:
    """A checked request: exactly one of `slug` and `year`, `year` a programme year, `fmt` a known format,
    `as_of` aware or None. Build it with `parse` (from values) or `from_text` (from what a form sent)."""

    caller: Caller
    fmt: str
    slug: str | None = None
    year: int | None = None
    as_of: datetime | None = None

    @classmethod
    def parse(cls, *, caller: Caller, fmt: str, slug: str | None = None, year: int | None = None,
              as_of: datetime | None = None) -> ReportRequest:
        """Raises InvalidInput listing every wrong field (`year`, `format`, `as_of`)."""
        errors: list[FieldError] = []
        if slug is None and year is None:
            errors.append(FieldError(field="year", message=_("isi slug acara atau tahun program")))
        elif slug is not None and year is not None:
            errors.append(FieldError(field="year", message=_("isi slug acara atau tahun program, tidak keduanya")))
        elif year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            errors.append(FieldError(field="year", message=_("tahun program {range}").format(range=YEAR_RANGE)))
        if fmt not in EXPORTERS:
            known = ", ".join(sorted(EXPORTERS))
            errors.append(FieldError(field="format", message=_("format '{fmt}' tidak dikenal; pilih {known}").format(
                fmt=fmt, known=known
            )))
        if as_of is not None and as_of.tzinfo is None:
            errors.append(FieldError(field="as_of", message=_("waktu harus menyebut zona waktunya")))
        if errors:
            raise InvalidInput("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)
        return cls(caller=caller, fmt=fmt, slug=slug, year=year, as_of=as_of)

    @classmethod
    def from_text(cls, *, caller: Caller, fmt: str, slug: str = "", year: str = "", as_of: str = "") -> ReportRequest:
        """From typed text: `year` digits, `as_of` a local time such as `2020-12-09 16:00` (WIB); empty means
        absent. Every wrong field is reported together, as `parse` does."""
        errors: list[FieldError] = []
        year_value = int(year) if year.isdigit() else None
        if year and year_value is None:
            errors.append(FieldError(field="year", message=_("tahun program {range}").format(range=YEAR_RANGE)))
        moment = None
        if as_of:
            try:
                moment = parse_local_datetime(as_of)
            except ValueError:
                errors.append(FieldError(field="as_of", message=_("bukan waktu yang sah; contoh 2020-12-09 16:00")))
        try:
            request = cls.parse(caller=caller, fmt=fmt, slug=slug or None, year=year_value, as_of=moment)
        except InvalidInput as exc:
            seen = {e.field for e in errors}
            errors += [e for e in exc.errors if e.field not in seen]
        if errors:
            raise InvalidInput("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)
        return request

    async def authorize(self) -> None:
        """Raises Unauthorized/Forbidden/NotFound unless the caller may fetch this report (the rule above)."""
        if isinstance(self.caller, Operator):
            return
        actor = require_actor(self.caller)
        if self.slug is None:
            require_role(actor, Role.admin)
            return
        await require_organizer(actor, await get_event(slug=self.slug))

    async def allowed(self) -> bool:
        """Whether `authorize` would let the caller through (for showing or hiding a download)."""
        try:
            await self.authorize()
        except AppError:
            return False
        return True
