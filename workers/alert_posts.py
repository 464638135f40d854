"""Posting watch alerts (cards, or a burst's summary) so that each change is shown once.

Each alert carries, in its message metadata, a token for every (record, change) it shows. When
Slack does not take it, its claims are given back and the watch's cursor stays before it, so the
next poll posts it again; when it may have landed, the next poll first reads the channel (from
the time it was first claimed) for the changes earlier tries show, whatever set of records each
covered, and posts only the changes no message shows.
"""

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from cards.common import Card, context, mrkdwn_section
from live.delivery import (
    CONNECTION_ERRORS,
    Undelivered,
    slot_messages,
    slot_metadata,
    unreadable,
)
from live.posted import remember_post
from store import Store
from store.alerts import Watch
from telemetry.metrics import ALERTS

Change = tuple[str, str]  # (record key, change), as claimed
R = TypeVar("R")
SUMMARY_LINES = 40  # a burst's summary lists this many records at the most
SUMMARY_CHARS = 2900  # and keeps within a section's 3000 characters, its last line included


@dataclass(frozen=True)
class Alert(Generic[R]):
    """One record's alert: the change it shows, its line in a burst's summary, and the ticket
    number the watch reads again from when Slack does not take it (0 for jobs)."""

    record: R
    change: Change
    line: str
    first: int = 0


class StaysDue(Exception):
    """Slack did not take an alert; it and the ones after it are due at the next poll."""

    def __init__(self, watch: Watch, count: int, why: Undelivered, *, first: int = 0) -> None:
        super().__init__(f"#{watch.id}: Slack did not take {count} alert(s) ({why}); stays due")
        self.first = first  # the ticket number the watch reads again from


async def live_here(store: Store, record_key: str, channel_id: str, since: datetime) -> bool:
    """Whether a card of the record posted in the channel since then is live there: another
    watch's alert (or a shared card) already shows it, and its updates say what changes."""
    return any(c.channel_id == channel_id for c in await store.live.cards(record_key, since))


def _token(change: Change) -> str:
    return hashlib.sha256("=".join(change).encode()).hexdigest()[:12]


async def shown_already(
    client: AsyncWebClient, store: Store, watch: Watch, changes: list[Change]
) -> dict[Change, str | None]:
    """Those of `changes` an earlier try that may have landed shows in the channel, each with
    its message's ts when that message shows it alone (a card), else None (a summary).
    Undelivered when the channel cannot be read: the claims are given back, still in doubt."""
    since = await store.alerts.unsure_since(watch.id, changes)
    if since is None:
        return {}
    shown: dict[str, tuple[str, int]] = {}
    try:
        async for payload, ts in slot_messages(client, watch.channel_id, since.timestamp()):
            if str(payload.get("slot", "")).startswith(f"alert:{watch.id}:"):
                tokens = str(payload.get("changes", "")).split()
                shown.update((token, (ts, len(tokens))) for token in tokens)
    except (SlackApiError, *CONNECTION_ERRORS) as err:
        await store.alerts.release(watch.id, changes, maybe_posted=True)
        raise unreadable(err) from err
    found = {c: shown[_token(c)] for c in changes if _token(c) in shown}
    await store.alerts.settle(watch.id, list(found))
    return {change: ts if alone == 1 else None for change, (ts, alone) in found.items()}


async def post_alert(
    client: AsyncWebClient, store: Store, watch: Watch, changes: list[Change], message: Any
) -> str | None:
    """Post `message` (chat.postMessage fields) for `changes`, none of them shown yet: its ts.
    Undelivered: the claims are given back and it stays due."""
    tokens = " ".join(_token(c) for c in changes)
    key = f"alert:{watch.id}:" + hashlib.sha256(tokens.encode()).hexdigest()[:16]
    since = await store.alerts.unsure_since(watch.id, changes) or datetime.now(UTC)
    try:
        posted = await client.chat_postMessage(
            channel=watch.channel_id, metadata=slot_metadata(key, since, tokens), **message
        )
    except Undelivered as err:
        await store.alerts.release(watch.id, changes, maybe_posted=err.maybe_posted)
        raise
    await store.alerts.settle(watch.id, changes)
    return posted.get("ts")


async def give_back(store: Store, watch: Watch, changes: list[Change]) -> None:
    """Give back the claims of alerts not yet tried, after one Slack did not take."""
    await store.alerts.release(watch.id, changes, maybe_posted=False)


async def post_alerts(
    client: AsyncWebClient,
    store: Store,
    watch: Watch,
    alerts: list[Alert[R]],
    *,
    kind: str,
    burst: int,
    heading: Callable[[int], tuple[str, str]],
    card: Callable[[R], Awaitable[Card]],
    footer: str,
) -> None:
    """Post each alert not shown yet as its card, `footer` (mrkdwn: which watch posted it) under
    it for as long as the card is live, or one summary when more than `burst` are owed
    (`heading(count)` gives its fallback text and first line). StaysDue when Slack does not take
    one: it and the ones after it stay due."""
    if not alerts:
        return
    first = alerts[0].first
    try:
        shown = await shown_already(client, store, watch, [a.change for a in alerts])
    except Undelivered as err:
        raise StaysDue(watch, len(alerts), err, first=first) from err
    owed = [a for a in alerts if a.change not in shown]
    if len(owed) > burst:
        text, head = heading(len(owed))
        summary = _summary(head, [a.line for a in owed])
        message = {"text": text, "blocks": [mrkdwn_section(summary).to_dict()]}
        await _deliver(client, store, watch, [a.change for a in owed], message, first)
        ALERTS.labels(kind).inc()
        return
    for n, alert in enumerate(alerts):
        if alert.change in shown and not shown[alert.change]:
            continue  # shown in an earlier try's summary
        made = await card(alert.record)
        made.blocks.append(context(footer))
        ts = shown.get(alert.change)  # an earlier try's card, found in the channel
        if alert.change not in shown:
            try:
                ts = await _deliver(
                    client, store, watch, [alert.change], made.message(), alert.first
                )
            except StaysDue:
                later = [a.change for a in alerts[n + 1 :] if a.change not in shown]
                await give_back(store, watch, later)  # not tried
                raise
            ALERTS.labels(kind).inc()
        await remember_post(store, watch.channel_id, ts, made, footer=footer)


def _summary(head: str, lines: list[str]) -> str:
    """`head`, then as many whole lines as fit, then how many more there are."""
    shown: list[str] = []
    size = len(head)
    for line in lines[:SUMMARY_LINES]:
        if size + 1 + len(line) > SUMMARY_CHARS:
            break
        shown.append(line)
        size += 1 + len(line)
    more = len(lines) - len(shown)
    return "\n".join([head, *shown] + ([f"… and {more} more."] if more else []))


async def _deliver(
    client: AsyncWebClient,
    store: Store,
    watch: Watch,
    changes: list[Change],
    message: Any,
    first: int,
) -> str | None:
    """post_alert, whose failure says from which ticket the watch reads again."""
    try:
        return await post_alert(client, store, watch, changes, message)
    except Undelivered as err:
        raise StaysDue(watch, len(changes), err, first=first) from err
