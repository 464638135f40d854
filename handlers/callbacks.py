"""`/deskhand callbacks`: the possible callbacks of the last DESKHAND_CALLBACK_DAYS days, per
technician (reads only; anyone may run it)."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from api.desk import Desk
from cards.callbacks import build_callbacks_card
from cards.common import Card
from cards.config import HandlerConfig
from handlers.replies import reply_with
from handlers.subcommands import Subcommands


def register(app: AsyncApp, subcommands: Subcommands) -> None:
    """Add `/deskhand callbacks` to the app's table."""
    subcommands.add("callbacks", list_callbacks, bare="callbacks")


async def list_callbacks(
    ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, desk: Desk, config: HandlerConfig
) -> None:
    """Each ticket opened soon after its business's Kickserv visit, under who did the visit
    (words after it are answered by /deskhand's table: it takes none)."""
    await ack()
    await reply_with(
        respond,
        _callbacks_card(desk, config),
        waiting="Looking for possible callbacks …",
        patience=config.looking_up_after,
    )


async def _callbacks_card(desk: Desk, config: HandlerConfig) -> Card:
    found = await desk.possible_callbacks(config.callbacks, config.now())
    return build_callbacks_card(found, config.timezone)
