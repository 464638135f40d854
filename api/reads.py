"""Reading a card's parts at once: each failure kept apart, and one line naming what was not read.

A card has one primary read (the ticket, the job) whose failure is the answer, and secondary
reads (statuses, notes, calendar entries) whose failure leaves the rest of the card standing.
"""

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar

from api.errors import BackendError, NotFound

T = TypeVar("T")


async def nothing() -> None:
    """A read that is not needed, in the place of one in a gather."""


async def settle(read: Awaitable[T]) -> T | BackendError:
    """The read's result, or the backend error it failed with; anything else still raises."""
    try:
        return await read
    except BackendError as err:
        return err


async def all_at_once(*reads: Coroutine[Any, Any, Any]) -> list[Any]:
    """Run `reads` concurrently; when one raises, cancel the rest and raise that error."""
    tasks = [asyncio.ensure_future(read) for read in reads]
    try:
        return await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()


def unread_line(failed: dict[str, BackendError]) -> str:
    """`The service and the assignments could not be read: Kickserv …` (parts grouped by why)."""
    by_reason: dict[str, list[str]] = {}
    for what, error in failed.items():
        by_reason.setdefault(error.message, []).append(what)
    lines = []
    for reason, parts in by_reason.items():
        names = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
        lines.append(f"{names[:1].upper()}{names[1:]} could not be read: {reason}")
    return " · ".join(lines)


def combined(errors: list[BackendError]) -> BackendError:
    """One error naming every failed system (a real NotFound only when every part was one)."""
    first = next((e for e in errors if not isinstance(e, NotFound)), errors[0])
    messages = list(dict.fromkeys(e.message for e in errors))
    backends = " and ".join(dict.fromkeys(e.backend for e in errors))
    return type(first)(" ".join(messages), backend=backends, action=first.action)
