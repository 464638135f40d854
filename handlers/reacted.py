"""The reaction that acts and the message it is on: which reactions Deskhand acts on, reading the
message (reaction events name no text), telling the person who reacted, and whether the message
is a Deskhand ticket card."""

import hashlib
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.writes import Intent
from cards.common import Card
from cards.config import HandlerConfig
from cards.refs import DamagedValue, ticket_of_block
from cards.tickets import card_for
from handlers.event_fields import EventFields, read_event
from live.registry import card_changed
from store import Store

logger = logging.getLogger("deskhand.reactions")
ON_A_CARD = ("assign", "close")  # what acts only on a Deskhand ticket card


class ReactedItem(EventFields):
    """What was reacted to: a message (channel and ts), or a file."""

    type: str = ""
    channel: str = ""
    ts: str = ""


class Reaction(EventFields):
    """The reaction_added fields Deskhand reads, typed as Slack sends them."""

    user: str
    reaction: str
    item: ReactedItem
    item_user: str = ""  # who posted the message
    # When it was added: the same in every delivery of this event (a retry, a second replica),
    # another when the reaction is removed and added again (a new intent).
    event_ts: str = ""

    def told_key(self) -> str:
        """The key a notice that needs no write is claimed by (once per reaction, as a write
        is): short enough for an event id, whatever the emoji's name."""
        where = f"{self.reaction}:{self.item.channel}:{self.item.ts}:{self.user}:{self.event_ts}"
        return "told:" + hashlib.sha256(where.encode()).hexdigest()[:40]

    def intent(self, ticket_id: int, summary: str) -> Intent:
        """The write this reaction asks for, keyed by the reaction's Slack identity, so a
        redelivery, a retry or a second replica finds it claimed, and a reaction added again
        is asked anew."""
        where = f"{self.item.channel}:{self.item.ts}"
        return Intent(
            key=f"reaction:{self.reaction}:{where}:{self.user}:{self.event_ts}",
            action="ticket.assign_me",
            user_id=self.user,
            channel_id=self.item.channel,
            target=f"ticket #{ticket_id}",
            summary=summary,
        )


def reaction_of(
    event: dict[str, Any], config: HandlerConfig, bot_user: str | None
) -> tuple[Reaction, str] | None:
    """The reaction and what it does ("ticket", "assign", "close"), or None for one Deskhand
    leaves alone: another emoji or one turned off, Deskhand's own, on a file, or an emoji for
    cards on a message Deskhand did not post."""
    reaction = read_event(Reaction, event)
    if reaction is None or reaction.item.type != "message":
        return None
    if not (reaction.item.channel and reaction.item.ts):
        logger.warning("reaction_added ignored: its item names no channel and ts, as Slack's do")
        return None
    act = config.reactions.act(reaction.reaction)
    if act is None or reaction.user == bot_user:
        return None
    if act in ON_A_CARD and (not bot_user or reaction.item_user != bot_user):
        return None
    return reaction, act


class Unreadable(Exception):
    """Slack would not show Deskhand the message (its error, and the scope it named missing)."""

    def __init__(self, error: str, needed: str = "") -> None:
        super().__init__(error)
        self.error, self.needed = error, needed


async def read_message(client: AsyncWebClient, channel: str, ts: str) -> dict[str, Any]:
    """The message at `ts`: from the channel's history, else (a thread reply) its thread."""
    window = {"channel": channel, "oldest": ts, "latest": ts, "inclusive": True, "limit": 1}
    try:
        found = _at(await client.conversations_history(**window), ts)
        if found is None:
            found = _at(await client.conversations_replies(ts=ts, **window), ts)
    except SlackApiError as err:
        answer = err.response
        raise Unreadable(str(answer.get("error")), str(answer.get("needed") or "")) from err
    if found is None:
        raise Unreadable("message_not_found")
    return found


def _at(page: Any, ts: str) -> dict[str, Any] | None:
    return next((m for m in page.get("messages") or [] if m.get("ts") == ts), None)


def ticket_on_card(message: dict[str, Any], bot_user: str | None) -> int | None:
    """The ticket a Deskhand ticket card shows (a shared card, an alert, a live card), by its
    buttons' block; None for any other message."""
    if not bot_user or message.get("user") != bot_user:
        return None
    tickets = set()
    for block in message.get("blocks") or []:
        try:
            tickets.add(ticket_of_block(block.get("block_id")).ticket_id)
        except DamagedValue:
            continue
    return tickets.pop() if len(tickets) == 1 else None


async def tell(
    client: AsyncWebClient, reaction: Reaction, card: Card, *, thread_ts: str | None = None
) -> None:
    """Show `card` to the person who reacted, where the message is (in its thread, for a
    reply); when Slack will not show it there (Deskhand is not in the channel), in a DM."""
    message = {k: v for k, v in card.message().items() if v}  # a line alone has no blocks
    try:
        await client.chat_postEphemeral(
            channel=reaction.item.channel, user=reaction.user, thread_ts=thread_ts, **message
        )
        return
    except SlackApiError as err:
        logger.info("reaction answer not shown in the channel: %s", err.response.get("error"))
    try:
        await client.chat_postMessage(channel=reaction.user, **message)
    except SlackApiError as err:
        logger.warning("reaction answer not delivered: %s", err.response.get("error"))


async def redraw_copies(
    desk: Desk, store: Store, client: AsyncWebClient, config: HandlerConfig, ticket: int, who: str
) -> None:
    """After a change to the ticket: its cards in channels show it now, with who changed it (a
    read that fails leaves them to the live cards' next poll)."""
    try:
        view = await desk.ticket(ticket, config.callbacks)  # the read `/ticket N` makes
    except BackendError as err:
        logger.info("ticket #%s changed; its cards wait for the next poll: %s", ticket, err)
        return
    await card_changed(card_for(view, config, shareable=False), who, store, desk, client, config)
