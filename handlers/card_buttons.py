"""The buttons every card shares: redraw in place, open a card below, Share in channel.

A button's value is the reference of the card it stands for (cards/refs.py), so one listener
per behaviour serves every kind of card: `card_for(await desk.read(ref))`.
"""

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.refs import AnyRef, JobRef, TicketQuery, TicketRef
from cards import ids
from cards.common import Card, shared_by
from cards.config import HandlerConfig
from cards.refs import parse_ref
from cards.views import card_for
from handlers.replies import reply_with
from live.posted import drawn_for_pressed, remember_post
from store import Store

logger = logging.getLogger("deskhand.buttons")
# Where the bot may not post itself: the response_url can still post there for the user.
_CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


def register(app: AsyncApp) -> None:
    """Attach the shared card buttons."""
    app.action(ids.TICKET_REFRESH)(redraw_card)
    app.action(ids.TICKETS_PAGE_PREVIOUS)(redraw_card)
    app.action(ids.TICKETS_PAGE_NEXT)(redraw_card)
    app.action(ids.CUSTOMER_PICK)(redraw_card)
    app.action(ids.JOB_REFRESH)(redraw_card)
    app.action(ids.TICKETS_OPEN)(open_card)
    app.action(ids.TICKET_SHOW_CUSTOMER)(open_card)
    app.action(ids.JOB_SHOW_CUSTOMER)(open_card)
    app.action(ids.DIGEST_SHOW_TICKETS)(open_card)
    app.action(ids.RUNSHEET_OPEN)(open_card)
    app.action(ids.SHARE_CARD)(share_card)
    app.action(ids.TICKET_OPEN_WEB)(acknowledge_link)


async def redraw_card(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
) -> None:
    """Refresh, Previous / Next, a picker's Open: the card read now, replacing this message
    (a live card in a channel drawn as it was posted there). Another page of a list shared in
    a channel is shown to the presser alone: their paging does not move the list for all."""
    await ack()
    ref = parse_ref(action["value"])
    shared = not (body.get("container") or {}).get("is_ephemeral", True)
    await reply_with(
        respond,
        _pressed_card(body, ref, desk, store, config),
        replace=not (shared and isinstance(ref, TicketQuery)),
        waiting=f"Looking up {_what(ref)} …",
        patience=config.looking_up_after,
    )


async def open_card(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    desk: Desk,
    config: HandlerConfig,
) -> None:
    """A list row's Open, a card's Customer: that card as a new message below this one."""
    await ack()
    card = await _card(parse_ref(action["value"]), desk, config)
    await respond(response_type="ephemeral", replace_original=False, **card.message())


async def share_card(
    ack: AsyncAck,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
) -> None:
    """Rebuild the card from its button value, read fresh, and post it for the channel; a ticket
    or job card posted by the bot is then kept up to date (a live card)."""
    await ack()
    card = await _card(parse_ref(action["value"]), desk, config, shareable=False)
    user_id = body["user"]["id"]
    card.blocks.append(shared_by(user_id))
    channel = (body.get("channel") or {}).get("id")
    try:
        posted = await client.chat_postMessage(channel=channel, **card.message())
        await remember_post(store, channel, posted.get("ts"), card, shared_by_user=user_id)
    except SlackApiError as err:
        if err.response.get("error") not in _CANNOT_POST:
            raise
        logger.info(
            "share: chat.postMessage refused (%s); posting via response_url",
            err.response.get("error"),
        )
        await respond(response_type="in_channel", replace_original=False, **card.message())
    await respond(delete_original=True)


async def acknowledge_link(ack: AsyncAck) -> None:
    """Open in ReadyDesk is a link; Slack still reports the click, which needs an ack."""
    await ack()


async def _card(ref: AnyRef, desk: Desk, config: HandlerConfig, *, shareable: bool = True) -> Card:
    """The card a reference stands for, read now."""
    return card_for(
        await desk.read(ref, config.now(), config.callbacks), config, shareable=shareable
    )


async def _pressed_card(
    body: dict[str, Any], ref: AnyRef, desk: Desk, store: Store, config: HandlerConfig
) -> Card:
    """The card a reference stands for, read now, to put in place of the pressed message."""
    view = await desk.read(ref, config.now(), config.callbacks)
    personal = card_for(view, config)
    if not isinstance(ref, TicketRef | JobRef):
        return personal
    copy = card_for(view, config, shareable=False)
    return await drawn_for_pressed(body, store, personal, copy)


def _what(ref: AnyRef) -> str:
    if isinstance(ref, TicketRef):
        return f"ticket {ref.ticket_id}"
    if isinstance(ref, TicketQuery):
        return f"page {ref.page}"
    if isinstance(ref, JobRef):
        return f"job {ref.job_number}"
    return "the customer"
