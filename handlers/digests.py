"""`/digest add|list|remove|pause|resume|preview`: channel digests on a schedule."""

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api import digests as build
from api.desk import Desk
from cards import ids
from cards.common import Card, paused_note
from cards.config import HandlerConfig
from cards.digests import digest_card, paused_message, resumed_message
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import TicketQuery, read_number, typed_number
from cards.tickets import describe
from handlers.args import (
    Invocation,
    UsageError,
    did_you_mean,
    kept_reply,
    typed_line,
    usage_text,
    wants_help,
)
from handlers.digest_schedule import check_zone, parse_schedule
from handlers.middleware import parse_subcommand, writers_for_subcommands, writers_only
from handlers.reacted import Unreadable, read_message
from handlers.ticket_filters import resolve, split_filters
from live.delivery import CONNECTION_ERRORS
from live.profiles import Profiles
from store import Store
from store.digests import Subscription
from store.schedules import EVERY_DAY

logger = logging.getLogger("deskhand.digests")

CHANGES = ("add", "remove", "pause", "resume")
SUBCOMMANDS = ("list", "preview", *CHANGES)


def register(app: AsyncApp) -> None:
    """Attach /digest (changes behind the writers check) and the digest card's Pause."""
    checks = [parse_subcommand(), writers_for_subcommands(*CHANGES)]
    app.command(ids.DIGEST_COMMAND, middleware=checks)(digest_command)
    app.action(ids.DIGEST_PAUSE, middleware=[writers_only])(pause_from_card)


async def digest_command(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
    profiles: Profiles,
    invocation: Invocation,
) -> None:
    """Route the subcommand (the parse the writers check read); every answer is ephemeral."""
    word, rest = invocation.word, invocation.rest
    if word not in SUBCOMMANDS:
        typed = "" if wants_help(command.get("text", "")) else typed_line(command)
        said = kept_reply(usage_text("digest"), typed)
        await ack(response_type="ephemeral", **said.message())
        return
    await ack()
    channel, user = command.get("channel_id", ""), command["user_id"]
    try:
        if word == "list":
            answer = Card(text=await _list(store, channel))
        elif word in ("remove", "pause", "resume"):
            answer = Card(text=await _change(store, client, channel, user, word, rest))
        elif word == "add":
            timezone = (await profiles.get(client, user)).timezone
            sub = await _add(store, desk, config, channel, user, rest, timezone)
            await _audit(store, channel, user, "add", sub)
            answer = Card(text=f"Subscribed: {_line(sub)}")
        else:
            answer = await _preview(*_kind(rest), desk, config)
    except UsageError as err:
        answer = kept_reply(str(err), typed_line(command))
    await respond(response_type="ephemeral", **answer.message())


async def pause_from_card(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    store: Store,
) -> None:
    """Pause on a digest card: no more digests until /digest resume; the card says so."""
    await ack()
    sub_id = read_number(action.get("value"))
    message = body.get("message") or {}
    where = f"{(body.get('channel') or {}).get('id', '')} {message.get('ts', '')}"
    if not await store.digests.set_paused(sub_id, True, "paused from a digest card", message=where):
        text = f"Digest #{sub_id} no longer exists; `/digest list` shows this channel's."
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return
    await respond(replace_original=True, **paused_message(message, sub_id, body["user"]["id"]))
    if (paused := await store.digests.get(sub_id)) is not None:
        await _audit(store, paused.channel_id, body["user"]["id"], "pause", paused)


async def _audit(store: Store, channel: str, user: str, word: str, sub: Subscription) -> None:
    """A change to a channel's digest, in the audit log."""
    await store.audit.setting(
        user_id=user,
        channel_id=channel,
        action=f"digest {word}",
        target=f"digest #{sub.id}",
        summary=f"{sub.kind} at {sub.schedule_words} {sub.timezone}",
    )


async def _show_resumed(client: AsyncWebClient, where: str, user_id: str) -> None:
    """The digest whose Pause was pressed (`where`: "<channel> <ts>") says it was resumed, so the
    channel is not left reading that it is paused; a message Slack will not show or change is
    only logged."""
    channel, _, ts = where.partition(" ")
    try:
        message = await read_message(client, channel, ts)
        await client.chat_update(channel=channel, ts=ts, **resumed_message(message, user_id))
    except (Unreadable, SlackApiError, *CONNECTION_ERRORS) as err:
        logger.info("digest paused at %s: not marked resumed (%s)", where, err)


async def _preview(kind: str, filters: str, desk: Desk, config: HandlerConfig) -> Card:
    """The digest as it would be posted now (compared with nothing)."""
    query = await _query(kind, filters, desk, config)
    now = config.now()
    digest = await desk.digest(kind, query, now, config.priorities, config.timezone)
    return digest_card(
        kind, digest, query, now=now, timezone=config.timezone, previous="", subscription_id=None
    )


def _kind(text: str) -> tuple[str, str]:
    word, _, rest = text.strip().partition(" ")
    word = build.FORMER_KIND_NAMES.get(word.lower(), word)
    if word.lower() not in build.KINDS:
        problem = (
            f"There is no digest `{escape_mrkdwn(truncate(word, 30))}`."
            if word
            else "Which digest?"
        )
        raise UsageError(did_you_mean(problem, word, list(build.KINDS), "Digests"))
    return word.lower(), rest


async def _query(kind: str, filters: str, desk: Desk, config: HandlerConfig) -> TicketQuery:
    if kind.startswith("jobs-"):
        if filters.strip():
            raise UsageError(f"`{kind}` takes no filters.")
        return TicketQuery()
    choices = await desk.filter_choices(config.priorities)
    return resolve(split_filters(filters), choices, now=config.now())


async def _add(
    store: Store,
    desk: Desk,
    config: HandlerConfig,
    channel: str,
    user: str,
    text: str,
    user_timezone: str,
) -> Subscription:
    kind, rest = _kind(text)
    schedule = parse_schedule(rest)
    timezone = schedule.timezone or user_timezone
    check_zone(timezone)
    query = await _query(kind, schedule.filters, desk, config)
    filters = query.model_dump_json(exclude_defaults=True, exclude={"kind", "page"})
    days = schedule.days or EVERY_DAY
    wanted = (kind, filters, schedule.at_time, days, timezone)
    for sub in await store.digests.in_channel(channel):  # a second would post each one twice
        if (sub.kind, sub.filters, sub.at_time, sub.days, sub.timezone) == wanted:
            raise UsageError(f"This channel already has that digest: {_line(sub)}")
    return await store.digests.add(
        channel_id=channel,
        kind=kind,
        filters=filters,
        at_time=schedule.at_time,
        days=days,
        timezone=timezone,
        quiet=schedule.quiet,
        created_by=user,
    )


async def _list(store: Store, channel: str) -> str:
    subs = await store.digests.in_channel(channel)
    if not subs:
        return f"No digests in this channel. {usage_text('digest')}"
    return "Digests in this channel:\n" + "\n".join(_line(s) for s in subs)


def _line(sub: Subscription) -> str:
    query = TicketQuery.model_validate_json(sub.filters or "{}")
    described = describe(query)
    state = paused_note(sub.paused_reason) if sub.paused else ""
    quiet = " quiet" if sub.quiet else ""
    return (
        f"`#{sub.id}` {sub.kind}{' ' + described if described else ''} at {sub.schedule_words} "
        f"{escape_mrkdwn(sub.timezone)}{quiet}{state}"
    )


async def _change(
    store: Store, client: AsyncWebClient, channel: str, user: str, word: str, rest: str
) -> str:
    number = rest.strip().lstrip("#")
    wanted = typed_number(number)
    sub = await store.digests.get(wanted) if wanted else None
    if sub is None or sub.channel_id != channel:
        raise UsageError(
            f"This channel has no digest `#{escape_mrkdwn(truncate(number, 10))}`. "
            "`/digest list` shows them."
        )
    if word == "remove":
        await store.digests.remove(sub.id)
        await _audit(store, channel, user, word, sub)
        return f"Removed digest #{sub.id}."
    await store.digests.set_paused(sub.id, word == "pause", "paused by hand")
    await _audit(store, channel, user, word, sub)
    if word == "resume" and sub.paused and sub.paused_message:
        await _show_resumed(client, sub.paused_message, user)
    return f"Digest #{sub.id} is {'paused' if word == 'pause' else 'running again'}."
