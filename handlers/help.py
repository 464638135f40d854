"""`/deskhand <command> …`: every command under one name, and `/deskhand help`."""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from cards.help import COMMAND_HELP, build_help_card
from handlers import admin, alerts, customers, ids, jobs, notes, people, tickets
from handlers.args import Invocation, unknown_subcommand
from handlers.config import HandlerConfig
from handlers.middleware import invocation_of, parse_subcommand, writers_for_subcommands

# `/deskhand <word> …` runs the same listener as `/<word> …`.
SUBCOMMANDS: dict[str, Callable[..., Awaitable[None]]] = {
    "ticket": tickets.show_ticket,
    "tickets": tickets.find_tickets,
    "customer": customers.find_customer,
    "job": jobs.show_job,
    "note": notes.note_command,
    "whoami": people.whoami,
    "link": people.link_user,
    "audit": admin.show_audit,
    "watch": alerts.watch,
    "watches": alerts.watches,
    "unwatch": alerts.unwatch,
    "pause-watch": alerts.pause_watch,
    "resume-watch": alerts.resume_watch,
}
WRITE_SUBCOMMANDS = ("note", "watch", "unwatch", "pause-watch", "resume-watch")
# /deskhand has should_escape on (so `link @user` arrives as an ID); these keep the mention.
KEEPS_ESCAPES = ("link",)


async def admins_only(
    command: dict[str, Any], context: dict[str, Any], config: HandlerConfig, next: Any
) -> Any:
    """Listener middleware: admin subcommands (link, audit) run only for DESKHAND_ADMINS.

    A refusal is the acknowledgement itself (Bolt answers with a listener middleware's response).
    """
    refusal = people.require_admin(config, command.get("user_id", ""), invocation_of(context).word)
    if refusal is not None:
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": refusal})
    return await next()


def register(app: AsyncApp) -> None:
    """Attach the /deskhand listener: one parse, then the admin and writer checks, on it."""
    middleware = [
        parse_subcommand(KEEPS_ESCAPES),
        admins_only,
        writers_for_subcommands(*WRITE_SUBCOMMANDS),
    ]
    app.command(ids.DESKHAND_COMMAND, middleware=middleware)(deskhand_command)


async def deskhand_command(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    invocation: Invocation,
) -> None:
    """`/deskhand tickets status:open` runs `/tickets`; `help` (or nothing) lists the commands."""
    word, rest = invocation.word, invocation.rest
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
