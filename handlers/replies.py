"""Answering a person in time: a "Looking up …" line when a lookup is slow, replaced in place."""

import asyncio
from collections.abc import Awaitable

from slack_bolt.async_app import AsyncRespond

from api.errors import BackendError
from cards.common import Card


async def reply_with(
    respond: AsyncRespond,
    lookup: Awaitable[Card],
    *,
    waiting: str,
    patience: float,
    replace: bool = False,
) -> None:
    """Post the card `lookup` builds; past `patience` seconds, first post `waiting`.

    `replace` replaces the message the button was on. After a "Looking up" line was shown, a
    backend failure replaces that line with its message, so nothing is left saying "Looking up".
    """
    task = asyncio.ensure_future(lookup)
    done, _ = await asyncio.wait({task}, timeout=patience)
    if done:
        card = task.result()  # raises a backend error to the app's error handler
        await respond(response_type="ephemeral", replace_original=replace, **card.message())
        return
    await respond(response_type="ephemeral", replace_original=replace, text=waiting)
    try:
        card = await task
    except BackendError as err:
        await respond(replace_original=True, text=err.message)
        return
    await respond(response_type="ephemeral", replace_original=True, **card.message())
