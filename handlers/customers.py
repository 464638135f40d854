"""`/customer <words>`: one business across ReadyDesk and Kickserv, found in the directory."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from api.desk import Desk
from cards import ids
from cards.common import Card
from cards.config import HandlerConfig
from cards.customers import search_card
from cards.mrkdwn import truncate
from handlers.args import usage_text, wants_help
from handlers.replies import reply_with
from handlers.subcommands import Subcommands


def register(app: AsyncApp, subcommands: Subcommands) -> None:
    """Attach the customer listeners, and `/deskhand customer`."""
    app.command(ids.CUSTOMER_COMMAND)(find_customer)
    subcommands.add("customer", find_customer)


async def find_customer(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    desk: Desk,
    config: HandlerConfig,
) -> None:
    """`/customer acme`: the business's card, a picker when several match, or who had none."""
    text = command.get("text", "").strip()
    if not text or wants_help(text):
        await ack(response_type="ephemeral", text=usage_text("customer"))
        return
    await ack()
    await reply_with(
        respond,
        _search(text, desk, config),
        waiting=f"Looking up {truncate(text, 40)} …",
        patience=config.looking_up_after,
    )


async def _search(text: str, desk: Desk, config: HandlerConfig) -> Card:
    return search_card(await desk.find_customer(text), config)
