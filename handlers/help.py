"""`/deskhand <command> …`: every command under one name, and `/deskhand help`.

Each area adds its subcommands to the app's table (handlers/subcommands.py) when it registers;
this listener looks the word up there, so it imports none of them.
"""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from cards import ids
from cards.common import Card
from cards.config import HandlerConfig
from cards.help import COMMAND_HELP, build_help_card
from cards.mrkdwn import escape_mrkdwn, truncate
from handlers.args import (
    Invocation,
    kept_reply,
    typed_line,
    unknown_subcommand,
    usage_text,
    wants_help,
)
from handlers.middleware import invocation_of, parse_subcommand, writers_only
from handlers.subcommands import Subcommands, provide, require_admin, run


async def admins_only(
    command: dict[str, Any],
    context: dict[str, Any],
    config: HandlerConfig,
    subcommands: Subcommands,
    next: Any,
) -> Any:
    """Listener middleware: admin subcommands (link, audit) run only for DESKHAND_ADMINS.

    A refusal is the acknowledgement itself (Bolt answers with a listener middleware's response).
    """
    word = invocation_of(context).word
    refusal = require_admin(config, subcommands, command.get("user_id", ""), word)
    if refusal is not None:
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": refusal})
    return await next()


async def writers_for_writes(
    body: dict[str, Any],
    context: dict[str, Any],
    client: AsyncWebClient,
    respond: Any,
    subcommands: Subcommands,
    next: Any,
) -> Any:
    """Listener middleware: a subcommand that writes goes through the writers check first."""
    entry = subcommands.words.get(invocation_of(context).word)
    if entry is not None and entry.writes:
        return await writers_only(body, context, client, respond, next)
    return await next()


# Subcommands whose help is another's entry.
HELP_ALIASES = {w: "watch" for w in ("watches", "unwatch", "pause-watch", "resume-watch")}


def _nothing_after(name: str, rest: str, command: dict[str, Any]) -> Card:
    """The answer to words after a subcommand that takes none: its usage (what was typed given
    back, unless it asked for help)."""
    said = usage_text(name)
    if wants_help(rest):
        return Card(said)
    return kept_reply(f"Nothing goes after it. {said}", typed_line(command))


def _help(topic: str) -> Card:
    """`/deskhand help`: every command; `help <command>`: that one's entry (a word no command
    has: said so, above every command)."""
    wanted = (topic.split() or [""])[0].lower().lstrip("/")
    wanted = HELP_ALIASES.get(wanted, wanted)
    chosen = [c for c in COMMAND_HELP if c.name == wanted]
    if chosen:
        return Card(f"Deskhand: {wanted}", build_help_card(chosen[:1]))
    notice = f"There is no command `{escape_mrkdwn(truncate(wanted, 30))}`." if wanted else None
    return Card("Deskhand commands", build_help_card(COMMAND_HELP, notice))


def register(app: AsyncApp, subcommands: Subcommands) -> None:
    """Attach the /deskhand listener over the app's `subcommands`: one parse, then the admin and
    writer checks, on it."""
    middleware = [
        provide(subcommands),
        parse_subcommand(subcommands.keeps_escapes),
        admins_only,
        writers_for_writes,
    ]
    app.command(ids.DESKHAND_COMMAND, middleware=middleware)(deskhand_command)


async def deskhand_command(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    invocation: Invocation,
    subcommands: Subcommands,
) -> None:
    """`/deskhand tickets status:open` runs `/tickets`; `help` (or nothing) lists the commands."""
    word, rest = invocation.word, invocation.rest
    entry = subcommands.words.get(word)
    if entry is not None and entry.bare and rest.strip():
        await ack(response_type="ephemeral", **_nothing_after(entry.bare, rest, command).message())
        return
    if entry is not None:
        arguments = {
            **context,
            "ack": ack,
            # `typed`: the line as it came, for a reply that gives it back (typed_line)
            "command": {**command, "text": rest, "typed": typed_line(command)},
            "respond": respond,
            "client": client,
        }
        await run(entry.listener, arguments)
        return
    if word == "help":
        await ack(response_type="ephemeral", **_help(rest).message())
        return
    said = kept_reply(str(unknown_subcommand(word)), typed_line(command))
    said.blocks += build_help_card(COMMAND_HELP)
    await ack(response_type="ephemeral", **said.message())
