"""Live cards: ticket and job cards posted in channels (or unfurled under a link someone posted),
updated in place when the record changes.

A change is taken by one process (the record's version moves from n to n+1 only once), then each
card's update is claimed by (card, change) before Slack is called, so two processes or a restart
never update a card twice. The card is replaced with the record as read now and one thread reply
says what changed (and who, when a Deskhand button changed it). The poll that finds changes is
`refresh_live_cards` (its batched reads: live/reads.py); a button that shared a card calls
`remember_post` (live/posted.py), one that changed a record calls `card_changed`, at once.

"Live" is three places: store/live.py (the table), cards/live.py (keys, states, replies; pure)
and this machinery.
"""

import asyncio
import hashlib
import logging
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.reads import nothing, settle
from api.refs import JobRef, TicketRef
from cards.common import Card
from cards.config import HandlerConfig
from cards.live import as_posted, change_reply, describe_state, gone_card, split_key
from cards.unfurls import unfurl_blocks, unfurl_card
from cards.views import card_for
from live.delivery import Undelivered
from live.reads import Fresh, Reads, read_jobs, read_tickets
from store import Store
from store.live import PostedCard, Tracked

logger = logging.getLogger("deskhand.live")

CATCH_UP = 20  # cards an earlier update missed, brought up to date per poll
# Slack errors that mean the message can no longer be updated: stop trying.
CARD_GONE = {
    "message_not_found",
    "cannot_unfurl_message",  # chat.unfurl: the message (or its link) is gone
    "cannot_find_channel",
    "cannot_unfurl_url",
    "cant_update_message",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "edit_window_closed",
    "account_inactive",
}


async def card_changed(
    card: Card, who: str, store: Store, desk: Desk, client: AsyncWebClient, config: HandlerConfig
) -> None:
    """A Deskhand button changed this card's record: update its live copies now with `card`
    (drawn as channel copies show it, so nothing is read again)."""
    if card.live is None:
        return
    key, state = card.live
    record = await store.live.get(key)
    if record is None or record.state == state:
        return
    await apply_change(
        record,
        Fresh(state=state, card=card),
        store,
        desk,
        client,
        config,
        now=config.instant(),
        who=who,
    )


async def apply_change(
    record: Tracked,
    fresh: Fresh,
    store: Store,
    desk: Desk,
    client: AsyncWebClient,
    config: HandlerConfig,
    *,
    now: datetime,
    who: str | None = None,
) -> str:
    """Take the change (once across processes), then update each recent card of the record.

    Posted cards and unfurls are drawn apart (an unfurl shows less: nothing a whole channel
    should not see); unfurls whose compact card could not be drawn are left behind, and the
    next poll's catch-up brings them up to date."""
    assert fresh.state is not None
    key = record.record_key
    posted_cards = await _updatable(store, key, now, config)
    posts = [p for p in posted_cards if not p.unfurl_url]
    unfurls = [p for p in posted_cards if p.unfurl_url]
    card, compact = await asyncio.gather(
        settle(_card(fresh, key, desk, config)) if posts else nothing(),
        settle(_redraw_unfurl(key, desk, config)) if unfurls else nothing(),
    )
    if isinstance(card, BackendError):
        return f"{key}: changed, card not redrawn ({card.message}); tried again next poll"
    version = await store.live.change(key, record.version, fresh.state)
    if version is None:
        return f"{key}: changed; another process updates its cards"
    reply = change_reply(_what(key), record.state, fresh.state, who)
    updated = 0
    for shown_on, drawn in ((posts, card), (unfurls, compact)):
        if isinstance(drawn, Card):
            for posted in shown_on:
                updated += await _update_card(posted, version, drawn, reply, store, client, now)
    line = f"{key}: changed, {updated} card(s) updated"
    if isinstance(compact, BackendError):
        line += f"; {len(unfurls)} unfurl(s) not redrawn ({compact.message}), caught up later"
    return line


async def refresh_live_cards(
    desk: Desk,
    store: Store,
    slack: AsyncWebClient,
    now: datetime,
    *,
    config: HandlerConfig,
    known: dict[str, Fresh] | None = None,
) -> list[str]:
    """One poll of the live cards: re-read what is due, update the cards of what changed.

    `known` holds states another poll already read this time (the job watches' days)."""
    live_for = config.live_for
    await store.live.prune(now - live_for)
    tracked = await store.live.tracked(now - live_for)
    if not tracked:
        return []
    # First the cards a refused update left behind, so this poll's refusals wait for the next.
    caught_up = await catch_up(store, desk, slack, config, now=now)
    reads = Reads(fresh=dict(known or {}))
    due = [split_key(t.record_key) for t in tracked if t.record_key not in reads.fresh]
    await read_tickets([n for kind, n in due if kind == "ticket"], desk, config, reads)
    await read_jobs([n for kind, n in due if kind == "job"], desk, config, reads)
    read = [record.record_key for record in tracked if record.record_key in reads.fresh]
    await store.live.checked(read, now)
    lines = caught_up + [
        f"{key}: unreadable ({why}); read again next poll" for key, why in reads.unreadable.items()
    ]
    for record in tracked:
        fresh = reads.fresh.get(record.record_key)
        if fresh is None:
            continue
        if fresh.state is None:
            lines.append(await record_gone(record, store, slack, config, now))
        elif fresh.state != record.state:
            lines.append(await apply_change(record, fresh, store, desk, slack, config, now=now))
    lines.append(
        f"live cards: {len(tracked)} records, {len(read)} read, {reads.calls} backend calls"
    )
    return lines


async def catch_up(
    store: Store,
    desk: Desk,
    client: AsyncWebClient,
    config: HandlerConfig,
    *,
    now: datetime,
    limit: int = CATCH_UP,
) -> list[str]:
    """Cards an earlier update missed (Slack refused it for a while): bring them up to date."""
    behind = await store.live.lagging(now - config.live_for, limit)
    cards: dict[tuple[str, bool], Card] = {}
    done = 0
    for posted, record in behind:
        if await _unfurl_no_longer_allowed(posted, store, config):
            continue
        key, drawn = record.record_key, (record.record_key, bool(posted.unfurl_url))
        if drawn not in cards:
            redraw = _redraw_unfurl if posted.unfurl_url else _redraw
            try:
                cards[drawn] = await redraw(key, desk, config)
            except BackendError:
                continue  # the next poll tries again
        reply = f"{_what(key)} was updated: {describe_state(record.state)}"
        done += await _update_card(posted, record.version, cards[drawn], reply, store, client, now)
    return [f"live cards: {done} of {len(behind)} behind brought up to date"] if behind else []


async def _update_card(
    posted: PostedCard,
    version: int | str,
    card: Card,
    reply: str,
    store: Store,
    client: AsyncWebClient,
    now: datetime,
) -> int:
    """Claim (card, version), update the card; a refusal that may pass leaves it for later.
    A state's `version` (a number) is recorded as shown; a change's tag (text) is not."""
    change = f"v{version}" if isinstance(version, int) else version
    if not await store.live.claim_update(posted.id, change, now):
        return 0
    under = "" if posted.unfurl_url else posted.shared_by
    outcome = await _update(client, store, posted, as_posted(card, under, posted.footer), reply)
    if outcome == "updated" and isinstance(version, int):
        await store.live.shown(posted.id, version)
    if outcome == "failed":
        await store.live.release_update(posted.id, change)
    return int(outcome == "updated")


async def record_gone(
    record: Tracked, store: Store, client: AsyncWebClient, config: HandlerConfig, now: datetime
) -> str:
    """The record was deleted: say so on its cards, once, and stop reading it."""
    key = record.record_key
    await store.live.mark_gone(key)
    system = "ReadyDesk" if split_key(key)[0] == "ticket" else "Kickserv"
    notice = Card(f"{_what(key)} no longer exists in {system}", gone_card(_what(key), system))
    told = 0
    for posted in await _updatable(store, key, now, config):
        if await store.live.claim_update(posted.id, "gone", now):
            told += await _update(client, store, posted, notice, "") == "updated"
    return f"{key}: gone from {system}, {told} card(s) say so"


async def _update(
    client: AsyncWebClient, store: Store, posted: PostedCard, card: Card, reply: str
) -> str:
    """Update one message (and reply in its thread): updated, gone (then forgotten) or failed.

    An unfurl is under someone else's message, which the bot cannot edit: chat.unfurl on the
    same message replaces it. It gets no thread reply: the thread is that person's."""
    try:
        if posted.unfurl_url:
            await client.chat_unfurl(
                channel=posted.channel_id,
                ts=posted.ts,
                unfurls={posted.unfurl_url: unfurl_blocks(card)},
            )
            return "updated"
        await client.chat_update(channel=posted.channel_id, ts=posted.ts, **card.message())
        if reply:
            await _reply(client, posted, reply)
    except SlackApiError as err:
        error = str(err.response.get("error"))
        logger.warning("live card %s/%s: Slack said %s", posted.channel_id, posted.ts, error)
        if error in CARD_GONE:
            await store.live.forget_card(posted.id)
            return "gone"
        return "failed"
    return "updated"


async def redraw_cards(
    key: str, change: str, desk: Desk, store: Store, client: AsyncWebClient, config: HandlerConfig
) -> int:
    """Redraw a record's posted cards for a change they watch no state of (a ticket's visit):
    each card once per `change`, with no thread reply; how many were updated."""
    now = config.instant()
    posts = [p for p in await store.live.cards(key, now - config.live_for) if not p.unfurl_url]
    if not posts:
        return 0
    card = await _redraw(key, desk, config)
    tag = change if len(change) <= 64 else hashlib.sha256(change.encode()).hexdigest()[:40]
    return sum([await _update_card(p, tag, card, "", store, client, now) for p in posts])


async def reply_under_cards(
    client: AsyncWebClient,
    store: Store,
    record_key: str,
    since: datetime,
    text: str,
    blocks: list[Any],
) -> int:
    """A thread reply (with `blocks`) under every live card of a record posted since `since`,
    as a change's reply goes; how many were posted. The caller has claimed the reply once."""
    posted_count = 0
    for posted in await store.live.cards(record_key, since):
        try:
            await _reply(client, posted, text, blocks)
            posted_count += 1
        except SlackApiError as err:
            logger.warning("live card %s/%s: reply refused: %s", posted.channel_id, posted.ts, err)
    return posted_count


async def _reply(
    client: AsyncWebClient, posted: PostedCard, reply: str, blocks: list[Any] | None = None
) -> None:
    """The thread reply under an updated card. One Slack may have taken (a 5xx) is not sent
    again: a thread's replies cannot be looked through the way a channel's history is, and the
    card itself already shows the change."""
    extra = {"blocks": blocks} if blocks else {}
    try:
        await client.chat_postMessage(
            channel=posted.channel_id, thread_ts=posted.ts, text=reply, **extra
        )
    except Undelivered as err:
        if not err.maybe_posted:
            raise
        logger.warning(
            "live card %s/%s: its reply may not be posted (%s)",
            posted.channel_id,
            posted.ts,
            err.response.get("error"),
        )


async def _redraw(key: str, desk: Desk, config: HandlerConfig) -> Card:
    """The card of a tracked record read now, drawn as channel copies show it."""
    view = await desk.read(_ref(key), config.now(), config.callbacks)
    return card_for(view, config, shareable=False)


async def _redraw_unfurl(key: str, desk: Desk, config: HandlerConfig) -> Card:
    """The compact card of a tracked record read now, as its unfurls show it."""
    return unfurl_card(await desk.unfurl(_ref(key)), config)


async def _card(fresh: Fresh, key: str, desk: Desk, config: HandlerConfig) -> Card:
    """The posted cards' new card: the one the read drew (or draws now), else read and drawn."""
    if fresh.card is None and fresh.draw is not None:
        return await fresh.draw()
    return fresh.card or await _redraw(key, desk, config)


async def _updatable(
    store: Store, key: str, now: datetime, config: HandlerConfig
) -> list[PostedCard]:
    """The record's recent cards, but for unfurls in channels unfurls are no longer allowed in
    (which are forgotten)."""
    recent = await store.live.cards(key, now - config.live_for)
    return [p for p in recent if not await _unfurl_no_longer_allowed(p, store, config)]


async def _unfurl_no_longer_allowed(
    posted: PostedCard, store: Store, config: HandlerConfig
) -> bool:
    """True (and the card is forgotten) for an unfurl in a channel DESKHAND_UNFURL_CHANNELS
    has stopped naming since: Deskhand no longer unfurls there, so it stops updating it too."""
    if not posted.unfurl_url or not config.unfurl_channels:
        return False
    if posted.channel_id in config.unfurl_channels:
        return False
    await store.live.forget_card(posted.id)
    return True


def _ref(key: str) -> TicketRef | JobRef:
    kind, number = split_key(key)
    return TicketRef(ticket_id=number) if kind == "ticket" else JobRef(job_number=number)


def _what(key: str) -> str:
    kind, number = split_key(key)
    return f"Ticket #{number}" if kind == "ticket" else f"Job {number}"
