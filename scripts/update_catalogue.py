"""Bring the message catalogues up to date with the code: extract every marked message (Python and templates),
add the new ones to each language's `messages.po`, drop those the code no longer uses, keep every translation.

    uv run python scripts/update_catalogue.py                 # extract and update
    uv run python scripts/update_catalogue.py --from more.po  # also take translations from other .po files

Then translate the empty entries (`msgstr ""`) in `src/opop_events/locale/en/LC_MESSAGES/messages.po`;
`uv run pytest tests/i18n` fails while one is empty or unused. Equivalent pybabel commands:
`pybabel extract -F babel.cfg -k N_ -o messages.pot .` then `pybabel update -i messages.pot -d src/opop_events/locale`.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from opop_events.core.i18n import catalog_path
from opop_events.core.messages_check import extracted_ids, other_languages

_FIXED = datetime(2026, 12, 2, tzinfo=UTC)
"""A fixed header date: the file changes only when a message does."""


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="sources", action="append", default=[], type=Path)
    args = parser.parse_args()
    used = extracted_ids()
    for language in other_languages():
        path = catalog_path(language)
        old = _read(path, language) if path.exists() else Catalog(locale=language)
        known: dict[str, object] = {}
        for source in [*args.sources, path] if path.exists() else args.sources:
            for message in _read(source, language):
                if message.id and message.string and not message.fuzzy:
                    key = message.id[0] if isinstance(message.id, tuple) else message.id
                    known[key] = message.string
        catalog = Catalog(
            locale=language,
            project="opop-events",
            domain="messages",
            header_comment="# Terjemahan opop-events (sumber: Bahasa Indonesia).",
            creation_date=_FIXED,
            revision_date=_FIXED,
            fuzzy=False,
        )
        for key in sorted(used):
            message_id = used[key]
            string = known.get(key, "")
            if isinstance(message_id, tuple):  # plural: English has two forms
                if isinstance(string, str):
                    string = (string, string) if string else ("", "")
                else:
                    string = tuple(string)[:2]
            elif not isinstance(string, str):
                string = next(iter(string))
            catalog.add(message_id, string, flags=("python-brace-format",) if "{" in key else ())
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False, sort_output=True, no_location=True)
        missing = sum(1 for m in catalog if m.id and not m.string)
        dropped = sum(1 for m in old if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in used)
        print(f"{language}: {len(used)} pesan, {missing} belum diterjemahkan, {dropped} dibuang")


if __name__ == "__main__":
    main()
