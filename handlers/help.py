"""`/deskhand <command> …`: every command under one name, and `/deskhand help`."""

import html
import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from handlers import admin, alerts, customers, ids, jobs, notes, people, tickets
from handlers.args import COMMAND_HELP, split_subcommand, unknown_subcommand
from handlers.cards.help import build_help_card
from handlers.config import HandlerConfig
from handlers.middleware import writers_for_subcommands

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
_ESCAPED = re.compile(r"<([@#!])?([^>|]*)(?:\|([^>]*))?>")


async def admins_only(command: dict[str, Any], config: HandlerConfig, next: Any) -> Any:
    """Listener middleware: admin subcommands (link) run only for DESKHAND_ADMINS.

    A refusal is the acknowledgement itself (Bolt answers with a listener middleware's response).
    """
    refusal = people.require_admin(config, command)
    if refusal is not None:
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": refusal})
    return await next()


def unescape(text: str) -> str:
    """Slack's escaped command text as typed: `<@U1|pat>` -> `@pat`, `&amp;` -> `&`."""

    def typed(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1) or "", match.group(2), match.group(3)
        return f"{sigil}{label}" if label else f"{sigil}{target}"

    return html.unescape(_ESCAPED.sub(typed, text))


def register(app: AsyncApp) -> None:
    """Attach the /deskhand listener to the app."""
    writers = writers_for_subcommands(*WRITE_SUBCOMMANDS)
    app.command(ids.DESKHAND_COMMAND, middleware=[admins_only, writers])(deskhand_command)


async def deskhand_command(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """`/deskhand tickets status:open` runs `/tickets`; `help` (or nothing) lists the commands."""
    word, rest = split_subcommand(command.get("text", ""))
    if word not in KEEPS_ESCAPES:
        word, rest = split_subcommand(unescape(command.get("text", "")))
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
