"""`/deskhand help`: what Deskhand can do."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from handlers import ids
from handlers.args import COMMAND_HELP, UsageError, parse_deskhand_subcommand
from handlers.cards import build_help_card


def register(app: AsyncApp) -> None:
    """Attach the /deskhand listener to the app."""
    app.command(ids.DESKHAND_COMMAND)(deskhand_command)


async def deskhand_command(ack: AsyncAck, command: dict[str, Any]) -> None:
    """`/deskhand help` lists the commands; anything else says what went wrong, then lists them."""
    try:
        parse_deskhand_subcommand(command.get("text", ""))
        notice = None
    except UsageError as err:
        notice = str(err)
    await ack(
        response_type="ephemeral",
        text=notice or "Deskhand commands",
        blocks=build_help_card(COMMAND_HELP, notice),
    )
