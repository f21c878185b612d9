"""The house style every PDF shares (the official report and the printed schedule): the font family,
registered once per process, the colours, safe paragraphs of user text, and a canvas that numbers pages
`Halaman x dari y`.

Fonts: DejaVu Sans when the system has it (wide Unicode coverage), else Bitstream Vera, which ships inside
reportlab, so rendering never depends on the machine; both are embedded as subsets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from opop_events.reports.exporters._format import clean_text

# --- fonts ----------------------------------------------------------------------------------------------

_FONT_FILES = {
    "DejaVuSans": (
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique.ttf",
        "DejaVuSans-BoldOblique.ttf",
    ),
    "Vera": ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf"),
}
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_font_lock = threading.Lock()
_font_family: str | None = None

FONT = "OpopSans"
"""The family name every style uses; `register_fonts()` maps it to DejaVu Sans or Vera."""


def register_fonts() -> str:
    """Register the report font family once per process (thread-safe); returns the font family used."""
    global _font_family
    with _font_lock:
        if _font_family is not None:
            return _font_family
        family = "Vera"
        files: tuple[str, ...] = _FONT_FILES["Vera"]  # found on reportlab's own font path
        for directory in _FONT_DIRS:
            candidate = tuple(str(directory / name) for name in _FONT_FILES["DejaVuSans"])
            if all(Path(path).is_file() for path in candidate):
                family, files = "DejaVuSans", candidate
                break
        names = (FONT, f"{FONT}-Bold", f"{FONT}-Italic", f"{FONT}-BoldItalic")
        for name, path in zip(names, files, strict=True):
            pdfmetrics.registerFont(TTFont(name, path))
        pdfmetrics.registerFontFamily(
            FONT, normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3]
        )
        _font_family = family
        return family


# --- colours and safe text ------------------------------------------------------------------------------

GREEN = colors.HexColor("#1F5130")
LIGHT = colors.HexColor("#EEF4EF")
GREY = colors.HexColor("#555555")
PALETTE = [
    colors.HexColor(code)
    for code in ("#1F5130", "#3C8D50", "#7CB46B", "#C9A227", "#2E6F8E", "#8E5B2E", "#9BB7C4", "#B0B0B0")
]


MAX_TEXT = 300
"""Longest user text printed (names, venue); longer text is cut with an ellipsis. A cell taller than a
page would stop the layout, and no name in a report needs more."""


def safe_paragraph(text: str, style: ParagraphStyle, *, limit: int = MAX_TEXT) -> Paragraph:
    """A paragraph of user text: XML-illegal characters stripped, markup escaped, length bounded."""
    return Paragraph(escape(shorten(clean_text(text), limit)), style)


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


# --- canvas with "Halaman x dari y" ---------------------------------------------------------------------


class NumberedCanvas(Canvas):
    """Holds every page until the end so each footer can name the total: `Halaman 1 dari 7`."""

    def __init__(self, *args: Any, footer: Callable[[Canvas, int, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._footer(self, self._pageNumber, total)
            super().showPage()
        super().save()
