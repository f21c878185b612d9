"""Page-number pagination shared by every list endpoint."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")
MAX_PER_PAGE = 200


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


def offset(page: int, per_page: int) -> int:
    return (page - 1) * per_page
