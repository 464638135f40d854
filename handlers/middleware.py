"""Listener middleware: who may write from Slack, checked before any write listener runs.

DESKHAND_WRITERS lists Slack user IDs and user-group IDs (unset: everyone in the workspace);
DESKHAND_WRITE_CHANNELS optionally limits writes to some channels. A refusal says why and keeps
what the user typed: an ephemeral reply quoting it, or a field error in the still-open modal.
"""

import json
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.cache import AsyncTTLCache
from api.errors import BackendError
from api.http import redact
from cards.common import Card, mrkdwn_section, typed_back
from cards.config import HandlerConfig
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import JobRef, read_value
from handlers.args import Invocation, parse_invocation
from handlers.labels import request_labels
from handlers.reacted import Reaction, Unreadable, reaction_of, read_message, tell, ticket_on_card
from live.delivery import CONNECTION_ERRORS
from telemetry.metrics import WRITES

GROUP_TTL = 300.0


class WritePermission:
    """Decides whether a user may write in a channel; user-group members are cached."""

    def __init__(self, ttl: float = GROUP_TTL) -> None:
        self._groups = AsyncTTLCache(ttl)

    async def refusal(
        self, config: HandlerConfig, client: AsyncWebClient, user_id: str, channel_id: str | None
    ) -> str | None:
        """Why this user may not write here, or None when they may."""
        if why := self.channel_refusal(config, channel_id):
            return why
        if not config.writers or user_id in config.writers:
            return None
        for group in (w for w in config.writers if w.startswith("S")):
            if user_id in await self._members(client, group):
                return None
        admins = ", ".join(f"<@{a}>" for a in sorted(config.admins)[:5])
        ask = f"ask an admin ({admins})" if admins else "ask an admin"
        return f"You are not on Deskhand's list of people who may write from Slack; {ask}."

    def channel_refusal(self, config: HandlerConfig, channel_id: str | None) -> str | None:
        """Why nobody may write from this channel, or None when writes may come from it."""
        if config.write_channels and channel_id and channel_id not in config.write_channels:
            channels = ", ".join(f"<#{c}>" for c in sorted(config.write_channels)[:5])
            return f"Deskhand writes only from {channels} in this workspace."
        return None

    async def _members(self, client: AsyncWebClient, group: str) -> frozenset[str]:
        async def load() -> frozenset[str]:
            try:
                reply = await client.usergroups_users_list(usergroup=group)
            except SlackApiError:
                return frozenset()
            return frozenset(reply.get("users") or [])

        return await self._groups.get_or_load(group, load)


async def writers_only(
    body: dict[str, Any], context: dict[str, Any], client: AsyncWebClient, respond: Any, next: Any
) -> Any:
    """Listener middleware on every write listener: refuse, keeping the text, or go on."""
    config: HandlerConfig = context["config"]
    permission: WritePermission = context["permission"]
    user_id = body.get("user_id") or (body.get("user") or {}).get("id", "")
    channel_id = _channel_of(body)
    why = await permission.refusal(config, client, user_id, channel_id)
    if why is None:
        return await next()
    return await _refuse(body, context, respond, why)


async def writers_or_assigned(
    body: dict[str, Any],
    context: dict[str, Any],
    client: AsyncWebClient,
    respond: Any,
    ack: Any,
    next: Any,
) -> Any:
    """Listener middleware on a job's steps (On my way, Started, Done): a writer may press
    them, and so may the job's assigned employee who is not on the writers' list (found as
    `tech:me` finds people: an admin's link, else the email); the channels rule holds for all."""
    config: HandlerConfig = context["config"]
    permission: WritePermission = context["permission"]
    user_id = (body.get("user") or {}).get("id", "")
    channel_id = _channel_of(body)
    why = await permission.refusal(config, client, user_id, channel_id)
    if why is None:
        return await next()
    if permission.channel_refusal(config, channel_id) is None:
        await ack()  # Kickserv is read to know the crew: Slack must not wait for it
        if await _is_assigned(body, context, client, user_id):
            return await next()
        why = "Only the job's assigned technician or a writer may do that. " + why
    return await _refuse(body, context, respond, why)


async def _is_assigned(
    body: dict[str, Any], context: dict[str, Any], client: AsyncWebClient, user_id: str
) -> bool:
    """Whether the presser's Kickserv employee is on the pressed job's crew (not when the
    button or Kickserv cannot say)."""
    try:
        ref = read_value(JobRef, ((body.get("actions") or [{}])[0]).get("value"))
        email = (await context["profiles"].get(client, user_id)).email
        return await context["desk"].is_assigned(user_id, email, ref.job_number)
    except (BackendError, ValueError):
        return False


async def _refuse(body: dict[str, Any], context: dict[str, Any], respond: Any, why: str) -> Any:
    """Refuse a write, audited, on the surface it came from, keeping what was typed."""
    user_id = body.get("user_id") or (body.get("user") or {}).get("id", "")
    channel_id = _channel_of(body)
    what = body.get("command") or (body.get("view") or {}).get("callback_id", "write")
    WRITES.labels(request_labels(body)[1], "refused").inc()
    await context["store"].audit.record(
        user_id=user_id,
        channel_id=channel_id or "",
        action=what,
        target=redact(truncate(body.get("text", ""), 100)) or what,  # typed: may hold a key
        summary="",
        outcome="refused",
        detail=why,
    )
    if body.get("type") == "block_actions":  # a button's ack shows nothing: say it aside
        await respond(response_type="ephemeral", replace_original=False, text=why)
        return BoltResponse(status=200, body="")
    if body.get("type") == "view_submission":
        block = next_input_block(body.get("view") or {})
        errors = {block: why} if block else {}
        return BoltResponse(status=200, body={"response_action": "errors", "errors": errors})
    typed = body.get("text", "")
    kept = f"\nWhat you typed:\n>{escape_mrkdwn(truncate(typed, 2500))}" if typed.strip() else ""
    blocks = [mrkdwn_section(why), *typed_back(typed, heading="What you typed:")]
    answer = {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": why + kept,
        "blocks": [b.to_dict() for b in blocks],
    }
    return BoltResponse(status=200, body=json.dumps(answer))


def next_input_block(view: dict[str, Any]) -> str | None:
    """The first input block of a view (where a refusal is shown)."""
    return next(
        (b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"), None
    )


def _channel_of(body: dict[str, Any]) -> str | None:
    if body.get("channel_id"):
        return body["channel_id"]
    if (body.get("channel") or {}).get("id"):
        return body["channel"]["id"]
    metadata = (body.get("view") or {}).get("private_metadata") or ""
    try:
        return json.loads(metadata).get("channel_id") if metadata else None
    except ValueError:
        return None


def parse_subcommand(keeps_escapes: Collection[str] = ()) -> Callable[..., Awaitable[Any]]:
    """Listener middleware, first on a command with subcommands: parse its text once.

    The parse goes into `context["invocation"]`; the permission checks after it and the listener
    read that one `Invocation`, so what runs is always what was checked.
    """

    async def parse(body: dict[str, Any], context: dict[str, Any], next: Any) -> Any:
        context["invocation"] = parse_invocation(body.get("text") or "", keeps_escapes)
        return await next()

    return parse


def invocation_of(context: dict[str, Any]) -> Invocation:
    """The command's one parse (put there by `parse_subcommand`, which must run first)."""
    invocation = context.get("invocation")
    if not isinstance(invocation, Invocation):
        raise LookupError("parse_subcommand() must come first in this listener's middleware")
    return invocation


def writers_for_subcommands(*words: str) -> Callable[..., Awaitable[Any]]:
    """Listener middleware for a command whose first word decides: `words` are writes."""

    async def check(
        body: dict[str, Any],
        context: dict[str, Any],
        client: AsyncWebClient,
        respond: Any,
        next: Any,
    ) -> Any:
        if invocation_of(context).word in words:
            return await writers_only(body, context, client, respond, next)
        return await next()

    return check


async def _on_a_ticket_card(
    client: AsyncWebClient, reaction: Reaction, bot_user: str | None
) -> bool:
    """Whether the message reacted to may be a Deskhand ticket card: True when it is, or when
    Slack cannot say now (the person is then refused as before, not left without an answer);
    False for another message, or one gone."""
    try:
        message = await read_message(client, reaction.item.channel, reaction.item.ts)
    except Unreadable as err:
        return err.error != "message_not_found"
    except CONNECTION_ERRORS:
        return True
    return ticket_on_card(message, bot_user) is not None


async def writers_for_reactions(
    body: dict[str, Any], context: dict[str, Any], client: AsyncWebClient, next: Any
) -> Any:
    """Listener middleware on reaction_added: read the reaction once (into
    `context["reaction"]`: it and what it does, or None); the ones that change a ticket (assign,
    and close, which offers its button) are a writer's only. Someone else's is refused, told
    aside, when it is on a ticket card; on any other message it does nothing, as for anyone."""
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    found = reaction_of(event, context["config"], context.get("bot_user_id"))
    context["reaction"] = found
    if found is None or found[1] not in ("assign", "close"):
        return await next()
    reaction = found[0]
    permission: WritePermission = context["permission"]
    why = await permission.refusal(context["config"], client, reaction.user, reaction.item.channel)
    if why is None:
        return await next()
    if not await _on_a_ticket_card(client, reaction, context.get("bot_user_id")):
        return BoltResponse(status=200, body="")
    if not (await context["profiles"].get(client, reaction.user)).is_bot:  # a bot is not told
        WRITES.labels(request_labels(body)[1], "refused").inc()
        await context["store"].audit.record(
            user_id=reaction.user,
            channel_id=reaction.item.channel,
            action=f"reaction :{reaction.reaction}:",
            target=f"message {reaction.item.ts}",
            summary="",
            outcome="refused",
            detail=why,
        )
        await tell(client, reaction, Card(text=why))
    return BoltResponse(status=200, body="")
