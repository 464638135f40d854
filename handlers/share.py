"""Share in channel: post a card publicly, "shared by @user", and remove the ephemeral copy."""

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from handlers import customers, ids, jobs, tickets
from handlers.cards.common import Card, shared_by
from handlers.config import HandlerConfig
from handlers.refs import CustomerRef, JobRef, TicketQuery, TicketRef, parse_ref

logger = logging.getLogger("deskhand.share")
# Where the bot may not post itself: the response_url can still post there for the user.
_CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


def register(app: AsyncApp) -> None:
    """Attach the Share in channel button."""
    app.action(ids.SHARE_CARD)(share_card)


async def share_card(
    ack: AsyncAck,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    config: HandlerConfig,
) -> None:
    """Rebuild the card from its button value, read fresh, and post it for the channel."""
    await ack()
    card = await render_card(parse_ref(action["value"]), desk, config)
    user_id = body["user"]["id"]
    card.blocks.append(shared_by(user_id))
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    try:
        await client.chat_postMessage(channel=channel, **card.message())
    except SlackApiError as err:
        if err.response.get("error") not in _CANNOT_POST:
            raise
        logger.info(
            "share: chat.postMessage refused (%s); posting via response_url",
            err.response.get("error"),
        )
        await respond(response_type="in_channel", replace_original=False, **card.message())
    await respond(delete_original=True)


async def render_card(
    ref: TicketRef | TicketQuery | CustomerRef | JobRef, desk: Desk, config: HandlerConfig
) -> Card:
    """The public version of the card a reference stands for (no Share button on it)."""
    if isinstance(ref, TicketRef):
        return await tickets.render_ticket(ref, desk, config, shareable=False)
    if isinstance(ref, TicketQuery):
        return await tickets.render_ticket_list(ref, desk, config, shareable=False)
    if isinstance(ref, JobRef):
        return await jobs.render_job(ref, desk, config, shareable=False)
    return await customers.render_customer(ref, desk, config, shareable=False)
