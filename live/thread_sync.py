"""Threads that sync, the inward way: a person's reply in the thread of a ticket or job card
Deskhand posted (in a channel that opted in) becomes a note on that record, written once.

The reply's Slack identity (channel and ts) is its write's intent key, claimed in the database
before the backend is called, so Slack's retries, a Socket Mode redelivery or a second replica
find it taken. Its outcome is shown where the reply is: the synced reaction once written, ⏳ while
it cannot be confirmed (the claim sweeper settles it: `tell_settled`), and anything else as an
ephemeral message in the thread with the reason and the reply's text. The first reply written in
a thread gets one line saying where replies go; the notes the record had then are its baseline,
never posted in it (live/thread_notes.py posts the later ones).
"""

import logging
from dataclasses import dataclass

from pydantic import BaseModel
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.identity import Profile
from api.note_writes import NotedRecord
from api.writes import Intent, WritePlan, WriteResult
from cards.config import HandlerConfig
from cards.live import split_key
from cards.mrkdwn import truncate
from cards.threads import (
    deleted_text,
    edit_failed_text,
    edit_kept_text,
    given_up_text,
    not_added_text,
    note_text,
    record_words,
    refused_text,
    rest_not_sent_text,
    where_replies_go,
)
from live.delivery import Undelivered
from store import Store
from store.claims import DONE
from store.threads import reply_intent

logger = logging.getLogger("deskhand.threads")

UNCONFIRMED = "hourglass_flowing_sand"  # ⏳ on a reply whose note is not confirmed yet


class PostedReply(BaseModel):
    """A reply in a synced thread: where it is, who wrote it, what it said, and the record and
    reaction its outcome is told with (kept in the write's plan for the claim sweeper)."""

    channel: str
    ts: str
    thread_ts: str
    user: str
    record_key: str
    text: str = ""
    reaction: str = "inbox_tray"
    # The workspace's address (auth.test's `url`, which Bolt keeps): the reply's link is made
    # from it with no round trip to Slack before the note is written; else chat.getPermalink.
    workspace_url: str = ""


@dataclass(frozen=True)
class SlackFile:
    """A file shared in a reply: its name and its link in Slack."""

    name: str
    permalink: str


async def sync_reply(
    reply: PostedReply,
    files: list[SlackFile],
    author: Profile,
    desk: Desk,
    store: Store,
    client: AsyncWebClient,
    config: HandlerConfig,
) -> WriteResult:
    """Write the reply as a note once (its name and a link back to it), and tell the outcome
    on the reply."""
    permalink = await _permalink(client, reply)
    kind, number = split_key(reply.record_key)
    text = note_text(reply.text, [(f.name, f.permalink) for f in files], permalink)
    intent = Intent(
        key=reply_intent(reply.channel, reply.thread_ts, reply.ts),
        action=f"note.{kind}",
        user_id=reply.user,
        channel_id=reply.channel,
        target=record_words(reply.record_key)[0],  # "ticket #34", "job 86001"
        summary=truncate(reply.text, 300),
        posted_in=reply.model_dump_json(),
    )
    record = NotedRecord("ticket" if kind == "ticket" else "job", str(number))
    result = await desk.add_note(intent, record, text, author)
    await tell_outcome(client, reply, result)
    now = config.instant()
    started = await store.threads.start(reply.channel, reply.thread_ts, reply.record_key, now)
    if result.outcome != "failed" and await store.threads.mark(
        reply.channel, reply.thread_ts, "where", now
    ):
        await _post(client, reply, where_replies_go(reply.record_key, reply.reaction))
    if started:
        await set_baseline(desk, store, reply.channel, reply.thread_ts, reply.record_key, config)
    return result


async def set_baseline(
    desk: Desk, store: Store, channel: str, thread_ts: str, record_key: str, config: HandlerConfig
) -> bool:
    """Note the record's notes now as the thread's baseline (never posted in it); False when
    they could not be read (the next poll tries again)."""
    kind, number = split_key(record_key)
    try:
        notes = await desk.notes_of(kind, number)
    except BackendError as err:
        logger.info("thread %s/%s: baseline not read (%s)", channel, thread_ts, err.message)
        return False
    await store.threads.set_baseline(channel, thread_ts, [n.id for n in notes], config.instant())
    return True


async def tell_outcome(client: AsyncWebClient, reply: PostedReply, result: WriteResult) -> None:
    """The reply's outcome where it is: the synced reaction, ⏳, or an ephemeral why."""
    if result.outcome in ("written", "confirmed"):
        await _react(client, reply, reply.reaction)
    elif result.outcome == "duplicate":
        # Another delivery of the same reply wrote it; the reaction again is harmless and
        # covers a writer that stopped between the note and its reaction.
        if result.earlier is not None and result.earlier.state == DONE:
            await _react(client, reply, reply.reaction)
    elif result.outcome == "unknown":
        if result.earlier is None:  # the first attempt: a retry's first one already shows it
            await _react(client, reply, UNCONFIRMED)
    else:
        why = result.reason or (result.error.message if result.error else "it was refused")
        await ephemeral(
            client, reply, not_added_text(reply.record_key, why, reply.text, checked=False)
        )


async def tell_settled(client: AsyncWebClient, plan: WritePlan, result: WriteResult) -> None:
    """The claim sweeper's word on a reply whose note (or one part of it, for a long one) was
    not confirmed at once; no part after an unconfirmed one was sent."""
    reply = PostedReply.model_validate_json(plan.posted_in)
    part = _part(plan)
    unsent = _unsent(plan.typed + plan.rest) if part else reply.text
    if result.outcome == "confirmed":
        await _unreact(client, reply, UNCONFIRMED)
        if plan.rest:
            await ephemeral(client, reply, rest_not_sent_text(reply.record_key, part, unsent))
        else:
            await _react(client, reply, reply.reaction)
    elif result.outcome == "failed":
        await _unreact(client, reply, UNCONFIRMED)
        why = result.reason or "it did not go through"
        text = not_added_text(reply.record_key, why, unsent, checked=result.checked, part=part)
        await ephemeral(client, reply, text)
    elif result.given_up:  # no longer read back: no ⏳ saying it still may be
        await _unreact(client, reply, UNCONFIRMED)
        await ephemeral(client, reply, given_up_text(reply.record_key, unsent))
    else:  # a writer that stopped mid-write: not known yet
        await _react(client, reply, UNCONFIRMED)


def _part(plan: WritePlan) -> str:
    """Which part of a long reply's note a write was ("part 2 of 3"), "" for a whole note."""
    return plan.label.partition(" of the note on ")[0] if plan.label.startswith("part ") else ""


def _unsent(text: str) -> str:
    """A reply's text not written yet, without the link back to the reply its note ends with."""
    body, _, link = text.rpartition("\nFrom Slack: ")
    return body if body and "\n" not in link.strip() else text


async def refuse(
    client: AsyncWebClient, store: Store, reply: PostedReply, why: str, config: HandlerConfig
) -> None:
    """Someone who may not write replied: audited as refused; told why and whom to ask, once
    per thread and person."""
    kind, _ = split_key(reply.record_key)
    await store.audit.record(
        user_id=reply.user,
        channel_id=reply.channel,
        action=f"note.{kind}",
        target=record_words(reply.record_key)[0],  # as a written reply's row says it
        summary="",
        outcome="refused",
        detail=why,
    )
    mark = f"refused:{reply.user}"
    if await store.threads.mark(reply.channel, reply.thread_ts, mark, config.instant()):
        await ephemeral(client, reply, refused_text(why, reply.record_key))


async def reply_edited(
    reply: PostedReply,
    files: list[SlackFile],
    author: Profile,
    desk: Desk,
    store: Store,
    client: AsyncWebClient,
) -> str:
    """An edited reply: its Kickserv job note takes the new text; a ticket's history keeps
    the first (the replier is told). A reply never written is left alone."""
    claim = await store.claims.get(reply_intent(reply.channel, reply.thread_ts, reply.ts))
    if claim is None or not claim.plan:
        return "not a synced reply"
    kind, number = split_key(reply.record_key)
    if kind == "ticket":
        await ephemeral(client, reply, edit_kept_text(reply.record_key))
        return "kept"
    if claim.state != DONE:  # its first text may still land: the edit is not sent after it
        why = "Deskhand is still confirming that your first text was added"
        await ephemeral(client, reply, edit_failed_text(reply.record_key, why, reply.text))
        return "not written (yet)"
    if not (claim.reference or "").isdigit():
        return "not written"
    plan = WritePlan.model_validate_json(claim.plan)
    permalink = await _permalink(client, reply)
    text = note_text(reply.text, [(f.name, f.permalink) for f in files], permalink)
    note_id = int(claim.reference or 0)
    try:
        await desk.change_job_note(number, note_id, text, author.name, plan.marker)
    except BackendError as err:
        await ephemeral(client, reply, edit_failed_text(reply.record_key, err.message, reply.text))
        return "not changed"
    await store.audit.record(
        user_id=reply.user,
        channel_id=reply.channel,
        action="note.job.edit",
        target=f"job {number}",
        summary=truncate(reply.text, 300),
        outcome="written",
        detail="",
    )
    return "changed"


async def reply_deleted(client: AsyncWebClient, store: Store, reply: PostedReply) -> None:
    """A deleted reply whose note was written: the note stays, and the replier is told (of a
    note still being confirmed, the outcome says whether it was written)."""
    claim = await store.claims.get(reply_intent(reply.channel, reply.thread_ts, reply.ts))
    if claim is not None and claim.state == DONE:
        await ephemeral(client, reply, deleted_text(reply.record_key))


async def ephemeral(client: AsyncWebClient, reply: PostedReply, text: str) -> None:
    """An ephemeral message to the replier in the reply's thread (a refusal is only logged)."""
    try:
        await client.chat_postEphemeral(
            channel=reply.channel, user=reply.user, thread_ts=reply.thread_ts, text=text
        )
    except SlackApiError as err:
        logger.warning("thread %s: not told (%s)", reply.channel, err.response.get("error"))


async def _post(client: AsyncWebClient, reply: PostedReply, text: str) -> None:
    try:
        await client.chat_postMessage(channel=reply.channel, thread_ts=reply.thread_ts, text=text)
    except SlackApiError as err:  # Undelivered too: the line is worth no second try
        logger.warning("thread %s: line not posted (%s)", reply.channel, err.response.get("error"))


async def _react(client: AsyncWebClient, reply: PostedReply, name: str) -> None:
    try:
        await client.reactions_add(channel=reply.channel, timestamp=reply.ts, name=name)
    except SlackApiError as err:
        if err.response.get("error") != "already_reacted":
            logger.warning("reaction %s not added: %s", name, err.response.get("error"))


async def _unreact(client: AsyncWebClient, reply: PostedReply, name: str) -> None:
    try:
        await client.reactions_remove(channel=reply.channel, timestamp=reply.ts, name=name)
    except SlackApiError as err:
        if err.response.get("error") != "no_reaction":
            logger.warning("reaction %s not removed: %s", name, err.response.get("error"))


async def _permalink(client: AsyncWebClient, reply: PostedReply) -> str:
    """The reply's link: in Slack's permalink form under the workspace's address when it is
    known, else as chat.getPermalink says ("" when Slack will not say)."""
    channel, ts = reply.channel, reply.ts
    if reply.workspace_url.startswith("https://"):
        base = reply.workspace_url.rstrip("/")
        thread = f"?thread_ts={reply.thread_ts}&cid={channel}"
        return f"{base}/archives/{channel}/p{ts.replace('.', '')}{thread}"
    try:
        answer = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except (SlackApiError, Undelivered) as err:
        logger.info("no permalink for %s/%s: %s", channel, ts, err)
        return ""
    return str(answer.get("permalink") or "")
