"""Threads that sync: `/deskhand threads [on|off]` and the message events of synced threads
(a reply, an edit, a deletion). The work is live/thread_sync.py's; here the event is read and
the person checked."""

from typing import Any

from pydantic import Field
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from cards import ids
from cards.config import HandlerConfig
from cards.mrkdwn import as_read
from cards.threads import (
    JOIN_FAILED,
    NOT_A_CHANNEL,
    THREADS_USAGE,
    TURNED_OFF,
    status_text,
    turned_on_text,
)
from handlers.event_fields import EventFields, read_event
from handlers.middleware import WritePermission
from handlers.subcommands import Subcommands
from live.profiles import Profiles
from live.thread_sync import (
    PostedReply,
    SlackFile,
    refuse,
    reply_deleted,
    reply_edited,
    sync_reply,
)
from store import Store

# Subtypes of a person's message (a plain one has none); every other subtype (joins, topics,
# bots, …) is never a note.
PERSON_SUBTYPES = (None, "file_share", "thread_broadcast")
PRIVATE = ("method_not_supported_for_channel_type", "channel_not_found")


def register(app: AsyncApp, subcommands: Subcommands) -> None:
    """Add `threads` to `/deskhand`, and listen to messages in channels Deskhand is in."""
    subcommands.add("threads", threads_command)
    app.event(ids.MESSAGE)(thread_message)


async def threads_command(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    store: Store,
    config: HandlerConfig,
    permission: WritePermission,
) -> None:
    """`threads` says which way this channel is; `on`/`off` (writers or admins) turn it."""
    await ack()
    word, channel = command.get("text", "").strip().lower(), command["channel_id"]
    user = command.get("user_id", "")
    if word == "":
        await respond(
            response_type="ephemeral", text=status_text(await store.threads.channel_synced(channel))
        )
        return
    if word not in ("on", "off"):
        await respond(response_type="ephemeral", text=THREADS_USAGE)
        return
    if channel.startswith("D"):
        await respond(response_type="ephemeral", text=NOT_A_CHANNEL)
        return
    why = None if user in config.admins else await permission.refusal(config, client, user, channel)
    if why:
        await respond(response_type="ephemeral", text=why)
        return
    await store.threads.set_channel(channel, word == "on", user, config.instant())
    await store.audit.setting(
        user_id=user, channel_id=channel, action=f"threads {word}", target=f"channel {channel}"
    )
    text = TURNED_OFF if word == "off" else await _join(client, channel)
    await respond(response_type="ephemeral", text=text)


async def _join(client: AsyncWebClient, channel: str) -> str:
    """Join a public channel (Slack sends message events only from channels the app is in);
    in a private one, find whether Deskhand is in it already, else ask for an invitation."""
    try:
        answer = await client.conversations_join(channel=channel)
    except SlackApiError as err:
        error = str(err.response.get("error"))
        if error not in PRIVATE:
            return turned_on_text(False, False, True) + " " + JOIN_FAILED.format(why=error)
        try:
            await client.conversations_history(channel=channel, limit=1)
        except SlackApiError:
            return turned_on_text(False, True, False)
        return turned_on_text(False, True, True)
    joined = "already_in_channel" not in str(answer.get("warning") or "")
    return turned_on_text(joined, False, True)


class File(EventFields):
    """A file shared in a message."""

    name: str = ""
    title: str = ""
    permalink: str = ""


class Message(EventFields):
    """A message event's fields Deskhand reads (an edit's and a deletion's nest the message)."""

    channel: str = ""
    user: str | None = None
    text: str = ""
    ts: str = ""
    thread_ts: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    edited: dict[str, Any] | None = None
    files: list[File] = Field(default_factory=list)
    message: "Message | None" = None  # message_changed: the message as it is now
    previous_message: "Message | None" = None  # message_deleted: the message as it was


async def thread_message(
    ack: AsyncAck,
    event: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
    desk: Desk,
    store: Store,
    config: HandlerConfig,
    profiles: Profiles,
    permission: WritePermission,
) -> None:
    """A person's reply in a synced thread becomes a note; an edit or a deletion of one is
    answered. Everything else (not in a synced thread, from a bot, a join …) is left alone."""
    await ack()
    outer = read_event(Message, event)
    said = _persons_reply(outer, context.get("bot_user_id")) if outer else None
    if outer is None or said is None or not said.user or not said.thread_ts:
        return
    record = await store.threads.record_of(outer.channel, said.thread_ts)
    if record is None:
        return
    reply = PostedReply(
        channel=outer.channel,
        ts=said.ts,
        thread_ts=said.thread_ts,
        user=said.user,
        record_key=record,
        # What the note says: as people read it, not as Slack marks it up.
        text=as_read(said.text, await profiles.names_in(client, said.text)),
        reaction=config.reaction_synced,
        workspace_url=_workspace_url(context),
    )
    if outer.subtype == "message_deleted":
        await reply_deleted(client, store, reply)
        return
    files = [SlackFile(f.name or f.title, f.permalink) for f in said.files]
    if outer.subtype == "message_changed":
        if said.edited:  # not a link preview or a reaction count Slack changed
            author = await profiles.get(client, said.user)
            await reply_edited(reply, files, author, desk, store, client)
        return
    if why := await permission.refusal(config, client, said.user, outer.channel):
        await refuse(client, store, reply, why, config)
        return
    desk.in_flight.keep_running()  # a stop waits for this reply's note
    author = await profiles.get(client, said.user)
    await sync_reply(reply, files, author, desk, store, client, config)


def _workspace_url(context: dict[str, Any]) -> str:
    """The workspace's address (auth.test's), to link a reply without asking Slack; "" for an
    org-wide Enterprise Grid install, whose address is the organisation's, not the workspace's
    the channel is in (then chat.getPermalink says)."""
    if context.get("is_enterprise_install"):
        return ""
    return getattr(context.get("authorize_result"), "url", None) or ""


def _persons_reply(outer: Message, bot_user: str | None) -> Message | None:
    """The reply a message event is about (as it is now, or as it was before its deletion), when
    a person wrote it in a thread; None for bots (Deskhand too), joins and other subtypes."""
    said = outer.message if outer.subtype == "message_changed" else outer
    if outer.subtype == "message_deleted":
        said = outer.previous_message
    if outer.subtype not in (*PERSON_SUBTYPES, "message_changed", "message_deleted"):
        return None
    if said is None or said.bot_id or not said.user or said.user == bot_user:
        return None
    if not said.thread_ts or said.thread_ts == said.ts:
        return None  # not a reply in a thread
    return said
