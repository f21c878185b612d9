"""A fixture that runs one test under changed `OPOP_*` settings (import it into the test module that needs it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from opop_events.settings import get_settings


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """`settings_env(OPOP_LOGIN_DELAY_SECONDS="600")`: the app reads these from now until the test ends."""

    def apply(**env: str) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()
