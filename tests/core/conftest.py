"""core/ is pure functions: skip the per-test emptying of the database (a TRUNCATE costs ~0.5 s on PostgreSQL)."""

from __future__ import annotations

import pytest


@pytest.fixture
def clean_tables() -> None:
    """Overrides the autouse fixture of tests/conftest.py for this folder only: these tests write no rows."""
    return
