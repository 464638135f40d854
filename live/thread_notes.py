"""Threads that sync, the outward way: a note added to a synced thread's record elsewhere (in
ReadyDesk, in Kickserv, or from another Slack surface) is posted in the thread as a reply.

Run by the live-card poll (in process, and `deskhand alerts poll` from cron alike). Each note is
claimed in the database by (thread, note) before it is posted, so repeated polls and replicas
post it once. The notes the record had when the thread synced are its baseline (marked, never
posted); a note this thread's replies were written as, or one Deskhand said under the
record's cards itself (a visit done), is recognised by its marker and never echoed. Each poll
looks at the least recently looked-at threads first, at most THREADS_PER_POLL, and reads each
record's notes once however many threads show it.
"""

import asyncio
import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.record_notes import RecordNote
from api.visits import of_a_change, told_under_cards, visit_note_keys
from cards.config import HandlerConfig
from cards.live import split_key
from cards.threads import outside_note_text
from live.delivery import Undelivered
from store import Store
from store.threads import Thread

logger = logging.getLogger("deskhand.threads")

THREADS_PER_POLL = 200  # synced threads looked at per poll, least recently looked at first
READS_AT_ONCE = 8  # records' notes read at the same time
KEPT_FOR = 2  # a thread past its live window is kept this many windows, then forgotten


async def post_outside_notes(
    desk: Desk, store: Store, slack: AsyncWebClient, now: datetime, *, config: HandlerConfig
) -> list[str]:
    """One look at the synced threads: post each note added elsewhere since, once."""
    await store.threads.prune(now - KEPT_FOR * config.live_for)
    threads = await store.threads.due(now - config.live_for, THREADS_PER_POLL)
    if not threads:
        return []
    keys = sorted({t.record_key for t in threads})
    notes = await _read_all(desk, keys)
    lines, posted = [], 0
    for thread in threads:
        found = notes[thread.record_key]
        if isinstance(found, BackendError):
            lines.append(f"{thread.record_key}: notes unreadable ({found.message}); next poll")
        elif not thread.baseline_done:
            ids = [n.id for n in found]
            await store.threads.set_baseline(thread.channel_id, thread.thread_ts, ids, now)
        else:
            posted += await _post_new(thread, found, store, slack, config, now)
    await store.threads.checked(threads, now)
    lines.append(
        f"synced threads: {len(threads)} looked at, {len(keys)} records read, "
        f"{posted} note(s) posted"
    )
    return lines


async def _read_all(desk: Desk, keys: list[str]) -> dict[str, list[RecordNote] | BackendError]:
    """Each record's notes (or why they could not be read), READS_AT_ONCE at a time."""
    limit = asyncio.Semaphore(READS_AT_ONCE)

    async def one(key: str) -> list[RecordNote] | BackendError:
        kind, number = split_key(key)
        async with limit:
            try:
                return await desk.notes_of(kind, number)
            except BackendError as err:
                return err

    return dict(zip(keys, await asyncio.gather(*(one(k) for k in keys)), strict=True))


async def _post_new(
    thread: Thread,
    notes: list[RecordNote],
    store: Store,
    slack: AsyncWebClient,
    config: HandlerConfig,
    now: datetime,
) -> int:
    """Post the thread's notes not seen yet, oldest first; how many were posted."""
    where, ts = thread.channel_id, thread.thread_ts
    seen = await store.threads.marks(where, ts, "note:")
    fresh = [n for n in notes if f"note:{n.id}" not in seen]
    if not fresh:
        return 0
    told, of_itself = await _visit_markers(store, thread.record_key)
    own = await store.threads.written_markers(where, ts) | told
    system = "ReadyDesk" if thread.record_key.startswith("ticket:") else "Kickserv"
    posted = 0
    for note in fresh:
        mark = f"note:{note.id}"
        if not await store.threads.mark(where, ts, mark, now):
            continue  # another poll (or replica) has it
        if any(marker in note.text for marker in own):
            continue  # written from this very thread: never echoed
        itself = any(marker in note.text for marker in of_itself)
        text = outside_note_text(
            note.author, note.at, note.text, system, config.timezone, of_itself=itself
        )
        try:
            await slack.chat_postMessage(channel=where, thread_ts=ts, text=text)
        except Undelivered as err:
            if not err.maybe_posted:  # Slack took nothing: the next poll posts it
                await store.threads.unmark(where, ts, mark)
            continue
        except SlackApiError as err:  # a final refusal (the channel or card is gone)
            logger.warning(
                "thread %s/%s: note not posted (%s)", where, ts, err.response.get("error")
            )
            continue
        posted += 1
    return posted


async def _visit_markers(store: Store, record_key: str) -> tuple[set[str], set[str]]:
    """The markers of a record's visit notes: those Deskhand says under its cards itself (a
    visit done, with Close ticket: never posted in its threads a second time), and those it
    wrote of itself when a job changed (posted as Deskhand's, not the booker's)."""
    kind, number = split_key(record_key)
    if kind != "ticket":
        return set(), set()
    claimed = await store.threads.claimed_markers(visit_note_keys(number))
    told = {marker for key, marker in claimed.items() if told_under_cards(key)}
    return told, {marker for key, marker in claimed.items() if of_a_change(key)}
