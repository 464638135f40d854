"""Posting one watch alert (a card, or a burst's summary) so that it is posted once.

The alert carries its (watch, record, change) claims as a slot in the message metadata. When
Slack does not take it, its claims are given back and the watch's cursor stays before it, so the
next poll posts it again; when it may have landed, the next poll first looks for it in the
channel (from the time it was first claimed) and posts it only if it is not there.
"""

from datetime import UTC, datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from store import Store
from store.alerts import Watch
from workers.delivery import Undelivered, already_posted, slot_metadata

Change = tuple[str, str]  # (record key, change), as claimed


class StaysDue(Exception):
    """Slack did not take an alert; it and the ones after it are due at the next poll."""

    def __init__(self, watch: Watch, count: int, why: Undelivered, *, first: int = 0) -> None:
        super().__init__(f"#{watch.id}: Slack did not take {count} alert(s) ({why}); stays due")
        self.first = first  # the ticket number the watch reads again from


async def post_alert(
    client: AsyncWebClient, store: Store, watch: Watch, changes: list[Change], message: Any
) -> str | None:
    """Post `message` (chat.postMessage fields) for `changes`: its ts (an earlier try's, when
    that had landed). Undelivered: the claims are given back and it stays due."""
    key = f"alert:{watch.id}:" + ",".join(f"{k}={c}" for k, c in changes)[:200]
    since = await store.alerts.unsure_since(watch.id, changes)
    try:
        ts = None
        if since is not None:
            ts = await already_posted(client, watch.channel_id, key, since.timestamp())
        if ts is None:
            posted = await client.chat_postMessage(
                channel=watch.channel_id,
                metadata=slot_metadata(key, since or datetime.now(UTC)),
                **message,
            )
            ts = posted.get("ts")
    except Undelivered as err:
        await store.alerts.release(watch.id, changes, maybe_posted=err.maybe_posted)
        raise
    if since is not None:
        await store.alerts.settle(watch.id, changes)
    return ts


async def give_back(store: Store, watch: Watch, changes: list[Change]) -> None:
    """Give back the claims of alerts not yet tried, after one Slack did not take."""
    await store.alerts.release(watch.id, changes, maybe_posted=False)
