"""`/deskhand <command> …`: every command under one name, and `/deskhand help`."""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from handlers import customers, ids, jobs, tickets
from handlers.args import COMMAND_HELP, split_subcommand, unknown_subcommand
from handlers.cards.help import build_help_card

# `/deskhand <word> …` runs the same listener as `/<word> …`.
SUBCOMMANDS: dict[str, Callable[..., Awaitable[None]]] = {
    "ticket": tickets.show_ticket,
    "tickets": tickets.find_tickets,
    "customer": customers.find_customer,
    "job": jobs.show_job,
}


def register(app: AsyncApp) -> None:
    """Attach the /deskhand listener to the app."""
    app.command(ids.DESKHAND_COMMAND)(deskhand_command)


async def deskhand_command(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """`/deskhand tickets status:open` runs `/tickets`; `help` (or nothing) lists the commands."""
    word, rest = split_subcommand(command.get("text", ""))
    listener = SUBCOMMANDS.get(word)
    if listener is not None:
        arguments = {
            **context,
            "ack": ack,
            "command": {**command, "text": rest},
            "respond": respond,
            "client": client,
        }
        wanted = inspect.signature(listener).parameters
        await listener(**{k: v for k, v in arguments.items() if k in wanted})
        return
    notice = None if word == "help" else str(unknown_subcommand(word))
    await ack(
        response_type="ephemeral",
        text=notice or "Deskhand commands",
        blocks=build_help_card(COMMAND_HELP, notice),
    )
