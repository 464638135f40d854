"""Cards as they were posted: which messages to keep up to date (`remember_post`), and what a
pressed live card is redrawn as (the lines it was posted with kept)."""

from datetime import UTC, datetime
from typing import Any

from cards.common import Card
from cards.live import as_posted
from store import Store


async def remember_post(
    store: Store,
    channel_id: str,
    ts: str | None,
    card: Card,
    *,
    shared_by_user: str = "",
    unfurl_url: str = "",
    footer: str = "",
) -> None:
    """Keep a ticket or job card just posted in a channel (or unfurled under `unfurl_url` in
    someone's message) up to date from now on (other cards, and posts Slack gave no timestamp
    for, are not tracked); `footer`, the line posted under it (mrkdwn), stays under it."""
    if card.live is None or not ts:
        return
    key, state = card.live
    await store.live.remember(
        channel_id,
        ts,
        key,
        state,
        datetime.now(UTC),
        shared_by=shared_by_user,
        unfurl_url=unfurl_url,
        footer=footer,
    )


async def remember_unfurls(
    store: Store, channel_id: str, ts: str | None, cards: dict[str, Card]
) -> None:
    """Keep the ticket and job unfurls just made under message `ts` up to date from now on
    (`cards`: each link's)."""
    for link, card in cards.items():
        await remember_post(store, channel_id, ts, card, unfurl_url=link)


async def drawn_for_pressed(
    body: dict[str, Any], store: Store, personal: Card, channel_copy: Card
) -> Card:
    """The card to put in place of the message a button was pressed on: a live card in a
    channel is drawn as its channel copies are, with the lines it was posted with (who shared
    it, the watch that posted it); any other message (one only its reader sees) as `personal`."""
    container = body.get("container") or {}
    if container.get("is_ephemeral") or not container.get("message_ts"):
        return personal
    posted = await store.live.message(container.get("channel_id", ""), container["message_ts"])
    if posted is None:
        return personal
    return as_posted(channel_copy, posted.shared_by, posted.footer)
