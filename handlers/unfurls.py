"""Link unfurls: a pasted link to a ReadyDesk ticket or a Kickserv job or customer gets a
compact card under it (`link_shared` in, `chat.unfurl` out), in the channels
DESKHAND_UNFURL_CHANNELS allows. A posted ticket or job unfurl then stays live: Slack lets the
app call chat.unfurl again on the same message, which replaces its unfurl (live/registry.py)."""

import logging
from typing import Any

from pydantic import Field
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.links import LinkedRecord, RecordLinks
from api.unfurls import still_to_read
from cards import ids
from cards.common import Card
from cards.config import HandlerConfig
from cards.unfurls import unfurl_cards, unfurls_of
from handlers.event_fields import EventFields, read_event
from live.posted import remember_unfurls
from store import Store

logger = logging.getLogger("deskhand.unfurls")
LINKS_MAX = 10  # links read per message (Slack sends a handful at most)
COMPOSER = "composer"  # a link typed in the message box: a preview, not a message yet


def register(app: AsyncApp) -> None:
    """Attach the link_shared listener."""
    app.event(ids.LINK_SHARED)(unfurl_links)


async def unfurl_links(
    ack: AsyncAck,
    event: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
) -> None:
    """Each link to a record, read at once, unfurled; a link whose system failed is left as it
    is (the others still unfurl), one to a missing record says so."""
    await ack()
    shared = read_event(LinksShared, event)
    if shared is None:
        return
    if config.unfurl_channels and (shared.channel or "") not in config.unfurl_channels:
        return  # a composer preview names no channel: it waits for the posted message
    linked = records_in(shared.links, config.links)
    urls = list(linked)
    # A first look is one round trip; a job's crew (one more read) follows in a second unfurl.
    first = await desk.unfurls(list(linked.values()), first_look=True)
    cards = unfurl_cards(urls, first, config)
    if not cards or not await _unfurl(client, shared, cards):
        return
    if later := still_to_read(first):
        whole = await desk.finish_unfurls([first[i] for i in later])
        if more := unfurl_cards([urls[i] for i in later], whole, config):
            cards |= more
            await _unfurl(client, shared, cards)
    if shared.source != COMPOSER:  # a preview: the posted message brings its own event
        await remember_unfurls(store, shared.channel or "", shared.message_ts, cards)


class SharedLink(EventFields):
    """One link in a link_shared event."""

    url: str
    domain: str = ""


class LinksShared(EventFields):
    """The link_shared fields Deskhand reads, typed as Slack sends them."""

    channel: str | None = None  # the posted message's; a composer preview's may have none
    message_ts: str | None = None
    source: str | None = None
    unfurl_id: str | None = None
    links: list[SharedLink] = Field(default_factory=list)


async def _unfurl(client: AsyncWebClient, event: LinksShared, cards: dict[str, Card]) -> bool:
    """chat.unfurl the cards under the event's message (again: Slack replaces what it shows)."""
    try:
        await client.chat_unfurl(**_message_of(event), unfurls=unfurls_of(cards))
    except SlackApiError as err:  # the message went, or Slack refused the link: nothing to say
        logger.info("chat.unfurl refused: %s", err.response.get("error"))
        return False
    return True


def _message_of(event: LinksShared) -> dict[str, Any]:
    """Where chat.unfurl puts the cards: the composer's preview, or the posted message."""
    if event.source == COMPOSER:
        return {"unfurl_id": event.unfurl_id, "source": COMPOSER}
    return {"channel": event.channel, "ts": event.message_ts}


def records_in(links: list[SharedLink], pages: RecordLinks) -> dict[str, LinkedRecord]:
    """The links that are records' pages, each once, by the link as Slack sent it."""
    found: dict[str, LinkedRecord] = {}
    for link in links[:LINKS_MAX]:
        record = pages.record(link.url)
        if record is not None and link.url not in found:
            found[link.url] = record
    return found
