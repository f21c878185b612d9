"""Page-number pagination shared by every list endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

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


async def paginate(
    query: Any, count: Any, where: list[Any], convert: Callable[[dict[str, Any]], T], *, page: int, per_page: int
) -> Page[T]:
    """Apply the same filters to a Piccolo select and its count, fetch one page and convert its rows."""
    for clause in where:
        query = query.where(clause)
        count = count.where(clause)
    rows = await query.limit(per_page).offset(offset(page, per_page))
    return Page(items=[convert(row) for row in rows], total=await count, page=page, per_page=per_page)
