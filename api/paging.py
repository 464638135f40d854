"""Walking a backend's listing page after page, for both systems' clients."""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


async def walk_pages(
    fetch: Callable[[int], Awaitable[Sequence[T]]], page_size: int
) -> AsyncIterator[T]:
    """Every item of pages 1, 2, … as `fetch(page)` returns them; stops at a short or empty page
    (neither backend gives a total)."""
    page = 1
    while True:
        batch = await fetch(page)
        for item in batch:
            yield item
        if len(batch) < page_size:
            return
        page += 1
