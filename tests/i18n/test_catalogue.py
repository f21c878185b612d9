"""The message catalogue is complete: every message the code and templates mark has an English translation,
none is unused, placeholders match, and no user-facing text is left outside the catalogue."""

from __future__ import annotations

import pytest

from opop_events.core import i18n, messages_check


@pytest.fixture(scope="module")
def used() -> dict[str, str]:
    return messages_check.extracted()


@pytest.mark.parametrize("language", messages_check.other_languages())
def test_every_message_is_translated(language: str, used: dict[str, str]) -> None:
    missing = messages_check.untranslated(language, used)
    assert not missing, f"{len(missing)} pesan tanpa terjemahan {language}:\n" + "\n".join(map(str, missing[:40]))


@pytest.mark.parametrize("language", messages_check.other_languages())
def test_no_unused_message(language: str, used: dict[str, str]) -> None:
    extra = messages_check.unused(language, used)
    assert not extra, f"{len(extra)} pesan tidak dipakai lagi:\n" + "\n".join(map(str, extra[:40]))


@pytest.mark.parametrize("language", messages_check.other_languages())
def test_placeholders_match(language: str) -> None:
    wrong = messages_check.placeholder_mismatches(language)
    assert not wrong, "\n".join(map(str, wrong[:40]))


def test_no_bare_indonesian_in_python() -> None:
    found = messages_check.bare_python_text()
    assert not found, f"{len(found)} teks di luar katalog:\n" + "\n".join(map(str, found[:60]))


def test_no_bare_text_in_templates() -> None:
    found = messages_check.bare_template_text()
    assert not found, f"{len(found)} teks templat di luar katalog:\n" + "\n".join(map(str, found[:60]))


def test_the_catalogue_answers_in_the_chosen_language_and_falls_back_to_the_source() -> None:
    some = next(iter(messages_check.catalogue("en")))
    assert i18n.gettext(some) == some  # Indonesian by default: the source text itself
    with i18n.use_language("en"):
        assert i18n.current_language() == "en"
        assert i18n.gettext(some) != some
        assert i18n.gettext("kalimat yang tidak ada di katalog") == "kalimat yang tidak ada di katalog"
    assert i18n.current_language() == "id"


def test_language_choices_are_read_leniently_and_only_offered_languages_count() -> None:
    assert i18n.normalise("en-US") == "en"
    assert i18n.normalise("ID_id") == "id"
    assert i18n.normalise("fr") is None
    assert i18n.from_accept_language("fr-CH, fr;q=0.9, en;q=0.8, id;q=0.7") == "en"
    assert i18n.from_accept_language("en;q=0.5, id") == "id"
    assert i18n.from_accept_language("de, *;q=0.5") is None
    assert i18n.from_accept_language("en;q=abc, id;q=0") is None
